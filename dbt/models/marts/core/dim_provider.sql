-- Grain: one row per provider.
with providers as (

    select * from {{ ref('stg_pm__providers') }}

),

thresholds as (

    select * from {{ ref('new_patient_threshold_days') }}

),

final as (

    select
        providers.provider_id,
        providers.npi,
        providers.provider_name,
        providers.specialty,
        coalesce(thresholds.specialty_group, 'specialty') as specialty_group,
        coalesce(thresholds.threshold_days, 14) as new_patient_threshold_days,
        providers.location_id,
        coalesce(providers.fte, 1.0) as fte,
        providers.active_from,
        providers.active_to,
        (providers.active_to is null or providers.active_to >= {{ as_of_date() }}) as is_active
    from providers
    left join thresholds
        on providers.specialty = thresholds.specialty

)

select * from final
