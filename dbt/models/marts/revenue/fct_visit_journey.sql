-- Grain: one row per appointment (every status), following it from the request to the
-- settled balance: milestone timestamps, durations between them, friction flags, the staff
-- minutes and cost spent on it (work items on the appointment, on its prior auths and on
-- its claims) and its money (charges, payments, outstanding balance).
-- The encounter is the first one (lowest encounter_id) pointing at the appointment; claims are every claim of
-- that encounter (REF*EA), summed. Built on the foundation marts (fct_appointments,
-- fct_encounters, fct_clinical_notes, fct_prior_auths, fct_work_items) and fct_claims.
-- Incremental by appointment (macros/visits.sql): the visit chain's touched appointments;
-- those of the encounters of new note versions; those whose work items (on the
-- appointment, its auths or its claims) have a new version, every appointment when a staff
-- row arrived (hourly cost); those of the encounters of claims in new loads; and those whose
-- stored claim columns differ from today's (write-offs move with the as-of date, patient
-- payments reach claims without a new 837/835, denial root causes follow the visit chain).
{{ visit_chain_incremental(visits_only=false) }}
{{ claims_touched_depends_on() }}
-- depends_on: {{ ref('stg_ehr__clinical_notes') }}, {{ ref('stg_pm__work_items') }}
-- depends_on: {{ ref('stg_pm__staff') }}
with appointment_rows as (

    select * from {{ ref('fct_appointments') }}

),

encounters as (

    -- the earliest encounter of each appointment
    select encounters.*
    from (
        select
            encounter_id,
            appointment_id,
            service_date,
            arrived_at,
            roomed_at,
            provider_start_at,
            provider_end_at,
            departed_at,
            last_coded_at,
            total_charge_amount
        from {{ ref('fct_encounters') }}
        where appointment_id is not null
    ) as encounters
    inner join (
        select appointment_id, min(encounter_id) as encounter_id
        from {{ ref('fct_encounters') }}
        where appointment_id is not null
        group by appointment_id
    ) as first_encounter
        on encounters.encounter_id = first_encounter.encounter_id

),

eligibility as (

    select appointment_id, matched_responded_at, eligibility_status
    from {{ ref('int_visit_eligibility') }}

),

auth as (

    select appointment_id, matched_auth_id, matched_auth_decided_at, auth_status,
        is_auth_required
    from {{ ref('int_visit_auth') }}

),

claims as (

    select
        claim_id,
        encounter_id,
        first_submission_date,
        first_adjudicated_on,
        first_paid_on,
        balance_settled_on,
        has_denial,
        current_charge,
        payer_paid_amount,
        patient_paid_amount,
        denial_writeoff_amount,
        outstanding_balance
    from {{ ref('fct_claims') }}
    where encounter_id is not null

),

claims_per_encounter as (

    select
        encounter_id,
        count(*) as claim_count,
        min(claim_id) as first_claim_id,
        min(first_submission_date) as submitted_on,
        min(first_adjudicated_on) as first_adjudicated_on,
        min(first_paid_on) as first_paid_on,
        max(balance_settled_on) as balance_settled_on,
        sum(case when balance_settled_on is null then 1 else 0 end) as unsettled_claim_count,
        max(case when has_denial then 1 else 0 end) as has_denial,
        sum(current_charge) as claim_charge_amount,
        sum(payer_paid_amount) as payer_paid_amount,
        sum(patient_paid_amount) as claim_patient_paid_amount,
        sum(denial_writeoff_amount) as denial_writeoff_amount,
        sum(outstanding_balance) as outstanding_balance
    from claims
    group by encounter_id

),

denial_causes as (

    select encounter_id, min(root_cause) as denial_root_cause
    from {{ ref('fct_claim_denials') }}
    where encounter_id is not null
    group by encounter_id

),

claim_columns as (

    -- the journey's claim columns of each appointment whose encounter has claims or denials
    select
        encounters.appointment_id,
        claims_per_encounter.first_claim_id as claim_id,
        coalesce(claims_per_encounter.claim_count, 0) as claim_count,
        claims_per_encounter.submitted_on,
        claims_per_encounter.first_adjudicated_on,
        claims_per_encounter.first_paid_on,
        case when claims_per_encounter.unsettled_claim_count = 0
            then claims_per_encounter.balance_settled_on end as balance_settled_on,
        coalesce(claims_per_encounter.has_denial, 0) = 1 as has_denial,
        denial_causes.denial_root_cause,
        claims_per_encounter.claim_charge_amount,
        claims_per_encounter.payer_paid_amount,
        claims_per_encounter.claim_patient_paid_amount,
        claims_per_encounter.denial_writeoff_amount,
        claims_per_encounter.outstanding_balance
    from encounters
    left join claims_per_encounter
        on encounters.encounter_id = claims_per_encounter.encounter_id
    left join denial_causes
        on encounters.encounter_id = denial_causes.encounter_id
    where claims_per_encounter.encounter_id is not null
        or denial_causes.encounter_id is not null

),

