-- Grain: one row per month end and payer with a receivable: A/R as of the month's last day
-- (the as-of date for the current month) in the MGMA age buckets from the service date,
-- one column per bucket. Read from fct_ar_snapshot_monthly, summed over locations and
-- providers.
with snapshots as (

    select * from {{ ref('fct_ar_snapshot_monthly') }}

),

by_payer as (

    select
        snapshot_month as period_month,
        snapshot_date,
        payer_id,
        sum(claim_count) as claims_open,
        sum(case when age_bucket = '0-30' then ar_amount else 0 end) as ar_0_30_usd,
        sum(case when age_bucket = '31-60' then ar_amount else 0 end) as ar_31_60_usd,
        sum(case when age_bucket = '61-90' then ar_amount else 0 end) as ar_61_90_usd,
        sum(case when age_bucket = '91-120' then ar_amount else 0 end) as ar_91_120_usd,
        sum(case when age_bucket = '120+' then ar_amount else 0 end) as ar_over_120_usd,
        sum(ar_amount) as ar_total_usd
    from snapshots
    group by 1, 2, 3

),

final as (

    select
        by_payer.period_month,
        by_payer.snapshot_date as as_of_date,
        by_payer.payer_id,
        payers.payer_name,
        payers.payer_type,
        cast(by_payer.claims_open as bigint) as claims_open,
        cast(by_payer.ar_0_30_usd as decimal(18, 2)) as ar_0_30_usd,
        cast(by_payer.ar_31_60_usd as decimal(18, 2)) as ar_31_60_usd,
        cast(by_payer.ar_61_90_usd as decimal(18, 2)) as ar_61_90_usd,
        cast(by_payer.ar_91_120_usd as decimal(18, 2)) as ar_91_120_usd,
        cast(by_payer.ar_over_120_usd as decimal(18, 2)) as ar_over_120_usd,
        cast(by_payer.ar_total_usd as decimal(18, 2)) as ar_total_usd
    from by_payer
    left join {{ ref('dim_payer') }} as payers
        on by_payer.payer_id = payers.payer_id

)

select * from final
