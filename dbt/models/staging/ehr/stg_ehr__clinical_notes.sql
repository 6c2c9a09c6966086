-- Grain: one row per clinical note.
-- Latest-version rule of the raw layer: per note_id, the last version wins.
{{ latest_version_config(['note_id']) }}
with source as (

    {{ rows_of_new_loads(source('raw', 'ehr__clinical_notes')) }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['note_id']) }} as _version_rank
    from source

),

latest as (

    select * from ranked where _version_rank = 1

),

final as (

    select
        note_id,
        encounter_id,
        provider_id,
        created_at,
        signed_at,
        _source_file,
        _load_id,
        _loaded_at
    from latest

)

select * from final
