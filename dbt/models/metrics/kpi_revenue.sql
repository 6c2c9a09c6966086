-- Grain: one row per metric_id, period_month, dimension and dimension_value for the revenue
-- cycle metrics of metrics.md section 5, plus rcm.submission_lag_days_median (section 4).
-- Periods: first adjudication month (initial denial, line denial and first-pass rates),
-- denial month (denials by category / root cause, overturn rate), month of the first
-- positive payment (days to payment), month end (A/R), service month (net collection),
-- write-off month (denial write-offs), submission month (submission lag).
-- Counts of denials publish a twin *_usd metric with the denied dollars.
{%- set dims = {
    'location': 'location_id',
    'provider': 'provider_id',
    'payer': 'payer_id',
    'specialty': 'specialty',
} %}
{%- set denial_dims = dict(dims, category='denial_category', carc='denial_reason',
    root_cause='root_cause') %}
{%- set writeoff_dims = dict(dims, category='writeoff_category') %}
{%- set ar_bucket_dims = dict(dims, age_bucket='age_bucket') %}
with claims as (

    select * from {{ ref('fct_claims') }}

),

-- initial denial, first-pass resolution: original claims by month of first adjudication --
first_adjudicated as (

    select
        *,
        coalesce(original_charge, first_adjudicated_charge) as adjudicated_charge
    from claims
    where is_original_claim and first_adjudicated_on is not null

),

first_adjudicated_fanned as (

    {{ kpi_fan_out('first_adjudicated', dims) }}

),

-- line denials: lines of the first adjudication of original claims ------------------------
first_lines as (

    select * from {{ ref('fct_claim_lines') }}
    where is_first_adjudication and is_original_claim

),

first_lines_fanned as (

    {{ kpi_fan_out('first_lines', dims) }}

),

-- denials by category, CARC and root cause; overturns --------------------------------------
denials as (

    select
        *,
        denial_group_code || '-' || denial_carc as denial_reason
    from {{ ref('fct_claim_denials') }}

),

denials_fanned as (

    {{ kpi_fan_out('denials', denial_dims) }}

),

-- days to payment: original claims by month of the first positive payment ---------------
paid_fanned as (

    {{ kpi_fan_out('(select * from claims where is_original_claim and first_paid_on is not null)', dims) }}

),

-- submission lag: original claims by month of submission ---------------------------------
submitted_fanned as (

    {{ kpi_fan_out('(select * from claims where is_original_claim and first_submission_date is not null)', dims) }}

),

-- net collection: every claim by month of service -----------------------------------------
service_fanned as (

    {{ kpi_fan_out('claims', dims) }}

),

-- denial write-offs: denied dollars of unrecovered denials, by month written off -----------
writeoffs as (

    select
        *,
        {{ month_of('writeoff_date') }} as writeoff_month
    from {{ ref('fct_adjustments') }}
    where writeoff_date is not null

),

writeoffs_fanned as (

    {{ kpi_fan_out('writeoffs', writeoff_dims) }}

),

-- A/R ---------------------------------------------------------------------------------------
ar as (

    select * from {{ ref('fct_ar_snapshot_monthly') }}

),

ar_fanned as (

    {{ kpi_fan_out('ar', dims) }}

),

ar_bucket_fanned as (

    {{ kpi_fan_out('ar', ar_bucket_dims) }}

),

ar_totals as (

    select snapshot_month, dimension, dimension_value, sum(ar_amount) as ar_amount
    from ar_fanned
    group by snapshot_month, dimension, dimension_value

),

-- net charges per month: charges by month of service - contractual adjustments by month
-- of adjudication (the denominator of net days in A/R)
net_charge_items as (

    select service_month as period_month, location_id, provider_id, payer_id, specialty,
        current_charge as amount
    from claims
    where service_month is not null
    union all
    select adjudication_month, location_id, provider_id, payer_id, specialty, -amount
    from {{ ref('fct_adjustments') }}
    where is_contractual

),

net_charge_fanned as (

    {{ kpi_fan_out('net_charge_items', dims) }}

),

net_charges as (

    select period_month, dimension, dimension_value, sum(amount) as net_charges
    from net_charge_fanned
    group by period_month, dimension, dimension_value

),

