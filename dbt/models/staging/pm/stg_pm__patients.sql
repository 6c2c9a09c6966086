-- Grain: one row per patient.
-- Latest-version rule of the raw layer: per patient_id, the last version wins.
{{ latest_version_config(['patient_id']) }}
with source as (

    {{ rows_of_new_loads(source('raw', 'pm__patients')) }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['patient_id']) }} as _version_rank
    from source

),

latest as (

    select * from ranked where _version_rank = 1

),

final as (

    select
        patient_id,
        mrn,
        first_name,
        last_name,
        birth_date,
        sex,
        zip as zip_code,
        primary_payer_id,
        member_id,
        _source_file,
        _load_id,
        _loaded_at
    from latest

)

select * from final
