-- Grain: one row per period month, location and payer with any money movement. Each
-- measure is booked in the month of its own event, as metric_catalog defines the fin.*
-- metrics: charges by month of service, payer payments (CLP04 net of reversals) and
-- contractual adjustments by month of adjudication, denials by month of the initial denial,
-- denial write-offs by month written off, patient payments (net of refunds) by month
-- received. Location and payer are the claim's; a patient payment not applied to a claim
-- has neither.
with claims as (

    select claim_id, location_id, payer_id from {{ ref('fct_claims') }}

),

ledger as (

    select service_month as period_month, location_id, payer_id,
        'charges' as measure, current_charge as amount
    from {{ ref('fct_claims') }}

    union all

    select adjudication_month, location_id, payer_id,
        'payer_payments', paid_amount
    from {{ ref('fct_claim_adjudications') }}

    union all

    select adjudication_month, location_id, payer_id,
        'contractual_adjustments', contractual_amount
    from {{ ref('fct_claim_adjudications') }}

    union all

    select denial_month, location_id, payer_id,
        'denials', denied_amount
    from {{ ref('fct_claim_denials') }}

    union all

    select {{ month_of('writeoff_date') }}, location_id, payer_id,
        'denial_writeoffs', amount
    from {{ ref('fct_adjustments') }}
    where writeoff_date is not null

    union all

    select payments.payment_month, claims.location_id, claims.payer_id,
        'patient_payments', payments.payment_amount
    from {{ ref('fct_payments') }} as payments
    left join claims
        on payments.claim_id = claims.claim_id
    where payments.payment_source = 'patient'

),

claim_counts as (

    select service_month as period_month, location_id, payer_id, count(*) as claims_billed
    from {{ ref('fct_claims') }}
    group by 1, 2, 3

),

totals as (

    select
        period_month,
        location_id,
        payer_id,
        sum(case when measure = 'charges' then amount else 0 end) as charges_usd,
        sum(case when measure = 'payer_payments' then amount else 0 end) as payer_payments_usd,
        sum(case when measure = 'patient_payments' then amount else 0 end)
            as patient_payments_usd,
        sum(case when measure = 'contractual_adjustments' then amount else 0 end)
            as contractual_adjustments_usd,
        sum(case when measure = 'denials' then amount else 0 end) as denials_usd,
        sum(case when measure = 'denial_writeoffs' then amount else 0 end)
            as denial_writeoffs_usd
    from ledger
    group by 1, 2, 3

),

final as (

    select
        totals.period_month,
        totals.location_id,
        locations.location_name,
        totals.payer_id,
        payers.payer_name,
        payers.payer_type,
        cast(coalesce(claim_counts.claims_billed, 0) as bigint) as claims_billed,
        cast(totals.charges_usd as decimal(18, 2)) as charges_usd,
        cast(totals.payer_payments_usd as decimal(18, 2)) as payer_payments_usd,
        cast(totals.patient_payments_usd as decimal(18, 2)) as patient_payments_usd,
        cast(totals.contractual_adjustments_usd as decimal(18, 2))
            as contractual_adjustments_usd,
        cast(totals.denials_usd as decimal(18, 2)) as denials_usd,
        cast(totals.denial_writeoffs_usd as decimal(18, 2)) as denial_writeoffs_usd
    from totals
    left join claim_counts
        on totals.period_month = claim_counts.period_month
        and totals.location_id is not distinct from claim_counts.location_id
        and totals.payer_id is not distinct from claim_counts.payer_id
    left join {{ ref('dim_location') }} as locations
        on totals.location_id = locations.location_id
    left join {{ ref('dim_payer') }} as payers
        on totals.payer_id = payers.payer_id

)

select * from final
