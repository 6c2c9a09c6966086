-- Grain: one row per 835 service line (SVC) of one claim adjudication; an adjudication
-- without line detail contributes one claim-level row (line_position 0) so that every
-- adjudicated claim has at least one adjudicated "line".
-- Line denial (metrics.md, line level): the line pays $0 with a line-level CO, OA or PI
-- adjustment whose CARC is a denial reason; or the claim is denied and the line pays $0
-- with a denial-type CARC of any group (e.g. PR-204), or no line of the claim carries one
-- (a claim-level denial covers every line). In a denied claim, a line that paid $0 only
-- for deductible or contract reasons is not a denied line. A line
-- denied while the claim as a whole was not denied is a partial denial.
-- Incremental by claim (macros/incremental.sql): no column depends on the as-of date.
{{ claim_keyed_incremental() }}
with touched_claims as (

    {{ claims_touched_by_new_loads() }}

),

adjudications as (

    select * from {{ ref('int_claim_adjudications') }}
    {{- only_touched('claim_id') }}

),

service_lines as (

    select * from {{ ref('stg_x12__835_service_lines') }}
    {{- only_touched('claim_id') }}

),

line_reasons as (

    select
        adjudication_line_id,
        sum(case when is_denial_reason then 1 else 0 end) as denial_reason_count,
        sum(case when carc_is_denial then 1 else 0 end) as denial_carc_count,
        sum(case when is_denial_reason then amount else 0 end) as denial_adjustment_amount,
        sum(case when is_contractual then amount else 0 end) as contractual_amount,
        sum(case when group_code = 'PR' then amount else 0 end) as patient_responsibility_amount,
        sum(amount) as adjustment_amount
    from {{ ref('int_claim_adjustment_reasons') }}
    where adjustment_level = 'line'
    {{- only_touched('claim_id', 'and') }}
    group by adjudication_line_id

),

primary_line_reason as (

    select adjudication_line_id, group_code, carc_code, denial_category
    from (
        select
            *,
            row_number() over (
                partition by adjudication_line_id
                order by abs(amount) desc, _segment_position, triplet_position
            ) as reason_rank
        from {{ ref('int_claim_adjustment_reasons') }}
        where adjustment_level = 'line' and is_denial_reason
        {{- only_touched('claim_id', 'and') }}
    ) as ranked
    where reason_rank = 1

),

detailed as (

    select
        service_lines.adjudication_line_id,
        service_lines.adjudication_id,
        service_lines.claim_id,
        service_lines.line_position,
        service_lines.procedure_code,
        service_lines.modifiers,
        service_lines.service_date,
        service_lines.line_item_control_number,
        service_lines.charge_amount,
        service_lines.paid_amount,
        service_lines.allowed_amount,
        service_lines.units_paid,
        coalesce(line_reasons.adjustment_amount, 0) as adjustment_amount,
        coalesce(line_reasons.contractual_amount, 0) as contractual_amount,
        coalesce(line_reasons.patient_responsibility_amount, 0) as patient_responsibility_amount,
        coalesce(line_reasons.denial_adjustment_amount, 0) as denial_adjustment_amount,
        coalesce(line_reasons.denial_reason_count, 0) as denial_reason_count,
        coalesce(line_reasons.denial_carc_count, 0) as denial_carc_count,
        primary_line_reason.group_code as line_denial_group_code,
        primary_line_reason.carc_code as line_denial_carc,
        primary_line_reason.denial_category as line_denial_category,
        true as has_line_detail
    from service_lines
    left join line_reasons
        on service_lines.adjudication_line_id = line_reasons.adjudication_line_id
    left join primary_line_reason
        on service_lines.adjudication_line_id = primary_line_reason.adjudication_line_id

),

claim_level_only as (

    select
        adjudications.adjudication_id || '/0' as adjudication_line_id,
        adjudications.adjudication_id,
        adjudications.claim_id,
        0 as line_position,
        cast(null as {{ dbt.type_string() }}) as procedure_code,
        cast(null as {{ dbt.type_string() }}) as modifiers,
        adjudications.service_date_from as service_date,
        cast(null as {{ dbt.type_string() }}) as line_item_control_number,
        adjudications.total_charge as charge_amount,
        adjudications.paid_amount,
        cast(null as {{ dbt.type_numeric() }}) as allowed_amount,
        cast(null as {{ dbt.type_numeric() }}) as units_paid,
        adjudications.adjustment_amount,
        adjudications.contractual_amount,
        adjudications.pr_amount as patient_responsibility_amount,
        adjudications.denial_adjustment_amount,
        adjudications.denial_reason_count,
        adjudications.denial_reason_count as denial_carc_count,
        adjudications.primary_denial_group_code as line_denial_group_code,
        adjudications.primary_denial_carc as line_denial_carc,
        adjudications.primary_denial_category as line_denial_category,
        false as has_line_detail
    from adjudications
    where not exists (
        select 1 from service_lines
        where service_lines.adjudication_id = adjudications.adjudication_id
    )

),

unioned as (

    select * from detailed
    union all
    select * from claim_level_only

),

flagged as (

    select
        unioned.*,
        adjudications.adjudication_sequence,
        adjudications.is_first_adjudication,
        adjudications.adjudication_date,
        adjudications.payer_id,
        adjudications.is_reversal,
        adjudications.is_reversed,
        adjudications.is_denial as is_claim_denial,
        adjudications.primary_denial_group_code,
        adjudications.primary_denial_carc,
        adjudications.primary_denial_category,
        adjudications._load_id,
        (
            not adjudications.is_reversal
            and (
                (unioned.paid_amount = 0 and unioned.denial_reason_count > 0)
                or (
                    adjudications.is_denial
                    and (
                        (unioned.paid_amount = 0 and unioned.denial_carc_count > 0)
                        or adjudications.denial_carc_line_count = 0
                    )
                )
            )
        ) as is_line_denial
    from unioned
    inner join adjudications
        on unioned.adjudication_id = adjudications.adjudication_id

),

final as (

    select
        adjudication_line_id,
        adjudication_id,
        claim_id,
        line_position,
        has_line_detail,
        adjudication_sequence,
        is_first_adjudication,
        adjudication_date,
        payer_id,
        is_reversal,
        is_reversed,
        procedure_code,
        modifiers,
        service_date,
        line_item_control_number,
        charge_amount,
        paid_amount,
        allowed_amount,
        units_paid,
        adjustment_amount,
        contractual_amount,
        patient_responsibility_amount,
        denial_adjustment_amount,
        is_line_denial,
        -- denied while the claim as a whole was not: a partial (line-level) denial
        (is_line_denial and not is_claim_denial) as is_partial_denial_line,
        case when is_line_denial
            then coalesce(line_denial_group_code, primary_denial_group_code) end
            as denial_group_code,
        case when is_line_denial
            then coalesce(line_denial_carc, primary_denial_carc) end as denial_carc,
        case when is_line_denial
            then coalesce(line_denial_category, primary_denial_category, 'other') end
            as denial_category,
        _load_id
    from flagged

)

select * from final
