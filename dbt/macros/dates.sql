{#- Small date helpers built on dbt's cross-database macros. -#}

{#- First day of the calendar month of a date or timestamp, as a date. -#}
{% macro month_of(expr) -%}
    cast({{ dbt.date_trunc('month', expr) }} as date)
{%- endmacro %}

{#- Elapsed hours between two timestamps, with fractions (datediff counts boundaries). -#}
{% macro hours_between(start_ts, end_ts) -%}
    ({{ dbt.datediff(start_ts, end_ts, 'second') }} / 3600.0)
{%- endmacro %}

{#- Elapsed minutes between two timestamps, with fractions. -#}
{% macro minutes_between(start_ts, end_ts) -%}
    ({{ dbt.datediff(start_ts, end_ts, 'second') }} / 60.0)
{%- endmacro %}

{#- Calendar days between the dates of two dates/timestamps. -#}
{% macro days_between(start_expr, end_expr) -%}
    {{ dbt.datediff('cast(' ~ start_expr ~ ' as date)', 'cast(' ~ end_expr ~ ' as date)', 'day') }}
{%- endmacro %}

{#- numerator / denominator as double, null when the denominator is 0 or null. -#}
{% macro safe_ratio(numerator, denominator) -%}
    (cast({{ numerator }} as {{ friction.type_double() }}) / nullif(cast({{ denominator }} as {{ friction.type_double() }}), 0))
{%- endmacro %}

{#- A 64-bit float. dbt.type_float() renders FLOAT, which is 32-bit in DuckDB. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'friction')()) }}
{%- endmacro %}

{% macro default__type_double() -%}double precision{%- endmacro %}

{% macro duckdb__type_double() -%}double{%- endmacro %}

{#- The "as of" moment for ages and freshness: var('as_of') when set (reproducible runs,
    tests), else the current time. -#}
{% macro as_of_timestamp() -%}
    {%- if var('as_of', '') -%}
        cast('{{ var("as_of") }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        {{ dbt.current_timestamp() }}
    {%- endif -%}
{%- endmacro %}

{% macro as_of_date() -%}
    cast({{ friction.as_of_timestamp() }} as date)
{%- endmacro %}

{#- Whole months from start_date to end_date (calendar months, day of month ignored). -#}
{% macro months_between(start_date, end_date) -%}
    {{ dbt.datediff(start_date, end_date, 'month') }}
{%- endmacro %}

{#- Integer date part (year, month, day, isodow). -#}
{% macro date_part_int(part, expr) -%}
    {{ return(adapter.dispatch('date_part_int', 'friction')(part, expr)) }}
{%- endmacro %}

{% macro default__date_part_int(part, expr) -%}
    extract({{ part }} from {{ expr }})
{%- endmacro %}

{#- Location age band from an age in whole months (null = opening date unknown). -#}
{% macro location_age_band(age_months) -%}
    case
        when {{ age_months }} is null then 'unknown'
        when {{ age_months }} < 12 then '0-11 months'
        when {{ age_months }} < 36 then '12-35 months'
        else '36+ months'
    end
{%- endmacro %}

{#- The latest non-null of several timestamps (null when all are null). -#}
{% macro newest_of(exprs) -%}
    {%- if exprs | length == 1 -%}
        {{ exprs[0] }}
    {%- else -%}
        case
        {%- for e in exprs %}
            when {{ e }} is not null
            {%- for other in exprs if other != e %} and ({{ other }} is null or {{ e }} >= {{ other }}){% endfor %}
            then {{ e }}
        {%- endfor %}
        end
    {%- endif -%}
{%- endmacro %}
