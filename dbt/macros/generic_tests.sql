{#- Generic data tests (no dbt packages in this project). -#}

{#- Fails for every combination of `columns` that occurs more than once. -#}
{% test unique_combination(model, columns) %}
{{ repeated_values(model, columns) }}
{% endtest %}

{#- The rows of `model` whose `columns` repeat, counted (`columns`, n_rows), and with
    `or_null` (one column) also the rows where it is null. First the 64-bit hashes that
    repeat, then the exact values among the rows carrying them: grouping one integer is
    cheaper than grouping the columns themselves (large, fct_open_slots, 12.6 M rows: 2.9 s
    CPU against 3.7-3.9 s), and a value that repeats always has a repeated hash, so the
    result is the same. -#}
{% macro repeated_values(model, columns, or_null=false) %}
{%- set listed = columns | join(', ') %}
with repeated_hashes as (
    select hash({{ listed }}) as row_hash
    from {{ model }}
    group by row_hash
    having count(*) > 1
)
select {{ listed }}, count(*) as n_rows
from {{ model }}
where hash({{ listed }}) in (select row_hash from repeated_hashes)
    {%- if or_null %} or {{ listed }} is null{% endif %}
group by {{ listed }}
having count(*) > 1
    {%- if or_null %} or {{ listed }} is null{% endif %}
{% endmacro %}

{#- Fails for rows where the column is below min_value or above max_value (nulls pass). -#}
{% test value_between(model, column_name, min_value=none, max_value=none) %}
select *
from {{ model }}
where {{ column_name }} is not null
  and (
      false
      {% if min_value is not none %} or {{ column_name }} < {{ min_value }} {% endif %}
      {% if max_value is not none %} or {{ column_name }} > {{ max_value }} {% endif %}
  )
{% endtest %}

{#- Consolidated column tests (issue 8). Every data test is a dbt node (and a Dagster asset
    check) with a fixed cost of its own, larger than the SQL of a not_null or accepted_values
    check, so a model declares its not-null columns, and its closed code lists, once each (per
    severity) instead of one test per column. A failing row names the column and the key of
    the row, so a failure stays as actionable as the per-column test was.
    `key`: the model's key, one column or a list of columns. -#}

{%- macro key_column_list(key) -%}
    {%- do return([key] if key is string else key) -%}
{%- endmacro %}

{#- Fails once for every null in `columns`: (null_column, the row's key columns). Each branch
    of the union scans one column (the key only for the rows it finds), as a not_null test on
    that column did. -#}
{% test not_null_columns(model, columns, key) %}
{%- set key_columns = key_column_list(key) %}
{%- for column in columns %}
select '{{ column }}' as null_column, {{ key_columns | join(', ') }}
from {{ model }}
where {{ column }} is null
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{% endtest %}

{#- Fails once for every value outside its column's accepted list, as dbt's accepted_values
    does (nulls pass): (failing_column, unexpected_value, n_rows holding it, the smallest key
    among them). `values`: {column: [accepted values]}; `quote: false` compares unquoted
    literals (booleans, numbers) instead of strings. -#}
{% test accepted_values_columns(model, values, key, quote=true) %}
{%- set key_columns = key_column_list(key) %}
{%- for column, accepted in values.items() %}
select
    '{{ column }}' as failing_column,
    cast({{ column }} as {{ dbt.type_string() }}) as unexpected_value,
    count(*) as n_rows,
    min(concat_ws('|', {{ key_columns | join(', ') }})) as example_key
from {{ model }}
where {{ column }} not in (
    {%- for value in accepted %}
    {%- if quote %}'{{ value }}'{% else %}{{ value }}{% endif %}
    {%- if not loop.last %}, {% endif %}
    {%- endfor -%}
)
group by {{ column }}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{% endtest %}

{#- The not_null and unique tests of a key column in one node: fails once for every key value
    held by more than one row, and once for the null key if any row has none (key_value null,
    n_rows the rows without a key). -#}
{% test primary_key(model, column_name) %}
select {{ column_name }} as key_value, n_rows
from ({{ repeated_values(model, [column_name], or_null=true) }}) as repeated
{% endtest %}