{%- if is_incremental() %}
{%- set seen = seen_load_id() %}

work_item_versions as (

    -- every version of a work item with a new one: its entity may have moved
    select entity_type, entity_id
    from {{ source('raw', 'pm__work_items') }}
    where work_item_id in (
        select work_item_id from {{ ref('stg_pm__work_items') }} where _load_id > {{ seen }}
    )

),

claim_drift as (

    select coalesce(stored.appointment_id, current_state.appointment_id) as appointment_id
    from (
        select
            appointment_id, claim_id, claim_count, submitted_on, first_adjudicated_on,
            first_paid_on, balance_settled_on, has_denial, denial_root_cause,
            claim_charge_amount, payer_paid_amount, claim_patient_paid_amount,
            denial_writeoff_amount, outstanding_balance
        from {{ this }}
        where claim_count > 0 or denial_root_cause is not null
    ) as stored
    full outer join claim_columns as current_state
        on stored.appointment_id = current_state.appointment_id
    where stored.appointment_id is null
        or current_state.appointment_id is null
        {%- for column in ['claim_id', 'claim_count', 'submitted_on', 'first_adjudicated_on',
            'first_paid_on', 'balance_settled_on', 'has_denial', 'denial_root_cause',
            'claim_charge_amount', 'payer_paid_amount', 'claim_patient_paid_amount',
            'denial_writeoff_amount', 'outstanding_balance'] %}
        or stored.{{ column }} is distinct from current_state.{{ column }}
        {%- endfor %}

),

touched_appointments as (

    select appointment_id from ({{ appointments_touched_by_new_loads() }}) as visit_chain
    union
    select appointment_id from {{ ref('stg_ehr__encounters') }}
    where encounter_id in (
        select encounter_id from {{ source('raw', 'ehr__clinical_notes') }}
        where note_id in (
            select note_id from {{ ref('stg_ehr__clinical_notes') }}
            where _load_id > {{ seen }}
        )
    )
    union
    select entity_id from work_item_versions where entity_type = 'appointment'
    union
    select appointment_id from {{ ref('fct_prior_auths') }}
    where auth_id in (select entity_id from work_item_versions where entity_type = 'auth')
    union
    select appointment_id from auth
    where matched_auth_id in (
        select entity_id from work_item_versions where entity_type = 'auth'
    )
    union
    select encounters.appointment_id
    from claims
    inner join encounters
        on claims.encounter_id = encounters.encounter_id
    where claims.claim_id in (
        select entity_id from work_item_versions where entity_type = 'claim'
    )
    union
    -- a claim in a new 837/835 may have moved to another encounter: every encounter any
    -- version of it named
    select appointment_id from {{ ref('stg_ehr__encounters') }}
    where encounter_id in (
        select encounter_id from {{ ref('stg_x12__837_claims') }}
        where claim_id in ({{ claims_touched_by_new_loads() }})
    )
    union
    select appointment_id from appointment_rows
    where exists (select 1 from {{ ref('stg_pm__staff') }} where _load_id > {{ seen }})
    union
    select appointment_id from claim_drift

),
{%- else %}

touched_appointments as (

    select appointment_id from appointment_rows where false

),
{%- endif %}

appointments as (

    select * from appointment_rows
    {{- only_touched('appointment_id', touched='touched_appointments') }}

),

notes as (

    select
        encounter_id,
        max(signed_at) as note_signed_at,
        sum(case when signed_at is null then 1 else 0 end) as unsigned_note_count
    from {{ ref('fct_clinical_notes') }}
    {%- if is_incremental() %}
    where encounter_id in (
        select encounter_id from encounters
        where appointment_id in (select appointment_id from touched_appointments)
    )
    {%- endif %}
    group by encounter_id

),

appointment_auths as (

    -- prior auths tied to the appointment or matched to its visit
    select appointment_id, auth_id from {{ ref('fct_prior_auths') }}
    where appointment_id is not null
    {{- only_touched('appointment_id', keyword='and', touched='touched_appointments') }}
    union
    select appointment_id, matched_auth_id from auth
    where matched_auth_id is not null
    {{- only_touched('appointment_id', keyword='and', touched='touched_appointments') }}

),

work_links as (

    -- the appointment itself, its prior auths and the claims of its encounter
    select appointment_id, 'appointment' as entity_type, appointment_id as entity_id
    from appointments
    union all
    select appointment_id, 'auth', auth_id
    from appointment_auths
    union all
    select encounters.appointment_id, 'claim', claims.claim_id
    from claims
    inner join encounters
        on claims.encounter_id = encounters.encounter_id
    {{- only_touched('encounters.appointment_id', touched='touched_appointments') }}

),

work_by_entity as (

    select
        entity_type,
        entity_id,
        sum(touch_minutes) as staff_minutes,
        sum(cost_usd) as staff_cost_usd,
        sum(case when is_rework then touch_minutes else 0 end) as rework_minutes,
        count(*) as work_item_count
    from {{ ref('fct_work_items') }}
    where entity_type in ('appointment', 'auth', 'claim')
    {%- if is_incremental() %}
        and entity_id in (select entity_id from work_links)
    {%- endif %}
    group by entity_type, entity_id

),

