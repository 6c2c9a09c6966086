-- Grain: one row per CARC (claim adjustment reason code): every code of the seed plus any
-- code seen in an 835 that the 2015 list does not know (valid but undescribed), with the
-- project's label, the denial classification and how often it appears.
with codes as (

    select carc_code, short_label, start_date, stop_date from {{ ref('carc_codes') }}

),

category_map as (

    select carc_code, is_denial, denial_category, adjustment_class
    from {{ ref('denial_category_map') }}

),

seen as (

    select carc_code, count(*) as adjustment_count, sum(amount) as adjustment_amount
    from {{ ref('stg_x12__835_adjustments') }}
    group by carc_code

),

all_codes as (

    select carc_code from codes
    union
    select carc_code from seen where carc_code is not null

),

final as (

    select
        all_codes.carc_code,
        coalesce(codes.short_label, 'Undescribed code ' || all_codes.carc_code) as short_label,
        codes.carc_code is not null as is_in_code_list,
        codes.start_date,
        codes.stop_date,
        codes.stop_date is not null as is_retired,
        coalesce(category_map.is_denial, true) as is_denial,
        case when coalesce(category_map.is_denial, true)
            then coalesce(category_map.denial_category, 'other') end as denial_category,
        coalesce(category_map.adjustment_class, 'denial') as adjustment_class,
        coalesce(seen.adjustment_count, 0) as adjustment_count,
        coalesce(seen.adjustment_amount, 0) as adjustment_amount
    from all_codes
    left join codes
        on all_codes.carc_code = codes.carc_code
    left join category_map
        on all_codes.carc_code = category_map.carc_code
    left join seen
        on all_codes.carc_code = seen.carc_code

)

select * from final