net_days_in_ar as (

    select
        'rcm.net_days_in_ar' as metric_id,
        ar_totals.snapshot_month as period_month,
        ar_totals.dimension,
        ar_totals.dimension_value,
        ar_totals.ar_amount as numerator,
        -- average net charges per day over the month and the two before it
        sum(coalesce(net_charges.net_charges, 0))
            / {{ dbt.datediff(
                dbt.dateadd('month', -2, 'ar_totals.snapshot_month'),
                dbt.dateadd('month', 1, 'ar_totals.snapshot_month'),
                'day') }} as denominator
    from ar_totals
    left join net_charges
        on ar_totals.dimension = net_charges.dimension
        and ar_totals.dimension_value = net_charges.dimension_value
        and net_charges.period_month
            between {{ dbt.dateadd('month', -2, 'ar_totals.snapshot_month') }}
            and ar_totals.snapshot_month
    group by ar_totals.snapshot_month, ar_totals.dimension, ar_totals.dimension_value,
        ar_totals.ar_amount

),

metrics as (

    {{ kpi_rate('rcm.initial_denial_rate_count', 'first_adjudicated_fanned',
        'first_adjudication_month', flag('is_initial_denial'), '1') }}
    union all
    {{ kpi_rate('rcm.initial_denial_rate_usd', 'first_adjudicated_fanned',
        'first_adjudication_month',
        'case when is_initial_denial then adjudicated_charge else 0 end',
        'adjudicated_charge') }}
    union all
    {{ kpi_rate('rcm.first_pass_resolution_rate', 'first_adjudicated_fanned',
        'first_adjudication_month', flag('is_first_pass_resolved'), '1') }}
    union all
    {{ kpi_rate('rcm.line_denial_rate', 'first_lines_fanned', 'adjudication_month',
        flag('is_line_denial'), '1') }}
    union all
    {{ kpi_stat('rcm.denials_by_category', 'denials_fanned', 'denial_month',
        'claim_id', 'count', where="dimension <> 'root_cause'") }}
    union all
    {{ kpi_stat('rcm.denials_by_category_usd', 'denials_fanned', 'denial_month',
        'denied_amount', 'sum', where="dimension <> 'root_cause'") }}
    union all
    {{ kpi_stat('rcm.denial_root_cause', 'denials_fanned', 'denial_month',
        'claim_id', 'count', where="dimension not in ('carc', 'category')") }}
    union all
    {{ kpi_stat('rcm.denial_root_cause_usd', 'denials_fanned', 'denial_month',
        'denied_amount', 'sum', where="dimension not in ('carc', 'category')") }}
    union all
    {{ kpi_rate('rcm.denial_overturn_rate', 'denials_fanned', 'denial_month',
        flag("denial_outcome = 'overturned'"), flag('is_resolved')) }}
    union all
    {{ kpi_stat('rcm.days_to_payment_median', 'paid_fanned', 'first_paid_month',
        'days_to_payment', 'median') }}
    union all
    select
        metric_id,
        period_month,
        dimension,
        dimension_value,
        numerator,
        denominator,
        {{ safe_ratio('numerator', 'denominator') }} as value
    from net_days_in_ar
    union all
    {{ kpi_stat('rcm.ar_aging', 'ar_bucket_fanned', 'snapshot_month', 'ar_amount', 'sum') }}
    union all
    {# Credit balances (overpayments awaiting refund) are not receivables: counting them
       can push a share of A/R below 0 for a provider with little A/R. #}
    {{ kpi_rate('rcm.ar_over_90_rate', 'ar_fanned', 'snapshot_month',
        "case when age_bucket in ('91-120', '120+') then ar_amount else 0 end",
        'ar_amount', where='ar_amount > 0') }}
    union all
    {{ kpi_rate('rcm.ar_over_120_rate', 'ar_fanned', 'snapshot_month',
        "case when age_bucket = '120+' then ar_amount else 0 end", 'ar_amount',
        where='ar_amount > 0') }}
    union all
    {{ kpi_rate('rcm.net_collection_rate', 'service_fanned', 'service_month',
        'payer_paid_amount + patient_paid_amount',
        'current_charge - contractual_adjustment_amount') }}
    union all
    {{ kpi_stat('rcm.denial_writeoff_usd', 'writeoffs_fanned', 'writeoff_month',
        'amount', 'sum') }}
    union all
    {{ kpi_stat('rcm.submission_lag_days_median', 'submitted_fanned',
        'first_submission_month', 'submission_lag_days', 'median') }}

),

final as (

    {{ kpi_final('metrics') }}

)

select * from final
