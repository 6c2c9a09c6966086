{#- The raw layer's latest-version rule: among rows with the same key, the one from the
    latest load wins, then the file name that sorts last, then the last row in the file.
    Renders a row_number() expression; keep rows where it equals 1. -#}
{% macro latest_version_rank(key_columns) -%}
    row_number() over (
        partition by {{ key_columns | join(', ') }}
        order by _load_id desc, _source_file desc, _row_number desc
    )
{%- endmacro %}
