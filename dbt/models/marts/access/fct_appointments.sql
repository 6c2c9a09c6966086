-- Grain: one row per appointment (latest version), every status.
-- Flags carry the access metric rules of metrics.md section 1, so kpi_access only counts.
-- Incremental by appointment (macros/visits.sql): the visit chain's touched appointments
-- (needs_auth reads the auths tied to the appointment and int_visit_auth).
{{ visit_chain_incremental(visits_only=false) }}
with touched_appointments as (

    {{ appointments_touched_by_new_loads() }}

),

appointments as (

    select * from {{ ref('stg_pm__appointments') }}
    {{- only_touched('appointment_id', touched='touched_appointments') }}

),

patients as (

    select patient_id, primary_payer_id from {{ ref('stg_pm__patients') }}

),

providers as (

    select provider_id, specialty, specialty_group, new_patient_threshold_days
    from {{ ref('dim_provider') }}

),

linked_auths as (

    select distinct appointment_id
    from {{ ref('stg_pm__prior_auths') }}
    where appointment_id is not null

),

visit_auth as (

    select appointment_id, is_auth_required from {{ ref('int_visit_auth') }}

),

enriched as (

    select
        appointments.*,
        patients.primary_payer_id as payer_id,
        providers.specialty,
        providers.specialty_group,
        providers.new_patient_threshold_days,
        {{ days_between('appointments.requested_at', 'appointments.scheduled_start_at') }}
            as lead_time_days,
        {{ days_between('appointments.booked_at', 'appointments.scheduled_start_at') }}
            as booking_lag_days,
        (
            linked_auths.appointment_id is not null
            or coalesce(visit_auth.is_auth_required, false)
            or coalesce(appointments.cancel_reason = 'auth_pending', false)
        ) as needs_auth
    from appointments
    left join patients
        on appointments.patient_id = patients.patient_id
    left join providers
        on appointments.provider_id = providers.provider_id
    left join linked_auths
        on appointments.appointment_id = linked_auths.appointment_id
    left join visit_auth
        on appointments.appointment_id = visit_auth.appointment_id

),

final as (

    select
        appointment_id,
        {{ patient_key('patient_id') }} as patient_key,
        provider_id,
        location_id,
        payer_id,
        specialty,
        specialty_group,
        appointment_type,
        status,
        requested_at,
        booked_at,
        scheduled_start_at,
        duration_min,
        status_changed_at,
        cancel_reason,
        cancelled_by,
        rescheduled_from_id,
        checked_in_at,
        copay_due,
        copay_collected,
        {{ month_of('booked_at') }} as booked_month,
        {{ month_of('scheduled_start_at') }} as scheduled_month,
        lead_time_days,
        booking_lag_days,
        new_patient_threshold_days,
        status <> 'rescheduled' as is_request,
        status = 'completed' as is_visit,
        status = 'no_show' as is_no_show,
        coalesce(
            status in ('cancelled', 'rescheduled')
            and {{ hours_between('status_changed_at', 'scheduled_start_at') }} < 24,
            false
        ) as is_late_cancel,
        coalesce(
            status in ('cancelled', 'rescheduled') and cancelled_by = 'practice', false
        ) as is_bump,
        coalesce(
            status in ('cancelled', 'rescheduled') and cancel_reason = 'auth_pending', false
        ) as is_auth_pending_cancel,
        needs_auth,
        case
            when appointment_type <> 'new_patient' or status = 'rescheduled' then null
            else lead_time_days <= new_patient_threshold_days
        end as is_new_patient_within_threshold,
        _load_id
    from enriched

)

select * from final
