-- Grain: one row per visit = one appointment whose (latest) status is completed, with its
-- encounter when the EHR has one (the earliest encounter_id when several point to it).
-- Incremental by appointment (macros/visits.sql): the visit chain's touched appointments.
{{ visit_chain_incremental(visits_only=true) }}
with touched_appointments as (

    {{ appointments_touched_by_new_loads() }}

),

appointments as (

    select * from {{ ref('stg_pm__appointments') }}
    where status = 'completed'
    {{- only_touched('appointment_id', keyword='and', touched='touched_appointments') }}

),

encounters as (

    select
        *,
        row_number() over (
            partition by appointment_id order by service_date, encounter_id
        ) as encounter_rank
    from {{ ref('stg_ehr__encounters') }}
    where appointment_id is not null
    {{- only_touched('appointment_id', keyword='and', touched='touched_appointments') }}

),

patients as (

    select patient_id, primary_payer_id from {{ ref('stg_pm__patients') }}

),

providers as (

    select provider_id, specialty from {{ ref('stg_pm__providers') }}

),

joined as (

    select
        appointments.appointment_id,
        encounters.encounter_id,
        appointments.patient_id,
        patients.primary_payer_id as payer_id,
        appointments.provider_id,
        appointments.location_id,
        providers.specialty,
        appointments.appointment_type,
        appointments.rescheduled_from_id,
        appointments.scheduled_start_at,
        coalesce(encounters.service_date, cast(appointments.scheduled_start_at as date))
            as service_date,
        appointments.checked_in_at,
        encounters.arrived_at,
        encounters.roomed_at,
        encounters.provider_start_at,
        encounters.provider_end_at,
        encounters.departed_at,
        encounters.place_of_service,
        appointments.copay_due,
        appointments.copay_collected,
        appointments._load_id
    from appointments
    left join encounters
        on appointments.appointment_id = encounters.appointment_id
        and encounters.encounter_rank = 1
    left join patients
        on appointments.patient_id = patients.patient_id
    left join providers
        on appointments.provider_id = providers.provider_id

),

final as (

    select
        *,
        {{ month_of('service_date') }} as service_month,
        -- the moment the visit happened: arrival when known, else the scheduled start
        coalesce(arrived_at, scheduled_start_at) as service_at,
        {{ minutes_between('arrived_at', 'roomed_at') }} as door_to_room_min,
        {{ minutes_between('arrived_at', 'departed_at') }} as cycle_time_min
    from joined

)

select * from final
