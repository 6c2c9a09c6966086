-- Grain: one row per 835 claim payment (CLP): every adjudication, reversal and
-- re-adjudication of a claim, numbered per claim_id in the order the money moved (payment
-- date BPR16, else DTM*405; then the payer's receipt date DTM*050, so that the answer to an
-- earlier submission comes first; then load order and position in the file).
-- Denial (metrics.md): CLP02 = 4, or CLP04 = 0 with any CO, OA or PI adjustment (claim or
-- line level) whose CARC is not a "not a denial" code (seed denial_category_map; a CARC
-- missing from the seed counts as a denial of category other). Reversals (CLP02 = 22) are
-- never denials; each cancels the earlier payment of the same claim it mirrors (the latest
-- earlier non-reversal adjudication, preferring one with the opposite CLP04 and the same
-- CLP07), and its negative amounts net that payment out of every sum.
-- A denial event is a claim denial, or a line denial (a line paying $0 with a line-level
-- denial reason) while the rest of the claim paid; denied_amount is the charges of the denied
-- lines (the claim charge, CLP03, when no line carries a denial reason). Denied dollars count as written off 120 days after the
-- adjudication when it was never reversed and no later adjudication re-processed the claim
-- without a claim denial; duplicate-claim denials (CARC 18, B13) are never written off: the
-- money belongs to the original adjudication.
-- Incremental by claim (macros/incremental.sql): a run recomputes the claims touched by the
-- new loads, and the claims whose stored write-off date is no longer the one of today's
-- as-of date (denials that reached 120 days since the last run, or an as-of moved back).
{{ claim_keyed_incremental() }}
with touched_claims as (

    {{ claims_touched_by_new_loads() }}
    {%- if is_incremental() %}
    union
    select stored.claim_id
    from {{ this }} as stored
    cross join {{ ref('int_claims_as_of') }} as as_of
    where stored.denial_writeoff_date is distinct from {{ denial_writeoff_date(
        'stored', 'stored.is_reprocessed_later', 'as_of.as_of_date') }}
    {%- endif %}

),

remits as (

    select * from {{ ref('stg_x12__835_claims') }}
    {{- only_touched('claim_id') }}

),

transactions as (

    select
        transaction_id,
        effective_payment_date,
        payment_date,
        production_date,
        trace_number,
        payer_x12_id,
        payer_name,
        payment_method,
        _load_id as transaction_load_id,
        _source_file as transaction_source_file
    from {{ ref('stg_x12__transactions') }}

),

payers as (

    select payer_id, payer_x12_id from {{ ref('stg_pm__payers') }}
    where payer_x12_id is not null

),

adjustments as (

    select
        adjudication_id,
        adjudication_line_id,
        adjustment_level,
        line_position,
        triplet_position,
        group_code,
        carc_code,
        amount,
        is_denial_reason,
        carc_is_denial,
        is_contractual,
        denial_category,
        carc_denial_category,
        _segment_position
    from {{ ref('int_claim_adjustment_reasons') }}
    {{- only_touched('claim_id') }}

),

line_reasons as (

    select
        adjudication_line_id,
        max(case when is_denial_reason then 1 else 0 end) as has_denial_reason,
        max(case when carc_is_denial then 1 else 0 end) as has_denial_carc
    from adjustments
    where adjustment_level = 'line'
    group by adjudication_line_id

),

line_denials as (

    -- lines paying $0 with a line-level denial reason (CO, OA, PI), and lines paying $0
    -- with a denial-type CARC in any group (which lines a CLP02 = 4 denial really denied)
    select
        service_lines.adjudication_id,
        count(*) as line_count,
        sum(case when service_lines.paid_amount = 0 and line_reasons.has_denial_reason = 1
            then 1 else 0 end) as denied_line_count,
        sum(case when service_lines.paid_amount = 0 and line_reasons.has_denial_reason = 1
            then service_lines.charge_amount else 0 end) as denied_line_charge,
        sum(case when service_lines.paid_amount = 0 and line_reasons.has_denial_carc = 1
            then 1 else 0 end) as denial_carc_line_count,
        sum(case when service_lines.paid_amount = 0 and line_reasons.has_denial_carc = 1
            then service_lines.charge_amount else 0 end) as denial_carc_line_charge
    from {{ ref('stg_x12__835_service_lines') }} as service_lines
    left join line_reasons
        on service_lines.adjudication_line_id = line_reasons.adjudication_line_id
    {{- only_touched('service_lines.claim_id') }}
    group by service_lines.adjudication_id

),

