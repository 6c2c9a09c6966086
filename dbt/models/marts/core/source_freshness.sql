-- Grain: one row per source = landing extract (pm/<extract>, ehr/<extract>, claims, remits)
-- that has landed at least one file or holds rows.
-- newest_event_at: the newest business timestamp in the source's current rows (null for
-- reference extracts without event times); loaded_at: the last load that brought rows.
with loads as (

    select
        extract as source,
        max(loaded_at) as loaded_at,
        count(*) as files_loaded
    from {{ source('raw', '_load_manifest') }}
    where status in ('loaded', 'partial')
      and extract in (
        'pm/locations', 'pm/providers', 'pm/payers', 'pm/staff', 'pm/patients',
        'pm/appointments', 'pm/open_slots', 'pm/eligibility_checks', 'pm/prior_auths',
        'pm/work_items', 'pm/patient_payments', 'ehr/encounters', 'ehr/clinical_notes',
        'ehr/charges', 'claims', 'remits'
      )
    group by extract

),

events as (

    select 'pm/appointments' as source,
        max({{ newest_of(['booked_at', 'status_changed_at', 'checked_in_at']) }}) as newest_event_at
    from {{ ref('stg_pm__appointments') }}
    union all
    select 'pm/open_slots',
        max(cast(snapshot_date as {{ dbt.type_timestamp() }}))
    from {{ ref('stg_pm__open_slots') }}
    union all
    select 'pm/eligibility_checks',
        max({{ newest_of(['requested_at', 'responded_at']) }})
    from {{ ref('stg_pm__eligibility_checks') }}
    union all
    select 'pm/prior_auths',
        max({{ newest_of(['requested_at', 'decided_at']) }})
    from {{ ref('stg_pm__prior_auths') }}
    union all
    select 'pm/work_items',
        max({{ newest_of(['started_at', 'completed_at']) }})
    from {{ ref('stg_pm__work_items') }}
    union all
    select 'pm/patient_payments', max(received_at)
    from {{ ref('stg_pm__patient_payments') }}
    union all
    select 'ehr/encounters',
        max({{ newest_of(['departed_at', 'arrived_at', 'cast(service_date as ' ~ dbt.type_timestamp() ~ ')']) }})
    from {{ ref('stg_ehr__encounters') }}
    union all
    select 'ehr/clinical_notes',
        max({{ newest_of(['created_at', 'signed_at']) }})
    from {{ ref('stg_ehr__clinical_notes') }}
    union all
    select 'ehr/charges', max(coded_at)
    from {{ ref('stg_ehr__charges') }}
    union all
    -- 837: BHT04 creation date (+ time); 835: BPR16 payment date, else DTM*405
    select 'claims', max(created_at)
    from {{ ref('stg_x12__transactions') }}
    where transaction_set_id = '837'
    union all
    select 'remits', max(cast(effective_payment_date as {{ dbt.type_timestamp() }}))
    from {{ ref('stg_x12__transactions') }}
    where transaction_set_id = '835'

),

final as (

    select
        coalesce(loads.source, events.source) as source,
        events.newest_event_at,
        loads.loaded_at,
        coalesce(loads.files_loaded, 0) as files_loaded,
        {{ hours_between('events.newest_event_at', as_of_timestamp()) }}
            as hours_since_newest_event,
        {{ hours_between('loads.loaded_at', as_of_timestamp()) }} as hours_since_load
    from loads
    full outer join events
        on loads.source = events.source
    where loads.source is not null or events.newest_event_at is not null

)

select * from final
