-- Grain: one row per adjudicated service line: an 835 SVC line of one claim adjudication
-- (an adjudication without line detail counts as one claim-level line, line_position 0).
-- Carries the line's money, whether it was denied, and whether that was a partial denial
-- (the line denied while the claim paid). Claim context from fct_claims.
-- Incremental by claim (macros/incremental.sql): the claim context it takes from fct_claims
-- does not depend on the as-of date.
{{ claim_keyed_incremental() }}
with touched_claims as (

    {{ claims_touched_by_new_loads() }}

),

lines as (

    select * from {{ ref('int_claim_line_adjudications') }}
    {{- only_touched('claim_id') }}

),

claims as (

    select claim_id, patient_key, provider_id, location_id, specialty, service_date,
        is_original_claim
    from {{ ref('fct_claims') }}
    {{- only_touched('claim_id') }}

),

final as (

    select
        lines.adjudication_line_id,
        lines.adjudication_id,
        lines.claim_id,
        lines.line_position,
        lines.has_line_detail,
        lines.adjudication_sequence,
        lines.is_first_adjudication,
        lines.adjudication_date,
        {{ month_of('lines.adjudication_date') }} as adjudication_month,
        lines.is_reversal,
        lines.is_reversed,
        claims.patient_key,
        lines.payer_id,
        claims.provider_id,
        claims.location_id,
        claims.specialty,
        claims.is_original_claim,
        coalesce(lines.service_date, claims.service_date) as service_date,
        lines.procedure_code,
        lines.modifiers,
        lines.line_item_control_number,
        lines.charge_amount,
        lines.paid_amount,
        lines.allowed_amount,
        lines.units_paid,
        lines.adjustment_amount,
        lines.contractual_amount,
        lines.patient_responsibility_amount,
        lines.denial_adjustment_amount,
        lines.is_line_denial,
        lines.is_partial_denial_line,
        lines.denial_group_code,
        lines.denial_carc,
        lines.denial_category,
        lines._load_id
    from lines
    left join claims
        on lines.claim_id = claims.claim_id

)

select * from final
