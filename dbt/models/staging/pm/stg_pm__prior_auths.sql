-- Grain: one row per prior-authorization request (latest version).
-- Latest-version rule of the raw layer: per auth_id, the last version wins.
{{ latest_version_config(['auth_id']) }}
with source as (

    {{ rows_of_new_loads(source('raw', 'pm__prior_auths')) }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['auth_id']) }} as _version_rank
    from source

),

latest as (

    select * from ranked where _version_rank = 1

),

final as (

    select
        auth_id,
        patient_id,
        payer_id,
        provider_id,
        appointment_id,
        cpt_code,
        urgency,
        channel,
        requested_at,
        decided_at,
        decision,
        auth_number,
        valid_from,
        valid_to,
        peer_to_peer,
        _source_file,
        _load_id,
        _loaded_at
    from latest

)

select * from final
