-- Grain: one row per prior-authorization request (latest version).
-- "Decided" = a payer decision (approved, partially_approved, denied) with decided_at;
-- pended and withdrawn requests are not decided. Turnaround = decided_at - requested_at in
-- hours; within the CMS-0057-F timeframe when turnaround <= 72 h (expedited) or 168 h
-- (standard), boundary included.
-- Incremental by auth (macros/incremental.sql): new auth versions and the auths of new
-- appointment versions (location); every auth when a provider row arrived.
{{ keyed_incremental_config('auth_id') }}
with touched_auths as (

    {{ keys_touched_by_new_loads(
        'auth_id', ref('stg_pm__prior_auths'),
        related=[[ref('stg_pm__appointments'), 'appointment_id']],
        everything_when=[ref('stg_pm__providers')],
    ) }}

),

auths as (

    select * from {{ ref('stg_pm__prior_auths') }}
    {{- only_touched('auth_id', touched='touched_auths') }}

),

appointments as (

    select appointment_id, location_id from {{ ref('stg_pm__appointments') }}

),

providers as (

    select provider_id, location_id, specialty from {{ ref('dim_provider') }}

),

timeframes as (

    select urgency, max_decision_hours from {{ ref('cms_0057f_timeframes') }}

),

decided as (

    select
        auths.*,
        (
            auths.decided_at is not null
            and auths.decision in ('approved', 'partially_approved', 'denied')
        ) as is_decided
    from auths

),

final as (

    select
        decided.auth_id,
        {{ patient_key('decided.patient_id') }} as patient_key,
        decided.payer_id,
        decided.provider_id,
        coalesce(appointments.location_id, providers.location_id) as location_id,
        providers.specialty,
        decided.appointment_id,
        decided.cpt_code,
        decided.urgency,
        decided.channel,
        decided.channel = 'x12_278' as is_electronic,
        decided.channel in ('portal', 'fax', 'phone') as is_manual,
        decided.requested_at,
        decided.decided_at,
        decided.decision,
        decided.auth_number,
        decided.valid_from,
        decided.valid_to,
        coalesce(decided.peer_to_peer, false) as is_peer_to_peer,
        {{ month_of('decided.requested_at') }} as requested_month,
        {{ month_of('decided.decided_at') }} as decided_month,
        decided.is_decided,
        case when decided.is_decided
            then {{ hours_between('decided.requested_at', 'decided.decided_at') }}
        end as turnaround_hours,
        timeframes.max_decision_hours as cms_max_decision_hours,
        case when decided.is_decided
            then {{ hours_between('decided.requested_at', 'decided.decided_at') }}
                <= timeframes.max_decision_hours
        end as is_within_cms_timeframe,
        decided.is_decided and decided.decision in ('approved', 'partially_approved')
            as is_approved,
        decided.is_decided and decided.decision = 'partially_approved' as is_partially_approved,
        decided.is_decided and decided.decision = 'denied' as is_denied,
        decided._load_id
    from decided
    left join appointments
        on decided.appointment_id = appointments.appointment_id
    left join providers
        on decided.provider_id = providers.provider_id
    left join timeframes
        on decided.urgency = timeframes.urgency

)

select * from final
