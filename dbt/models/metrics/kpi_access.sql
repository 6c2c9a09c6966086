-- Grain: one row per metric_id, period_month, dimension and dimension_value for the
-- patient-access metrics of metrics.md section 1.
{%- set appointment_dims = {
    'location': 'location_id',
    'provider': 'provider_id',
    'payer': 'payer_id',
    'specialty': 'specialty',
    'appointment_type': 'appointment_type',
} %}
{%- set encounter_dims = {
    'location': 'location_id',
    'provider': 'provider_id',
    'specialty': 'specialty',
} %}
with requests as (

    -- requests (every status but rescheduled), by month of booked_at
    {{ kpi_metrics(ref('fct_appointments'), 'booked_month', appointment_dims,
        kpi_stat_metrics('lead_time_days', {
            'access.lead_time_days_median': 'median',
            'access.lead_time_days_p90': 'p90',
        }, where='is_request') + [
        kpi_stat_metric('access.booking_lag_days_median', 'booking_lag_days', 'median',
            where='is_request'),
        kpi_rate_metric('access.new_patient_within_threshold_rate',
            flag('is_new_patient_within_threshold'),
            flag('is_new_patient_within_threshold is not null')),
    ]) }}

),

scheduled as (

    -- appointments by month of scheduled_start
    {{ kpi_metrics(ref('fct_appointments'), 'scheduled_month', appointment_dims, [
        kpi_rate_metric('access.no_show_rate', flag('is_no_show'),
            flag('is_no_show or is_visit')),
    ] + kpi_flag_rate_metrics({
        'access.late_cancel_rate': 'is_late_cancel',
        'access.bump_rate': 'is_bump',
    }) + [
        kpi_rate_metric('access.auth_pending_reschedule_rate', flag('is_auth_pending_cancel'),
            flag('needs_auth')),
    ]) }}

),

clinic_flow as (

    -- clinic flow, by month of service
    {{ kpi_metrics(ref('fct_encounters'), 'service_month', encounter_dims, [
        kpi_stat_metric('access.door_to_room_min_median', 'door_to_room_min', 'median'),
        kpi_stat_metric('access.cycle_time_min_median', 'cycle_time_min', 'median'),
    ]) }}

),

snapshots as (

    -- schedule snapshots, by month of snapshot_date
    {{ kpi_metrics(ref('fct_schedule_snapshots'), 'snapshot_month', encounter_dims, [
        kpi_stat_metric('access.third_next_available_days', 'third_next_available_days',
            'mean'),
        kpi_rate_metric('access.schedule_fill_rate', 'booked_minutes_in_horizon',
            'booked_minutes_in_horizon + open_minutes_in_horizon'),
    ]) }}

),

metrics as (

    select * from requests
    union all
    select * from scheduled
    union all
    select * from clinic_flow
    union all
    select * from snapshots

),

final as (

    {{ kpi_final('metrics') }}

)

select * from final
