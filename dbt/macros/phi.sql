{#- Keyed hash of patient identity: the only patient identifier allowed in marts.
    sha256(phi_key || '|' || id) as lowercase hex. var('phi_key') defaults to
    env_var('FRICTION_PHI_KEY', 'demo-only-key') in dbt_project.yml. A null id stays null. -#}
{% macro patient_key(column) -%}
    {{ return(adapter.dispatch('patient_key', 'friction')(column)) }}
{%- endmacro %}

{% macro default__patient_key(column) -%}
    case when {{ column }} is null then null
         else sha2(concat({{ dbt.string_literal(var('phi_key')) }}, '|', cast({{ column }} as {{ dbt.type_string() }})), 256)
    end
{%- endmacro %}

{% macro duckdb__patient_key(column) -%}
    case when {{ column }} is null then null
         else sha256({{ dbt.string_literal(var('phi_key')) }} || '|' || cast({{ column }} as {{ dbt.type_string() }}))
    end
{%- endmacro %}
