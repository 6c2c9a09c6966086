-- Grain: one row per practice location.
with locations as (

    select * from {{ ref('stg_pm__locations') }}

),

providers as (

    select location_id, count(*) as provider_count
    from {{ ref('stg_pm__providers') }}
    group by location_id

),

final as (

    select
        locations.location_id,
        locations.location_name,
        locations.state,
        locations.opened_on,
        {{ months_between('locations.opened_on', as_of_date()) }} as location_age_months,
        {{ location_age_band(months_between('locations.opened_on', as_of_date())) }}
            as location_age_band,
        coalesce(providers.provider_count, 0) as provider_count
    from locations
    left join providers
        on locations.location_id = providers.location_id

)

select * from final
