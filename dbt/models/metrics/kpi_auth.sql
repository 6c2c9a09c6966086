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
with decided as (

    select * from {{ ref('fct_prior_auths') }}
    where is_decided

),

auths_fanned as (

    {{ kpi_fan_out('decided', auth_dims) }}

),

visits_fanned as (

    {{ kpi_fan_out(ref('fct_visits'), visit_dims) }}

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

    {{ kpi_stat('auth.turnaround_hours_median', 'auths_fanned', 'decided_month',
        'turnaround_hours', 'median') }}
    union all
    {{ kpi_stat('auth.turnaround_hours_mean', 'auths_fanned', 'decided_month',
        'turnaround_hours', 'mean') }}
    union all
    {{ kpi_stat('auth.turnaround_hours_p90', 'auths_fanned', 'decided_month',
        'turnaround_hours', 'p90') }}
    union all
    {{ kpi_rate('auth.within_cms_timeframe_rate', 'auths_fanned', 'decided_month',
        flag('is_within_cms_timeframe'), '1') }}
    union all
    {{ kpi_rate('auth.approval_rate', 'auths_fanned', 'decided_month',
        flag('is_approved'), '1') }}
    union all
    {{ kpi_rate('auth.partial_approval_rate', 'auths_fanned', 'decided_month',
        flag('is_partially_approved'), '1') }}
    union all
    {{ kpi_rate('auth.denial_rate', 'auths_fanned', 'decided_month',
        flag('is_denied'), '1') }}
    union all
    {{ kpi_rate('auth.peer_to_peer_rate', 'auths_fanned', 'decided_month',
        flag('is_peer_to_peer'), '1') }}
    union all
    {{ kpi_stat('auth.pending_at_service_count', 'visits_fanned', 'service_month',
        'case when is_auth_pending_at_service then appointment_id end', 'count') }}
    union all
    {{ kpi_rate('auth.required_rate', 'visits_fanned', 'service_month',
        flag('is_auth_required'), '1') }}
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
