{#- int_claim_adjudications.denial_writeoff_date of the adjudication row `alias` (see that
    model's header): in one place because its incremental run also uses it to find the
    stored rows whose write-off date moved with the as-of date. -#}
{% macro denial_writeoff_date(alias, is_reprocessed_later, as_of_date) -%}
    case
        when ({{ alias }}.denial_reason_count > 0 or {{ alias }}.is_denial)
            and not {{ alias }}.is_reversal
            and not {{ alias }}.is_reversed
            and coalesce({{ alias }}.primary_denial_category, 'other') <> 'duplicate'
            and not {{ is_reprocessed_later }}
            and {{ dbt.dateadd('day', 120, alias ~ '.adjudication_date') }} <= {{ as_of_date }}
            then cast({{ dbt.dateadd('day', 120, alias ~ '.adjudication_date') }} as date)
    end
{%- endmacro %}

{#- In an incremental run of a keyed mart that copies int_claim_adjudications.
    denial_writeoff_date into `stored_column` (per adjudication; null on rows the write-off
    does not cover): the claims whose stored date is no longer today's, to be replaced
    with the claims the new loads touched. A select of claim_id.
    Only adjudications with a write-off on either side can differ, so both sides are cut
    to those (a few percent of the rows) before they are compared; an adjudication present
    on one side only counts as changed (at worst a claim is recomputed for nothing). -#}
{% macro writeoff_drifted_claims(stored_column) -%}
    select coalesce(stored.claim_id, current_state.claim_id) as claim_id
    from (
        select adjudication_id, any_value(claim_id) as claim_id,
            max({{ stored_column }}) as writeoff_date
        from {{ this }}
        where {{ stored_column }} is not null
        group by adjudication_id
    ) as stored
    full outer join (
        select adjudication_id, claim_id, denial_writeoff_date
        from {{ ref('int_claim_adjudications') }}
        where denial_writeoff_date is not null
    ) as current_state
        on stored.adjudication_id = current_state.adjudication_id
    where stored.writeoff_date is distinct from current_state.denial_writeoff_date
{%- endmacro %}

{#- In an incremental run of a keyed per-claim model that stores a claim's write-off totals
    (denial_writeoff_date: the newest write-off, denial_writeoff_amount: their sum, 0 when
    none): the claims whose totals differ from today's int_claim_adjudications. Only claims
    with a write-off on either side are compared; the newest date suffices as the as-of date
    moves: a write-off that appears is dated after every stored one, one that disappears
    after every remaining one. A select of claim_id. -#}
{% macro writeoff_totals_drifted_claims() -%}
    select coalesce(stored.claim_id, current_state.claim_id) as claim_id
    from (
        select claim_id, denial_writeoff_date, denial_writeoff_amount
        from {{ this }}
        where denial_writeoff_date is not null
    ) as stored
    full outer join (
        select claim_id, max(denial_writeoff_date) as denial_writeoff_date,
            coalesce(sum(coalesce(denial_writeoff_amount, 0)), 0) as denial_writeoff_amount
        from {{ ref('int_claim_adjudications') }}
        where denial_writeoff_date is not null
        group by claim_id
    ) as current_state
        on stored.claim_id = current_state.claim_id
    where stored.denial_writeoff_date is distinct from current_state.denial_writeoff_date
        or stored.denial_writeoff_amount is distinct from current_state.denial_writeoff_amount
{%- endmacro %}

{#- fct_claims.last_activity_at: the newest of the claim's events (`lifecycle`, an
    int_claim_lifecycle row) and of its staff work (`work`, with last_work_started_at); in
    one place because fct_claims' incremental run compares it with the stored value. -#}
{% macro claim_last_activity_at(lifecycle, work) -%}
    cast({{ newest_of([lifecycle ~ '.last_activity_at', work ~ '.last_work_started_at']) }}
        as {{ dbt.type_timestamp() }})
{%- endmacro %}
