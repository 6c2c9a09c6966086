-- Grain: one row per payer payment (one 835 transaction: one BPR payment and TRN trace
-- number), for matching deposits to remittances. payment_usd is BPR02 (negative for a
-- debit) = claim_payments_usd (sum of CLP04) - provider_adjustments_usd (sum of PLB) when
-- the remittance balances. Patient payments are in finance_revenue_monthly.
with payments as (

    select * from {{ ref('fct_payments') }}
    where payment_source = 'payer'

),

final as (

    select
        payments.payment_month as period_month,
        payments.payment_date,
        payments.payer_id,
        coalesce(payers.payer_name, payments.payer_name) as payer_name,
        payments.payer_x12_id,
        payments.trace_number,
        payments.payment_method,
        cast(payments.payment_amount as decimal(18, 2)) as payment_usd,
        cast(payments.claim_paid_amount as decimal(18, 2)) as claim_payments_usd,
        cast(payments.provider_adjustment_amount as decimal(18, 2))
            as provider_adjustments_usd,
        cast(payments.claim_count as bigint) as claims_paid,
        payments.is_balanced
    from payments
    left join {{ ref('dim_payer') }} as payers
        on payments.payer_id = payers.payer_id

)

select * from final