work as (

    select
        work_links.appointment_id,
        sum(work_by_entity.staff_minutes) as staff_minutes,
        sum(work_by_entity.staff_cost_usd) as staff_cost_usd,
        sum(work_by_entity.rework_minutes) as rework_minutes,
        sum(work_by_entity.work_item_count) as work_item_count
    from work_links
    inner join work_by_entity
        on work_links.entity_type = work_by_entity.entity_type
        and work_links.entity_id = work_by_entity.entity_id
    group by work_links.appointment_id

),

joined as (

    select
        appointments.appointment_id,
        appointments.patient_key,
        appointments.provider_id,
        appointments.location_id,
        appointments.appointment_type,
        appointments.status,
        appointments.cancel_reason,
        appointments.cancelled_by,
        appointments.rescheduled_from_id,
        encounters.encounter_id,
        claim_columns.claim_id,
        coalesce(claim_columns.claim_count, 0) as claim_count,
        -- milestones
        appointments.requested_at,
        appointments.booked_at,
        appointments.scheduled_start_at,
        eligibility.matched_responded_at as eligibility_answered_at,
        auth.matched_auth_decided_at as auth_decided_at,
        appointments.checked_in_at,
        encounters.arrived_at,
        encounters.roomed_at,
        encounters.provider_start_at as seen_at,
        encounters.provider_end_at,
        encounters.departed_at,
        notes.note_signed_at,
        encounters.last_coded_at as coded_at,
        claim_columns.submitted_on,
        claim_columns.first_adjudicated_on,
        claim_columns.first_paid_on,
        claim_columns.balance_settled_on,
        coalesce(encounters.service_date, cast(appointments.scheduled_start_at as date))
            as service_date,
        -- friction
        eligibility.eligibility_status,
        auth.auth_status,
        coalesce(auth.is_auth_required, false) as is_auth_required,
        coalesce(notes.unsigned_note_count, 0) > 0 as has_unsigned_note,
        coalesce(claim_columns.has_denial, false) as has_denial,
        claim_columns.denial_root_cause,
        -- effort
        coalesce(work.staff_minutes, 0) as staff_minutes,
        coalesce(work.staff_cost_usd, 0) as staff_cost_usd,
        coalesce(work.rework_minutes, 0) as rework_minutes,
        coalesce(work.work_item_count, 0) as work_item_count,
        -- money
        encounters.total_charge_amount as coded_charge_amount,
        claim_columns.claim_charge_amount,
        appointments.copay_due,
        appointments.copay_collected,
        claim_columns.payer_paid_amount,
        claim_columns.claim_patient_paid_amount,
        claim_columns.denial_writeoff_amount,
        claim_columns.outstanding_balance,
        appointments._load_id
    from appointments
    left join encounters
        on appointments.appointment_id = encounters.appointment_id
    left join eligibility
        on appointments.appointment_id = eligibility.appointment_id
    left join auth
        on appointments.appointment_id = auth.appointment_id
    left join notes
        on encounters.encounter_id = notes.encounter_id
    left join claim_columns
        on appointments.appointment_id = claim_columns.appointment_id
    left join work
        on appointments.appointment_id = work.appointment_id

),

final as (

    select
        * exclude (_load_id),
        {{ days_between('requested_at', 'booked_at') }} as request_to_booking_days,
        {{ days_between('requested_at', 'scheduled_start_at') }} as lead_time_days,
        {{ minutes_between('arrived_at', 'roomed_at') }} as door_to_room_min,
        {{ minutes_between('arrived_at', 'departed_at') }} as cycle_time_min,
        {{ hours_between('coalesce(provider_end_at, scheduled_start_at)', 'note_signed_at') }}
            as note_sign_lag_hours,
        {{ days_between('service_date', 'coded_at') }} as charge_lag_days,
        {{ days_between('coded_at', 'submitted_on') }} as coding_to_submission_days,
        {{ days_between('service_date', 'submitted_on') }} as submission_lag_days,
        {{ days_between('submitted_on', 'first_adjudicated_on') }} as submission_to_adjudication_days,
        {{ days_between('submitted_on', 'first_paid_on') }} as days_to_payment,
        {{ days_between('service_date', 'balance_settled_on') }} as service_to_settled_days,
        status = 'no_show' as is_no_show,
        status in ('cancelled', 'rescheduled') and cancelled_by = 'practice' as is_bumped,
        status in ('cancelled', 'rescheduled') and cancel_reason = 'auth_pending'
            as is_auth_pending_reschedule,
        status = 'completed' and eligibility_status <> 'verified_active'
            as is_eligibility_unverified,
        coalesce(auth_status = 'pending', false) as is_auth_pending_at_service,
        coalesce(copay_due, 0) > coalesce(copay_collected, 0) as is_copay_missed,
        _load_id
    from joined

)

select * from final
