-- Grain: one row per metric_id, period_month, dimension and dimension_value for the
-- front-office and staff-effort metrics of metrics.md section 2.
{%- set visit_dims = {
    'location': 'location_id',
    'provider': 'provider_id',
    'payer': 'payer_id',
    'specialty': 'specialty',
} %}
-- staff.minutes_per_visit / staff.cost_per_visit ------------------------------------------
with work_by_dimension as (

    {{ kpi_rollup(ref('fct_work_items'), 'started_month', {
        'location': "coalesce(location_id, 'unplaced')",
        'work_type': 'work_type',
        'channel': 'channel',
    }, {
        'touch_minutes': ('sum', 'touch_minutes'),
        'cost_usd': ('sum', 'cost_usd'),
    }) }}

),

visits_by_dimension as (

    -- visits per practice and location; work_type and channel rows divide by all visits
    select service_month as period_month, 'practice' as dimension, 'all' as dimension_value,
        count(*) as visit_count
    from {{ ref('fct_visits') }}
    group by service_month
    union all
    select service_month, 'location', location_id, count(*)
    from {{ ref('fct_visits') }}
    group by service_month, location_id

),

work_per_visit as (

    select
        work_by_dimension.period_month,
        work_by_dimension.dimension,
        work_by_dimension.dimension_value,
        work_by_dimension.touch_minutes,
        work_by_dimension.cost_usd,
        visits_by_dimension.visit_count
    from work_by_dimension
    inner join visits_by_dimension
        on work_by_dimension.period_month = visits_by_dimension.period_month
        and (
            (
                work_by_dimension.dimension in ('practice', 'location')
                and work_by_dimension.dimension = visits_by_dimension.dimension
                and work_by_dimension.dimension_value = visits_by_dimension.dimension_value
            )
            or (
                work_by_dimension.dimension in ('work_type', 'channel')
                and visits_by_dimension.dimension = 'practice'
            )
        )

),

-- staff.manual_share / staff.automation_savings_usd ---------------------------------------
transactions as (

    select 'eligibility' as transaction_type, requested_month as period_month,
        is_manual, is_electronic
    from {{ ref('fct_eligibility_checks') }}
    union all
    select 'prior_auth', requested_month, is_manual, is_electronic
    from {{ ref('fct_prior_auths') }}
    union all
    select 'claim_followup', started_month, is_manual_channel, false
    from {{ ref('fct_work_items') }}
    where work_type = 'claim_followup'

),

volumes as (

    select
        transaction_type,
        period_month,
        sum({{ flag('is_manual') }}) as manual_volume,
        sum({{ flag('is_electronic') }}) as electronic_volume
    from transactions
    group by transaction_type, period_month

),

work_costs as (

    select
        transaction_type,
        started_month as period_month,
        sum(case when is_manual_channel then cost_usd else 0 end) as manual_cost_usd,
        sum(case when not is_manual_channel then cost_usd else 0 end) as other_cost_usd
    from {{ ref('fct_work_items') }}
    where transaction_type is not null
    group by transaction_type, started_month

),

reference_electronic as (

    -- newest CAQH Index year that has a figure, per transaction type
    select transaction_type, cost_per_transaction_usd
    from (
        select
            transaction_type,
            cost_per_transaction_usd,
            row_number() over (
                partition by transaction_type order by report_year desc
            ) as year_rank
        from {{ ref('caqh_reference_costs') }}
        where mode = 'electronic' and cost_per_transaction_usd is not null
    ) as ranked
    where year_rank = 1

),

savings_by_type as (

    -- manual volume x (own mean manual cost - electronic cost); own electronic cost =
    -- staff cost of non-manual work of that type per electronic transaction, else CAQH
    select
        volumes.transaction_type,
        volumes.period_month,
        volumes.manual_volume,
        volumes.manual_volume * (
            {{ safe_ratio('work_costs.manual_cost_usd', 'volumes.manual_volume') }}
            - case
                when volumes.electronic_volume > 0
                    then {{ safe_ratio('coalesce(work_costs.other_cost_usd, 0)', 'volumes.electronic_volume') }}
                else reference_electronic.cost_per_transaction_usd
            end
        ) as savings_usd
    from volumes
    left join work_costs
        on volumes.transaction_type = work_costs.transaction_type
        and volumes.period_month = work_costs.period_month
    left join reference_electronic
        on volumes.transaction_type = reference_electronic.transaction_type
    where volumes.manual_volume > 0

),

savings as (

    select
        'staff.automation_savings_usd' as metric_id,
        period_month,
        'transaction_type' as dimension,
        transaction_type as dimension_value,
        savings_usd as numerator,
        cast(null as {{ type_double() }}) as denominator,
        savings_usd as value
    from savings_by_type
    {%- if kpi_dimension_enabled('transaction_type') %}{% else %}
    where 1 = 0
    {%- endif %}
    union all
    -- practice total over the transaction types that have an electronic cost
    select
        'staff.automation_savings_usd',
        period_month,
        'practice',
        'all',
        sum(savings_usd),
        cast(null as {{ type_double() }}),
        sum(savings_usd)
    from savings_by_type
    group by period_month

),

-- front desk ------------------------------------------------------------------------------
manual_share as (

    {{ kpi_metrics('transactions', 'period_month', {'transaction_type': 'transaction_type'}, [
        kpi_rate_metric('staff.manual_share', flag('is_manual'), '1'),
    ]) }}

),

visit_rates as (

    {{ kpi_metrics(ref('fct_visits'), 'service_month', visit_dims, kpi_flag_rate_metrics({
        'frontdesk.eligibility_verified_rate': 'is_eligibility_verified',
    }) + [
        kpi_rate_metric('frontdesk.pos_collection_rate', 'coalesce(copay_collected, 0)',
            'coalesce(copay_due, 0)'),
    ]) }}

),

check_rates as (

    {{ kpi_metrics(ref('fct_eligibility_checks'), 'requested_month', {
        'location': 'location_id',
        'payer': 'payer_id',
        'channel': 'channel',
    }, kpi_flag_rate_metrics({
        'frontdesk.eligibility_electronic_rate': 'is_electronic',
        'frontdesk.eligibility_failure_rate': 'is_failure',
    })) }}

),

open_backlog as (

    {{ kpi_metrics(ref('fct_work_backlog'), 'period_month', {
        'work_type': 'work_type',
        'age_bucket': 'age_bucket',
    }, [kpi_stat_metric('staff.open_backlog', 'work_item_id', 'count')]) }}

),

metrics as (

    select
        'staff.minutes_per_visit' as metric_id,
        period_month,
        dimension,
        dimension_value,
        cast(touch_minutes as {{ type_double() }}) as numerator,
        cast(visit_count as {{ type_double() }}) as denominator,
        {{ safe_ratio('touch_minutes', 'visit_count') }} as value
    from work_per_visit
    union all
    select
        'staff.cost_per_visit',
        period_month,
        dimension,
        dimension_value,
        cast(cost_usd as {{ type_double() }}),
        cast(visit_count as {{ type_double() }}),
        {{ safe_ratio('cost_usd', 'visit_count') }}
    from work_per_visit
    union all
    select * from manual_share
    union all
    select * from savings
    union all
    select * from visit_rates
    union all
    select * from check_rates
    union all
    select * from open_backlog

),

final as (

    {{ kpi_final('metrics') }}

)

select * from final
