-- Grain: one row per claim_id (837 CLM01 / 835 CLP01), with its visit context, charges,
-- first and final adjudication status, money net of reversals and denial flags.
-- Patient identity only as patient_key (keyed hash). Location: the encounter's, else the
-- provider's home location.
-- Incremental by claim (macros/incremental.sql): a run recomputes the claims touched by the
-- new loads and those whose lifecycle or staff work changed without a load naming the claim
-- (write-offs that moved with the as-of date, patient payments, work items: every column
-- such a change can reach is compared with the stored row).
{{ claim_keyed_incremental() }}
with claim_work_totals as (

    -- staff work on the claim (pm/work_items, entity_type claim)
    select
        entity_id as claim_id,
        sum(case when work_type in ('claim_followup', 'denial_appeal') then 1 else 0 end)
            as followup_work_item_count,
        max(started_at) as last_work_started_at
    from {{ ref('fct_work_items') }}
    where entity_type = 'claim'
    group by entity_id

),

touched_claims as (

    {{ claims_touched_by_new_loads() }}
    {%- if is_incremental() %}
    union
    select current_state.claim_id
    from {{ ref('int_claim_lifecycle') }} as current_state
    left join claim_work_totals
        on current_state.claim_id = claim_work_totals.claim_id
    left join {{ this }} as stored
        on current_state.claim_id = stored.claim_id
    where stored.claim_id is null
        or stored.denial_writeoff_date is distinct from current_state.denial_writeoff_date
        or stored.denial_writeoff_amount <> current_state.denial_writeoff_amount
        or stored.denial_outcome is distinct from current_state.denial_outcome
        or stored.patient_paid_amount <> current_state.patient_paid_amount
        or stored.outstanding_balance <> current_state.outstanding_balance
        or stored.balance_settled_on is distinct from current_state.balance_settled_on
        or stored.followup_work_item_count
            <> coalesce(claim_work_totals.followup_work_item_count, 0)
        or stored.last_activity_at is distinct from {{ claim_last_activity_at(
            'current_state', 'claim_work_totals') }}
    {%- endif %}

),

lifecycle as (

    select * from {{ ref('int_claim_lifecycle') }}
    {{- only_touched('claim_id') }}

),

providers as (

    select provider_id, specialty, location_id as home_location_id
    from {{ ref('dim_provider') }}

),

claim_work as (

    select * from claim_work_totals
    {{- only_touched('claim_id') }}

),

statuses as (

    select claim_status_code, short_label from {{ ref('x12_claim_status_codes') }}

),

final as (

    select
        lifecycle.claim_id,
        {{ patient_key('lifecycle.patient_id') }} as patient_key,
        lifecycle.encounter_id,
        lifecycle.appointment_id,
        lifecycle.provider_id,
        coalesce(lifecycle.location_id, providers.home_location_id) as location_id,
        providers.specialty,
        lifecycle.payer_id,
        lifecycle.service_date,
        {{ month_of('lifecycle.service_date') }} as service_month,
        lifecycle.has_submission,
        lifecycle.has_remit,
        lifecycle.is_original_claim,
        lifecycle.first_submission_date,
        {{ month_of('lifecycle.first_submission_date') }} as first_submission_month,
        lifecycle.submission_lag_days,
        lifecycle.submission_count,
        lifecycle.replacement_count,
        lifecycle.is_voided,
        lifecycle.voided_on,
        lifecycle.prior_auth_number is not null as has_prior_auth_number,
        lifecycle.original_charge,
        lifecycle.current_charge,
        lifecycle.first_adjudicated_on,
        {{ month_of('lifecycle.first_adjudicated_on') }} as first_adjudication_month,
        lifecycle.first_claim_status_code,
        statuses.short_label as first_claim_status,
        lifecycle.first_paid_amount,
        lifecycle.first_adjudicated_charge,
        lifecycle.is_initial_denial,
        lifecycle.has_denial,
        lifecycle.denied_on,
        lifecycle.denial_level,
        lifecycle.denied_amount,
        lifecycle.denial_category,
        lifecycle.denial_group_code,
        lifecycle.denial_carc,
        lifecycle.denial_reason_codes,
        lifecycle.denial_outcome,
        lifecycle.final_status,
        lifecycle.last_claim_status_code,
        lifecycle.adjudication_count,
        lifecycle.reversal_count,
        lifecycle.denial_count,
        lifecycle.denial_event_count,
        lifecycle.payer_paid_amount,
        lifecycle.contractual_adjustment_amount,
        lifecycle.nondenial_adjustment_amount,
        lifecycle.denial_adjustment_amount,
        lifecycle.denial_writeoff_amount,
        lifecycle.denial_writeoff_date,
        lifecycle.co_adjustment_amount,
        lifecycle.oa_adjustment_amount,
        lifecycle.pi_adjustment_amount,
        lifecycle.pr_adjustment_amount,
        lifecycle.cr_adjustment_amount,
        lifecycle.patient_responsibility_amount,
        lifecycle.patient_paid_amount,
        lifecycle.outstanding_balance,
        lifecycle.first_paid_on,
        {{ month_of('lifecycle.first_paid_on') }} as first_paid_month,
        lifecycle.days_to_payment,
        -- rcm.first_pass_resolution_rate: paid at first adjudication, never reversed,
        -- resubmitted, replaced, voided or denied, and no claim_followup / denial_appeal work
        (
            lifecycle.is_first_pass_candidate
            and coalesce(claim_work.followup_work_item_count, 0) = 0
        ) as is_first_pass_resolved,
        coalesce(claim_work.followup_work_item_count, 0) as followup_work_item_count,
        lifecycle.balance_settled_on,
        lifecycle.last_adjudicated_on,
        {{ claim_last_activity_at('lifecycle', 'claim_work') }} as last_activity_at,
        lifecycle._load_id
    from lifecycle
    left join providers
        on lifecycle.provider_id = providers.provider_id
    left join statuses
        on lifecycle.first_claim_status_code = statuses.claim_status_code
    left join claim_work
        on lifecycle.claim_id = claim_work.claim_id

)

select * from final
