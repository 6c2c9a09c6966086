-- Grain: one row per clinical note, with its signing lag against the end of the visit
-- (provider_end_at, else the end of the service date).
-- Incremental by note (macros/incremental.sql): new note versions and the notes of new
-- encounter versions; every note when a provider row arrived.
{{ keyed_incremental_config('note_id') }}
with touched_notes as (

    {{ keys_touched_by_new_loads(
        'note_id', ref('stg_ehr__clinical_notes'),
        related=[[ref('stg_ehr__encounters'), 'encounter_id']],
        everything_when=[ref('stg_pm__providers')],
    ) }}

),

notes as (

    select * from {{ ref('stg_ehr__clinical_notes') }}
    {{- only_touched('note_id', touched='touched_notes') }}

),

encounters as (

    select encounter_id, location_id, service_date, provider_end_at
    from {{ ref('stg_ehr__encounters') }}

),

providers as (

    select provider_id, specialty from {{ ref('dim_provider') }}

),

joined as (

    select
        notes.note_id,
        notes.encounter_id,
        notes.provider_id,
        encounters.location_id,
        providers.specialty,
        encounters.service_date,
        notes.created_at,
        notes.signed_at,
        notes._load_id,
        coalesce(
            encounters.provider_end_at,
            cast({{ dbt.dateadd('day', 1, 'encounters.service_date') }} as {{ dbt.type_timestamp() }}),
            notes.created_at
        ) as visit_end_at
    from notes
    left join encounters
        on notes.encounter_id = encounters.encounter_id
    left join providers
        on notes.provider_id = providers.provider_id

),

final as (

    select
        note_id,
        encounter_id,
        provider_id,
        location_id,
        specialty,
        service_date,
        {{ month_of('coalesce(service_date, cast(created_at as date))') }} as service_month,
        created_at,
        signed_at,
        visit_end_at,
        signed_at is not null as is_signed,
        {{ hours_between('visit_end_at', 'signed_at') }} as sign_lag_hours,
        coalesce({{ hours_between('visit_end_at', 'signed_at') }} <= 24, false)
            as is_signed_within_24h,
        coalesce({{ hours_between('visit_end_at', 'signed_at') }} <= 72, false)
            as is_signed_within_72h,
        _load_id
    from joined

)

select * from final
