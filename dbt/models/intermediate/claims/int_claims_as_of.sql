-- Grain: exactly one row: the "as of" date of the claims models (ages, A/R cut-off, when an
-- unrecovered denial counts as written off). var('as_of') when set; otherwise the newest
-- claims event in the data (837 submission, 835 payment or patient payment), so that a
-- rebuild of the same data gives the same answer whatever day it runs.
with events as (

    select max(creation_date) as event_date
    from {{ ref('stg_x12__transactions') }}

    union all

    select max(effective_payment_date)
    from {{ ref('stg_x12__transactions') }}

    union all

    select max(cast(received_at as date))
    from {{ ref('stg_pm__patient_payments') }}

),

final as (

    -- one row whatever the branch (the var branch once returned a row per event source)
    select
        {%- if var('as_of', '') %}
        cast(cast('{{ var("as_of") }}' as {{ dbt.type_timestamp() }}) as date) as as_of_date
        {%- else %}
        coalesce(max(event_date), cast({{ dbt.current_timestamp() }} as date)) as as_of_date
        {%- endif %}
    from (select max(event_date) as event_date from events) as newest

)

select * from final
