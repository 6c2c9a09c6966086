-- Charges in the marts equal the 837s to the cent. Fails with one row per check that does
-- not reconcile:
--   claims_vs_clm            claim ids in fct_claims with an 837 = distinct raw CLM01
--   original_charge_vs_clm02 sum of fct_claims.original_charge = CLM02 of each claim's first
--                            version (raw, ordered by BHT04/05, load, file, position)
--   clm02_vs_lines           sum of CLM02 = sum of SV102 over every landed claim version
with raw_claims as (

    select
        claims.claim_id,
        claims.total_charge,
        row_number() over (
            partition by claims.claim_id
            order by transactions.creation_date, transactions.creation_time,
                claims._load_id, claims._source_file, claims.st_position, claims.claim_position
        ) as version_number
    from {{ source('raw', 'x12_837_claims') }} as claims
    left join {{ source('raw', 'x12_transactions') }} as transactions
        on claims._file_hash = transactions._file_hash
        and claims.st_position = transactions.st_position

),

checks as (

    select
        'claims_vs_clm' as check_name,
        cast((select count(*) from {{ ref('fct_claims') }} where has_submission)
            as {{ dbt.type_numeric() }}) as mart_total,
        cast((select count(distinct claim_id) from raw_claims) as {{ dbt.type_numeric() }})
            as source_total

    union all

    select
        'original_charge_vs_clm02',
        (select coalesce(sum(original_charge), 0) from {{ ref('fct_claims') }}),
        (select coalesce(sum(total_charge), 0) from raw_claims where version_number = 1)

    union all

    select
        'clm02_vs_lines',
        (select coalesce(sum(total_charge), 0) from {{ source('raw', 'x12_837_claims') }}),
        (select coalesce(sum(charge_amount), 0) from {{ source('raw', 'x12_837_service_lines') }})

)

select *
from checks
where abs(mart_total - source_total) >= 0.005
