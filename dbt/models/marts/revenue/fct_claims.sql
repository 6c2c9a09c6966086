-- Grain: one row per claim_id (837 CLM01 / 835 CLP01), with its visit context, charges,
-- first and final adjudication status, money net of reversals and denial flags.
-- Patient identity only as patient_key (keyed hash). Location: the encounter's, else the
-- provider's home location.
with lifecycle as (

    select * from {{ ref('int_claim_lifecycle') }}

),

providers as (

    select provider_id, specialty, location_id as home_location_id
    from {{ ref('dim_provider') }}

),

claim_work as (

    -- staff work on the claim (pm/work_items, entity_type claim)
    select
        entity_id as claim_id,
        sum(case when work_type in ('claim_followup', 'denial_appeal') then 1 else 0 end)
            as followup_work_item_count,
        max(started_at) as last_work_started_at
    from {{ ref('fct_work_items') }}
    where entity_type = 'claim'
    group by entity_id

),

statuses as (

    select claim_status_code, short_label from {{ ref('x12_claim_status_codes') }}

),

final as (

    select
        lifecycle.claim_id,
        {{ patient_key('lifecycle.patient_id') }} as patient_key,
        lifecycle.encounter_id,
        lifecycle.appointment_id,
        lifecycle.provider_id,
        coalesce(lifecycle.location_id, providers.home_location_id) as location_id,
        providers.specialty,
        lifecycle.payer_id,
        lifecycle.service_date,
        {{ month_of('lifecycle.service_date') }} as service_month,
        lifecycle.has_submission,
        lifecycle.has_remit,
        lifecycle.is_original_claim,
        lifecycle.first_submission_date,
        {{ month_of('lifecycle.first_submission_date') }} as first_submission_month,
        lifecycle.submission_lag_days,
        lifecycle.submission_count,
        lifecycle.replacement_count,
        lifecycle.is_voided,
        lifecycle.voided_on,
        lifecycle.prior_auth_number is not null as has_prior_auth_number,
        lifecycle.original_charge,
        lifecycle.current_charge,
        lifecycle.first_adjudicated_on,
        {{ month_of('lifecycle.first_adjudicated_on') }} as first_adjudication_month,
        lifecycle.first_claim_status_code,
        statuses.short_label as first_claim_status,
        lifecycle.first_paid_amount,
        lifecycle.first_adjudicated_charge,
        lifecycle.is_initial_denial,
        lifecycle.has_denial,
        lifecycle.denied_on,
        lifecycle.denial_level,
        lifecycle.denied_amount,
        lifecycle.denial_category,
        lifecycle.denial_group_code,
        lifecycle.denial_carc,
        lifecycle.denial_reason_codes,
        lifecycle.denial_outcome,
        lifecycle.final_status,
        lifecycle.last_claim_status_code,
        lifecycle.adjudication_count,
        lifecycle.reversal_count,
        lifecycle.denial_count,
        lifecycle.denial_event_count,
        lifecycle.payer_paid_amount,
        lifecycle.contractual_adjustment_amount,
        lifecycle.nondenial_adjustment_amount,
        lifecycle.denial_adjustment_amount,
        lifecycle.denial_writeoff_amount,
        lifecycle.denial_writeoff_date,
        lifecycle.co_adjustment_amount,
        lifecycle.oa_adjustment_amount,
        lifecycle.pi_adjustment_amount,
        lifecycle.pr_adjustment_amount,
        lifecycle.cr_adjustment_amount,
        lifecycle.patient_responsibility_amount,
        lifecycle.patient_paid_amount,
        lifecycle.outstanding_balance,
        lifecycle.first_paid_on,
        {{ month_of('lifecycle.first_paid_on') }} as first_paid_month,
        lifecycle.days_to_payment,
        -- rcm.first_pass_resolution_rate: paid at first adjudication, never reversed,
        -- resubmitted, replaced, voided or denied, and no claim_followup / denial_appeal work
        (
            lifecycle.is_first_pass_candidate
            and coalesce(claim_work.followup_work_item_count, 0) = 0
        ) as is_first_pass_resolved,
        coalesce(claim_work.followup_work_item_count, 0) as followup_work_item_count,
        lifecycle.balance_settled_on,
        lifecycle.last_adjudicated_on,
        cast({{ newest_of(['lifecycle.last_activity_at', 'claim_work.last_work_started_at']) }}
            as {{ dbt.type_timestamp() }}) as last_activity_at
    from lifecycle
    left join providers
        on lifecycle.provider_id = providers.provider_id
    left join statuses
        on lifecycle.first_claim_status_code = statuses.claim_status_code
    left join claim_work
        on lifecycle.claim_id = claim_work.claim_id

)

select * from final
