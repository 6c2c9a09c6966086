-- Grain: one row per export table and measure: the export's total beside the total of the
-- mart column that defines it. reconciles is false when they differ by a cent or more; its
-- test (error severity) then blocks publish, so no export ever disagrees with the marts.
with checks as (

    {%- set pairs = [
        ('finance_revenue_monthly', 'charges_usd', 'current_charge', 'fct_claims', '1 = 1'),
        ('finance_revenue_monthly', 'payer_payments_usd', 'payer_paid_amount', 'fct_claims', '1 = 1'),
        ('finance_revenue_monthly', 'patient_payments_usd', 'payment_amount', 'fct_payments', "payment_source = 'patient'"),
        ('finance_revenue_monthly', 'contractual_adjustments_usd', 'contractual_adjustment_amount', 'fct_claims', '1 = 1'),
        ('finance_revenue_monthly', 'denials_usd', 'denied_amount', 'fct_claim_denials', '1 = 1'),
        ('finance_revenue_monthly', 'denial_writeoffs_usd', 'denial_writeoff_amount', 'fct_claims', '1 = 1'),
        ('finance_ar_aging', 'ar_total_usd', 'ar_amount', 'fct_ar_snapshot_monthly', '1 = 1'),
        ('finance_payments_posted', 'payment_usd', 'payment_amount', 'fct_payments', "payment_source = 'payer'"),
        ('finance_denial_writeoffs', 'written_off_usd', 'denial_writeoff_amount', 'fct_claims', '1 = 1'),
    ] %}
    {%- for export_name, export_column, mart_column, mart, mart_filter in pairs %}
    select
        '{{ export_name }}' as export_name,
        '{{ export_column }}' as export_column,
        '{{ mart }}.{{ mart_column }}' as mart_column,
        (select coalesce(sum({{ export_column }}), 0) from {{ ref(export_name) }})
            as export_total,
        (select coalesce(sum({{ mart_column }}), 0) from {{ ref(mart) }}
            where {{ mart_filter }}) as mart_total
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

final as (

    select
        export_name,
        export_column,
        mart_column,
        cast(export_total as decimal(18, 2)) as export_total,
        cast(mart_total as decimal(18, 2)) as mart_total,
        cast(export_total - mart_total as decimal(18, 2)) as difference,
        abs(export_total - mart_total) < 0.005 as reconciles
    from checks

)

select * from final
