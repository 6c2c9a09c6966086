-- Grain: one row per visit (an appointment whose status is completed), with the encounter,
-- the eligibility check and the prior authorization that belong to it.
-- Incremental by appointment (macros/visits.sql): the visit chain's touched appointments.
{{ visit_chain_incremental(visits_only=true) }}
with touched_appointments as (

    {{ appointments_touched_by_new_loads() }}

),

visits as (

    select * from {{ ref('int_visits') }}
    {{- only_touched('appointment_id', touched='touched_appointments') }}

),

eligibility as (

    select * from {{ ref('int_visit_eligibility') }}

),

auth as (

    select * from {{ ref('int_visit_auth') }}

),

providers as (

    select provider_id, specialty_group from {{ ref('dim_provider') }}

),

final as (

    select
        visits.appointment_id,
        visits.encounter_id,
        {{ patient_key('visits.patient_id') }} as patient_key,
        visits.payer_id,
        visits.provider_id,
        visits.location_id,
        visits.specialty,
        providers.specialty_group,
        visits.appointment_type,
        visits.service_date,
        visits.service_month,
        visits.service_at,
        visits.place_of_service,
        visits.copay_due,
        visits.copay_collected,
        visits.door_to_room_min,
        visits.cycle_time_min,
        eligibility.checks_in_window as eligibility_checks_in_window,
        eligibility.matched_check_id as eligibility_check_id,
        eligibility.matched_check_result as eligibility_check_result,
        eligibility.eligibility_status,
        eligibility.has_check_in_window as has_eligibility_check,
        eligibility.is_verified_active as is_eligibility_verified,
        eligibility.is_inactive_went_ahead as is_eligibility_result_ignored,
        auth.is_auth_required,
        auth.matched_auth_id as auth_id,
        auth.matched_auth_number as auth_number,
        auth.matched_auth_cpt_code as auth_cpt_code,
        auth.match_method as auth_match_method,
        auth.auth_status,
        auth.is_auth_not_requested,
        auth.is_auth_pending_at_service,
        auth.is_auth_denied,
        auth.is_auth_mismatch,
        visits._load_id
    from visits
    left join eligibility
        on visits.appointment_id = eligibility.appointment_id
    left join auth
        on visits.appointment_id = auth.appointment_id
    left join providers
        on visits.provider_id = providers.provider_id

)

select * from final
