-- Grain: one row per claim with a denial (int_claim_lifecycle has_denial: its first denial
-- event, claim or line level). Attributes the denial to an upstream step of the visit journey
-- (metrics.md "Root cause"), with the evidence in words:
--   eligibility: no answered check within var('eligibility_window_days') days before service
--     -> eligibility_not_checked; the check said inactive / not found and the visit went
--     ahead -> eligibility_result_ignored; the check said active -> payer_data_mismatch.
--   authorization (the auth in force at the visit: the latest one tied to the appointment,
--     or to the appointments it replaced (up to three reschedules back), requested before
--     the visit started; else the one
--     int_visit_auth matched if requested before the visit; an auth requested after the
--     visit, e.g. a retro auth for an appeal, says nothing about the visit):
--     no auth for the visit (or withdrawn) -> auth_not_requested; undecided
--     (or pended) at the time of service -> auth_pending_at_service; denied -> 
--     auth_denied_service_rendered; approved but expired, not yet valid or for another CPT
--     -> auth_mismatch.
--   timely_filing: the slowest of the three steps between the visit and the submission:
--     note signature (scheduled start -> signed) -> documentation_delay, coding (signed ->
--     coded) -> coding_delay, submission (coding date -> 837 BHT04 date) ->
--     submission_delay.
--   coding, bundling -> coding_error; documentation, medical_necessity ->
--     clinical_documentation; any other category -> the category itself.
with denials as (

    select * from {{ ref('int_claim_lifecycle') }}
    where has_denial

),

eligibility as (

    select * from {{ ref('int_visit_eligibility') }}

),

auths as (

    select * from {{ ref('int_visit_auth') }}

),

appointments as (

    select appointment_id, rescheduled_from_id, scheduled_start_at
    from {{ ref('stg_pm__appointments') }}

),

prior_auths as (

    select * from {{ ref('stg_pm__prior_auths') }}

),

payers as (

    select payer_id, timely_filing_days from {{ ref('stg_pm__payers') }}

),

-- notes and charges of the denied claims' encounters only (a few percent of them): the
-- aggregates below are left-joined on those encounters, so the other rows were dropped
-- after being grouped
denied_encounters as (

    select encounter_id from {{ ref('int_claim_lifecycle') }} where has_denial

),

notes as (

    select encounter_id, max(signed_at) as note_signed_at, count(*) as note_count,
        sum(case when signed_at is null then 1 else 0 end) as unsigned_note_count
    from {{ ref('stg_ehr__clinical_notes') }}
    where encounter_id in (select encounter_id from denied_encounters)
    group by encounter_id

),

coding as (

    select encounter_id, max(coded_at) as coded_at
    from {{ ref('stg_ehr__charges') }}
    where encounter_id in (select encounter_id from denied_encounters)
    group by encounter_id

),

encounters as (

    select encounter_id, appointment_id from {{ ref('stg_ehr__encounters') }}

),

joined as (

    select
        denials.claim_id,
        denials.denial_category,
        denials.denial_carc,
        denials.denial_group_code,
        denials.service_date,
        denials.first_submission_date,
        coalesce(denials.appointment_id, encounters.appointment_id) as appointment_id,
        denials.encounter_id,
        payers.timely_filing_days,
        -- the visit's scheduled start (else the service date) anchors auth timing and delays
        coalesce(
            appointments.scheduled_start_at,
            cast(denials.service_date as {{ dbt.type_timestamp() }})
        ) as service_at,
        eligibility.matched_check_id,
        eligibility.matched_check_result,
        eligibility.matched_responded_at,
        eligibility.checks_in_window,
        appointments.rescheduled_from_id,
        auths.matched_auth_id as visit_matched_auth_id,
        auths.auth_status,
        notes.note_signed_at,
        coalesce(notes.unsigned_note_count, 0) as unsigned_note_count,
        coding.coded_at
    from denials
    left join encounters
        on denials.encounter_id = encounters.encounter_id
    left join appointments
        on coalesce(denials.appointment_id, encounters.appointment_id)
            = appointments.appointment_id
    left join eligibility
        on coalesce(denials.appointment_id, encounters.appointment_id) = eligibility.appointment_id
    left join auths
        on coalesce(denials.appointment_id, encounters.appointment_id) = auths.appointment_id
    left join payers
        on denials.payer_id = payers.payer_id
    left join notes
        on denials.encounter_id = notes.encounter_id
    left join coding
        on denials.encounter_id = coding.encounter_id

),

