-- Grain: one row per event that moves a claim's receivable balance: the charge entering A/R
-- at the original submission (and its changes: replacements, voids), payer payments and
-- reversals, non-denial provider adjustments (contractual CO, OA, PI, CR), denied dollars
-- written off 120 days after an unrecovered denial, and patient payments toward the claim.
-- amount is signed as it moves the balance (+ charge, - payment); the sum over a claim's
-- events equals int_claim_lifecycle.outstanding_balance.
with submissions as (

    select * from {{ ref('int_claim_submissions') }}

),

adjudications as (

    select * from {{ ref('int_claim_adjudications') }}

),

lifecycle as (

    select claim_id, has_submission, current_charge, first_adjudicated_on
    from {{ ref('int_claim_lifecycle') }}

),

charge_versions as (

    select
        claim_id,
        submission_id,
        submission_date,
        version_number,
        version_count,
        case when frequency_type = 'void' then 0 else total_charge end as charge_after
    from submissions

),

charge_events as (

    -- the first version charges its amount; each later one the change from the version
    -- before it (version_number counts 1, 2, ... per claim, so that one is version - 1;
    -- only the few claims with several versions need the join)
    select
        claim_id,
        submission_date as event_date,
        'charge' as event_type,
        submission_id as source_id,
        charge_after - 0 as amount
    from charge_versions
    where version_number = 1

    union all

    select
        later.claim_id,
        later.submission_date,
        'charge_change',
        later.submission_id,
        later.charge_after - earlier.charge_after
    from charge_versions as later
    inner join charge_versions as earlier
        on later.claim_id = earlier.claim_id
        and later.version_number - 1 = earlier.version_number
    where later.version_count > 1 and earlier.version_count > 1

),

remit_only_charges as (

    -- claims known only from an 835: the charge the payer saw (CLP03) at first adjudication
    select
        lifecycle.claim_id,
        lifecycle.first_adjudicated_on as event_date,
        'charge' as event_type,
        lifecycle.claim_id as source_id,
        lifecycle.current_charge as amount
    from lifecycle
    where not lifecycle.has_submission and lifecycle.current_charge is not null

),

payer_payment_events as (

    select
        claim_id,
        adjudication_date as event_date,
        'payer_payment' as event_type,
        adjudication_id as source_id,
        -paid_amount as amount
    from adjudications
    where paid_amount <> 0

),

adjustment_events as (

    select
        claim_id,
        adjudication_date as event_date,
        'adjustment' as event_type,
        adjudication_id as source_id,
        -(co_amount + oa_amount + pi_amount + cr_amount - denial_adjustment_amount) as amount
    from adjudications
    where co_amount + oa_amount + pi_amount + cr_amount - denial_adjustment_amount <> 0

),

writeoff_events as (

    select
        claim_id,
        denial_writeoff_date as event_date,
        'denial_writeoff' as event_type,
        adjudication_id as source_id,
        -denial_writeoff_amount as amount
    from adjudications
    where denial_writeoff_date is not null and denial_writeoff_amount <> 0

),

patient_payment_events as (

    select
        payments.claim_id,
        cast(payments.received_at as date) as event_date,
        'patient_payment' as event_type,
        payments.payment_id as source_id,
        -payments.amount as amount
    from {{ ref('stg_pm__patient_payments') }} as payments
    inner join lifecycle
        on payments.claim_id = lifecycle.claim_id

),

final as (

    select * from charge_events
    union all
    select * from remit_only_charges
    union all
    select * from payer_payment_events
    union all
    select * from adjustment_events
    union all
    select * from writeoff_events
    union all
    select * from patient_payment_events

)

select * from final
