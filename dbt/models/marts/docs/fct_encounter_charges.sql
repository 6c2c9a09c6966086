-- Grain: one row per encounter charge line (ehr/charges), with its charge lag.
-- Incremental by encounter (macros/incremental.sql): the encounters of new charges and
-- new encounter versions; every encounter when a provider row arrived.
{{ keyed_incremental_config('encounter_id') }}
with touched_encounters as (

    {{ keys_touched_by_new_loads(
        'encounter_id', ref('stg_ehr__charges'),
        related=[[ref('stg_ehr__encounters'), 'encounter_id']],
        everything_when=[ref('stg_pm__providers')],
    ) }}

),

charges as (

    select * from {{ ref('stg_ehr__charges') }}
    {{- only_touched('encounter_id', touched='touched_encounters') }}

),

encounters as (

    select encounter_id, patient_id, provider_id, location_id, service_date
    from {{ ref('stg_ehr__encounters') }}
    {{- only_touched('encounter_id', touched='touched_encounters') }}

),

providers as (

    select provider_id, specialty from {{ ref('dim_provider') }}

),

final as (

    select
        charges.encounter_id,
        charges.line_number,
        {{ patient_key('encounters.patient_id') }} as patient_key,
        encounters.provider_id,
        encounters.location_id,
        providers.specialty,
        encounters.service_date,
        {{ month_of('encounters.service_date') }} as service_month,
        charges.cpt_code,
        charges.modifiers,
        charges.units,
        charges.charge_amount,
        charges.coded_at,
        {{ days_between('encounters.service_date', 'charges.coded_at') }} as charge_lag_days,
        charges._load_id
    from charges
    left join encounters
        on charges.encounter_id = encounters.encounter_id
    left join providers
        on encounters.provider_id = providers.provider_id

)

select * from final
