-- Grain: one row per payment received: every 835 transaction (one BPR/TRN payment from a
-- payer, payment_source = 'payer', payment_id = the transaction id) and every patient
-- payment or refund from pm/patient_payments (payment_source = 'patient', payment_id = the
-- PM payment id). One table so cash collected reads from one place; filter on
-- payment_source for one side.
-- Payer rows: payment_amount = BPR02 (negative when BPR03 = D); claim_paid_amount =
-- sum(CLP04) of the transaction; provider_adjustment_amount = sum(PLB amounts), so that
-- payment_amount = claim_paid_amount - provider_adjustment_amount when balanced.
-- Incremental by payment (macros/incremental.sql): the 835 transactions of new files (an 835
-- file brings a transaction with its claims and PLB lines; X12 staging only appends) and new
-- patient payment versions; every payer payment when a payer row arrived (payer_id).
{{ keyed_incremental_config('payment_id') }}
with touched_payments as (

    {{ keys_touched_by_new_loads(
        'transaction_id', ref('stg_x12__transactions'),
        everything_when=[ref('stg_pm__payers')],
    ) }}
    union all
    {{ keys_touched_by_new_loads('payment_id', ref('stg_pm__patient_payments')) }}

),

transactions as (

    select * from {{ ref('stg_x12__transactions') }}
    where transaction_set_id = '835'
    {{- only_touched('transaction_id', keyword='and', touched='touched_payments') }}

),

claim_totals as (

    select
        transaction_id,
        count(*) as claim_count,
        sum(paid_amount) as claim_paid_amount
    from {{ ref('stg_x12__835_claims') }}
    {{- only_touched('transaction_id', touched='touched_payments') }}
    group by transaction_id

),

plb_totals as (

    select
        transaction_id,
        count(*) as provider_adjustment_count,
        sum(amount) as provider_adjustment_amount
    from {{ ref('stg_x12__835_provider_adjustments') }}
    {{- only_touched('transaction_id', touched='touched_payments') }}
    group by transaction_id

),

payers as (

    select payer_id, payer_x12_id from {{ ref('stg_pm__payers') }}
    where payer_x12_id is not null

),

payer_payments as (

    select
        transactions.transaction_id as payment_id,
        'payer' as payment_source,
        transactions.effective_payment_date as payment_date,
        cast(transactions.effective_payment_date as {{ dbt.type_timestamp() }}) as received_at,
        payers.payer_id,
        transactions.payer_x12_id,
        transactions.payer_name,
        transactions.trace_number,
        transactions.payment_method,
        transactions.handling_code,
        transactions.credit_debit_flag,
        transactions.signed_payment_amount as payment_amount,
        coalesce(claim_totals.claim_paid_amount, 0) as claim_paid_amount,
        coalesce(plb_totals.provider_adjustment_amount, 0) as provider_adjustment_amount,
        coalesce(claim_totals.claim_count, 0) as claim_count,
        coalesce(plb_totals.provider_adjustment_count, 0) as provider_adjustment_count,
        transactions.production_date,
        transactions.payee_npi,
        transactions.is_balanced,
        cast(null as {{ dbt.type_string() }}) as patient_key,
        cast(null as {{ dbt.type_string() }}) as claim_id,
        transactions._source_file,
        transactions._load_id
    from transactions
    left join claim_totals
        on transactions.transaction_id = claim_totals.transaction_id
    left join plb_totals
        on transactions.transaction_id = plb_totals.transaction_id
    left join payers
        on transactions.payer_x12_id = payers.payer_x12_id

),

patient_payments as (

    select
        payment_id,
        'patient' as payment_source,
        cast(received_at as date) as payment_date,
        received_at,
        cast(null as {{ dbt.type_string() }}) as payer_id,
        cast(null as {{ dbt.type_string() }}) as payer_x12_id,
        cast(null as {{ dbt.type_string() }}) as payer_name,
        cast(null as {{ dbt.type_string() }}) as trace_number,
        method as payment_method,
        cast(null as {{ dbt.type_string() }}) as handling_code,
        cast(null as {{ dbt.type_string() }}) as credit_debit_flag,
        amount as payment_amount,
        cast(null as {{ dbt.type_numeric() }}) as claim_paid_amount,
        cast(null as {{ dbt.type_numeric() }}) as provider_adjustment_amount,
        cast(null as {{ dbt.type_int() }}) as claim_count,
        cast(null as {{ dbt.type_int() }}) as provider_adjustment_count,
        cast(null as date) as production_date,
        cast(null as {{ dbt.type_string() }}) as payee_npi,
        cast(null as {{ dbt.type_boolean() }}) as is_balanced,
        {{ patient_key('patient_id') }} as patient_key,
        claim_id,
        _source_file,
        _load_id
    from {{ ref('stg_pm__patient_payments') }}
    {{- only_touched('payment_id', touched='touched_payments') }}

),

unioned as (

    select * from payer_payments
    union all
    select * from patient_payments

),

final as (

    select
        *,
        {{ month_of('payment_date') }} as payment_month
    from unioned

)

select * from final
