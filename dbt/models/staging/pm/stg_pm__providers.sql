-- Grain: one row per provider.
-- Latest-version rule of the raw layer: per provider_id, the last version wins.
{{ latest_version_config(['provider_id']) }}
with source as (

    {{ rows_of_new_loads(source('raw', 'pm__providers')) }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['provider_id']) }} as _version_rank
    from source

),

latest as (

    select * from ranked where _version_rank = 1

),

final as (

    select
        provider_id,
        npi,
        provider_name,
        specialty,
        location_id,
        fte,
        active_from,
        active_to,
        _source_file,
        _load_id,
        _loaded_at
    from latest

)

select * from final
