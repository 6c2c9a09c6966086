-- Grain: one row per 835 service line payment (SVC loop 2110) of one claim adjudication.
{{ append_only_config() }}
with source as (

    {{ rows_of_new_loads(source('raw', 'x12_835_service_lines')) }}

),

final as (

    select
        substr(_file_hash, 1, 16) || '/' || cast(st_position as {{ dbt.type_string() }})
            || '/' || cast(claim_position as {{ dbt.type_string() }})
            || '/' || cast(line_position as {{ dbt.type_string() }}) as adjudication_line_id,
        substr(_file_hash, 1, 16) || '/' || cast(st_position as {{ dbt.type_string() }})
            || '/' || cast(claim_position as {{ dbt.type_string() }}) as adjudication_id,
        line_position,
        trim(claim_id) as claim_id,
        procedure_qualifier,
        procedure_code,
        nullif(modifiers, '') as modifiers,
        procedure_composite,
        charge_amount,
        paid_amount,
        revenue_code,
        units_paid,
        original_procedure_code,
        original_units,
        coalesce(service_date, service_date_from) as service_date,
        service_date_from,
        service_date_to,
        line_item_control_number,
        allowed_amount,
        adjustment_amount,
        _segment_position,
        _source_file,
        _load_id,
        _loaded_at
    from source

)

select * from final
