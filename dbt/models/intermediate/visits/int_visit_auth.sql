-- Grain: one row per visit (appointment_id of int_visits).
-- Which prior authorization belongs to each visit, and whether the visit needed one.
-- Matching, first hit wins: (1) an auth tied to the appointment, (2) an auth tied to an
-- appointment this one replaced (rescheduled_from_id, followed up to
-- var('reschedule_chain_depth', 5) steps back, nearest first), (3) an auth for the same patient,
-- provider and one of the visit's CPT codes whose validity window covers the service date,
-- (4) such an auth without a validity window yet, requested in the 90 days before service.
-- Within a level the auth in place at the visit wins: requested before the visit, latest
-- first; an auth requested only after the visit (retro authorization, e.g. for a code
-- performed instead of the planned one) counts as not requested in time.
-- "Needs an auth": the visit has a matched auth, or one of its coded CPTs is a CPT the
-- visit's payer has been asked to authorize (any auth request for that payer + CPT).
-- Incremental by appointment (macros/visits.sql): the visit chain's touched appointments
-- (new auths reach back to the visits they can match).
{{ visit_chain_incremental(visits_only=true) }}
with touched_appointments as (

    {{ appointments_touched_by_new_loads() }}

),

visits as (

    select
        appointment_id,
        rescheduled_from_id,
        encounter_id,
        patient_id,
        payer_id,
        provider_id,
        service_date,
        service_at,
        _load_id
    from {{ ref('int_visits') }}
    {{- only_touched('appointment_id', touched='touched_appointments') }}

),

auths as (

    select * from {{ ref('stg_pm__prior_auths') }}

),

reschedules as (

    select appointment_id, rescheduled_from_id
    from {{ ref('stg_pm__appointments') }}
    where rescheduled_from_id is not null

),

-- the appointments each visit replaced, 1 = the one it was rescheduled from
replaced as (

    select appointment_id, rescheduled_from_id as replaced_id, 1 as depth
    from visits
    where rescheduled_from_id is not null
    {%- for depth in range(2, var('reschedule_chain_depth', 5) + 1) %}
    union all
    select visits.appointment_id, step{{ depth }}.rescheduled_from_id, {{ depth }}
    from visits
    {%- for hop in range(1, depth) %}
    inner join reschedules as step{{ hop + 1 }}
        on {% if hop == 1 %}visits.rescheduled_from_id{% else %}step{{ hop }}.rescheduled_from_id{% endif %} = step{{ hop + 1 }}.appointment_id
    {%- endfor %}
    {%- endfor %}

),

visit_cpts as (

    select distinct
        visits.appointment_id,
        charges.cpt_code
    from visits
    inner join {{ ref('stg_ehr__charges') }} as charges
        on visits.encounter_id = charges.encounter_id

),

auth_required_services as (

    select distinct payer_id, cpt_code from auths

),

required_cpts_per_visit as (

    select
        visit_cpts.appointment_id,
        count(*) as auth_required_cpt_count
    from visit_cpts
    inner join visits
        on visit_cpts.appointment_id = visits.appointment_id
    inner join auth_required_services
        on visits.payer_id = auth_required_services.payer_id
        and visit_cpts.cpt_code = auth_required_services.cpt_code
    group by visit_cpts.appointment_id

),

linked_by_appointment as (

    select
        visits.appointment_id,
        auths.auth_id,
        1 as match_priority,
        auths.requested_at,
        visits.service_at
    from visits
    inner join auths on visits.appointment_id = auths.appointment_id

    union all

    select
        visits.appointment_id,
        auths.auth_id,
        1 + replaced.depth as match_priority,
        auths.requested_at,
        visits.service_at
    from visits
    inner join replaced on visits.appointment_id = replaced.appointment_id
    inner join auths on replaced.replaced_id = auths.appointment_id

),

linked_by_service as (

    select
        visits.appointment_id,
        auths.auth_id,
        case when auths.valid_from is not null then 100 else 101 end as match_priority,
        auths.requested_at,
        visits.service_at
    from visits
    inner join visit_cpts
        on visits.appointment_id = visit_cpts.appointment_id
    inner join auths
        on visits.patient_id = auths.patient_id
        and visits.provider_id = auths.provider_id
        and visit_cpts.cpt_code = auths.cpt_code
    where
        (
            auths.valid_from is not null
            and visits.service_date between auths.valid_from
                and coalesce(auths.valid_to, visits.service_date)
        )
        or (
            auths.valid_from is null
            and auths.requested_at <= visits.service_at
            and cast(auths.requested_at as date)
                >= {{ dbt.dateadd('day', -90, 'visits.service_date') }}
        )

),

