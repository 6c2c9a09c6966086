-- Payments in the marts equal the 835s to the cent. Fails with one row per check that
-- does not reconcile:
--   payer_paid_vs_clp04   sum of fct_claims.payer_paid_amount = sum of raw CLP04
--   payments_vs_bpr       sum of fct_payments (payer rows) = sum of raw BPR02 (signed by BPR03)
--   clp04_vs_bpr_plus_plb over balanced 835 transactions, CLP04 in the marts = BPR02 + PLB
with raw_transactions as (

    select
        substr(_file_hash, 1, 16) || '/' || cast(st_position as {{ dbt.type_string() }}) as transaction_id,
        case when credit_debit_flag = 'D' then -payment_amount else payment_amount end
            as bpr_amount,
        is_balanced
    from {{ source('raw', 'x12_transactions') }}
    where transaction_set_id = '835'

),

raw_plb as (

    select
        substr(_file_hash, 1, 16) || '/' || cast(st_position as {{ dbt.type_string() }}) as transaction_id,
        sum(amount) as plb_amount
    from {{ source('raw', 'x12_835_provider_adjustments') }}
    group by 1

),

balanced as (

    select raw_transactions.transaction_id, bpr_amount, coalesce(plb_amount, 0) as plb_amount
    from raw_transactions
    left join raw_plb on raw_transactions.transaction_id = raw_plb.transaction_id
    where coalesce(is_balanced, true)

),

checks as (

    select
        'payer_paid_vs_clp04' as check_name,
        (select coalesce(sum(payer_paid_amount), 0) from {{ ref('fct_claims') }}) as mart_total,
        (select coalesce(sum(paid_amount), 0) from {{ source('raw', 'x12_835_claims') }})
            as source_total

    union all

    select
        'payments_vs_bpr',
        (select coalesce(sum(payment_amount), 0) from {{ ref('fct_payments') }}
            where payment_source = 'payer'),
        (select coalesce(sum(bpr_amount), 0) from raw_transactions)

    union all

    select
        'clp04_vs_bpr_plus_plb',
        (
            select coalesce(sum(adjudications.paid_amount), 0)
            from {{ ref('fct_claim_adjudications') }} as adjudications
            inner join balanced on adjudications.transaction_id = balanced.transaction_id
        ),
        (select coalesce(sum(bpr_amount + plb_amount), 0) from balanced)

)

select *
from checks
where abs(mart_total - source_total) >= 0.005
