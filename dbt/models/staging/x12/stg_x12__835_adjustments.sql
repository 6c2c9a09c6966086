-- Grain: one row per CAS triplet (group, CARC, amount, quantity) of an 835 claim (level
-- 'claim', loop 2100) or service line (level 'line', loop 2110).
{{ append_only_config() }}
with source as (

    {{ rows_of_new_loads(source('raw', 'x12_835_adjustments')) }}

),

final as (

    select
        substr(_file_hash, 1, 16) || '/' || cast(st_position as {{ dbt.type_string() }})
            || '/' || cast(claim_position as {{ dbt.type_string() }})
            || '/' || cast(coalesce(line_position, 0) as {{ dbt.type_string() }})
            || '/' || cast(_segment_position as {{ dbt.type_string() }})
            || '/' || cast(triplet_position as {{ dbt.type_string() }}) as adjustment_id,
        substr(_file_hash, 1, 16) || '/' || cast(st_position as {{ dbt.type_string() }})
            || '/' || cast(claim_position as {{ dbt.type_string() }}) as adjudication_id,
        case when level = 'line' then
            substr(_file_hash, 1, 16) || '/' || cast(st_position as {{ dbt.type_string() }})
                || '/' || cast(claim_position as {{ dbt.type_string() }})
                || '/' || cast(line_position as {{ dbt.type_string() }})
        end as adjudication_line_id,
        trim(claim_id) as claim_id,
        level as adjustment_level,
        line_position,
        triplet_position,
        upper(trim(group_code)) as group_code,
        upper(trim(reason_code)) as carc_code,
        amount,
        quantity,
        _segment_position,
        _source_file,
        _load_id,
        _loaded_at
    from source

)

select * from final
