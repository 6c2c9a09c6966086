-- Grain: one row per month end and clinical note still unsigned at that month end (created
-- on or before it, not signed by then), with its age since the visit ended.
-- Feeds docs.open_notes.
{{ month_end_backlog(
    relation=ref('fct_clinical_notes'),
    columns=['note_id', 'encounter_id', 'provider_id', 'location_id', 'specialty',
        'visit_end_at'],
    opened_at='created_at',
    closed_at='signed_at',
    aged_from='visit_end_at',
    buckets=[[3, '0-3 days'], [7, '4-7 days'], [30, '8-30 days']],
    older_label='31+ days',
) }}
