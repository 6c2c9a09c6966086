-- Grain: one row per payer.
-- Latest-version rule of the raw layer: per payer_id, the last version wins.
{{ latest_version_config(['payer_id']) }}
with source as (

    {{ rows_of_new_loads(source('raw', 'pm__payers')) }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['payer_id']) }} as _version_rank
    from source

),

latest as (

    select * from ranked where _version_rank = 1

),

final as (

    select
        payer_id,
        payer_name,
        payer_type,
        payer_x12_id,
        timely_filing_days,
        _source_file,
        _load_id,
        _loaded_at
    from latest

)

select * from final
