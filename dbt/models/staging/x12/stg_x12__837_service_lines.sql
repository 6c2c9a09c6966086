-- Grain: one row per 837P service line (LX/SV1 loop 2400) of one submitted claim version.
{{ append_only_config() }}
with source as (

    {{ rows_of_new_loads(source('raw', 'x12_837_service_lines')) }}

),

final as (

    select
        substr(_file_hash, 1, 16) || '/' || cast(st_position as {{ dbt.type_string() }})
            || '/' || cast(claim_position as {{ dbt.type_string() }})
            || '/' || cast(line_position as {{ dbt.type_string() }}) as submission_line_id,
        substr(_file_hash, 1, 16) || '/' || cast(st_position as {{ dbt.type_string() }})
            || '/' || cast(claim_position as {{ dbt.type_string() }}) as submission_id,
        line_position,
        trim(claim_id) as claim_id,
        line_number,
        procedure_qualifier,
        procedure_code,
        nullif(modifiers, '') as modifiers,
        charge_amount,
        unit_code,
        units,
        place_of_service,
        diagnosis_pointers,
        service_date_from,
        coalesce(service_date_to, service_date_from) as service_date_to,
        line_item_control_number,
        rendering_provider_npi,
        ndc_code,
        _segment_position,
        _source_file,
        _load_id,
        _loaded_at
    from source

)

select * from final