appointment_chain as (

    -- each denied visit's appointment, and the appointments it replaced, nearest first
    select joined.appointment_id, joined.appointment_id as ancestor_id, 0 as depth
    from joined
    where joined.appointment_id is not null
    union all
    select joined.appointment_id, back1.appointment_id, 1
    from joined
    inner join appointments as back1
        on joined.rescheduled_from_id = back1.appointment_id
    union all
    select joined.appointment_id, back2.appointment_id, 2
    from joined
    inner join appointments as back1
        on joined.rescheduled_from_id = back1.appointment_id
    inner join appointments as back2
        on back1.rescheduled_from_id = back2.appointment_id
    union all
    select joined.appointment_id, back3.appointment_id, 3
    from joined
    inner join appointments as back1
        on joined.rescheduled_from_id = back1.appointment_id
    inner join appointments as back2
        on back1.rescheduled_from_id = back2.appointment_id
    inner join appointments as back3
        on back2.rescheduled_from_id = back3.appointment_id

),

auth_candidates as (

    select
        joined.claim_id,
        prior_auths.auth_id,
        prior_auths.requested_at,
        1 as source_priority
    from joined
    inner join appointment_chain
        on joined.appointment_id = appointment_chain.appointment_id
    inner join prior_auths
        on appointment_chain.ancestor_id = prior_auths.appointment_id
    where prior_auths.requested_at <= joined.service_at

    union all

    select
        joined.claim_id,
        prior_auths.auth_id,
        prior_auths.requested_at,
        2 as source_priority
    from joined
    inner join prior_auths
        on joined.visit_matched_auth_id = prior_auths.auth_id
    where prior_auths.requested_at <= joined.service_at

),

auth_at_service as (

    select claim_id, auth_id
    from (
        select
            *,
            row_number() over (
                partition by claim_id
                order by source_priority, requested_at desc, auth_id desc
            ) as auth_rank
        from auth_candidates
    ) as ranked
    where auth_rank = 1

),

with_auth as (

    select
        joined.*,
        prior_auths.auth_id as matched_auth_id,
        prior_auths.decision as matched_auth_decision,
        prior_auths.decided_at as matched_auth_decided_at,
        prior_auths.requested_at as matched_auth_requested_at,
        prior_auths.valid_from as matched_auth_valid_from,
        prior_auths.valid_to as matched_auth_valid_to,
        prior_auths.cpt_code as matched_auth_cpt_code
    from joined
    left join auth_at_service
        on joined.claim_id = auth_at_service.claim_id
    left join prior_auths
        on auth_at_service.auth_id = prior_auths.auth_id

),

lags as (

    select
        *,
        {{ days_between('service_date', 'note_signed_at') }} as note_sign_days,
        {{ days_between('service_date', 'coded_at') }} as coded_days,
        {{ days_between('service_date', 'first_submission_date') }} as submitted_days
    from with_auth

),

steps as (

    -- days each step took: visit start -> note signed, note signed -> coded (both with
    -- fractions), calendar days from the coding date to the submission date; a missing
    -- signature leaves the note step as the whole wait until coding
    select
        *,
        {{ dbt.datediff('service_at', 'coalesce(note_signed_at, coded_at)', 'second') }}
            / 86400.0 as documentation_step_days,
        case when note_signed_at is null then 0
            else {{ dbt.datediff('note_signed_at', 'coded_at', 'second') }} / 86400.0
        end as coding_step_days,
        {{ days_between('coded_at', 'first_submission_date') }} as submission_step_days
    from lags

),

attributed as (

    select
        *,
        case
            when denial_category = 'eligibility' then
                case
                    when matched_check_id is null then 'eligibility_not_checked'
                    when matched_check_result in ('inactive', 'not_found')
                        then 'eligibility_result_ignored'
                    when matched_check_result = 'active' then 'payer_data_mismatch'
                    else 'eligibility_not_checked'
                end
            when denial_category = 'authorization' then
                case
                    when matched_auth_id is null or matched_auth_decision = 'withdrawn'
                        then 'auth_not_requested'
                    when matched_auth_decided_at is null
                        or matched_auth_decided_at > service_at
                        or matched_auth_decision = 'pended'
                        then 'auth_pending_at_service'
                    when matched_auth_decision = 'denied' then 'auth_denied_service_rendered'
                    else 'auth_mismatch'
                end
            when denial_category = 'timely_filing' then
                case
                    when coalesce(documentation_step_days, 0) >= coalesce(coding_step_days, 0)
                        and coalesce(documentation_step_days, 0)
                            >= coalesce(submission_step_days, 0)
                        then 'documentation_delay'
                    when coalesce(coding_step_days, 0) >= coalesce(submission_step_days, 0)
                        then 'coding_delay'
                    else 'submission_delay'
                end
            when denial_category in ('coding', 'bundling') then 'coding_error'
            when denial_category in ('documentation', 'medical_necessity')
                then 'clinical_documentation'
            else coalesce(denial_category, 'other')
        end as root_cause
    from steps

),