adjustment_totals as (

    select
        adjudication_id,
        count(*) as adjustment_count,
        sum(amount) as adjustment_amount,
        sum(case when group_code = 'CO' then amount else 0 end) as co_amount,
        sum(case when group_code = 'OA' then amount else 0 end) as oa_amount,
        sum(case when group_code = 'PI' then amount else 0 end) as pi_amount,
        sum(case when group_code = 'PR' then amount else 0 end) as pr_amount,
        sum(case when group_code = 'CR' then amount else 0 end) as cr_amount,
        sum(case when is_contractual then amount else 0 end) as contractual_amount,
        sum(case when is_denial_reason then amount else 0 end) as denial_adjustment_amount,
        sum(case when carc_is_denial then amount else 0 end) as denial_carc_amount,
        sum(case when is_denial_reason then 1 else 0 end) as denial_reason_count,
        sum(case when is_denial_reason and adjustment_level = 'line' then 1 else 0 end)
            as line_denial_reason_count
    from adjustments
    group by adjudication_id

),

primary_denial_reason as (

    -- the denial reason carrying the most dollars decides the claim's denial category
    -- (CO, OA, PI reasons first; a denial-type CARC of another group, e.g. PR-204, names
    -- the reason of a CLP02 = 4 denial that has no other)
    select
        adjudication_id,
        group_code,
        carc_code,
        coalesce(denial_category, carc_denial_category) as denial_category
    from (
        select
            *,
            row_number() over (
                partition by adjudication_id
                order by
                    case when is_denial_reason then 0 else 1 end,
                    abs(amount) desc,
                    case when adjustment_level = 'claim' then 0 else 1 end,
                    coalesce(line_position, 0),
                    _segment_position,
                    triplet_position
            ) as reason_rank
        from adjustments
        where carc_is_denial
    ) as ranked
    where reason_rank = 1

),

denial_carc_lists as (

    select
        adjudication_id,
        {{ dbt.listagg('reason_code', "','", 'order by reason_code') }} as denial_reason_codes
    from (
        select distinct adjudication_id, group_code || '-' || carc_code as reason_code
        from adjustments
        where is_denial_reason
    ) as distinct_reasons
    group by adjudication_id

),

