-- Grain: one row per staff member.
with staff as (

    select * from {{ ref('stg_pm__staff') }}

),

final as (

    select
        staff_id,
        role,
        location_id,
        location_id is null as is_central_office,
        fte,
        hourly_cost
    from staff

)

select * from final
