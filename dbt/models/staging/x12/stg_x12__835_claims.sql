-- Grain: one row per 835 claim payment (CLP loop 2100): one adjudication, reversal or
-- re-adjudication of a claim. claim_id (CLP01) matches the 837 CLM01.
-- PHI (patient names, member ids) stays in this staging model.
{{ append_only_config() }}
with source as (

    {{ rows_of_new_loads(source('raw', 'x12_835_claims')) }}

),

final as (

    select
        substr(_file_hash, 1, 16) || '/' || cast(st_position as {{ dbt.type_string() }})
            || '/' || cast(claim_position as {{ dbt.type_string() }}) as adjudication_id,
        substr(_file_hash, 1, 16) || '/' || cast(st_position as {{ dbt.type_string() }}) as transaction_id,
        _file_hash as file_hash,
        st_position,
        claim_position,
        trim(claim_id) as claim_id,
        claim_status_code,
        total_charge,
        paid_amount,
        patient_responsibility,
        claim_filing_indicator,
        nullif(trim(payer_claim_control_number), '') as payer_claim_control_number,
        facility_type_code,
        claim_frequency_code,
        patient_last_name,
        patient_first_name,
        patient_id_qualifier,
        patient_member_id,
        subscriber_member_id,
        rendering_provider_id_qualifier,
        rendering_provider_id,
        rendering_provider_npi,
        service_date_from,
        coalesce(service_date_to, service_date_from) as service_date_to,
        received_date,
        moa_remark_codes,
        mia_remark_codes,
        claim_adjustment_amount,
        line_adjustment_amount,
        service_line_count,
        balance_difference,
        is_balanced,
        _segment_position,
        _source_file,
        _load_id,
        _loaded_at
    from source

)

select * from final