joined as (

    select
        remits.adjudication_id,
        remits.transaction_id,
        remits.claim_id,
        remits.claim_status_code,
        remits.claim_status_code = '22' as is_reversal,
        remits.total_charge,
        remits.paid_amount,
        remits.patient_responsibility,
        remits.payer_claim_control_number,
        remits.claim_frequency_code,
        remits.rendering_provider_npi,
        remits.service_date_from,
        remits.received_date,
        remits.service_line_count,
        coalesce(line_denials.line_count, 0) as line_count,
        coalesce(line_denials.denied_line_count, 0) as denied_line_count,
        coalesce(line_denials.denied_line_charge, 0) as denied_line_charge,
        coalesce(line_denials.denial_carc_line_count, 0) as denial_carc_line_count,
        coalesce(line_denials.denial_carc_line_charge, 0) as denial_carc_line_charge,
        remits.is_balanced,
        transactions.effective_payment_date as adjudication_date,
        transactions.payment_date,
        transactions.production_date,
        transactions.trace_number,
        transactions.payer_x12_id,
        transactions.payer_name,
        payers.payer_id,
        coalesce(adjustment_totals.adjustment_count, 0) as adjustment_count,
        coalesce(adjustment_totals.adjustment_amount, 0) as adjustment_amount,
        coalesce(adjustment_totals.co_amount, 0) as co_amount,
        coalesce(adjustment_totals.oa_amount, 0) as oa_amount,
        coalesce(adjustment_totals.pi_amount, 0) as pi_amount,
        coalesce(adjustment_totals.pr_amount, 0) as pr_amount,
        coalesce(adjustment_totals.cr_amount, 0) as cr_amount,
        coalesce(adjustment_totals.contractual_amount, 0) as contractual_amount,
        coalesce(adjustment_totals.denial_adjustment_amount, 0) as denial_adjustment_amount,
        coalesce(adjustment_totals.denial_carc_amount, 0) as denial_carc_amount,
        coalesce(adjustment_totals.denial_reason_count, 0) as denial_reason_count,
        coalesce(adjustment_totals.line_denial_reason_count, 0) as line_denial_reason_count,
        primary_denial_reason.group_code as primary_denial_group_code,
        primary_denial_reason.carc_code as primary_denial_carc,
        primary_denial_reason.denial_category as primary_denial_category,
        denial_carc_lists.denial_reason_codes,
        transactions.transaction_load_id,
        transactions.transaction_source_file,
        remits.st_position,
        remits.claim_position
    from remits
    left join transactions
        on remits.transaction_id = transactions.transaction_id
    left join payers
        on transactions.payer_x12_id = payers.payer_x12_id
    left join adjustment_totals
        on remits.adjudication_id = adjustment_totals.adjudication_id
    left join primary_denial_reason
        on remits.adjudication_id = primary_denial_reason.adjudication_id
    left join denial_carc_lists
        on remits.adjudication_id = denial_carc_lists.adjudication_id
    left join line_denials
        on remits.adjudication_id = line_denials.adjudication_id

),

flagged as (

    select
        *,
        (
            not is_reversal
            and (
                claim_status_code = '4'
                or (paid_amount = 0 and denial_reason_count > 0)
            )
        ) as is_denial
    from joined

),

-- window functions on narrow rows (the wide rows make the sorts expensive)
ordering as (

    select
        adjudication_id,
        claim_id,
        is_reversal,
        is_denial,
        paid_amount,
        payer_claim_control_number,
        row_number() over (
            partition by claim_id
            order by
                adjudication_date,
                received_date,
                transaction_load_id,
                transaction_source_file,
                st_position,
                claim_position
        ) as adjudication_sequence
    from flagged

),

sequenced as (

    select
        adjudication_id,
        claim_id,
        is_reversal,
        paid_amount,
        payer_claim_control_number,
        adjudication_sequence,
        row_number() over (
            partition by claim_id, is_reversal order by adjudication_sequence
        ) as type_sequence,
        -- the last adjudication that re-processed the claim without denying it
        max(case when not is_reversal and not is_denial then adjudication_sequence end)
            over (partition by claim_id) as last_processed_sequence
    from ordering

),

reversal_candidates as (

    select
        reversals.adjudication_id as reversal_id,
        originals.adjudication_id as reversed_id,
        row_number() over (
            partition by reversals.adjudication_id
            order by
                case when originals.paid_amount = -reversals.paid_amount then 0 else 1 end,
                case
                    when originals.payer_claim_control_number = reversals.payer_claim_control_number
                        then 0
                    else 1
                end,
                originals.adjudication_sequence desc
        ) as candidate_rank
    from sequenced as reversals
    inner join sequenced as originals
        on reversals.claim_id = originals.claim_id
        and originals.adjudication_sequence < reversals.adjudication_sequence
        and not originals.is_reversal
    where reversals.is_reversal

),

reversal_links as (

    select reversal_id, reversed_id
    from reversal_candidates
    where candidate_rank = 1

),

