{#- Month-end backlog: one row per month end (period_month) and item of `relation` still open
    at that month end (opened before the end of the month, not closed by then), with its age
    in days (from `aged_from` to the month end) and an age bucket.
    columns: the item columns to carry; buckets: list of [max_age_days, label], ascending,
    checked in order; items older than the last bound get `older_label`.
    The month range runs from the month of the earliest to that of the latest `opened_at`. -#}
{% macro month_end_backlog(relation, columns, opened_at, closed_at, aged_from, buckets, older_label) -%}
{%- set age = friction.days_between('items.' ~ aged_from, 'month_ends.month_end_at') ~ ' - 1' -%}
with month_ends as (

    select distinct
        month_start,
        cast({{ dbt.dateadd('day', 1, 'month_end') }} as {{ dbt.type_timestamp() }})
            as month_end_at
    from {{ ref('dim_date') }}
    where month_start >= (select min({{ friction.month_of(opened_at) }}) from {{ relation }})
      and month_start <= (select max({{ friction.month_of(opened_at) }}) from {{ relation }})

),

items as (

    -- Month ends are midnights on the 1st, so the first one after an item opens is the start
    -- of the next month: an item closed before that is in no backlog. Most items close
    -- within their month; dropping them first makes the range join below small (implied by
    -- its conditions, so the rows are the same).
    select *
    from {{ relation }}
    where {{ closed_at }} is null
        or {{ closed_at }} >= {{ dbt.dateadd('month', 1, friction.month_of(opened_at)) }}

),

final as (

    select
        month_ends.month_start as period_month,
        {%- for column in columns %}
        items.{{ column }},
        {%- endfor %}
        {{ age }} as age_days,
        case
            {%- for bound, label in buckets %}
            when {{ age }} <= {{ bound }} then '{{ label }}'
            {%- endfor %}
            else '{{ older_label }}'
        end as age_bucket
    from items
    inner join month_ends
        on items.{{ opened_at }} < month_ends.month_end_at
        and (items.{{ closed_at }} is null or items.{{ closed_at }} >= month_ends.month_end_at)

)

select * from final
{%- endmacro %}
