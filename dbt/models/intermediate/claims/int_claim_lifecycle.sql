-- Grain: one row per claim_id seen in an 837 (CLM01) or an 835 (CLP01).
-- The claim's life: its first submission (an "original claim" when that first version has
-- frequency 1), replacements and voids, the first adjudication and whether it was a denial
-- (is_initial_denial, claim level, for the initial denial rates), the claim's first denial
-- event (has_denial: a claim denial or a line denial while the rest paid, whenever it came,
-- e.g. the denial of a duplicate submission) and its outcome, money net of reversals (payer
-- paid, adjustments by group, patient responsibility, patient payments), the final status
-- and the last activity.
-- Denial outcome: overturned when a later adjudication re-processed the claim without a
-- claim denial (paid, or applied to the patient's share); written_off when the denied
-- dollars were written off (int_claim_adjudications.denial_writeoff_date) or the claim was
-- voided; otherwise open.
-- Outstanding balance = current charge - payer paid - non-denial provider adjustments
-- (contractual CO, OA, PI, CR) - denied dollars already written off - patient payments.
-- Open denials therefore stay in A/R until recovered or written off (120 days, see
-- int_claim_adjudications.denial_writeoff_date); patient responsibility stays until paid.
-- The as-of date itself is not a column (int_claims_as_of has it): a row changes only when
-- its claim's events, its write-offs or its patient payments do.
-- Incremental by claim (macros/incremental.sql): a run recomputes the claims touched by the
-- new loads, the claims whose write-offs moved with the as-of date (int_claim_adjudications
-- replaced those rows without a new load) and the claims whose patient payments changed
-- (a payment is a pm row: it names no 837 or 835, and a corrected one may move claims).
{{ claim_keyed_incremental() }}
with patient_payment_totals as (

    select
        claim_id,
        sum(amount) as patient_paid_amount,
        count(*) as patient_payment_count,
        max(received_at) as last_patient_payment_at
    from {{ ref('stg_pm__patient_payments') }}
    where claim_id is not null
    group by claim_id

),

touched_claims as (

    {{ claims_touched_by_new_loads() }}
    {%- if is_incremental() %}
    union
    {{ writeoff_totals_drifted_claims() }}
    union
    select stored.claim_id
    from {{ this }} as stored
    left join patient_payment_totals as current_state
        on stored.claim_id = current_state.claim_id
    where stored.patient_payment_count <> coalesce(current_state.patient_payment_count, 0)
        or stored.patient_paid_amount <> coalesce(current_state.patient_paid_amount, 0)
        or stored.last_patient_payment_at
            is distinct from current_state.last_patient_payment_at
    {%- endif %}

),

submissions as (

    select * from {{ ref('int_claim_submissions') }}
    {{- only_touched('claim_id') }}

),

adjudications as (

    select * from {{ ref('int_claim_adjudications') }}
    {{- only_touched('claim_id') }}

),

patient_payments as (

    select * from patient_payment_totals
    {{- only_touched('claim_id') }}

),

claim_ids as (

    select claim_id from submissions
    union
    select claim_id from adjudications

),

first_submission as (

    select * from submissions where is_first_version

),

latest_submission as (

    select * from submissions where is_latest_version

),

submission_summary as (

    select
        claim_id,
        count(*) as submission_count,
        sum(case when frequency_type = 'replacement' then 1 else 0 end) as replacement_count,
        sum(case when frequency_type = 'void' then 1 else 0 end) as void_count,
        max(submitted_at) as last_submitted_at,
        min(case when frequency_type = 'void' then submission_date end) as first_voided_on,
        max(encounter_id) as any_encounter_id,
        max(_load_id) as submission_load_id
    from submissions
    group by claim_id

),

first_adjudication as (

    select * from adjudications where is_first_adjudication

),

first_denial as (

    select *
    from (
        select
            *,
            row_number() over (partition by claim_id order by adjudication_sequence)
                as denial_rank
        from adjudications
        where is_denial_event
    ) as ranked
    where denial_rank = 1

),

after_first_denial as (

    select
        adjudications.claim_id,
        max(case when adjudications.adjudication_sequence > first_denial.adjudication_sequence
                and not adjudications.is_reversal and not adjudications.is_denial
            then 1 else 0 end) as was_reprocessed,
        max(case when adjudications.denial_writeoff_date is not null then 1 else 0 end)
            as was_written_off
    from adjudications
    inner join first_denial
        on adjudications.claim_id = first_denial.claim_id
        and adjudications.adjudication_sequence >= first_denial.adjudication_sequence
    group by adjudications.claim_id

),

last_effective_adjudication as (

    -- the latest adjudication still standing: not a reversal and not reversed
    select adjudications.adjudication_id, adjudications.claim_id,
        adjudications.claim_status_code, adjudications.is_denial
    from adjudications
    inner join (
        select claim_id, max(adjudication_sequence) as adjudication_sequence
        from adjudications
        where not is_reversal and not is_reversed
        group by claim_id
    ) as latest
        on adjudications.claim_id = latest.claim_id
        and adjudications.adjudication_sequence = latest.adjudication_sequence

),

adjudication_summary as (

    select
        claim_id,
        count(*) as adjudication_count,
        sum(case when is_reversal then 1 else 0 end) as reversal_count,
        sum(case when is_denial then 1 else 0 end) as denial_count,
        sum(case when is_denial_event then 1 else 0 end) as denial_event_count,
        sum(paid_amount) as payer_paid_amount,
        sum(patient_responsibility) as patient_responsibility_amount,
        sum(co_amount) as co_adjustment_amount,
        sum(oa_amount) as oa_adjustment_amount,
        sum(pi_amount) as pi_adjustment_amount,
        sum(pr_amount) as pr_adjustment_amount,
        sum(cr_amount) as cr_adjustment_amount,
        sum(contractual_amount) as contractual_adjustment_amount,
        sum(denial_adjustment_amount) as denial_adjustment_amount,
        sum(coalesce(denial_writeoff_amount, 0)) as denial_writeoff_amount,
        max(denial_writeoff_date) as denial_writeoff_date,
        min(case when is_paid then adjudication_date end) as first_paid_on,
        max(adjudication_date) as last_adjudicated_on,
        max(case when not is_reversal and not is_reversed then payer_id end) as any_payer_id,
        min(service_date_from) as remit_service_date,
        max(_load_id) as adjudication_load_id
    from adjudications
    group by claim_id

),

joined as (

    select
        claim_ids.claim_id,
        first_submission.submission_id is not null as has_submission,
        adjudication_summary.claim_id is not null as has_remit,
        first_submission.submission_id as first_submission_id,
        first_submission.submitted_at as first_submitted_at,
        first_submission.submission_date as first_submission_date,
        first_submission.frequency_code as first_frequency_code,
        coalesce(first_submission.is_original_submission, false) as is_original_claim,
        latest_submission.submission_id as latest_submission_id,
        latest_submission.frequency_type as latest_frequency_type,
        coalesce(submission_summary.submission_count, 0) as submission_count,
        coalesce(submission_summary.replacement_count, 0) as replacement_count,
        coalesce(submission_summary.void_count, 0) as void_count,
        coalesce(latest_submission.frequency_type = 'void', false) as is_voided,
        case when latest_submission.frequency_type = 'void'
            then latest_submission.submission_date end as voided_on,
        submission_summary.last_submitted_at,
        coalesce(first_submission.encounter_id, submission_summary.any_encounter_id)
            as encounter_id,
        first_submission.appointment_id,
        first_submission.patient_id,
        first_submission.provider_id,
        first_submission.rendering_provider_npi,
        first_submission.location_id,
        coalesce(first_submission.payer_id, adjudication_summary.any_payer_id) as payer_id,
        first_submission.payer_x12_id,
        first_submission.prior_auth_number,
        coalesce(first_submission.service_date, adjudication_summary.remit_service_date)
            as service_date,
        first_submission.submission_lag_days,
        first_submission.total_charge as original_charge,
        case
            when latest_submission.frequency_type = 'void' then 0
            else coalesce(latest_submission.total_charge, first_adjudication.total_charge)
        end as current_charge,
        coalesce(adjudication_summary.adjudication_count, 0) as adjudication_count,
        coalesce(adjudication_summary.reversal_count, 0) as reversal_count,
        coalesce(adjudication_summary.denial_count, 0) as denial_count,
        coalesce(adjudication_summary.denial_event_count, 0) as denial_event_count,
        first_adjudication.adjudication_id as first_adjudication_id,
        first_adjudication.adjudication_date as first_adjudicated_on,
        first_adjudication.claim_status_code as first_claim_status_code,
        first_adjudication.paid_amount as first_paid_amount,
        first_adjudication.total_charge as first_adjudicated_charge,
        coalesce(first_adjudication.is_denial, false) as is_initial_denial,
        first_adjudication.is_reversed as is_first_adjudication_reversed,
        first_denial.adjudication_id is not null as has_denial,
        first_denial.adjudication_id as first_denial_adjudication_id,
        first_denial.adjudication_date as denied_on,
        first_denial.denial_level,
        first_denial.denied_amount,
        case when first_denial.adjudication_id is not null
            then coalesce(first_denial.primary_denial_category, 'other') end as denial_category,
        first_denial.primary_denial_carc as denial_carc,
        first_denial.primary_denial_group_code as denial_group_code,
        first_denial.denial_reason_codes,
        coalesce(after_first_denial.was_reprocessed, 0) = 1 as is_denial_reprocessed,
        coalesce(after_first_denial.was_written_off, 0) = 1 as is_denial_written_off,
        last_effective_adjudication.adjudication_id as last_effective_adjudication_id,
        last_effective_adjudication.claim_status_code as last_claim_status_code,
        coalesce(last_effective_adjudication.is_denial, false) as is_last_adjudication_denial,
        adjudication_summary.first_paid_on,
        adjudication_summary.last_adjudicated_on,
        coalesce(adjudication_summary.payer_paid_amount, 0) as payer_paid_amount,
        coalesce(adjudication_summary.patient_responsibility_amount, 0)
            as patient_responsibility_amount,
        coalesce(adjudication_summary.co_adjustment_amount, 0) as co_adjustment_amount,
        coalesce(adjudication_summary.oa_adjustment_amount, 0) as oa_adjustment_amount,
        coalesce(adjudication_summary.pi_adjustment_amount, 0) as pi_adjustment_amount,
        coalesce(adjudication_summary.pr_adjustment_amount, 0) as pr_adjustment_amount,
        coalesce(adjudication_summary.cr_adjustment_amount, 0) as cr_adjustment_amount,
        coalesce(adjudication_summary.contractual_adjustment_amount, 0)
            as contractual_adjustment_amount,
        coalesce(adjudication_summary.denial_adjustment_amount, 0) as denial_adjustment_amount,
        coalesce(adjudication_summary.denial_writeoff_amount, 0) as denial_writeoff_amount,
        adjudication_summary.denial_writeoff_date,
        coalesce(patient_payments.patient_paid_amount, 0) as patient_paid_amount,
        coalesce(patient_payments.patient_payment_count, 0) as patient_payment_count,
        patient_payments.last_patient_payment_at,
        -- lineage: the newest load of the claim's 837s and 835s
        {{ newest_of(['submission_summary.submission_load_id',
            'adjudication_summary.adjudication_load_id']) }} as _load_id
    from claim_ids
    left join first_submission
        on claim_ids.claim_id = first_submission.claim_id
    left join latest_submission
        on claim_ids.claim_id = latest_submission.claim_id
    left join submission_summary
        on claim_ids.claim_id = submission_summary.claim_id
    left join first_adjudication
        on claim_ids.claim_id = first_adjudication.claim_id
    left join first_denial
        on claim_ids.claim_id = first_denial.claim_id
    left join after_first_denial
        on claim_ids.claim_id = after_first_denial.claim_id
    left join last_effective_adjudication
        on claim_ids.claim_id = last_effective_adjudication.claim_id
    left join adjudication_summary
        on claim_ids.claim_id = adjudication_summary.claim_id
    left join patient_payments
        on claim_ids.claim_id = patient_payments.claim_id

),

balanced as (

    select
        joined.*,
        -- provider-side adjustments that are not denials: CO-45 and friends, OA-23, CR...
        (co_adjustment_amount + oa_adjustment_amount + pi_adjustment_amount
            + cr_adjustment_amount - denial_adjustment_amount) as nondenial_adjustment_amount,
        current_charge
            - payer_paid_amount
            - (co_adjustment_amount + oa_adjustment_amount + pi_adjustment_amount
                + cr_adjustment_amount - denial_adjustment_amount)
            - denial_writeoff_amount
            - patient_paid_amount as outstanding_balance
    from joined

),

final as (

    select
        balanced.*,
        case
            when is_voided then 'voided'
            when adjudication_count = 0 then 'pending'
            when payer_paid_amount > 0 then 'paid'
            when is_last_adjudication_denial then 'denied'
            when last_effective_adjudication_id is null then 'reversed'
            else 'zero_pay'
        end as final_status,
        case
            when not has_denial then null
            when is_denial_reprocessed then 'overturned'
            when is_voided or is_denial_written_off then 'written_off'
            else 'open'
        end as denial_outcome,
        -- first-pass resolved but for staff follow-up, which fct_claims adds
        (
            is_original_claim
            and coalesce(first_paid_amount, 0) > 0
            and not coalesce(is_first_adjudication_reversed, false)
            and reversal_count = 0
            and submission_count = 1
            and not has_denial
        ) as is_first_pass_candidate,
        {{ days_between('first_submission_date', 'first_paid_on') }} as days_to_payment,
        case
            when abs(outstanding_balance) < 0.005 then
                {{ newest_of([
                    'last_adjudicated_on',
                    'cast(last_patient_payment_at as date)',
                    'denial_writeoff_date',
                    'voided_on',
                ]) }}
        end as balance_settled_on,
        cast({{ newest_of([
            'last_submitted_at',
            'cast(last_adjudicated_on as timestamp)',
            'last_patient_payment_at',
        ]) }} as {{ dbt.type_timestamp() }}) as last_activity_at
    from balanced

)

select * from final
