-- Grain: one row per payer.
with payers as (

    select * from {{ ref('stg_pm__payers') }}

),

final as (

    select
        payer_id,
        payer_name,
        payer_type,
        payer_x12_id,
        timely_filing_days
    from payers

)

select * from final
