-- Grain: one row per encounter charge line (ehr/charges), with its charge lag.
with charges as (

    select * from {{ ref('stg_ehr__charges') }}

),

encounters as (

    select encounter_id, patient_id, provider_id, location_id, service_date
    from {{ ref('stg_ehr__encounters') }}

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
        {{ days_between('encounters.service_date', 'charges.coded_at') }} as charge_lag_days
    from charges
    left join encounters
        on charges.encounter_id = encounters.encounter_id
    left join providers
        on encounters.provider_id = providers.provider_id

)

select * from final
