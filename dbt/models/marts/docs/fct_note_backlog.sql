-- Grain: one row per month end and clinical note still unsigned at that month end (created
-- on or before it, not signed by then), with its age. Feeds docs.open_notes.
with notes as (

    select * from {{ ref('fct_clinical_notes') }}

),

month_ends as (

    select distinct
        month_start,
        cast({{ dbt.dateadd('day', 1, 'month_end') }} as {{ dbt.type_timestamp() }})
            as month_end_at
    from {{ ref('dim_date') }}
    where month_start >= (select min({{ month_of('created_at') }}) from notes)
      and month_start <= (select max({{ month_of('created_at') }}) from notes)

),

final as (

    select
        month_ends.month_start as period_month,
        notes.note_id,
        notes.encounter_id,
        notes.provider_id,
        notes.location_id,
        notes.specialty,
        notes.visit_end_at,
        {{ days_between('notes.visit_end_at', 'month_ends.month_end_at') }} - 1 as age_days,
        case
            when {{ days_between('notes.visit_end_at', 'month_ends.month_end_at') }} - 1 <= 3
                then '0-3 days'
            when {{ days_between('notes.visit_end_at', 'month_ends.month_end_at') }} - 1 <= 7
                then '4-7 days'
            when {{ days_between('notes.visit_end_at', 'month_ends.month_end_at') }} - 1 <= 30
                then '8-30 days'
            else '31+ days'
        end as age_bucket
    from notes
    inner join month_ends
        on notes.created_at < month_ends.month_end_at
        and (notes.signed_at is null or notes.signed_at >= month_ends.month_end_at)

)

select * from final
