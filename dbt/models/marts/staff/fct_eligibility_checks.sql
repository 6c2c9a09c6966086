-- Grain: one row per eligibility check.
-- Incremental by check (macros/incremental.sql): new check versions and the checks of new
-- appointment versions.
{{ keyed_incremental_config('check_id') }}
with touched_checks as (

    {{ keys_touched_by_new_loads(
        'check_id', ref('stg_pm__eligibility_checks'),
        related=[[ref('stg_pm__appointments'), 'appointment_id']],
    ) }}

),

checks as (

    select * from {{ ref('stg_pm__eligibility_checks') }}
    {{- only_touched('check_id', touched='touched_checks') }}

),

appointments as (

    select appointment_id, provider_id, location_id from {{ ref('stg_pm__appointments') }}

),

final as (

    select
        checks.check_id,
        {{ patient_key('checks.patient_id') }} as patient_key,
        checks.payer_id,
        checks.appointment_id,
        appointments.provider_id,
        appointments.location_id,
        checks.staff_id,
        checks.channel,
        checks.channel = 'x12_270' as is_electronic,
        checks.channel in ('portal', 'phone', 'fax') as is_manual,
        checks.check_result,
        checks.check_result in ('inactive', 'not_found', 'error', 'no_response') as is_failure,
        checks.requested_at,
        checks.responded_at,
        {{ month_of('checks.requested_at') }} as requested_month,
        {{ minutes_between('checks.requested_at', 'checks.responded_at') }} as response_minutes,
        checks.coverage_end,
        checks.copay_amount,
        checks._load_id
    from checks
    left join appointments
        on checks.appointment_id = appointments.appointment_id

)

select * from final