final as (

    select
        claim_id,
        denial_category,
        denial_group_code,
        denial_carc,
        root_cause,
        case root_cause
            when 'eligibility_not_checked' then
                case when checks_in_window > 0
                    then 'eligibility checks in the ' || cast({{ var('eligibility_window_days') }} as {{ dbt.type_string() }})
                        || ' days before service went unanswered or errored'
                    else 'no eligibility check in the ' || cast({{ var('eligibility_window_days') }} as {{ dbt.type_string() }})
                        || ' days before service'
                end
            when 'eligibility_result_ignored' then
                'check ' || matched_check_id || ' said ' || matched_check_result
                    || ' on ' || cast(cast(matched_responded_at as date) as {{ dbt.type_string() }})
                    || '; the visit went ahead'
            when 'payer_data_mismatch' then
                'check ' || matched_check_id || ' said active on '
                    || cast(cast(matched_responded_at as date) as {{ dbt.type_string() }})
                    || ' yet the payer denied ' || denial_group_code || '-' || denial_carc
                    || ': coverage or payer on file was wrong'
            when 'auth_not_requested' then
                case when matched_auth_decision = 'withdrawn'
                    then 'auth ' || matched_auth_id || ' was withdrawn before service'
                    else 'no prior authorization on file for the visit'
                end
            when 'auth_pending_at_service' then
                'auth ' || matched_auth_id || ' requested '
                    || cast(cast(matched_auth_requested_at as date) as {{ dbt.type_string() }})
                    || ' was still '
                    || case when matched_auth_decision = 'pended' then 'pended'
                        else 'undecided' end
                    || ' at service on ' || cast(service_date as {{ dbt.type_string() }})
            when 'auth_denied_service_rendered' then
                'auth ' || matched_auth_id || ' denied on '
                    || cast(cast(matched_auth_decided_at as date) as {{ dbt.type_string() }})
                    || '; service rendered on ' || cast(service_date as {{ dbt.type_string() }})
            when 'auth_mismatch' then
                case
                    when matched_auth_valid_to < service_date then
                        'auth ' || matched_auth_id || ' expired on '
                            || cast(matched_auth_valid_to as {{ dbt.type_string() }})
                            || ', before service on ' || cast(service_date as {{ dbt.type_string() }})
                    when matched_auth_valid_from > service_date then
                        'auth ' || matched_auth_id || ' valid only from '
                            || cast(matched_auth_valid_from as {{ dbt.type_string() }})
                            || ', after service on ' || cast(service_date as {{ dbt.type_string() }})
                    else
                        'auth ' || matched_auth_id || ' (CPT ' || coalesce(matched_auth_cpt_code, '?')
                            || ') does not cover the billed service or units'
                end
            when 'documentation_delay' then
                case when note_signed_at is null
                    then 'note still unsigned; claim submitted '
                    else 'note signed ' || cast(note_sign_days as {{ dbt.type_string() }})
                        || ' days after service; claim submitted '
                end
                || cast(submitted_days as {{ dbt.type_string() }}) || ' days after service'
                || coalesce(' (filing limit ' || cast(timely_filing_days as {{ dbt.type_string() }}) || ' days)', '')
            when 'coding_delay' then
                'coded ' || cast(coded_days as {{ dbt.type_string() }})
                    || ' days after service (' || cast(cast(round(coding_step_days) as integer) as {{ dbt.type_string() }})
                    || ' days after the note); claim submitted '
                    || cast(submitted_days as {{ dbt.type_string() }}) || ' days after service'
                    || coalesce(' (filing limit ' || cast(timely_filing_days as {{ dbt.type_string() }}) || ' days)', '')
            when 'submission_delay' then
                'claim submitted ' || cast(submitted_days as {{ dbt.type_string() }})
                    || ' days after service, ' || cast(submission_step_days as {{ dbt.type_string() }})
                    || ' days after coding'
                    || coalesce(' (filing limit ' || cast(timely_filing_days as {{ dbt.type_string() }}) || ' days)', '')
            else
                'payer denied ' || coalesce(denial_group_code || '-' || denial_carc, 'the claim')
                    || ' (' || coalesce(denial_category, 'other') || ')'
        end as evidence,
        appointment_id,
        encounter_id,
        service_date,
        first_submission_date,
        timely_filing_days,
        note_sign_days,
        coded_days,
        submitted_days,
        documentation_step_days,
        coding_step_days,
        submission_step_days,
        matched_check_id,
        matched_check_result,
        matched_auth_id,
        matched_auth_decision,
        auth_status
    from attributed

)

select * from final
