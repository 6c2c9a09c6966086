{#- Continuous (interpolated) percentiles as ordered-set aggregates. DuckDB spells them
    quantile_cont(expr, p); most warehouses accept percentile_cont(p) within group. -#}
{% macro percentile_cont(expr, p) -%}
    {{ return(adapter.dispatch('percentile_cont', 'friction')(expr, p)) }}
{%- endmacro %}

{% macro default__percentile_cont(expr, p) -%}
    percentile_cont({{ p }}) within group (order by {{ expr }})
{%- endmacro %}

{% macro duckdb__percentile_cont(expr, p) -%}
    quantile_cont({{ expr }}, {{ p }})
{%- endmacro %}

{% macro median_cont(expr) -%}
    {{ friction.percentile_cont(expr, 0.5) }}
{%- endmacro %}
