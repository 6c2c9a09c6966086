-- Grain: one row per encounter.
-- Latest-version rule of the raw layer: per encounter_id, the last version wins.
{{ latest_version_config(['encounter_id']) }}
with source as (

    {{ rows_of_new_loads(source('raw', 'ehr__encounters')) }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['encounter_id']) }} as _version_rank
    from source

),

latest as (

    select * from ranked where _version_rank = 1

),

final as (

    select
        encounter_id,
        appointment_id,
        patient_id,
        provider_id,
        location_id,
        service_date,
        arrived_at,
        roomed_at,
        provider_start_at,
        provider_end_at,
        departed_at,
        place_of_service,
        _source_file,
        _load_id,
        _loaded_at
    from latest

)

select * from final
