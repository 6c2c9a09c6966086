{#- Building blocks of the kpi_<domain> models. Every kpi model publishes exactly:
    metric_id varchar, period_month date, dimension varchar, dimension_value varchar,
    numerator double, denominator double, value double.
    Conventions: rate -> numerator / denominator (rows with a zero denominator are left
    out); median / p90 -> numerator null, denominator = number of events, value = the
    percentile; mean -> numerator = sum, denominator = count; count and sum -> numerator =
    value, denominator null (a count over a group with no events is 0).

    Every metric is published for the dimension 'practice' (value 'all') and for each
    dimension of its model (dimension name -> column or expression; null values become
    'unknown'). Rather than copying each input row once per dimension and grouping every
    metric on its own, kpi_metrics groups a relation once per period with grouping sets:
    sums and counts first per period and combination of dimension values (few rows), then
    rolled up per dimension (kpi_rollup); percentiles and means, which do not add up, per
    dimension straight from the rows. On the large preset the kpi models take 52 % of the
    CPU of the copy-per-dimension form, with the same rows (NOTES_performance.md). -#}

{#- 1 when the condition holds, else 0 (null counts as 0). -#}
{% macro flag(condition) -%}
    (case when {{ condition }} then 1 else 0 end)
{%- endmacro %}

{#- Dimensions to publish: var('kpi_dimensions') (a list) restricts them, e.g. in unit tests. -#}
{% macro kpi_dimension_enabled(name) -%}
    {%- set wanted = var('kpi_dimensions', none) -%}
    {{ return(wanted is none or name in wanted) }}
{%- endmacro %}

{#- The enabled entries of a `dimensions` mapping, as (name, expression) pairs. -#}
{% macro kpi_enabled_dimensions(dimensions) -%}
    {%- set enabled = [] -%}
    {%- for name, expr in dimensions.items() if friction.kpi_dimension_enabled(name) -%}
        {%- do enabled.append((name, expr)) -%}
    {%- endfor -%}
    {{ return(enabled) }}
{%- endmacro %}

{#- Select-list items shared by the grouped queries below: the dimension of a grouping-set
    row ('practice' when no dimension column is grouped) and its value. Reads columns
    kpi_dim_1..n. -#}
{% macro kpi_dimension_columns(dims) -%}
    {%- if dims %}
        case
            {%- for name, expr in dims %}
            when grouping(kpi_dim_{{ loop.index }}) = 0 then '{{ name }}'
            {%- endfor %}
            else 'practice'
        end as dimension,
        coalesce({% for _ in dims %}kpi_dim_{{ loop.index }}, {% endfor %}'all') as dimension_value
    {%- else %}
        'practice' as dimension,
        'all' as dimension_value
    {%- endif %}
{%- endmacro %}

{#- The rows of `relation` with a non-null period, as kpi_period and kpi_dim_1..n (the
    dimension values as strings, 'unknown' for null) before every source column. -#}
{% macro kpi_rows(relation, period, dims) -%}
    select
        {{ period }} as kpi_period,
        {%- for name, expr in dims %}
        coalesce(cast({{ expr }} as {{ dbt.type_string() }}), 'unknown') as kpi_dim_{{ loop.index }},
        {%- endfor %}
        kpi_source.*
    from {{ relation }} as kpi_source
    where {{ period }} is not null
{%- endmacro %}

{% macro kpi_grouping_sets(dims) -%}
    grouping sets ((kpi_period)
        {%- for _ in dims %}, (kpi_period, kpi_dim_{{ loop.index }}){% endfor %})
{%- endmacro %}

{#- Additive measures of `relation` by period and dimension: columns period_month,
    dimension, dimension_value and one per measure. `measures` maps an output name to
    (aggregate, expression[, condition]) with aggregate sum, count, min or max over the rows
    with a non-null period (that match the condition): e.g. {'visits': ('count', '*'),
    'minutes': ('sum', 'touch_minutes', 'is_manual')}. A measure over no matching row is
    null (a count: 0). Computed per combination of dimension values, then rolled up. -#}
{% macro kpi_rollup(relation, period, dimensions, measures) -%}
    {%- set dims = friction.kpi_enabled_dimensions(dimensions) -%}
    {%- set outer = {'sum': 'sum', 'count': 'sum', 'min': 'min', 'max': 'max'} -%}
    select
        kpi_period as period_month,
        {{- friction.kpi_dimension_columns(dims) }},
        {%- for name, measure in measures.items() %}
        {%- if measure[0] not in outer %}
        {{ exceptions.raise_compiler_error('kpi_rollup: unknown aggregate ' ~ measure[0]) }}
        {%- endif %}
        {{ outer[measure[0]] }}({{ name }}) as {{ name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from (
        select
            kpi_period,
            {%- for _ in dims %}
            kpi_dim_{{ loop.index }},
            {%- endfor %}
            {%- for name, measure in measures.items() %}
            {{ measure[0] }}({{ measure[1] }})
                {%- if measure | length > 2 and measure[2] != '1 = 1' %} filter (where {{ measure[2] }}){% endif %}
                as {{ name }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from ({{ friction.kpi_rows(relation, period, dims) }}) as kpi_rows
        group by {% for position in range(1, dims | length + 2) %}{{ position }}{% if not loop.last %}, {% endif %}{% endfor %}
    ) as kpi_cells
    group by {{ friction.kpi_grouping_sets(dims) }}
{%- endmacro %}

{#- A metric for kpi_metrics: a rate, sum(numerator) / sum(denominator) over the rows
    matching `where`, published where that denominator is > 0. -#}
{% macro kpi_rate_metric(metric_id, numerator, denominator, where='1 = 1', except_dimensions=[]) -%}
    {{ return({'id': metric_id, 'stat': 'rate', 'numerator': numerator,
        'denominator': denominator, 'where': where, 'except_dimensions': except_dimensions}) }}
{%- endmacro %}

{#- A metric for kpi_metrics: a statistic (median, p90, mean, sum, count) of `expr` over the
    rows matching `where` (nulls ignored), published where a row matches (count) or a
    non-null value exists (the others). `except_dimensions`: dimensions not published. -#}
{% macro kpi_stat_metric(metric_id, expr, stat, where='1 = 1', except_dimensions=[]) -%}
    {%- if stat not in ('median', 'p90', 'mean', 'sum', 'count') %}
    {{ exceptions.raise_compiler_error('kpi_stat_metric: unknown stat ' ~ stat) }}
    {%- endif %}
    {{ return({'id': metric_id, 'stat': stat, 'expr': expr, 'where': where,
        'except_dimensions': except_dimensions}) }}
{%- endmacro %}

{#- Shares of rows where a boolean column (or condition) holds, i.e. rates of
    flag(condition) over 1: `flags` maps metric_id -> condition, in output order. -#}
{% macro kpi_flag_rate_metrics(flags, where='1 = 1') -%}
    {%- set metrics = [] -%}
    {%- for metric_id, condition in flags.items() -%}
        {%- do metrics.append(friction.kpi_rate_metric(
            metric_id, friction.flag(condition), '1', where)) -%}
    {%- endfor -%}
    {{ return(metrics) }}
{%- endmacro %}

{#- Several statistics of one expression: `stats` maps metric_id -> stat. -#}
{% macro kpi_stat_metrics(expr, stats, where='1 = 1') -%}
    {%- set metrics = [] -%}
    {%- for metric_id, stat in stats.items() -%}
        {%- do metrics.append(friction.kpi_stat_metric(metric_id, expr, stat, where)) -%}
    {%- endfor -%}
    {{ return(metrics) }}
{%- endmacro %}

{#- The kpi rows (the seven published columns) of `metrics` (kpi_rate_metric /
    kpi_stat_metric values) over one relation, by `period` and per dimension. -#}
{% macro kpi_metrics(relation, period, dimensions, metrics) -%}
    {%- set dims = friction.kpi_enabled_dimensions(dimensions) -%}
    {%- set double = friction.type_double() -%}
    {%- set additive = {} -%}
    {%- set row_level = [] -%}
    {%- for metric in metrics -%}
        {#- a metric's columns are named after its position: kpi_m<n>_... -#}
        {%- set m = 'kpi_m' ~ loop.index -%}
        {%- if metric.stat == 'rate' -%}
            {%- do additive.update({
                m ~ '_num': ('sum', metric.numerator, metric.where),
                m ~ '_den': ('sum', metric.denominator, metric.where)}) -%}
        {%- elif metric.stat == 'sum' -%}
            {%- do additive.update({
                m ~ '_num': ('sum', metric.expr, metric.where),
                m ~ '_n': ('count', metric.expr, metric.where)}) -%}
        {%- elif metric.stat == 'count' -%}
            {%- do additive.update({
                m ~ '_num': ('count', metric.expr, metric.where),
                m ~ '_n': ('count', '*', metric.where)}) -%}
        {%- else -%}
            {%- do row_level.append(metric) -%}
        {%- endif -%}
    {%- endfor -%}
    with
    {%- if additive %}
    kpi_additive as (
        {{ friction.kpi_rollup(relation, period, dimensions, additive) }}
    ),
    {%- endif %}
    {%- if row_level %}
    kpi_row_level as (
        select
            kpi_period as period_month,
            {{- friction.kpi_dimension_columns(dims) }},
            {%- for metric in metrics %}
            {%- set m = 'kpi_m' ~ loop.index %}
            {%- if metric in row_level %}
            {%- set kept = 'filter (where ' ~ metric.where ~ ')' %}
            count({{ metric.expr }}) {{ kept }} as {{ m }}_n,
            {%- if metric.stat == 'mean' %}
            sum({{ metric.expr }}) {{ kept }} as {{ m }}_num,
            avg(cast({{ metric.expr }} as {{ double }})) {{ kept }} as {{ m }}_value
            {%- else %}
            {{ friction.percentile_cont(metric.expr, 0.5 if metric.stat == 'median' else 0.9) }}
                {{ kept }} as {{ m }}_value
            {%- endif %}
            {%- if metric != row_level[-1] %},{% endif %}
            {%- endif %}
            {%- endfor %}
        from ({{ friction.kpi_rows(relation, period, dims) }}) as kpi_rows
        group by {{ friction.kpi_grouping_sets(dims) }}
    ),
    {%- endif %}
    kpi_published as (
        {%- for metric in metrics %}
        {%- set m = 'kpi_m' ~ loop.index %}
        {%- if not loop.first %}
        union all
        {%- endif %}
        select
            '{{ metric.id }}' as metric_id,
            period_month,
            dimension,
            dimension_value,
            {%- if metric.stat == 'rate' %}
            cast({{ m }}_num as {{ double }}) as numerator,
            cast({{ m }}_den as {{ double }}) as denominator,
            {{ friction.safe_ratio(m ~ '_num', m ~ '_den') }} as value
        from kpi_additive
        where {{ m }}_den > 0
            {%- elif metric.stat in ('sum', 'count') %}
            cast({{ m }}_num as {{ double }}) as numerator,
            cast(null as {{ double }}) as denominator,
            cast({{ m }}_num as {{ double }}) as value
        from kpi_additive
        where {{ m }}_n > 0
            {%- elif metric.stat == 'mean' %}
            cast({{ m }}_num as {{ double }}) as numerator,
            cast({{ m }}_n as {{ double }}) as denominator,
            {{ m }}_value as value
        from kpi_row_level
        where {{ m }}_n > 0
            {%- else %}
            cast(null as {{ double }}) as numerator,
            cast({{ m }}_n as {{ double }}) as denominator,
            cast({{ m }}_value as {{ double }}) as value
        from kpi_row_level
        where {{ m }}_n > 0
            {%- endif %}
            {%- if metric.except_dimensions %}
            and dimension not in ('{{ metric.except_dimensions | join("', '") }}')
            {%- endif %}
        {%- endfor %}
    )
    select * from kpi_published
{%- endmacro %}

{#- The final select of every kpi model: the seven columns with their types, optionally
    restricted to var('kpi_metrics') (a list of metric ids, for unit tests). -#}
{% macro kpi_final(relation) -%}
    {%- set metrics = var('kpi_metrics', none) -%}
    select
        cast(metric_id as {{ dbt.type_string() }}) as metric_id,
        cast(period_month as date) as period_month,
        cast(dimension as {{ dbt.type_string() }}) as dimension,
        cast(dimension_value as {{ dbt.type_string() }}) as dimension_value,
        cast(numerator as {{ friction.type_double() }}) as numerator,
        cast(denominator as {{ friction.type_double() }}) as denominator,
        cast(value as {{ friction.type_double() }}) as value
    from {{ relation }}
    {%- if metrics is not none %}
    where metric_id in ({% for m in metrics %}'{{ m }}'{% if not loop.last %}, {% endif %}{% endfor %})
    {%- endif %}
{%- endmacro %}
