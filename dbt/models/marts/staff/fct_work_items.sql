-- Grain: one row per work item (a staff touch), with its cost and the location it serves.
-- Location: the location of what the work is about (the appointment; the auth's appointment,
-- else its provider's home; the claim's encounter, through the 837 REF*EA, or the encounter
-- itself when pre-claim work such as coding names the encounter id); otherwise the
-- staff member's location; null = central business office work that cannot be placed
-- (patient accounts, remittances).
-- Rework (ops.friction_cost_usd): claim_followup and denial_appeal always; eligibility and
-- prior_auth touches after the first one on the same entity.
-- Incremental by work item (macros/incremental.sql): new work item versions, the other
-- touches of their work type and entity (touch_sequence), and the items whose entity moved
-- (a new appointment, auth, claim or encounter version); every item when a staff or
-- provider row arrived.
{{ keyed_incremental_config('work_item_id') }}
with touched_items as (

    {%- if is_incremental() %}
    {%- set seen = seen_load_id() %}
    {%- set items = ref('stg_pm__work_items') %}
    select work_item_id from {{ items }} where _load_id > {{ seen }}
    union
    select all_items.work_item_id
    from {{ items }} as all_items
    inner join (
        select distinct work_type, entity_type, entity_id from {{ items }}
        where _load_id > {{ seen }}
    ) as new_touches
        on all_items.work_type = new_touches.work_type
        and all_items.entity_type is not distinct from new_touches.entity_type
        and all_items.entity_id = new_touches.entity_id
    union
    select work_item_id from {{ items }}
    where (entity_type = 'appointment' and entity_id in (
            select appointment_id from {{ ref('stg_pm__appointments') }}
            where _load_id > {{ seen }}))
        or (entity_type = 'auth' and entity_id in (
            select auth_id from {{ ref('stg_pm__prior_auths') }}
            where _load_id > {{ seen }}
                or appointment_id in (
                    select appointment_id from {{ ref('stg_pm__appointments') }}
                    where _load_id > {{ seen }})))
        or (entity_type = 'claim' and entity_id in (
            select encounter_id from {{ ref('stg_ehr__encounters') }}
            where _load_id > {{ seen }}
            union all
            select claim_id from {{ ref('stg_x12__837_claims') }}
            where _load_id > {{ seen }}
                or encounter_id in (
                    select encounter_id from {{ ref('stg_ehr__encounters') }}
                    where _load_id > {{ seen }})))
        or exists (
            select 1 from {{ ref('stg_pm__staff') }} where _load_id > {{ seen }}
            union all
            select 1 from {{ ref('stg_pm__providers') }} where _load_id > {{ seen }}
        )
    {%- else %}
    select work_item_id from {{ ref('stg_pm__work_items') }} where false
    {%- endif %}

),

work_items as (

    select * from {{ ref('stg_pm__work_items') }}
    {{- only_touched('work_item_id', touched='touched_items') }}

),

staff as (

    select staff_id, role, location_id, hourly_cost from {{ ref('stg_pm__staff') }}

),

appointments as (

    select appointment_id, location_id from {{ ref('stg_pm__appointments') }}

),

auths as (

    select
        auths.auth_id,
        coalesce(appointments.location_id, providers.location_id) as location_id
    from {{ ref('stg_pm__prior_auths') }} as auths
    left join appointments
        on auths.appointment_id = appointments.appointment_id
    left join {{ ref('stg_pm__providers') }} as providers
        on auths.provider_id = providers.provider_id

),

claims as (

    -- claim id (CLM01) -> location of the encounter it bills (any version of the claim)
    select
        claim_encounters.claim_id,
        max(encounters.location_id) as location_id
    from {{ ref('stg_x12__837_claims') }} as claim_encounters
    inner join {{ ref('stg_ehr__encounters') }} as encounters
        on claim_encounters.encounter_id = encounters.encounter_id
    group by claim_encounters.claim_id

),

encounters as (

    select encounter_id, location_id from {{ ref('stg_ehr__encounters') }}

),

located as (

    select
        work_items.*,
        staff.role as staff_role,
        staff.hourly_cost,
        case
            when work_items.entity_type = 'appointment' then appointments.location_id
            when work_items.entity_type = 'auth' then auths.location_id
            when work_items.entity_type = 'claim'
                then coalesce(claims.location_id, encounters.location_id)
        end as entity_location_id,
        staff.location_id as staff_location_id
    from work_items
    left join staff
        on work_items.staff_id = staff.staff_id
    left join appointments
        on work_items.entity_type = 'appointment'
        and work_items.entity_id = appointments.appointment_id
    left join auths
        on work_items.entity_type = 'auth'
        and work_items.entity_id = auths.auth_id
    left join claims
        on work_items.entity_type = 'claim'
        and work_items.entity_id = claims.claim_id
    left join encounters
        on work_items.entity_type = 'claim'
        and work_items.entity_id = encounters.encounter_id

),

sequenced as (

    select
        *,
        row_number() over (
            partition by work_type, entity_type, entity_id
            order by started_at, work_item_id
        ) as touch_sequence
    from located

),

final as (

    select
        work_item_id,
        staff_id,
        staff_role,
        work_type,
        entity_type,
        -- A patient is named only by its keyed hash in marts (PHI stays in staging).
        case
            when entity_type = 'patient' then {{ patient_key('entity_id') }}
            else entity_id
        end as entity_id,
        channel,
        started_at,
        completed_at,
        {{ month_of('started_at') }} as started_month,
        completed_at is null as is_open,
        touch_minutes,
        hourly_cost,
        cast(touch_minutes as {{ type_double() }}) / 60.0
            * cast(hourly_cost as {{ type_double() }}) as cost_usd,
        coalesce(entity_location_id, staff_location_id) as location_id,
        case
            when entity_location_id is not null then 'entity'
            when staff_location_id is not null then 'staff'
            else 'unplaced'
        end as location_source,
        channel in ('phone', 'portal', 'fax') as is_manual_channel,
        case
            when work_type in ('eligibility', 'prior_auth', 'claim_followup') then work_type
        end as transaction_type,
        (
            work_type in ('claim_followup', 'denial_appeal')
            or (
                work_type in ('eligibility', 'prior_auth')
                and entity_id is not null
                and touch_sequence > 1
            )
        ) as is_rework,
        outcome,
        _load_id
    from sequenced

)

select * from final
