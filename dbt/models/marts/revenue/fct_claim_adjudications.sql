-- Grain: one row per 835 claim payment (CLP): every adjudication, reversal and
-- re-adjudication, in order per claim (adjudication_sequence), with the payment it came in
-- (transaction / trace number), the money, the denial flags and the claim's context.
-- Sum of paid_amount over a claim = the claim's payer payments net of reversals.
-- Incremental by claim (macros/incremental.sql): the claims the new loads touched, and
-- those whose write-off date moved with the as-of date.
{{ claim_keyed_incremental() }}
with touched_claims as (

    {{ claims_touched_by_new_loads() }}
    {%- if is_incremental() %}
    union
    {{ writeoff_drifted_claims('denial_writeoff_date') }}
    {%- endif %}

),

adjudications as (

    select * from {{ ref('int_claim_adjudications') }}
    {{- only_touched('claim_id') }}

),

claims as (

    select claim_id, patient_key, provider_id, location_id, specialty, service_date,
        is_original_claim
    from {{ ref('fct_claims') }}
    {{- only_touched('claim_id') }}

),

statuses as (

    select claim_status_code, short_label from {{ ref('x12_claim_status_codes') }}

),

final as (

    select
        adjudications.adjudication_id,
        adjudications.transaction_id,
        adjudications.claim_id,
        adjudications.adjudication_sequence,
        adjudications.is_first_adjudication,
        adjudications.adjudication_date,
        {{ month_of('adjudications.adjudication_date') }} as adjudication_month,
        adjudications.trace_number,
        adjudications.payer_id,
        claims.patient_key,
        claims.provider_id,
        claims.location_id,
        claims.specialty,
        claims.service_date,
        claims.is_original_claim,
        adjudications.claim_status_code,
        statuses.short_label as claim_status,
        adjudications.is_reversal,
        adjudications.reverses_adjudication_id,
        adjudications.is_reversed,
        adjudications.reversed_by_adjudication_id,
        adjudications.reversed_on,
        adjudications.is_denial,
        adjudications.is_paid,
        adjudications.total_charge,
        adjudications.paid_amount,
        adjudications.patient_responsibility,
        adjudications.contractual_amount,
        adjudications.denial_adjustment_amount,
        adjudications.co_amount,
        adjudications.oa_amount,
        adjudications.pi_amount,
        adjudications.pr_amount,
        adjudications.cr_amount,
        adjudications.denial_reason_codes,
        adjudications.primary_denial_carc,
        adjudications.primary_denial_category,
        adjudications.is_denial_event,
        adjudications.denial_level,
        adjudications.denied_amount,
        adjudications.is_reprocessed_later,
        adjudications.denial_writeoff_date,
        adjudications.payer_claim_control_number,
        adjudications.is_balanced,
        adjudications._load_id
    from adjudications
    left join claims
        on adjudications.claim_id = claims.claim_id
    left join statuses
        on adjudications.claim_status_code = statuses.claim_status_code

)

select * from final
