-- Grain: one row per work item (staff touch).
-- Latest-version rule of the raw layer: per work_item_id, the last version wins.
{{ latest_version_config(['work_item_id']) }}
with source as (

    {{ rows_of_new_loads(source('raw', 'pm__work_items')) }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['work_item_id']) }} as _version_rank
    from source

),

latest as (

    select * from ranked where _version_rank = 1

),

final as (

    select
        work_item_id,
        staff_id,
        work_type,
        entity_type,
        entity_id,
        channel,
        started_at,
        completed_at,
        touch_minutes,
        outcome,
        _source_file,
        _load_id,
        _loaded_at
    from latest

)

select * from final
