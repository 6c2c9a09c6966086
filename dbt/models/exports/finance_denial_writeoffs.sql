-- Grain: one row per month written off, denial category and payer: denied dollars never
-- recovered and written off (no later payment within 120 days of the denial), from the
-- denial-reason adjustments (CAS triplets) of fct_adjustments, each with its own category.
with writeoffs as (

    select * from {{ ref('fct_adjustments') }}
    where writeoff_date is not null

),

by_category as (

    select
        {{ month_of('writeoff_date') }} as period_month,
        denial_category,
        payer_id,
        count(distinct claim_id) as claims_written_off,
        count(*) as adjustments_written_off,
        sum(amount) as written_off_usd
    from writeoffs
    group by 1, 2, 3

),

final as (

    select
        by_category.period_month,
        by_category.denial_category,
        by_category.payer_id,
        payers.payer_name,
        payers.payer_type,
        cast(by_category.claims_written_off as bigint) as claims_written_off,
        cast(by_category.adjustments_written_off as bigint) as adjustments_written_off,
        cast(by_category.written_off_usd as decimal(18, 2)) as written_off_usd
    from by_category
    left join {{ ref('dim_payer') }} as payers
        on by_category.payer_id = payers.payer_id

)

select * from final
