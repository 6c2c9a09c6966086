-- Grain: one row per metric_id, period_month, dimension and dimension_value for the growth
-- and operations metrics of metrics.md section 7.
with work_items as (

    select * from {{ ref('fct_work_items') }}

),

visits as (

    select * from {{ ref('fct_visits') }}

),

locations as (

    select location_id, opened_on from {{ ref('dim_location') }}

),

-- growth.admin_minutes_per_visit_by_location ----------------------------------------------
minutes_by_location as (

    select started_month as period_month, location_id, sum(touch_minutes) as touch_minutes
    from work_items
    where location_id is not null
    group by started_month, location_id

),

visits_by_location as (

    select service_month as period_month, location_id, count(*) as visit_count
    from visits
    group by service_month, location_id

),

per_location as (

    select
        visits_by_location.period_month,
        visits_by_location.location_id,
        {{ location_age_band(months_between('locations.opened_on', 'visits_by_location.period_month')) }}
            as location_age_band,
        coalesce(minutes_by_location.touch_minutes, 0) as touch_minutes,
        visits_by_location.visit_count
    from visits_by_location
    left join minutes_by_location
        on visits_by_location.period_month = minutes_by_location.period_month
        and visits_by_location.location_id = minutes_by_location.location_id
    left join locations
        on visits_by_location.location_id = locations.location_id

),

admin_minutes as (

    {{ kpi_metrics('per_location', 'period_month', {
        'location': 'location_id',
        'location_age': 'location_age_band',
    }, [
        kpi_rate_metric('growth.admin_minutes_per_visit_by_location', 'touch_minutes',
            'visit_count'),
    ]) }}

),

-- ops.friction_cost_usd ------------------------------------------------------------------
rework as (

    -- staff rework cost, by month the work started
    {{ kpi_rollup(
        "(select * from " ~ ref('fct_work_items') ~ " where is_rework)", 'started_month',
        {'location': "coalesce(location_id, 'unplaced')"},
        {'amount_usd': ('sum', 'cost_usd')}) }}

),

friction_parts as (

    select period_month, dimension, dimension_value, amount_usd
    from rework
    union all
    -- denied dollars written off: kpi_revenue's rcm.denial_writeoff_usd (one definition)
    select period_month, dimension, dimension_value, value
    from {{ ref('kpi_revenue') }}
    where metric_id = 'rcm.denial_writeoff_usd'
      and dimension in ('practice'{% if kpi_dimension_enabled('location') %}, 'location'{% endif %})

),

-- ops.data_freshness_hours ---------------------------------------------------------------
freshness as (

    select
        {{ month_of(as_of_date()) }} as period_month,
        source,
        hours_since_newest_event
    from {{ ref('source_freshness') }}
    where hours_since_newest_event is not null

),

freshness_by_dimension as (

    {{ kpi_rollup('freshness', 'period_month', {'source': 'source'},
        {'hours_since_newest_event': ('max', 'hours_since_newest_event')}) }}

),

metrics as (

    -- minutes of work placed at a location / visits at that location (central office
    -- work that cannot be placed is left out; staff.minutes_per_visit has the total)
    select * from admin_minutes
    union all
    select
        'ops.friction_cost_usd',
        period_month,
        dimension,
        dimension_value,
        cast(sum(amount_usd) as {{ type_double() }}),
        cast(null as {{ type_double() }}),
        cast(sum(amount_usd) as {{ type_double() }})
    from friction_parts
    where period_month is not null and amount_usd is not null
    group by period_month, dimension, dimension_value
    union all
    -- hours from the newest event of each source to now; practice = the stalest source
    select
        'ops.data_freshness_hours',
        period_month,
        dimension,
        dimension_value,
        cast(null as {{ type_double() }}),
        cast(null as {{ type_double() }}),
        cast(hours_since_newest_event as {{ type_double() }})
    from freshness_by_dimension

),

final as (

    {{ kpi_final('metrics') }}

)

select * from final
