-- A/R is made of the claims' balances: the balance events of every claim sum to
-- fct_claims.outstanding_balance, and the A/R of the as-of month equals the sum of the
-- non-zero outstanding balances. One row per claim or check that disagrees.
with event_totals as (

    select claim_id, sum(amount) as event_balance
    from {{ ref('int_claim_balance_events') }}
    group by claim_id

),

per_claim as (

    select
        claims.claim_id as check_name,
        claims.outstanding_balance as mart_total,
        coalesce(event_totals.event_balance, 0) as source_total
    from {{ ref('fct_claims') }} as claims
    left join event_totals on claims.claim_id = event_totals.claim_id
    where abs(claims.outstanding_balance - coalesce(event_totals.event_balance, 0)) >= 0.005

),

as_of_month as (

    select max(snapshot_month) as snapshot_month from {{ ref('fct_ar_snapshot_monthly') }}

),

latest_ar as (

    select
        'ar_as_of_vs_outstanding' as check_name,
        (select coalesce(sum(ar_amount), 0) from {{ ref('fct_ar_snapshot_monthly') }}
            where snapshot_month = (select snapshot_month from as_of_month)) as mart_total,
        (select coalesce(sum(outstanding_balance), 0) from {{ ref('fct_claims') }}
            where abs(outstanding_balance) >= 0.005) as source_total

)

select * from per_claim
union all
select * from latest_ar
where abs(mart_total - source_total) >= 0.005