candidates as (

    select * from linked_by_appointment
    union all
    select * from linked_by_service

),

matched as (

    select appointment_id, auth_id, match_priority
    from (
        select
            *,
            row_number() over (
                partition by appointment_id
                order by
                    match_priority,
                    case when requested_at <= service_at then 0 else 1 end,
                    requested_at desc,
                    auth_id desc
            ) as match_rank
        from candidates
    ) as ranked
    where match_rank = 1

),

matched_cpt_on_visit as (

    select distinct matched.appointment_id
    from matched
    inner join auths on matched.auth_id = auths.auth_id
    inner join visit_cpts
        on matched.appointment_id = visit_cpts.appointment_id
        and auths.cpt_code = visit_cpts.cpt_code

),

visit_has_charges as (

    select distinct appointment_id from visit_cpts

),

joined as (

    select
        visits.appointment_id,
        visits.encounter_id,
        visits.patient_id,
        visits.payer_id,
        visits.provider_id,
        visits.service_date,
        visits.service_at,
        visits._load_id,
        coalesce(required_cpts_per_visit.auth_required_cpt_count, 0) as auth_required_cpt_count,
        matched.auth_id as matched_auth_id,
        case
            when matched.match_priority = 1 then 'appointment'
            when matched.match_priority < 100 then 'rescheduled_from'
            when matched.match_priority = 100 then 'validity_window'
            when matched.match_priority = 101 then 'requested_before_service'
        end as match_method,
        auths.auth_number as matched_auth_number,
        auths.cpt_code as matched_auth_cpt_code,
        auths.decision as matched_auth_decision,
        auths.requested_at as matched_auth_requested_at,
        auths.decided_at as matched_auth_decided_at,
        auths.valid_from as matched_auth_valid_from,
        auths.valid_to as matched_auth_valid_to,
        (
            matched.auth_id is not null
            or coalesce(required_cpts_per_visit.auth_required_cpt_count, 0) > 0
        ) as is_auth_required,
        (
            auths.auth_id is not null
            and (
                visits.service_date < coalesce(auths.valid_from, visits.service_date)
                or visits.service_date > coalesce(auths.valid_to, visits.service_date)
                or (
                    visit_has_charges.appointment_id is not null
                    and matched_cpt_on_visit.appointment_id is null
                )
            )
        ) as is_outside_auth
    from visits
    left join required_cpts_per_visit
        on visits.appointment_id = required_cpts_per_visit.appointment_id
    left join matched
        on visits.appointment_id = matched.appointment_id
    left join auths
        on matched.auth_id = auths.auth_id
    left join matched_cpt_on_visit
        on visits.appointment_id = matched_cpt_on_visit.appointment_id
    left join visit_has_charges
        on visits.appointment_id = visit_has_charges.appointment_id

),

classified as (

    select
        *,
        case
            when not is_auth_required then 'not_required'
            when matched_auth_id is null
                or matched_auth_decision = 'withdrawn'
                or matched_auth_requested_at > service_at
                then 'not_requested'
            when matched_auth_decided_at is null
                or matched_auth_decided_at > service_at
                or matched_auth_decision = 'pended'
                then 'pending'
            when matched_auth_decision = 'denied' then 'denied'
            when is_outside_auth then 'mismatch'
            else 'approved'
        end as auth_status
    from joined

),

final as (

    select
        appointment_id,
        encounter_id,
        patient_id,
        payer_id,
        provider_id,
        service_date,
        service_at,
        auth_required_cpt_count,
        is_auth_required,
        matched_auth_id,
        match_method,
        matched_auth_number,
        matched_auth_cpt_code,
        matched_auth_decision,
        matched_auth_requested_at,
        matched_auth_decided_at,
        matched_auth_valid_from,
        matched_auth_valid_to,
        auth_status,
        auth_status = 'not_requested' as is_auth_not_requested,
        auth_status = 'pending' as is_auth_pending_at_service,
        auth_status = 'denied' as is_auth_denied,
        auth_status = 'mismatch' as is_auth_mismatch,
        _load_id
    from classified

)

select * from final
