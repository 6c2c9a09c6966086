-- Grain: one row per practice location.
-- Latest-version rule of the raw layer: per location_id, the last version wins.
{{ latest_version_config(['location_id']) }}
with source as (

    {{ rows_of_new_loads(source('raw', 'pm__locations')) }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['location_id']) }} as _version_rank
    from source

),

latest as (

    select * from ranked where _version_rank = 1

),

final as (

    select
        location_id,
        location_name,
        state,
        opened_on,
        _source_file,
        _load_id,
        _loaded_at
    from latest

)

select * from final
