-- Grain: one row per calendar day from var('dim_date_start') to var('dim_date_end').
with days as (

    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('dim_date_start', '2015-01-01') ~ "' as date)",
        "cast('" ~ var('dim_date_end', '2036-01-01') ~ "' as date)"
    ) }}

),

final as (

    select
        cast(date_day as date) as date_day,
        {{ month_of('date_day') }} as month_start,
        cast({{ dbt.date_trunc('quarter', 'date_day') }} as date) as quarter_start,
        cast({{ date_part_int('year', 'date_day') }} as integer) as year_number,
        cast({{ date_part_int('month', 'date_day') }} as integer) as month_number,
        cast({{ date_part_int('day', 'date_day') }} as integer) as day_of_month,
        cast({{ date_part_int('isodow', 'date_day') }} as integer) as iso_day_of_week,
        {{ date_part_int('isodow', 'date_day') }} in (6, 7) as is_weekend,
        cast({{ dbt.last_day('date_day', 'month') }} as date) as month_end
    from days

)

select * from final
