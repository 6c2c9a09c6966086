{#- The visit chain kept per appointment (issue 8): int_visits, int_visit_auth,
    int_visit_eligibility, fct_visits and fct_appointments are keyed incremental models on
    appointment_id (macros/incremental.sql: `_load_id` = the load of the appointment's
    version, delete+insert of the touched keys). A visit row reads more than its
    appointment: its first encounter, the patient's payer, the provider, the charges of the
    encounter, auths matched through the reschedule chain, the patient or (payer, CPT), and
    eligibility checks of the patient. appointments_touched_by_new_loads() lists every
    appointment whose row in any of these models may change with the loads the model has
    not seen; one list for the five models (a superset for some of them: harmless). An auth,
    encounter or check whose new version moved (another appointment, patient, payer, CPT)
    also touches what its older versions matched: those are read from the raw layer (every
    version is kept there). Nothing in the chain depends on the as-of date. -#}

{#- The head of a visit-chain model. `visits_only`: the model holds completed appointments
    only, so an appointment whose new version is no longer completed must lose its row,
    which delete+insert alone would not do (it only replaces the keys the run outputs). -#}
{% macro visit_chain_incremental(visits_only) -%}
{{ keyed_incremental_config('appointment_id') }}
{%- if visits_only %}
{{ config(pre_hook="{{ drop_visits_no_longer_completed() }}") }}
{%- endif %}
{{ appointments_touched_depends_on() }}
{%- endmacro %}

{#- Pre-hook of a visit-grain model on an incremental run: delete the visits whose
    appointment has a new version that is not completed (any more). -#}
{% macro drop_visits_no_longer_completed() -%}
    {%- if is_incremental() %}
    delete from {{ this }}
    where appointment_id in (
        select appointment_id from {{ ref('stg_pm__appointments') }}
        where _load_id > {{ seen_load_id() }} and status is distinct from 'completed'
    )
    {%- endif %}
{%- endmacro %}

{#- The appointments whose visit-chain rows may change with the loads this model has not
    seen (a select of appointment_id; empty on a full run):
    - a new version of the appointment, or of any appointment up to
      var('reschedule_chain_depth') reschedules before it (int_visit_auth follows that chain);
    - a new version of an encounter that points (or pointed) to it, or new charges of its
      encounters;
    - a new row of its patient (primary payer);
    - a new version of an auth: the appointments it is (or was) tied to and the appointments
      rescheduled from them, every appointment of its patient (matches by service), and the
      visits of its (payer, CPT) when no auth unchanged since the last run holds that pair
      (is_auth_required counts such pairs);
    - a new version of an eligibility check: every appointment of its patient;
    - every appointment when a provider row arrived (specialty, thresholds). -#}
{% macro appointments_touched_by_new_loads() -%}
    {%- if is_incremental() %}
    {%- set seen = seen_load_id() %}
    {%- set appointments = ref('stg_pm__appointments') %}
    {%- set encounters = ref('stg_ehr__encounters') %}
    {%- set auths = ref('stg_pm__prior_auths') %}
    with auth_versions as (

        select auth_id, patient_id, payer_id, appointment_id, cpt_code
        from {{ source('raw', 'pm__prior_auths') }}
        where auth_id in (select auth_id from {{ auths }} where _load_id > {{ seen }})

    ),

    changed_pairs as (

        select distinct versions.payer_id, versions.cpt_code
        from auth_versions as versions
        where not exists (
            select 1 from {{ auths }} as kept
            where kept._load_id <= {{ seen }}
                and kept.payer_id = versions.payer_id
                and kept.cpt_code = versions.cpt_code
        )

    ),

    patients as (

        select patient_id from {{ ref('stg_pm__patients') }} where _load_id > {{ seen }}
        union
        select patient_id from auth_versions
        union
        select patient_id from {{ source('raw', 'pm__eligibility_checks') }}
        where check_id in (
            select check_id from {{ ref('stg_pm__eligibility_checks') }}
            where _load_id > {{ seen }}
        )

    ),

    seeds as (

        select appointment_id from {{ appointments }} where _load_id > {{ seen }}
        union
        select appointment_id from auth_versions
        union
        select appointment_id from {{ source('raw', 'ehr__encounters') }}
        where encounter_id in (select encounter_id from {{ encounters }} where _load_id > {{ seen }})
        union
        select appointment_id from {{ encounters }}
        where encounter_id in (
            select encounter_id from {{ ref('stg_ehr__charges') }} where _load_id > {{ seen }}
        )
        union
        select appointment_id from {{ appointments }}
        where patient_id in (select patient_id from patients)
        union
        -- payer and CPT matched separately: a superset of the pairs' visits, as semi-joins
        -- (a join of charges, encounters and appointments would cost 20x more on the usual
        -- day, when no pair changed)
        select appointment_id from {{ appointments }}
        where patient_id in (
                select patient_id from {{ ref('stg_pm__patients') }}
                where primary_payer_id in (select payer_id from changed_pairs)
            )
            and appointment_id in (
                select appointment_id from {{ encounters }}
                where encounter_id in (
                    select encounter_id from {{ ref('stg_ehr__charges') }}
                    where cpt_code in (select cpt_code from changed_pairs)
                )
            )
        union
        select appointment_id from {{ appointments }}
        where exists (select 1 from {{ ref('stg_pm__providers') }} where _load_id > {{ seen }})

    ),

    reschedules as (

        select appointment_id, rescheduled_from_id from {{ appointments }}
        where rescheduled_from_id is not null

    ),

    chain_0 as (

        select appointment_id from seeds where appointment_id is not null

    )
    {%- for depth in range(1, var('reschedule_chain_depth', 5) + 1) %},

    chain_{{ depth }} as (

        select appointment_id from reschedules
        where rescheduled_from_id in (select appointment_id from chain_{{ depth - 1 }})

    )
    {%- endfor %}

    {% for depth in range(0, var('reschedule_chain_depth', 5) + 1) -%}
    {{ 'union ' if not loop.first }}select appointment_id from chain_{{ depth }}
    {% endfor -%}
    {%- else %}
    select appointment_id from {{ ref('stg_pm__appointments') }} where false
    {%- endif %}
{%- endmacro %}

{#- dbt only learns the refs of the branch rendered at parse time (a full run): declare the
    refs of appointments_touched_by_new_loads() in every model that calls it (sources need
    no declaration: dbt resolves them at run time, and raw is loaded before any model). -#}
{% macro appointments_touched_depends_on() -%}
    -- depends_on: {{ ref('stg_pm__appointments') }}, {{ ref('stg_ehr__encounters') }}
    -- depends_on: {{ ref('stg_ehr__charges') }}, {{ ref('stg_pm__patients') }}
    -- depends_on: {{ ref('stg_pm__prior_auths') }}, {{ ref('stg_pm__eligibility_checks') }}
    -- depends_on: {{ ref('stg_pm__providers') }}
{%- endmacro %}
