-- Grain: one row per month end and work item still open at that month end (started on or
-- before it, not completed by then), with its age at that moment. Feeds staff.open_backlog.
{{ month_end_backlog(
    relation=ref('fct_work_items'),
    columns=['work_item_id', 'work_type', 'staff_id', 'location_id', 'started_at'],
    opened_at='started_at',
    closed_at='completed_at',
    aged_from='started_at',
    buckets=[[7, '0-7 days'], [30, '8-30 days'], [90, '31-90 days']],
    older_label='91+ days',
) }}
