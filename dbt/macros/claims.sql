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
    with the claims the new loads touched. A select of claim_id. -#}
{% macro writeoff_drifted_claims(stored_column) -%}
    select stored.claim_id
    from (
        select adjudication_id, any_value(claim_id) as claim_id,
            max({{ stored_column }}) as writeoff_date
        from {{ this }}
        group by adjudication_id
    ) as stored
    inner join {{ ref('int_claim_adjudications') }} as current_state
        on stored.adjudication_id = current_state.adjudication_id
    where stored.writeoff_date is distinct from current_state.denial_writeoff_date
{%- endmacro %}
