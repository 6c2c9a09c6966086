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
with first_adjudicated as (

    -- initial denial, first-pass resolution: original claims by month of first adjudication
    {{ kpi_metrics(
        "(select *, coalesce(original_charge, first_adjudicated_charge) as adjudicated_charge
        from " ~ ref('fct_claims') ~ "
        where is_original_claim and first_adjudicated_on is not null)",
        'first_adjudication_month', dims, [
        kpi_rate_metric('rcm.initial_denial_rate_count', flag('is_initial_denial'), '1'),
        kpi_rate_metric('rcm.initial_denial_rate_usd',
            'case when is_initial_denial then adjudicated_charge else 0 end',
            'adjudicated_charge'),
        kpi_rate_metric('rcm.first_pass_resolution_rate', flag('is_first_pass_resolved'), '1'),
    ]) }}

),

first_lines as (

    -- line denials: lines of the first adjudication of original claims
    {{ kpi_metrics(
        "(select * from " ~ ref('fct_claim_lines') ~ "
        where is_first_adjudication and is_original_claim)",
        'adjudication_month', dims, [
        kpi_rate_metric('rcm.line_denial_rate', flag('is_line_denial'), '1'),
    ]) }}

),

denials as (

    -- denials by category, CARC and root cause; overturns
    {{ kpi_metrics(
        "(select *, denial_group_code || '-' || denial_carc as denial_reason
        from " ~ ref('fct_claim_denials') ~ ")",
        'denial_month', denial_dims, [
        kpi_stat_metric('rcm.denials_by_category', 'claim_id', 'count',
            except_dimensions=['root_cause']),
        kpi_stat_metric('rcm.denials_by_category_usd', 'denied_amount', 'sum',
            except_dimensions=['root_cause']),
        kpi_stat_metric('rcm.denial_root_cause', 'claim_id', 'count',
            except_dimensions=['carc', 'category']),
        kpi_stat_metric('rcm.denial_root_cause_usd', 'denied_amount', 'sum',
            except_dimensions=['carc', 'category']),
        kpi_rate_metric('rcm.denial_overturn_rate', flag("denial_outcome = 'overturned'"),
            flag('is_resolved')),
    ]) }}

),

paid as (

    -- days to payment: original claims by month of the first positive payment
    {{ kpi_metrics(
        "(select * from " ~ ref('fct_claims') ~ "
        where is_original_claim and first_paid_on is not null)",
        'first_paid_month', dims, [
        kpi_stat_metric('rcm.days_to_payment_median', 'days_to_payment', 'median'),
    ]) }}

),

submitted as (

    -- submission lag: original claims by month of submission
    {{ kpi_metrics(
        "(select * from " ~ ref('fct_claims') ~ "
        where is_original_claim and first_submission_date is not null)",
        'first_submission_month', dims, [
        kpi_stat_metric('rcm.submission_lag_days_median', 'submission_lag_days', 'median'),
    ]) }}

),

serviced as (

    -- net collection: every claim by month of service
    {{ kpi_metrics(ref('fct_claims'), 'service_month', dims, [
        kpi_rate_metric('rcm.net_collection_rate', 'payer_paid_amount + patient_paid_amount',
            'current_charge - contractual_adjustment_amount'),
    ]) }}

),

writeoffs as (

    -- denial write-offs: denied dollars of unrecovered denials, by month written off
    {{ kpi_metrics(
        "(select *, " ~ month_of('writeoff_date') ~ " as writeoff_month
        from " ~ ref('fct_adjustments') ~ "
        where writeoff_date is not null)",
        'writeoff_month', writeoff_dims, [
        kpi_stat_metric('rcm.denial_writeoff_usd', 'amount', 'sum'),
    ]) }}

),

-- A/R ---------------------------------------------------------------------------------------
ar as (

    {#- Credit balances (overpayments awaiting refund) are not receivables: counting them
        can push a share of A/R below 0 for a provider with little A/R. #}
    {{ kpi_metrics(ref('fct_ar_snapshot_monthly'), 'snapshot_month', ar_bucket_dims, [
        kpi_stat_metric('rcm.ar_aging', 'ar_amount', 'sum'),
        kpi_rate_metric('rcm.ar_over_90_rate',
            "case when age_bucket in ('91-120', '120+') then ar_amount else 0 end",
            'ar_amount', where='ar_amount > 0', except_dimensions=['age_bucket']),
        kpi_rate_metric('rcm.ar_over_120_rate',
            "case when age_bucket = '120+' then ar_amount else 0 end", 'ar_amount',
            where='ar_amount > 0', except_dimensions=['age_bucket']),
    ]) }}

),

ar_totals as (

    {{ kpi_rollup(ref('fct_ar_snapshot_monthly'), 'snapshot_month', dims,
        {'ar_amount': ('sum', 'ar_amount')}) }}

),

-- net charges per month: charges by month of service - contractual adjustments by month
-- of adjudication (the denominator of net days in A/R)
net_charge_items as (

    select service_month as period_month, location_id, provider_id, payer_id, specialty,
        current_charge as amount
    from {{ ref('fct_claims') }}
    where service_month is not null
    union all
    select adjudication_month, location_id, provider_id, payer_id, specialty, -amount
    from {{ ref('fct_adjustments') }}
    where is_contractual

),

net_charges as (

    {{ kpi_rollup('net_charge_items', 'period_month', dims,
        {'net_charges': ('sum', 'amount')}) }}

),

net_days_in_ar as (

    select
        'rcm.net_days_in_ar' as metric_id,
        ar_totals.period_month,
        ar_totals.dimension,
        ar_totals.dimension_value,
        ar_totals.ar_amount as numerator,
        -- average net charges per day over the month and the two before it
        sum(coalesce(net_charges.net_charges, 0))
            / {{ dbt.datediff(
                dbt.dateadd('month', -2, 'ar_totals.period_month'),
                dbt.dateadd('month', 1, 'ar_totals.period_month'),
                'day') }} as denominator
    from ar_totals
    left join net_charges
        on ar_totals.dimension = net_charges.dimension
        and ar_totals.dimension_value = net_charges.dimension_value
        and net_charges.period_month
            between {{ dbt.dateadd('month', -2, 'ar_totals.period_month') }}
            and ar_totals.period_month
    group by ar_totals.period_month, ar_totals.dimension, ar_totals.dimension_value,
        ar_totals.ar_amount

),

metrics as (

    select * from first_adjudicated
    union all
    select * from first_lines
    union all
    select * from denials
    union all
    select * from paid
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
    select * from ar
    union all
    select * from serviced
    union all
    select * from writeoffs
    union all
    select * from submitted

),

final as (

    {{ kpi_final('metrics') }}

)

select * from final
