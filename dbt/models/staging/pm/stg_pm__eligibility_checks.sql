-- Grain: one row per eligibility check.
-- Latest-version rule of the raw layer: per check_id, the last version wins.
{{ latest_version_config(['check_id']) }}
with source as (

    {{ rows_of_new_loads(source('raw', 'pm__eligibility_checks')) }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['check_id']) }} as _version_rank
    from source

),

latest as (

    select * from ranked where _version_rank = 1

),

final as (

    select
        check_id,
        patient_id,
        payer_id,
        appointment_id,
        requested_at,
        responded_at,
        channel,
        staff_id,
        result as check_result,
        coverage_end,
        copay_amount,
        _source_file,
        _load_id,
        _loaded_at
    from latest

)

select * from final
