-- Grain: one row per metric_id, period_month, dimension and dimension_value for the finance
-- metrics of metrics.md section 6, by practice, location, provider, payer and specialty:
--   fin.charges_usd                 coded charges (ehr/charges, self-pay visits included) by
--                                   month of service; payer = the claim's 837 payer, else
--                                   the visit's payer
--   fin.payer_payments_usd          CLP04 net of reversals by month of payment
--   fin.patient_payments_usd        patient payments net of refunds by month received
--                                   (on-account payments: dimension values 'unknown')
--   fin.contractual_adjustments_usd CO adjustments that are not denials, by month adjudicated
--   fin.writeoffs_usd               denied dollars written off, by month written off
--   fin.cost_to_collect_rate        revenue-cycle staff cost (work types charge_entry,
--                                   coding, claim_followup, denial_appeal, payment_posting,
--                                   patient_billing) / cash collected (payer CLP04 + patient
--                                   payments), by month; practice and location only
--   fin.wrvu                        work RVUs of the coded charges (seed cpt_work_rvus x
--                                   units) by month of service; codes without a value
--                                   (deleted codes, codes missing from the seed) count 0
{%- set dims = {
    'location': 'location_id',
    'provider': 'provider_id',
    'payer': 'payer_id',
    'specialty': 'specialty',
} %}
with charge_lines as (

    select
        charges.service_month,
        charges.location_id,
        charges.provider_id,
        charges.specialty,
        coalesce(claim_payers.payer_id, visit_payers.payer_id) as payer_id,
        charges.charge_amount,
        coalesce(rvus.work_rvu, 0) * charges.units as work_rvu
    from {{ ref('fct_encounter_charges') }} as charges
    left join {{ ref('cpt_work_rvus') }} as rvus
        on charges.cpt_code = rvus.cpt_code
    left join (
        select encounter_id, min(payer_id) as payer_id
        from {{ ref('fct_claims') }}
        where encounter_id is not null
        group by encounter_id
    ) as claim_payers
        on charges.encounter_id = claim_payers.encounter_id
    left join (
        select encounter_id, min(payer_id) as payer_id
        from {{ ref('fct_visits') }}
        where encounter_id is not null
        group by encounter_id
    ) as visit_payers
        on charges.encounter_id = visit_payers.encounter_id

),

charges as (

    {{ kpi_metrics('charge_lines', 'service_month', dims, [
        kpi_stat_metric('fin.charges_usd', 'charge_amount', 'sum'),
        kpi_stat_metric('fin.wrvu', 'work_rvu', 'sum'),
    ]) }}

),

payer_payments as (

    {{ kpi_metrics(ref('fct_claim_adjudications'), 'adjudication_month', dims, [
        kpi_stat_metric('fin.payer_payments_usd', 'paid_amount', 'sum'),
    ]) }}

),

patient_payment_rows as (

    select
        payments.payment_month,
        payments.payment_amount,
        claims.location_id,
        claims.provider_id,
        claims.payer_id,
        claims.specialty
    from {{ ref('fct_payments') }} as payments
    left join {{ ref('fct_claims') }} as claims
        on payments.claim_id = claims.claim_id
    where payments.payment_source = 'patient'

),

patient_payments as (

    {{ kpi_metrics('patient_payment_rows', 'payment_month', dims, [
        kpi_stat_metric('fin.patient_payments_usd', 'payment_amount', 'sum'),
    ]) }}

),

contractual_adjustments as (

    {{ kpi_metrics(
        "(select * from " ~ ref('fct_adjustments') ~ " where is_contractual)",
        'adjudication_month', dims, [
        kpi_stat_metric('fin.contractual_adjustments_usd', 'amount', 'sum'),
    ]) }}

),

writeoffs as (

    {{ kpi_metrics(
        "(select *, " ~ month_of('writeoff_date') ~ " as writeoff_month
        from " ~ ref('fct_adjustments') ~ " where writeoff_date is not null)",
        'writeoff_month', dims, [
        kpi_stat_metric('fin.writeoffs_usd', 'amount', 'sum'),
    ]) }}

),

collect_items as (

    select
        started_month as period_month,
        location_id,
        cost_usd as cost_usd,
        cast(0 as {{ type_double() }}) as cash_usd
    from {{ ref('fct_work_items') }}
    where work_type in ('charge_entry', 'coding', 'claim_followup', 'denial_appeal',
        'payment_posting', 'patient_billing')
    union all
    select adjudication_month, location_id, 0, cast(paid_amount as {{ type_double() }})
    from {{ ref('fct_claim_adjudications') }}
    union all
    select payment_month, location_id, 0, cast(payment_amount as {{ type_double() }})
    from patient_payment_rows

),

cost_to_collect as (

    {{ kpi_metrics('collect_items', 'period_month', {'location': 'location_id'}, [
        kpi_rate_metric('fin.cost_to_collect_rate', 'cost_usd', 'cash_usd'),
    ]) }}

),

metrics as (

    select * from charges
    union all
    select * from payer_payments
    union all
    select * from patient_payments
    union all
    select * from contractual_adjustments
    union all
    select * from writeoffs
    union all
    select * from cost_to_collect

),

final as (

    {{ kpi_final('metrics') }}

)

select * from final
