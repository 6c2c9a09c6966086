-- Grain: one row per month end, payer, location, provider and age bucket with a non-zero
-- receivable: A/R (claim balances from int_claim_balance_events) as of the last day of the
-- month (the as-of date for the current month), aged from the service date in the MGMA
-- buckets 0-30, 31-60, 61-90, 91-120 and 120+ days.
with events as (

    select claim_id, event_date, sum(amount) as amount
    from {{ ref('int_claim_balance_events') }}
    group by claim_id, event_date

),

running as (

    -- the balance from each event date until the next one
    select
        claim_id,
        event_date as valid_from,
        lead(event_date) over (partition by claim_id order by event_date) as valid_until,
        sum(amount) over (
            partition by claim_id order by event_date
            rows between unbounded preceding and current row
        ) as balance
    from events

),

as_of as (

    select as_of_date from {{ ref('int_claims_as_of') }}

),

months as (

    select distinct
        dates.month_start as snapshot_month,
        case when dates.month_end > as_of.as_of_date then as_of.as_of_date
            else dates.month_end end as snapshot_date
    from {{ ref('dim_date') }} as dates
    cross join as_of
    where dates.month_start >= (select {{ month_of('min(event_date)') }} from events)
        and dates.month_start <= as_of.as_of_date

),

claims as (

    select claim_id, payer_id, location_id, provider_id, specialty, service_date
    from {{ ref('fct_claims') }}

),

balances as (

    select
        months.snapshot_month,
        months.snapshot_date,
        running.claim_id,
        running.balance
    from running
    inner join months
        on months.snapshot_date >= running.valid_from
        and (running.valid_until is null or months.snapshot_date < running.valid_until)
    where abs(running.balance) >= 0.005

),

aged as (

    select
        balances.*,
        claims.payer_id,
        claims.location_id,
        claims.provider_id,
        claims.specialty,
        {{ days_between('claims.service_date', 'balances.snapshot_date') }} as age_days
    from balances
    inner join claims
        on balances.claim_id = claims.claim_id

),

final as (

    select
        snapshot_month,
        snapshot_date,
        payer_id,
        location_id,
        provider_id,
        specialty,
        case
            when age_days <= 30 then '0-30'
            when age_days <= 60 then '31-60'
            when age_days <= 90 then '61-90'
            when age_days <= 120 then '91-120'
            else '120+'
        end as age_bucket,
        count(*) as claim_count,
        sum(balance) as ar_amount
    from aged
    group by 1, 2, 3, 4, 5, 6, 7

)

select * from final
