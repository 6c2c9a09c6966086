{#- Building blocks of the kpi_<domain> models. Every kpi model publishes exactly:
    metric_id varchar, period_month date, dimension varchar, dimension_value varchar,
    numerator double, denominator double, value double.
    Conventions: rate -> numerator / denominator (rows with a zero denominator are left
    out); median / p90 -> numerator null, denominator = number of events, value = the
    percentile; mean -> numerator = sum, denominator = count; count and sum -> numerator =
    value, denominator null (a count over a group with no events is 0). -#}

{#- 1 when the condition holds, else 0 (null counts as 0). -#}
{% macro flag(condition) -%}
    (case when {{ condition }} then 1 else 0 end)
{%- endmacro %}

{#- Dimensions to publish: var('kpi_dimensions') (a list) restricts them, e.g. in unit tests. -#}
{% macro kpi_dimension_enabled(name) -%}
    {%- set wanted = var('kpi_dimensions', none) -%}
    {{ return(wanted is none or name in wanted) }}
{%- endmacro %}

{#- One row per input row and dimension: 'practice'/'all' plus one row per entry of
    `dimensions` (dimension name -> column or expression; null values become 'unknown'). -#}
{% macro kpi_fan_out(relation, dimensions) -%}
    select 'practice' as dimension, 'all' as dimension_value, fan_source.*
    from {{ relation }} as fan_source
    {%- for name, expr in dimensions.items() if friction.kpi_dimension_enabled(name) %}
    union all
    select
        '{{ name }}' as dimension,
        coalesce(cast({{ expr }} as {{ dbt.type_string() }}), 'unknown') as dimension_value,
        fan_source.*
    from {{ relation }} as fan_source
    {%- endfor %}
{%- endmacro %}

{#- A rate: sum(numerator) / sum(denominator) over rows matching `where`, by period. -#}
{% macro kpi_rate(metric_id, relation, period, numerator, denominator, where='1 = 1') -%}
    select
        '{{ metric_id }}' as metric_id,
        {{ period }} as period_month,
        dimension,
        dimension_value,
        cast(sum({{ numerator }}) as {{ friction.type_double() }}) as numerator,
        cast(sum({{ denominator }}) as {{ friction.type_double() }}) as denominator,
        {{ friction.safe_ratio('sum(' ~ numerator ~ ')', 'sum(' ~ denominator ~ ')') }} as value
    from {{ relation }}
    where {{ where }} and {{ period }} is not null
    group by {{ period }}, dimension, dimension_value
    having sum({{ denominator }}) > 0
{%- endmacro %}

{#- A statistic of `expr` over rows matching `where` (nulls ignored), by period.
    stat: median, p90, mean, sum, count. -#}
{% macro kpi_stat(metric_id, relation, period, expr, stat, where='1 = 1') -%}
    select
        '{{ metric_id }}' as metric_id,
        {{ period }} as period_month,
        dimension,
        dimension_value,
        {%- if stat in ('median', 'p90') %}
        cast(null as {{ friction.type_double() }}) as numerator,
        cast(count({{ expr }}) as {{ friction.type_double() }}) as denominator,
        cast(
            {%- if stat == 'median' %} {{ friction.median_cont(expr) }}
            {%- else %} {{ friction.percentile_cont(expr, 0.9) }}
            {%- endif %} as {{ friction.type_double() }}
        ) as value
        {%- elif stat == 'mean' %}
        cast(sum({{ expr }}) as {{ friction.type_double() }}) as numerator,
        cast(count({{ expr }}) as {{ friction.type_double() }}) as denominator,
        cast(avg(cast({{ expr }} as {{ friction.type_double() }})) as {{ friction.type_double() }}) as value
        {%- elif stat in ('sum', 'count') %}
        {%- set agg = 'sum(' ~ expr ~ ')' if stat == 'sum' else 'count(' ~ expr ~ ')' %}
        cast({{ agg }} as {{ friction.type_double() }}) as numerator,
        cast(null as {{ friction.type_double() }}) as denominator,
        cast({{ agg }} as {{ friction.type_double() }}) as value
        {%- else %}
        {{ exceptions.raise_compiler_error('kpi_stat: unknown stat ' ~ stat) }}
        {%- endif %}
    from {{ relation }}
    where {{ where }} and {{ period }} is not null
    {%- if stat != 'count' %} and {{ expr }} is not null{% endif %}
    group by {{ period }}, dimension, dimension_value
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

{#- Several shares over one relation and period: per metric id, the share of rows where a
    boolean column (or condition) holds, i.e. kpi_rate(flag(condition), '1'). `flags` maps
    metric_id -> condition, in output order. Rendered as a union all. -#}
{% macro kpi_flag_rates(relation, period, flags, where='1 = 1') -%}
    {%- for metric_id, condition in flags.items() %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    {{ friction.kpi_rate(metric_id, relation, period, friction.flag(condition), '1', where) }}
    {%- endfor %}
{%- endmacro %}

{#- Several statistics of one expression over one relation and period: `stats` maps
    metric_id -> stat (median, p90, mean, sum, count). Rendered as a union all. -#}
{% macro kpi_stats(relation, period, expr, stats, where='1 = 1') -%}
    {%- for metric_id, stat in stats.items() %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    {{ friction.kpi_stat(metric_id, relation, period, expr, stat, where) }}
    {%- endfor %}
{%- endmacro %}
