-- Grain: one row per staff member.
-- Latest-version rule of the raw layer: per staff_id, the last version wins.
{{ latest_version_config(['staff_id']) }}
with source as (

    {{ rows_of_new_loads(source('raw', 'pm__staff')) }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['staff_id']) }} as _version_rank
    from source

),

latest as (

    select * from ranked where _version_rank = 1

),

final as (

    select
        staff_id,
        role,
        location_id,
        fte,
        hourly_cost,
        _source_file,
        _load_id,
        _loaded_at
    from latest

)

select * from final
