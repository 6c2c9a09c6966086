-- Grain: one row per 837P claim as submitted (CLM loop 2300 of one transaction): a claim
-- version. The same claim_id repeats for resubmissions, replacements and voids.
-- PHI (subscriber / patient names, birth dates, member ids) stays in this staging model.
{{ append_only_config() }}
with source as (

    {{ rows_of_new_loads(source('raw', 'x12_837_claims')) }}

),

final as (

    select
        substr(_file_hash, 1, 16) || '/' || cast(st_position as {{ dbt.type_string() }})
            || '/' || cast(claim_position as {{ dbt.type_string() }}) as submission_id,
        substr(_file_hash, 1, 16) || '/' || cast(st_position as {{ dbt.type_string() }}) as transaction_id,
        _file_hash as file_hash,
        st_position,
        claim_position,
        trim(claim_id) as claim_id,
        nullif(trim(encounter_id), '') as encounter_id,
        total_charge,
        place_of_service,
        facility_code_qualifier,
        frequency_code,
        case frequency_code
            when '1' then 'original'
            when '7' then 'replacement'
            when '8' then 'void'
            else 'other'
        end as frequency_type,
        nullif(trim(payer_claim_control_number), '') as payer_claim_control_number,
        nullif(trim(prior_auth_number), '') as prior_auth_number,
        principal_diagnosis,
        principal_diagnosis_qualifier,
        diagnosis_codes,
        billing_provider_name,
        billing_provider_npi,
        billing_provider_tin,
        subscriber_member_id,
        subscriber_last_name,
        subscriber_first_name,
        subscriber_birth_date,
        subscriber_sex,
        payer_responsibility,
        relationship_code,
        claim_filing_indicator,
        payer_name,
        nullif(trim(payer_id), '') as payer_x12_id,
        patient_last_name,
        patient_first_name,
        patient_birth_date,
        patient_sex,
        rendering_provider_npi,
        service_line_count,
        _interchange_control as interchange_control_number,
        _segment_position,
        _source_file,
        _load_id,
        _loaded_at
    from source

)

select * from final
