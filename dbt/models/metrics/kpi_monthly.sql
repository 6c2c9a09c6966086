-- Grain: one row per metric_id, period_month, dimension and dimension_value: every metric of
-- shared/spec/metrics.md in one long table. Each metric is defined in exactly one kpi_<domain>
-- model; this model only stacks them.
{%- set domains = [
    'kpi_access', 'kpi_staff', 'kpi_auth', 'kpi_docs', 'kpi_ops', 'kpi_revenue', 'kpi_finance'
] %}
with unioned as (

    {%- for domain in domains %}
    select
        metric_id,
        period_month,
        dimension,
        dimension_value,
        numerator,
        denominator,
        value
    from {{ ref(domain) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

final as (

    select * from unioned

)

select * from final
