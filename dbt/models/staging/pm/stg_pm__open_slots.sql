-- Grain: one row per snapshot date, provider and open slot start.
-- Latest-version rule of the raw layer: per snapshot_date, provider_id, slot_start, the last version wins.
{{ latest_version_config(['snapshot_date', 'provider_id', 'slot_start_at']) }}
with source as (

    {{ rows_of_new_loads(source('raw', 'pm__open_slots')) }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['snapshot_date', 'provider_id', 'slot_start']) }} as _version_rank
    from source

),

latest as (

    select * from ranked where _version_rank = 1

),

final as (

    select
        snapshot_date,
        provider_id,
        slot_start as slot_start_at,
        slot_minutes,
        slot_type,
        _source_file,
        _load_id,
        _loaded_at
    from latest

)

select * from final
