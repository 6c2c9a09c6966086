-- Grain: one row per month end and work item still open at that month end (started on or
-- before it, not completed by then), with its age at that moment. Feeds staff.open_backlog.
with work_items as (

    select * from {{ ref('fct_work_items') }}

),

month_ends as (

    select distinct
        month_start,
        cast({{ dbt.dateadd('day', 1, 'month_end') }} as {{ dbt.type_timestamp() }})
            as month_end_at
    from {{ ref('dim_date') }}
    where month_start >= (select min(started_month) from work_items)
      and month_start <= (select max(started_month) from work_items)

),

final as (

    select
        month_ends.month_start as period_month,
        work_items.work_item_id,
        work_items.work_type,
        work_items.staff_id,
        work_items.location_id,
        work_items.started_at,
        {{ days_between('work_items.started_at', 'month_ends.month_end_at') }} - 1
            as age_days,
        case
            when {{ days_between('work_items.started_at', 'month_ends.month_end_at') }} - 1 <= 7
                then '0-7 days'
            when {{ days_between('work_items.started_at', 'month_ends.month_end_at') }} - 1 <= 30
                then '8-30 days'
            when {{ days_between('work_items.started_at', 'month_ends.month_end_at') }} - 1 <= 90
                then '31-90 days'
            else '91+ days'
        end as age_bucket
    from work_items
    inner join month_ends
        on work_items.started_at < month_ends.month_end_at
        and (work_items.completed_at is null or work_items.completed_at >= month_ends.month_end_at)

)

select * from final
