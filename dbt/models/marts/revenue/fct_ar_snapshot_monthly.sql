-- Grain: one row per month end, payer, location, provider and age bucket with a non-zero
-- receivable: A/R (claim balances from int_claim_balance_events) as of the last day of the
-- month (the as-of date for the current month), aged from the service date in the MGMA
-- buckets 0-30, 31-60, 61-90, 91-120 and 120+ days.
-- A balance at a month end is the sum of the claim's events up to that day, so the events
-- are summed per claim and month first (events after the as-of date count in no snapshot),
-- then each running balance is spread over the months until the claim's next event month.
-- (Was: a balance interval per event date range-joined to the month ends; same rows, a
-- quarter less CPU and a quarter of the memory on the large preset.)
with as_of as (

    select
        as_of_date,
        {{ month_of('as_of_date') }} as as_of_month
    from {{ ref('int_claims_as_of') }}

),

events as (

    select
        claim_id,
        {{ month_of('event_date') }} as event_month,
        sum(amount) as amount
    from {{ ref('int_claim_balance_events') }}
    where event_date <= (select as_of_date from as_of)
    group by claim_id, {{ month_of('event_date') }}

),

running as (

    select
        claim_id,
        event_month,
        lead(event_month) over (partition by claim_id order by event_month) as next_event_month,
        sum(amount) over (
            partition by claim_id order by event_month
            rows between unbounded preceding and current row
        ) as balance
    from events

),

balances as (

    -- one row per month from the event month to the month before the next one (the as-of
    -- month after the last one)
    select
        running.claim_id,
        running.balance,
        cast(unnest(generate_series(
            running.event_month,
            coalesce({{ dbt.dateadd('month', -1, 'running.next_event_month') }}, as_of.as_of_month),
            interval 1 month
        )) as date) as snapshot_month
    from running
    cross join as_of
    where abs(running.balance) >= 0.005

),

months as (

    select distinct
        dates.month_start as snapshot_month,
        case when dates.month_end > as_of.as_of_date then as_of.as_of_date
            else dates.month_end end as snapshot_date
    from {{ ref('dim_date') }} as dates
    cross join as_of
    where dates.month_start <= as_of.as_of_date

),

claims as (

    select claim_id, payer_id, location_id, provider_id, specialty, service_date
    from {{ ref('fct_claims') }}

),

aged as (

    select
        months.snapshot_month,
        months.snapshot_date,
        balances.balance,
        claims.payer_id,
        claims.location_id,
        claims.provider_id,
        claims.specialty,
        {{ days_between('claims.service_date', 'months.snapshot_date') }} as age_days
    from balances
    inner join months
        on balances.snapshot_month = months.snapshot_month
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
