-- Grain: one row per encounter (scheduled or walk-in), with clinic-flow durations and a
-- summary of its coded charges.
-- Incremental by encounter (macros/incremental.sql): new encounter versions and the
-- encounters of new charges; every encounter when a provider row arrived.
{{ keyed_incremental_config('encounter_id') }}
with touched_encounters as (

    {{ keys_touched_by_new_loads(
        'encounter_id', ref('stg_ehr__encounters'),
        related=[[ref('stg_ehr__charges'), 'encounter_id']],
        everything_when=[ref('stg_pm__providers')],
    ) }}

),

encounters as (

    select * from {{ ref('stg_ehr__encounters') }}
    {{- only_touched('encounter_id', touched='touched_encounters') }}

),

charges as (

    select
        encounter_id,
        count(*) as charge_line_count,
        sum(charge_amount) as total_charge_amount,
        min(coded_at) as first_coded_at,
        max(coded_at) as last_coded_at
    from {{ ref('stg_ehr__charges') }}
    {{- only_touched('encounter_id', touched='touched_encounters') }}
    group by encounter_id

),

providers as (

    select provider_id, specialty from {{ ref('dim_provider') }}

),

place_of_service as (

    select * from {{ ref('place_of_service_codes') }}

),

final as (

    select
        encounters.encounter_id,
        encounters.appointment_id,
        {{ patient_key('encounters.patient_id') }} as patient_key,
        encounters.provider_id,
        encounters.location_id,
        providers.specialty,
        encounters.service_date,
        {{ month_of('encounters.service_date') }} as service_month,
        encounters.place_of_service,
        coalesce(place_of_service.is_telehealth, false) as is_telehealth,
        encounters.arrived_at,
        encounters.roomed_at,
        encounters.provider_start_at,
        encounters.provider_end_at,
        encounters.departed_at,
        {{ minutes_between('encounters.arrived_at', 'encounters.roomed_at') }}
            as door_to_room_min,
        {{ minutes_between('encounters.arrived_at', 'encounters.departed_at') }}
            as cycle_time_min,
        coalesce(charges.charge_line_count, 0) as charge_line_count,
        coalesce(charges.total_charge_amount, 0) as total_charge_amount,
        charges.first_coded_at,
        charges.last_coded_at,
        encounters._load_id
    from encounters
    left join charges
        on encounters.encounter_id = charges.encounter_id
    left join providers
        on encounters.provider_id = providers.provider_id
    left join place_of_service
        on encounters.place_of_service = place_of_service.place_of_service

)

select * from final
