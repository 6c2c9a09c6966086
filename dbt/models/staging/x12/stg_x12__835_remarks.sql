-- Grain: one row per remark code of an 835 claim (MOA/MIA, level 'claim') or service line
-- (LQ, level 'line').
{{ append_only_config() }}
with source as (

    {{ rows_of_new_loads(source('raw', 'x12_835_remarks')) }}

),

final as (

    select
        substr(_file_hash, 1, 16) || '/' || cast(st_position as {{ dbt.type_string() }})
            || '/' || cast(claim_position as {{ dbt.type_string() }})
            || '/' || cast(coalesce(line_position, 0) as {{ dbt.type_string() }})
            || '/' || cast(_segment_position as {{ dbt.type_string() }})
            || '/' || source_element as remark_id,
        substr(_file_hash, 1, 16) || '/' || cast(st_position as {{ dbt.type_string() }})
            || '/' || cast(claim_position as {{ dbt.type_string() }}) as adjudication_id,
        case when level = 'line' then
            substr(_file_hash, 1, 16) || '/' || cast(st_position as {{ dbt.type_string() }})
                || '/' || cast(claim_position as {{ dbt.type_string() }})
                || '/' || cast(line_position as {{ dbt.type_string() }})
        end as adjudication_line_id,
        trim(claim_id) as claim_id,
        level as remark_level,
        line_position,
        source_element,
        code_list_qualifier,
        upper(trim(remark_code)) as rarc_code,
        _segment_position,
        _source_file,
        _load_id,
        _loaded_at
    from source

)

select * from final
