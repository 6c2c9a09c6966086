-- Grain: one row per patient payment or refund.
-- Latest-version rule of the raw layer: per payment_id, the last version wins.
{{ latest_version_config(['payment_id']) }}
with source as (

    {{ rows_of_new_loads(source('raw', 'pm__patient_payments')) }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['payment_id']) }} as _version_rank
    from source

),

latest as (

    select * from ranked where _version_rank = 1

),

final as (

    select
        payment_id,
        patient_id,
        claim_id,
        received_at,
        amount,
        method,
        _source_file,
        _load_id,
        _loaded_at
    from latest

)

select * from final