linked as (

    select
        flagged.*,
        (flagged.is_denial or (not flagged.is_reversal and flagged.denied_line_count > 0))
            as is_denial_event,
        sequenced.adjudication_sequence,
        sequenced.type_sequence,
        sequenced.last_processed_sequence,
        reverses.reversed_id as reverses_adjudication_id,
        reversed_by.reversal_id as reversed_by_adjudication_id,
        reversed_by.reversal_id is not null as is_reversed
    from flagged
    inner join sequenced
        on flagged.adjudication_id = sequenced.adjudication_id
    left join reversal_links as reverses
        on flagged.adjudication_id = reverses.reversal_id
    left join (
        -- two reversals of one payment: the first one counts
        select reversed_id, min(reversal_id) as reversal_id
        from reversal_links
        group by reversed_id
    ) as reversed_by
        on flagged.adjudication_id = reversed_by.reversed_id

),

reversal_dates as (

    select adjudication_id, adjudication_date as reversal_date
    from joined
    where is_reversal

),

as_of as (

    select as_of_date from {{ ref('int_claims_as_of') }}

),

dated as (

    select
        linked.adjudication_id,
        linked.transaction_id,
        linked.claim_id,
        linked.adjudication_sequence,
        -- the first adjudication of a claim: its first CLP that is not a reversal
        (not linked.is_reversal and linked.type_sequence = 1) as is_first_adjudication,
        linked.adjudication_date,
        linked.payment_date,
        linked.production_date,
        linked.trace_number,
        linked.payer_id,
        linked.payer_x12_id,
        linked.payer_name,
        linked.claim_status_code,
        linked.is_reversal,
        linked.reverses_adjudication_id,
        linked.is_reversed,
        linked.reversed_by_adjudication_id,
        reversal_dates.reversal_date as reversed_on,
        linked.is_denial,
        linked.is_denial_event,
        case
            when linked.is_denial then 'claim'
            when linked.is_denial_event then 'line'
        end as denial_level,
        -- denied dollars: the charges of the denied lines (in a denied claim, the $0 lines
        -- with a denial-type CARC of any group); the claim charge when no line says which
        case
            when linked.is_denial and linked.denial_carc_line_count > 0
                then linked.denial_carc_line_charge
            when linked.is_denial then linked.total_charge
            when linked.is_denial_event then linked.denied_line_charge
        end as denied_amount,
        linked.line_count,
        linked.denied_line_count,
        linked.denial_carc_line_count,
        linked.paid_amount > 0 and not linked.is_reversal as is_paid,
        linked.total_charge,
        linked.paid_amount,
        linked.patient_responsibility,
        linked.adjustment_count,
        linked.adjustment_amount,
        linked.co_amount,
        linked.oa_amount,
        linked.pi_amount,
        linked.pr_amount,
        linked.cr_amount,
        linked.contractual_amount,
        linked.denial_adjustment_amount,
        linked.denial_carc_amount,
        linked.denial_reason_count,
        linked.line_denial_reason_count,
        linked.denial_reason_codes,
        linked.primary_denial_group_code,
        linked.primary_denial_carc,
        linked.primary_denial_category,
        coalesce(linked.last_processed_sequence > linked.adjudication_sequence, false)
            as is_reprocessed_later,
        -- denied dollars count as written off 120 days after this adjudication when nothing
        -- recovered them (see the header); they are the denial-reason adjustments, and in a
        -- claim denial every denial-type CARC whatever its group (PR-204 "not covered")
        {{ denial_writeoff_date(
            'linked',
            'coalesce(linked.last_processed_sequence > linked.adjudication_sequence, false)',
            'as_of.as_of_date',
        ) }} as denial_writeoff_date,
        case when linked.is_denial then linked.denial_carc_amount
            else linked.denial_adjustment_amount end as writeoff_basis_amount,
        linked.payer_claim_control_number,
        linked.claim_frequency_code,
        linked.rendering_provider_npi,
        linked.service_date_from,
        linked.received_date,
        linked.service_line_count,
        linked.is_balanced,
        linked.transaction_source_file as _source_file,
        linked.transaction_load_id as _load_id
    from linked
    cross join as_of
    left join reversal_dates
        on linked.reversed_by_adjudication_id = reversal_dates.adjudication_id

),

final as (

    select
        *,
        case when denial_writeoff_date is not null then writeoff_basis_amount end
            as denial_writeoff_amount
    from dated

)

select * from final
