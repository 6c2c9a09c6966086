-- Grain: one row per appointment (latest version of each appointment_id).
-- Latest-version rule of the raw layer: per appointment_id, the last version wins.
{{ latest_version_config(['appointment_id']) }}
with source as (

    {{ rows_of_new_loads(source('raw', 'pm__appointments')) }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['appointment_id']) }} as _version_rank
    from source

),

latest as (

    select * from ranked where _version_rank = 1

),

final as (

    select
        appointment_id,
        patient_id,
        provider_id,
        location_id,
        appointment_type,
        requested_at,
        booked_at,
        scheduled_start as scheduled_start_at,
        duration_min,
        status,
        status_changed_at,
        cancel_reason,
        cancelled_by,
        rescheduled_from_id,
        checked_in_at,
        copay_due,
        copay_collected,
        _source_file,
        _load_id,
        _loaded_at
    from latest

)

select * from final
