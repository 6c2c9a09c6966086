-- Grain: one row per schedule snapshot date and provider (pm/open_slots snapshots).
-- third_next_available_days (IHI 3NA): calendar days from the snapshot date to the start of
-- the provider's 3rd open slot at that snapshot (null when fewer than 3 open slots).
-- Fill: over the var('fill_rate_horizon_days') days from the snapshot date, scheduled
-- minutes of appointments booked by the snapshot day and still on the books that day
-- (not cancelled or rescheduled by then) against open-slot minutes listed that day.
with slots as (

    select * from {{ ref('fct_open_slots') }}

),

snapshots as (

    select
        snapshot_date,
        provider_id,
        max(location_id) as location_id,
        max(specialty) as specialty,
        {{ month_of('snapshot_date') }} as snapshot_month,
        count(*) as open_slot_count,
        max(case when slot_rank = 3 then days_from_snapshot end) as third_next_available_days,
        sum(
            case when days_from_snapshot < {{ var('fill_rate_horizon_days') }}
                then slot_minutes else 0 end
        ) as open_minutes_in_horizon
    from slots
    group by snapshot_date, provider_id

),

appointments as (

    select
        provider_id,
        booked_at,
        scheduled_start_at,
        status,
        status_changed_at,
        coalesce(duration_min, 0) as duration_min
    from {{ ref('stg_pm__appointments') }}

),

booked as (

    select
        snapshots.snapshot_date,
        snapshots.provider_id,
        count(*) as booked_appointment_count,
        sum(appointments.duration_min) as booked_minutes_in_horizon
    from snapshots
    inner join appointments
        on snapshots.provider_id = appointments.provider_id
        and appointments.scheduled_start_at
            >= cast(snapshots.snapshot_date as {{ dbt.type_timestamp() }})
        and appointments.scheduled_start_at < cast(
            {{ dbt.dateadd('day', var('fill_rate_horizon_days'), 'snapshots.snapshot_date') }}
            as {{ dbt.type_timestamp() }}
        )
        and cast(appointments.booked_at as date) <= snapshots.snapshot_date
    where not (
        appointments.status in ('cancelled', 'rescheduled')
        and appointments.status_changed_at is not null
        and cast(appointments.status_changed_at as date) <= snapshots.snapshot_date
    )
    group by snapshots.snapshot_date, snapshots.provider_id

),

final as (

    select
        snapshots.snapshot_date,
        snapshots.provider_id,
        snapshots.location_id,
        snapshots.specialty,
        snapshots.snapshot_month,
        snapshots.open_slot_count,
        snapshots.third_next_available_days,
        snapshots.open_minutes_in_horizon,
        coalesce(booked.booked_appointment_count, 0) as booked_appointment_count,
        coalesce(booked.booked_minutes_in_horizon, 0) as booked_minutes_in_horizon
    from snapshots
    left join booked
        on snapshots.snapshot_date = booked.snapshot_date
        and snapshots.provider_id = booked.provider_id

)

select * from final
