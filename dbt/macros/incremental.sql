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
    {{ keyed_incremental_config(key_columns) }}
{%- endmacro %}

{#- config() of an append-only staging model (one row per raw row). -#}
{% macro append_only_config() -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    ) }}
{%- endmacro %}

{#- Keyed incremental models downstream of staging (issue 8). Each such model keeps a
    `_load_id` column (the load of the row's own source row, so that a full rebuild and an
    incremental one store the same value) and, on an incremental run, recomputes every
    entity (claim, encounter, work item...) touched by the loads newer than the newest
    `_load_id` it holds: it reads the rows of those entities only and replaces them
    (delete+insert on the entity key; X12 and staging never drop an entity's rows).
    The newest `_load_id` it holds never exceeds the newest load it has processed, so no
    load is missed; a load may be read twice (harmless: the replacement is idempotent).
    A column that depends on the as-of date would change old rows no file is about: such
    models stay tables rebuilt in full, except the 120-day denial write-off, where the keyed
    model also replaces the claims whose stored write-off date is no longer today's
    (macros/claims.sql; int_claim_adjudications, fct_claim_adjudications, fct_adjustments).
    dbt itself does not track seeds, var('phi_key') or the SQL of the models: the refresh
    does (dagster_project/stages/build_state.py) and builds with --full-refresh after any of
    them changed. A manual `dbt build` after such a change needs --full-refresh. -#}

{% macro keyed_incremental_config(key) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=key,
        on_schema_change='fail',
    ) }}
{%- endmacro %}

{#- The newest load whose rows this model already holds (-1 when empty). -#}
{% macro seen_load_id() -%}
    (select coalesce(max(seen._load_id), -1) from {{ this }} as seen)
{%- endmacro %}

{#- `where <column> in (touched keys)` on an incremental run, nothing on a full one;
    `keyword='and'` adds the condition to a where clause. `touched` is a CTE of one column. -#}
{% macro only_touched(column, keyword='where', touched='touched_claims') -%}
    {%- if is_incremental() %}
    {{ keyword }} {{ column }} in (select * from {{ touched }})
    {%- endif %}
{%- endmacro %}

{#- The entity keys (`key`, a column of `rows`, the relation the model's rows come from)
    whose rows may change with the loads this model has not seen: keys of new rows of
    `rows`; keys of rows of `rows` whose `column` matches a new row of a `related`
    relation ([relation, column] pairs); every key when a relation of `everything_when`
    has a new row (small, rarely changing inputs such as providers). A select of `key`
    (empty on a full run). The refs passed in are evaluated at parse time, so dbt sees them. -#}
{% macro keys_touched_by_new_loads(key, rows, related=[], everything_when=[]) -%}
    {%- if is_incremental() %}
    {%- set seen = seen_load_id() %}
    select {{ key }} from {{ rows }} where _load_id > {{ seen }}
    {%- for relation, column in related %}
    union
    select {{ key }} from {{ rows }}
    where {{ column }} in (select {{ column }} from {{ relation }} where _load_id > {{ seen }})
    {%- endfor %}
    {%- for relation in everything_when %}
    union
    select {{ key }} from {{ rows }}
    where exists (select 1 from {{ relation }} where _load_id > {{ seen }})
    {%- endfor %}
    {%- else %}
    select {{ key }} from {{ rows }} where false
    {%- endif %}
{%- endmacro %}

{#- The claims whose rows in a claims model may change with the loads this model has not
    seen: claims in a new 837 or 835, claims of a new or corrected encounter, and when a
    patient row arrived the claims whose patient comes from the member-id fallback (an
    encounter that names no patient); when a payer or provider row arrived (rare: a
    handful of files in two years), every claim. A select of claim_id (empty on a full
    run, where nothing is filtered). -#}
{% macro claims_touched_by_new_loads() -%}
    {%- if is_incremental() %}
    {%- set seen = seen_load_id() %}
    select claim_id from {{ ref('stg_x12__837_claims') }} where _load_id > {{ seen }}
    union
    select claim_id from {{ ref('stg_x12__835_claims') }} where _load_id > {{ seen }}
    union
    select claims.claim_id
    from {{ ref('stg_x12__837_claims') }} as claims
    inner join {{ ref('stg_ehr__encounters') }} as encounters
        on claims.encounter_id = encounters.encounter_id
    where encounters._load_id > {{ seen }}
    union
    select claims.claim_id
    from {{ ref('stg_x12__837_claims') }} as claims
    left join {{ ref('stg_ehr__encounters') }} as encounters
        on claims.encounter_id = encounters.encounter_id
    where encounters.patient_id is null
        and exists (
            select 1 from {{ ref('stg_pm__patients') }} where _load_id > {{ seen }}
        )
    union
    select claim_id from (
        select claim_id from {{ ref('stg_x12__837_claims') }}
        union all
        select claim_id from {{ ref('stg_x12__835_claims') }}
    ) as every_claim
    where exists (
        select 1 from {{ ref('stg_pm__payers') }} where _load_id > {{ seen }}
        union all
        select 1 from {{ ref('stg_pm__providers') }} where _load_id > {{ seen }}
    )
    {%- else %}
    select cast(null as {{ dbt.type_string() }}) as claim_id where false
    {%- endif %}
{%- endmacro %}

{#- dbt only learns the refs of the branch rendered at parse time (a full run): declare
    the inputs of claims_touched_by_new_loads() in every model that calls it. -#}
{% macro claims_touched_depends_on() -%}
    -- depends_on: {{ ref('stg_x12__837_claims') }}, {{ ref('stg_x12__835_claims') }}
    -- depends_on: {{ ref('stg_ehr__encounters') }}, {{ ref('stg_pm__patients') }}
    -- depends_on: {{ ref('stg_pm__payers') }}, {{ ref('stg_pm__providers') }}
{%- endmacro %}

{#- The head of every model kept per claim: keyed delete+insert on claim_id, and the inputs
    of claims_touched_by_new_loads() declared. -#}
{% macro claim_keyed_incremental() -%}
{{ keyed_incremental_config('claim_id') }}
{{ claims_touched_depends_on() }}
{%- endmacro %}
