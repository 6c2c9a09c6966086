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
with appointments as (

    {{ kpi_fan_out(ref('fct_appointments'), appointment_dims) }}

),

encounters as (

    {{ kpi_fan_out(ref('fct_encounters'), encounter_dims) }}

),

snapshots as (

    {{ kpi_fan_out(ref('fct_schedule_snapshots'), encounter_dims) }}

),

metrics as (

    -- requests (every status but rescheduled), by month of booked_at
    {{ kpi_stats('appointments', 'booked_month', 'lead_time_days', {
        'access.lead_time_days_median': 'median',
        'access.lead_time_days_p90': 'p90',
    }, where='is_request') }}
    union all
    {{ kpi_stat('access.booking_lag_days_median', 'appointments', 'booked_month',
        'booking_lag_days', 'median', where='is_request') }}
    union all
    {{ kpi_rate('access.new_patient_within_threshold_rate', 'appointments', 'booked_month',
        flag('is_new_patient_within_threshold'),
        flag('is_new_patient_within_threshold is not null')) }}
    union all
    -- appointments by month of scheduled_start
    {{ kpi_rate('access.no_show_rate', 'appointments', 'scheduled_month',
        flag('is_no_show'), flag('is_no_show or is_visit')) }}
    union all
    {{ kpi_flag_rates('appointments', 'scheduled_month', {
        'access.late_cancel_rate': 'is_late_cancel',
        'access.bump_rate': 'is_bump',
    }) }}
    union all
    {{ kpi_rate('access.auth_pending_reschedule_rate', 'appointments', 'scheduled_month',
        flag('is_auth_pending_cancel'), flag('needs_auth')) }}
    union all
    -- clinic flow, by month of service
    {{ kpi_stat('access.door_to_room_min_median', 'encounters', 'service_month',
        'door_to_room_min', 'median') }}
    union all
    {{ kpi_stat('access.cycle_time_min_median', 'encounters', 'service_month',
        'cycle_time_min', 'median') }}
    union all
    -- schedule snapshots, by month of snapshot_date
    {{ kpi_stat('access.third_next_available_days', 'snapshots', 'snapshot_month',
        'third_next_available_days', 'mean') }}
    union all
    {{ kpi_rate('access.schedule_fill_rate', 'snapshots', 'snapshot_month',
        'booked_minutes_in_horizon', 'booked_minutes_in_horizon + open_minutes_in_horizon') }}

),

final as (

    {{ kpi_final('metrics') }}

)

select * from final
