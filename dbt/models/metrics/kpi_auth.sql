-- Grain: one row per metric_id, period_month, dimension and dimension_value for the prior
-- authorization metrics of metrics.md section 3. Decision metrics count decided requests
-- (approved, partially_approved, denied) by month of decided_at; visit metrics count visits
-- by month of service.
{%- set auth_dims = {
    'urgency': 'urgency',
    'payer': 'payer_id',
    'channel': 'channel',
    'location': 'location_id',
    'provider': 'provider_id',
    'specialty': 'specialty',
} %}
{%- set visit_dims = {
    'location': 'location_id',
    'provider': 'provider_id',
    'payer': 'payer_id',
    'specialty': 'specialty',
} %}
with decisions as (

    {{ kpi_metrics(
        "(select * from " ~ ref('fct_prior_auths') ~ " where is_decided)",
        'decided_month', auth_dims,
        kpi_stat_metrics('turnaround_hours', {
            'auth.turnaround_hours_median': 'median',
            'auth.turnaround_hours_mean': 'mean',
            'auth.turnaround_hours_p90': 'p90',
        }) + kpi_flag_rate_metrics({
            'auth.within_cms_timeframe_rate': 'is_within_cms_timeframe',
            'auth.approval_rate': 'is_approved',
            'auth.partial_approval_rate': 'is_partially_approved',
            'auth.denial_rate': 'is_denied',
            'auth.peer_to_peer_rate': 'is_peer_to_peer',
        })) }}

),

visits as (

    {{ kpi_metrics(ref('fct_visits'), 'service_month', visit_dims, [
        kpi_stat_metric('auth.pending_at_service_count',
            'case when is_auth_pending_at_service then appointment_id end', 'count'),
    ] + kpi_flag_rate_metrics({
        'auth.required_rate': 'is_auth_required',
    })) }}

),

visits_per_month as (

    select service_month, count(*) as visit_count
    from {{ ref('fct_visits') }}
    group by service_month

),

required_by_cpt as (

    select
        service_month,
        coalesce(auth_cpt_code, 'unmatched') as cpt_code,
        count(*) as visit_count
    from {{ ref('fct_visits') }}
    where is_auth_required
    group by service_month, coalesce(auth_cpt_code, 'unmatched')

),

metrics as (

    select * from decisions
    union all
    select * from visits
    {%- if kpi_dimension_enabled('cpt_code') %}
    union all
    -- which services drive it: visits needing an auth for that CPT / all visits
    select
        'auth.required_rate',
        required.service_month,
        'cpt_code',
        required.cpt_code,
        cast(required.visit_count as {{ type_double() }}),
        cast(all_visits.visit_count as {{ type_double() }}),
        {{ safe_ratio('required.visit_count', 'all_visits.visit_count') }}
    from required_by_cpt as required
    inner join visits_per_month as all_visits
        on required.service_month = all_visits.service_month
    {%- endif %}

),

final as (

    {{ kpi_final('metrics') }}

)

select * from final
