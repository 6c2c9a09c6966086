-- Grain: one row per metric_id, period_month, dimension and dimension_value for the
-- documentation metrics of metrics.md section 4 (note signing, open notes, charge lag).
-- rcm.submission_lag_days_median needs the 837 BHT04 date and is published by kpi_revenue.
{%- set note_dims = {
    'location': 'location_id',
    'provider': 'provider_id',
    'specialty': 'specialty',
} %}
with notes as (

    -- notes by month of service; lag against provider_end_at (else end of service day)
    {{ kpi_metrics(ref('fct_clinical_notes'), 'service_month', note_dims, [
        kpi_stat_metric('docs.note_sign_lag_hours_median', 'sign_lag_hours', 'median',
            where='is_signed'),
    ] + kpi_flag_rate_metrics({
        'docs.notes_signed_24h_rate': 'is_signed_within_24h',
        'docs.notes_signed_72h_rate': 'is_signed_within_72h',
    })) }}

),

backlog as (

    {{ kpi_metrics(ref('fct_note_backlog'), 'period_month', {
        'provider': 'provider_id',
        'location': 'location_id',
        'age_bucket': 'age_bucket',
    }, [kpi_stat_metric('docs.open_notes', 'note_id', 'count')]) }}

),

charges as (

    -- charge lines by month of service
    {{ kpi_metrics(ref('fct_encounter_charges'), 'service_month', note_dims,
        kpi_stat_metrics('charge_lag_days', {
            'rcm.charge_lag_days_mean': 'mean',
            'rcm.charge_lag_days_median': 'median',
        })) }}

),

metrics as (

    select * from notes
    union all
    select * from backlog
    union all
    select * from charges

),

final as (

    {{ kpi_final('metrics') }}

)

select * from final
