-- Grain: one row per metric_id, period_month, dimension and dimension_value for the
-- documentation metrics of metrics.md section 4 (note signing, open notes, charge lag).
-- rcm.submission_lag_days_median needs the 837 BHT04 date and is published by kpi_revenue.
{%- set note_dims = {
    'location': 'location_id',
    'provider': 'provider_id',
    'specialty': 'specialty',
} %}
with notes_fanned as (

    {{ kpi_fan_out(ref('fct_clinical_notes'), note_dims) }}

),

backlog_fanned as (

    {{ kpi_fan_out(ref('fct_note_backlog'), {
        'provider': 'provider_id',
        'location': 'location_id',
        'age_bucket': 'age_bucket',
    }) }}

),

charges_fanned as (

    {{ kpi_fan_out(ref('fct_encounter_charges'), note_dims) }}

),

metrics as (

    -- notes by month of service; lag against provider_end_at (else end of service day)
    {{ kpi_stat('docs.note_sign_lag_hours_median', 'notes_fanned', 'service_month',
        'sign_lag_hours', 'median', where='is_signed') }}
    union all
    {{ kpi_flag_rates('notes_fanned', 'service_month', {
        'docs.notes_signed_24h_rate': 'is_signed_within_24h',
        'docs.notes_signed_72h_rate': 'is_signed_within_72h',
    }) }}
    union all
    {{ kpi_stat('docs.open_notes', 'backlog_fanned', 'period_month', 'note_id', 'count') }}
    union all
    -- charge lines by month of service
    {{ kpi_stats('charges_fanned', 'service_month', 'charge_lag_days', {
        'rcm.charge_lag_days_mean': 'mean',
        'rcm.charge_lag_days_median': 'median',
    }) }}

),

final as (

    {{ kpi_final('metrics') }}

)

select * from final
