-- Grain: one row per encounter charge line.
-- Latest-version rule of the raw layer: per encounter_id, line_number, the last version wins.
{{ latest_version_config(['encounter_id', 'line_number']) }}
with source as (

    {{ rows_of_new_loads(source('raw', 'ehr__charges')) }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['encounter_id', 'line_number']) }} as _version_rank
    from source

),

latest as (

    select * from ranked where _version_rank = 1

),

final as (

    select
        encounter_id,
        line_number,
        cpt_code,
        modifiers,
        icd10_codes,
        units,
        charge_amount,
        coded_at,
        _source_file,
        _load_id,
        _loaded_at
    from latest

)

select * from final
