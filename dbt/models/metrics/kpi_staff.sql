-- Grain: one row per metric_id, period_month, dimension and dimension_value for the
-- front-office and staff-effort metrics of metrics.md section 2.
{%- set visit_dims = {
    'location': 'location_id',
    'provider': 'provider_id',
    'payer': 'payer_id',
    'specialty': 'specialty',
} %}
with visits as (

    select * from {{ ref('fct_visits') }}

),

work_items as (

    select * from {{ ref('fct_work_items') }}

),

checks as (

    select * from {{ ref('fct_eligibility_checks') }}

),

auths as (

    select * from {{ ref('fct_prior_auths') }}

),

-- staff.minutes_per_visit / staff.cost_per_visit ------------------------------------------
work_fanned as (

    {{ kpi_fan_out('work_items', {
        'location': "coalesce(location_id, 'unplaced')",
        'work_type': 'work_type',
        'channel': 'channel',
    }) }}

),

work_by_dimension as (

    select
        started_month as period_month,
        dimension,
        dimension_value,
        sum(touch_minutes) as touch_minutes,
        sum(cost_usd) as cost_usd
    from work_fanned
    group by started_month, dimension, dimension_value

),

visits_by_dimension as (

    -- visits per practice and location; work_type and channel rows divide by all visits
    select service_month as period_month, 'practice' as dimension, 'all' as dimension_value,
        count(*) as visit_count
    from visits
    group by service_month
    union all
    select service_month, 'location', location_id, count(*)
    from visits
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
    from checks
    union all
    select 'prior_auth', requested_month, is_manual, is_electronic
    from auths
    union all
    select 'claim_followup', started_month, is_manual_channel, false
    from work_items
    where work_type = 'claim_followup'

),

transactions_fanned as (

    {{ kpi_fan_out('transactions', {'transaction_type': 'transaction_type'}) }}

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
    from work_items
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
visits_fanned as (

    {{ kpi_fan_out('visits', visit_dims) }}

),

checks_fanned as (

    {{ kpi_fan_out('checks', {
        'location': 'location_id',
        'payer': 'payer_id',
        'channel': 'channel',
    }) }}

),

backlog_fanned as (

    {{ kpi_fan_out(ref('fct_work_backlog'), {
        'work_type': 'work_type',
        'age_bucket': 'age_bucket',
    }) }}

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
    {{ kpi_rate('staff.manual_share', 'transactions_fanned', 'period_month',
        flag('is_manual'), '1') }}
    union all
    select * from savings
    union all
    {{ kpi_flag_rates('visits_fanned', 'service_month', {
        'frontdesk.eligibility_verified_rate': 'is_eligibility_verified',
    }) }}
    union all
    {{ kpi_flag_rates('checks_fanned', 'requested_month', {
        'frontdesk.eligibility_electronic_rate': 'is_electronic',
        'frontdesk.eligibility_failure_rate': 'is_failure',
    }) }}
    union all
    {{ kpi_rate('frontdesk.pos_collection_rate', 'visits_fanned', 'service_month',
        'coalesce(copay_collected, 0)', 'coalesce(copay_due, 0)') }}
    union all
    {{ kpi_stat('staff.open_backlog', 'backlog_fanned', 'period_month',
        'work_item_id', 'count') }}

),

final as (

    {{ kpi_final('metrics') }}

)

select * from final
