-- Grain: one row per visit (appointment_id of int_visits).
-- Which eligibility check belongs to each visit: among the checks for the same patient and
-- the visit's payer (or tied to the appointment) requested in the var('eligibility_window_days')
-- x 24 hours before the appointment's scheduled start (a check at the front desk just before
-- the start counts), the latest answered one. "Answered" = responded_at present and a
-- coverage answer (active, inactive, not_found); error and no_response are not answers.
-- Checks requested after the scheduled start do not count.
-- Incremental by appointment (macros/visits.sql): the visit chain's touched appointments
-- (a new check touches every appointment of its patient).
{{ visit_chain_incremental(visits_only=true) }}
with touched_appointments as (

    {{ appointments_touched_by_new_loads() }}

),

visits as (

    select
        appointment_id,
        patient_id,
        payer_id,
        service_date,
        coalesce(scheduled_start_at, service_at) as checked_by_at,
        _load_id
    from {{ ref('int_visits') }}
    {{- only_touched('appointment_id', touched='touched_appointments') }}

),

checks as (

    select * from {{ ref('stg_pm__eligibility_checks') }}

),

candidates as (

    select
        visits.appointment_id,
        checks.check_id,
        checks.check_result,
        checks.channel,
        checks.requested_at,
        checks.responded_at,
        (
            checks.responded_at is not null
            and checks.check_result in ('active', 'inactive', 'not_found')
        ) as is_answered
    from visits
    inner join checks
        on visits.patient_id = checks.patient_id
        and (visits.payer_id = checks.payer_id or visits.appointment_id = checks.appointment_id)
        and checks.requested_at <= visits.checked_by_at
        and checks.requested_at
            >= {{ dbt.dateadd('day', -1 * var('eligibility_window_days'), 'visits.checked_by_at') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by appointment_id
            order by is_answered desc, responded_at desc, requested_at desc, check_id desc
        ) as answer_rank
    from candidates

),

per_visit as (

    select
        appointment_id,
        count(*) as checks_in_window,
        sum(case when is_answered then 1 else 0 end) as answered_checks_in_window,
        max(case when answer_rank = 1 and is_answered then check_id end) as matched_check_id,
        max(case when answer_rank = 1 and is_answered then check_result end)
            as matched_check_result,
        max(case when answer_rank = 1 and is_answered then channel end) as matched_check_channel,
        max(case when answer_rank = 1 and is_answered then responded_at end)
            as matched_responded_at
    from ranked
    group by appointment_id

),

final as (

    select
        visits.appointment_id,
        visits.patient_id,
        visits.payer_id,
        visits.service_date,
        coalesce(per_visit.checks_in_window, 0) as checks_in_window,
        coalesce(per_visit.answered_checks_in_window, 0) as answered_checks_in_window,
        per_visit.matched_check_id,
        per_visit.matched_check_result,
        per_visit.matched_check_channel,
        per_visit.matched_responded_at,
        coalesce(per_visit.checks_in_window, 0) > 0 as has_check_in_window,
        coalesce(per_visit.matched_check_result = 'active', false) as is_verified_active,
        coalesce(per_visit.matched_check_result in ('inactive', 'not_found'), false)
            as is_inactive_went_ahead,
        case
            when per_visit.appointment_id is null then 'not_checked'
            when per_visit.matched_check_id is null then 'unanswered'
            when per_visit.matched_check_result = 'active' then 'verified_active'
            else 'inactive_went_ahead'
        end as eligibility_status,
        visits._load_id
    from visits
    left join per_visit
        on visits.appointment_id = per_visit.appointment_id

)

select * from final
