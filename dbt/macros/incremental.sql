{#- Incremental staging (issue 8). The raw layer is append-only and every load gets a larger
    _load_id (ingestion/raw_store.next_load_id), so a staging model only has to look at the
    rows of loads it has not seen yet:
    - X12 staging models (one row per raw row): append those rows;
    - pm/ehr staging models (latest version per key): rank the new rows among themselves and
      replace the keys they carry (delete+insert on the key). A version from a newer load
      always wins the latest-version rule (load first, then file name, then row), so the
      result equals a full rebuild.
    No lookback is needed at this layer: late or corrected rows arrive as new loads. Run with
    --full-refresh after anything rewrites raw rows in place (a re-ingest from scratch). -#}

{#- The raw rows this run has to read: all of them, or in an incremental run those of loads
    newer than the newest load already in the model. -#}
{% macro rows_of_new_loads(relation) -%}
    select * from {{ relation }}
    {%- if is_incremental() %}
    {#- Qualified: on a table built before _load_id existed, an unqualified max(_load_id)
        would bind to the outer query and fail; --full-refresh upgrades such a table. #}
    where _load_id > (select coalesce(max(seen._load_id), -1) from {{ this }} as seen)
    {%- endif %}
{%- endmacro %}

{#- config() of a latest-version staging model keyed by `key_columns`. -#}
{% macro latest_version_config(key_columns) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=key_columns,
        on_schema_change='fail',
    ) }}
{%- endmacro %}

{#- config() of an append-only staging model (one row per raw row). -#}
{% macro append_only_config() -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    ) }}
{%- endmacro %}
