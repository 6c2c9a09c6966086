-- Grain: one row per denied claim: the claim's first denial event (fct_claims has_denial) -
-- a claim denial (metrics.md "Denial"), or a line denial while the rest of the claim paid
-- (denial_level = 'line'), whether at the first adjudication (is_initial_denial) or later
-- (e.g. the payer's answer to a duplicate submission). Carries the denial reasons, the
-- category, the upstream root cause in the visit journey with its evidence
-- (int_claim_denial_attribution), the denied dollars (claim charge, or the charges of the
-- denied lines) and the outcome so far: overturned (re-processed and paid), written_off
-- (not recovered 120 days after the denial, or voided) or open.
with attribution as (

    select * from {{ ref('int_claim_denial_attribution') }}

),

claims as (

    select * from {{ ref('fct_claims') }}

),

carc_codes as (

    select carc_code, short_label from {{ ref('carc_codes') }}

),

final as (

    select
        attribution.claim_id,
        claims.patient_key,
        claims.payer_id,
        claims.provider_id,
        claims.location_id,
        claims.specialty,
        claims.appointment_id,
        claims.encounter_id,
        claims.service_date,
        claims.first_submission_date,
        claims.is_original_claim,
        claims.is_initial_denial,
        claims.denied_on,
        {{ month_of('claims.denied_on') }} as denial_month,
        claims.denial_level,
        claims.denial_reason_codes,
        attribution.denial_group_code,
        attribution.denial_carc,
        carc_codes.short_label as denial_carc_label,
        attribution.denial_category,
        attribution.root_cause,
        attribution.evidence,
        claims.denied_amount,
        claims.denial_outcome,
        claims.denial_outcome in ('overturned', 'written_off') as is_resolved,
        case when claims.denial_outcome = 'overturned'
            then claims.last_adjudicated_on end as overturned_on,
        case when claims.denial_outcome = 'written_off'
            then coalesce(claims.denial_writeoff_date, claims.voided_on) end as written_off_on,
        case when claims.denial_outcome = 'written_off'
            then claims.denied_amount end as written_off_amount,
        claims.payer_paid_amount,
        claims.followup_work_item_count,
        attribution.timely_filing_days,
        attribution.note_sign_days,
        attribution.coded_days,
        attribution.submitted_days,
        attribution.matched_check_id,
        attribution.matched_check_result,
        attribution.matched_auth_id,
        attribution.matched_auth_decision
    from attribution
    inner join claims
        on attribution.claim_id = claims.claim_id
    left join carc_codes
        on attribution.denial_carc = carc_codes.carc_code

)

select * from final
