-- Grain: one row per schedule snapshot, provider and open slot start.
-- Incremental by snapshot date (macros/incremental.sql): the snapshots with new slot rows;
-- every snapshot when a provider row arrived.
{{ keyed_incremental_config('snapshot_date') }}
with touched_snapshots as (

    {{ keys_touched_by_new_loads(
        'snapshot_date', ref('stg_pm__open_slots'),
        everything_when=[ref('stg_pm__providers')],
    ) }}

),

slots as (

    select * from {{ ref('stg_pm__open_slots') }}
    {{- only_touched('snapshot_date', touched='touched_snapshots') }}

),

providers as (

    select provider_id, location_id, specialty from {{ ref('dim_provider') }}

),

final as (

    select
        slots.snapshot_date,
        slots.provider_id,
        slots.slot_start_at,
        providers.location_id,
        providers.specialty,
        slots.slot_minutes,
        slots.slot_type,
        {{ month_of('slots.snapshot_date') }} as snapshot_month,
        {{ days_between('slots.snapshot_date', 'slots.slot_start_at') }} as days_from_snapshot,
        row_number() over (
            partition by slots.snapshot_date, slots.provider_id
            order by slots.slot_start_at
        ) as slot_rank,
        slots._load_id
    from slots
    left join providers
        on slots.provider_id = providers.provider_id
    where slots.slot_start_at >= cast(slots.snapshot_date as {{ dbt.type_timestamp() }})

)

select * from final
