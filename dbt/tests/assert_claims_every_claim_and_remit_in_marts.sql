-- Nothing landed is lost on the way to the marts: every raw 837 claim id is in fct_claims,
-- every raw 835 claim payment in fct_claim_adjudications, every raw 835 transaction in
-- fct_payments and every raw CAS triplet in fct_adjustments. One row per missing item.
select 'x12_837_claims' as source_table, claims.claim_id as missing_key
from {{ source('raw', 'x12_837_claims') }} as claims
left join {{ ref('fct_claims') }} as marts
    on trim(claims.claim_id) = marts.claim_id
where marts.claim_id is null

union all

select 'x12_835_claims', substr(remits._file_hash, 1, 16) || '/' || cast(remits.st_position as {{ dbt.type_string() }})
    || '/' || cast(remits.claim_position as {{ dbt.type_string() }})
from {{ source('raw', 'x12_835_claims') }} as remits
left join {{ ref('fct_claim_adjudications') }} as marts
    on substr(remits._file_hash, 1, 16) || '/' || cast(remits.st_position as {{ dbt.type_string() }})
        || '/' || cast(remits.claim_position as {{ dbt.type_string() }}) = marts.adjudication_id
where marts.adjudication_id is null

union all

select 'x12_transactions', substr(transactions._file_hash, 1, 16) || '/' || cast(transactions.st_position as {{ dbt.type_string() }})
from {{ source('raw', 'x12_transactions') }} as transactions
left join {{ ref('fct_payments') }} as marts
    on substr(transactions._file_hash, 1, 16) || '/' || cast(transactions.st_position as {{ dbt.type_string() }})
        = marts.payment_id
where transactions.transaction_set_id = '835' and marts.payment_id is null

union all

select 'x12_835_adjustments', cast(count(*) as {{ dbt.type_string() }})
from {{ source('raw', 'x12_835_adjustments') }}
having count(*) <> (select count(*) from {{ ref('fct_adjustments') }})
