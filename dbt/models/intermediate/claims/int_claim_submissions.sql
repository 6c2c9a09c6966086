-- Grain: one row per 837P claim version (one CLM loop as landed): originals, resubmissions,
-- replacements (CLM05-3 = 7) and voids (8) of the same claim_id, numbered in the order they
-- were submitted (BHT04/05, then load order and position in the file).
-- The payer is the 837 NM1*PR id matched to pm payers (payer_x12_id); the provider is the
-- rendering NPI matched to pm providers, else the encounter's provider. The patient comes from
-- the encounter (REF*EA), else from a unique match of the subscriber member id.
-- Incremental by claim (macros/incremental.sql): an incremental run renumbers the versions
-- of the claims touched by the new loads only.
{{ claim_keyed_incremental() }}
with touched_claims as (

    {{ claims_touched_by_new_loads() }}

),

claims as (

    select * from {{ ref('stg_x12__837_claims') }}
    {{- only_touched('claim_id') }}

),

transactions as (

    select transaction_id, created_at, creation_date
    from {{ ref('stg_x12__transactions') }}

),

lines as (

    select
        submission_id,
        count(*) as line_count,
        sum(charge_amount) as line_charge_total,
        min(service_date_from) as service_date_from,
        max(service_date_to) as service_date_to
    from {{ ref('stg_x12__837_service_lines') }}
    {{- only_touched('claim_id') }}
    group by submission_id

),

payers as (

    select payer_id, payer_x12_id from {{ ref('stg_pm__payers') }}
    where payer_x12_id is not null

),

providers as (

    select provider_id, npi from {{ ref('stg_pm__providers') }}

),

encounters as (

    select encounter_id, appointment_id, patient_id, provider_id, location_id, service_date
    from {{ ref('stg_ehr__encounters') }}

),

members as (

    -- fallback identity when REF*EA is missing: the subscriber's member id (unique ones only)
    select member_id, min(patient_id) as patient_id
    from {{ ref('stg_pm__patients') }}
    where member_id is not null
    group by member_id
    having count(*) = 1

),

joined as (

    select
        claims.submission_id,
        claims.transaction_id,
        claims.claim_id,
        claims.encounter_id,
        encounters.appointment_id,
        coalesce(encounters.patient_id, members.patient_id) as patient_id,
        claims.frequency_code,
        claims.frequency_type,
        transactions.created_at as submitted_at,
        transactions.creation_date as submission_date,
        claims.total_charge,
        lines.line_count,
        lines.line_charge_total,
        coalesce(lines.service_date_from, encounters.service_date) as service_date,
        lines.service_date_to,
        claims.place_of_service,
        claims.payer_x12_id,
        claims.payer_name as payer_name_837,
        payers.payer_id,
        claims.rendering_provider_npi,
        coalesce(providers.provider_id, encounters.provider_id) as provider_id,
        encounters.location_id,
        claims.prior_auth_number,
        claims.payer_claim_control_number,
        claims.claim_filing_indicator,
        claims.principal_diagnosis,
        claims.interchange_control_number,
        claims.st_position,
        claims.claim_position,
        claims._source_file,
        claims._load_id
    from claims
    left join transactions
        on claims.transaction_id = transactions.transaction_id
    left join lines
        on claims.submission_id = lines.submission_id
    left join payers
        on claims.payer_x12_id = payers.payer_x12_id
    left join providers
        on claims.rendering_provider_npi = providers.npi
    left join encounters
        on claims.encounter_id = encounters.encounter_id
    left join members
        on claims.subscriber_member_id = members.member_id

),

versions as (

    -- the window on narrow rows (wide rows make the sort expensive)
    select
        submission_id,
        row_number() over (
            partition by claim_id
            order by submitted_at, _load_id, _source_file, st_position, claim_position
        ) as version_number,
        count(*) over (partition by claim_id) as version_count
    from joined

),

numbered as (

    select
        joined.*,
        versions.version_number,
        versions.version_count
    from joined
    inner join versions
        on joined.submission_id = versions.submission_id

),

final as (

    select
        submission_id,
        transaction_id,
        claim_id,
        version_number,
        version_count,
        version_number = 1 as is_first_version,
        version_number = version_count as is_latest_version,
        -- an "original claim" (metrics.md) is a claim whose first version has frequency 1
        (version_number = 1 and frequency_code = '1') as is_original_submission,
        frequency_code,
        frequency_type,
        submitted_at,
        submission_date,
        service_date,
        service_date_to,
        {{ days_between('service_date', 'submission_date') }} as submission_lag_days,
        total_charge,
        line_count,
        line_charge_total,
        encounter_id,
        appointment_id,
        patient_id,
        payer_id,
        payer_x12_id,
        payer_name_837,
        provider_id,
        rendering_provider_npi,
        location_id,
        place_of_service,
        prior_auth_number,
        payer_claim_control_number,
        claim_filing_indicator,
        principal_diagnosis,
        interchange_control_number,
        _source_file,
        _load_id
    from numbered

)

select * from final
