-- Grain: one row per CAS triplet of an 835 (claim or line level), classified with the CARC
-- seeds: adjustment class, denial category, and whether it is a denial reason (group CO, OA
-- or PI with a CARC that is not a "not a denial" code). An unknown CARC (newer than the
-- 2015 code list) is valid but undescribed and counts as a denial reason of category other.
-- Incremental: one row per staging row, so a run appends the rows of the new loads
-- (macros/incremental.sql; run with --full-refresh after changing the seeds).
{{ append_only_config() }}
with adjustments as (

    {{ rows_of_new_loads(ref('stg_x12__835_adjustments')) }}

),

category_map as (

    select carc_code, is_denial, denial_category, adjustment_class
    from {{ ref('denial_category_map') }}

),

carc_codes as (

    select carc_code, short_label from {{ ref('carc_codes') }}

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
        adjustments.group_code,
        adjustments.carc_code,
        carc_codes.short_label as carc_label,
        carc_codes.carc_code is not null as is_known_carc,
        adjustments.amount,
        adjustments.quantity,
        coalesce(category_map.is_denial, true) as carc_is_denial,
        case
            when adjustments.group_code = 'PR' then 'patient_share'
            else coalesce(category_map.adjustment_class, 'denial')
        end as adjustment_class,
        (
            adjustments.group_code in ('CO', 'OA', 'PI')
            and coalesce(category_map.is_denial, true)
        ) as is_denial_reason,
        (
            adjustments.group_code = 'CO'
            and not coalesce(category_map.is_denial, true)
        ) as is_contractual,
        case
            when adjustments.group_code in ('CO', 'OA', 'PI')
                and coalesce(category_map.is_denial, true)
                then coalesce(category_map.denial_category, 'other')
        end as denial_category,
        -- the CARC's category whatever the group (PR-204 "not covered" is 'other'); used to
        -- name the reason of a claim denied with CLP02 = 4
        case when coalesce(category_map.is_denial, true)
            then coalesce(category_map.denial_category, 'other') end as carc_denial_category,
        adjustments._segment_position,
        adjustments._source_file,
        adjustments._load_id
    from adjustments
    left join category_map
        on adjustments.carc_code = category_map.carc_code
    left join carc_codes
        on adjustments.carc_code = carc_codes.carc_code

)

select * from final
