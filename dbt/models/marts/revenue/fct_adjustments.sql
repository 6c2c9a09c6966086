-- Grain: one row per CAS triplet of an 835 (claim level, loop 2100, or line level, loop
-- 2110): group code, CARC with the project's label, amount, and the classification from
-- the seeds: adjustment class, denial category and whether it is a denial reason.
-- Reversal adjudications carry negated triplets, so sums net out what they reverse.
-- Incremental by claim (macros/incremental.sql): the claims the new loads touched, and
-- those whose write-off date moved with the as-of date.
{{ claim_keyed_incremental() }}
with touched_claims as (

    {{ claims_touched_by_new_loads() }}
    {%- if is_incremental() %}
    union
    {{ writeoff_drifted_claims('writeoff_date') }}
    {%- endif %}

),

adjustments as (

    select * from {{ ref('int_claim_adjustment_reasons') }}
    {{- only_touched('claim_id') }}

),

adjudications as (

    select adjudication_id, adjudication_date, payer_id, is_reversal, is_reversed,
        is_first_adjudication, is_denial, denial_writeoff_date
    from {{ ref('int_claim_adjudications') }}
    {{- only_touched('claim_id') }}

),

claims as (

    select claim_id, provider_id, location_id, specialty, service_date
    from {{ ref('fct_claims') }}
    {{- only_touched('claim_id') }}

),

groups as (

    select group_code, short_label from {{ ref('x12_adjustment_group_codes') }}

),

final as (

    select
        adjustments.adjustment_id,
        adjustments.adjudication_id,
        adjustments.adjudication_line_id,
        adjustments.claim_id,
        adjustments.adjustment_level,
        adjustments.line_position,
        adjustments.triplet_position,
        adjudications.adjudication_date,
        {{ month_of('adjudications.adjudication_date') }} as adjudication_month,
        adjudications.is_reversal,
        adjudications.is_reversed,
        adjudications.is_first_adjudication,
        adjudications.payer_id,
        claims.provider_id,
        claims.location_id,
        claims.specialty,
        claims.service_date,
        adjustments.group_code,
        groups.short_label as group_label,
        adjustments.carc_code,
        adjustments.carc_label,
        adjustments.is_known_carc,
        adjustments.amount,
        adjustments.quantity,
        adjustments.adjustment_class,
        adjustments.is_denial_reason,
        adjustments.is_contractual,
        adjustments.denial_category,
        -- denied dollars of this triplet written off (never recovered after 120 days): a
        -- denial reason, or in a claim denial any denial-type CARC (e.g. PR-204)
        case
            when adjustments.is_denial_reason
                or (adjudications.is_denial and adjustments.carc_is_denial)
                then adjudications.denial_writeoff_date
        end as writeoff_date,
        coalesce(adjustments.denial_category, adjustments.carc_denial_category)
            as writeoff_category,
        adjustments._load_id
    from adjustments
    inner join adjudications
        on adjustments.adjudication_id = adjudications.adjudication_id
    left join claims
        on adjustments.claim_id = claims.claim_id
    left join groups
        on adjustments.group_code = groups.group_code

)

select * from final
