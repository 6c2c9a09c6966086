-- Grain: one row per patient, identified only by patient_key (keyed hash of patient_id).
-- De-identified along HIPAA Safe Harbor lines: no name, MRN, member id or birth date; age
-- as a band (90+ pooled); ZIP reduced to its first three digits, and to 000 for the
-- three-digit areas with fewer than 20,000 people.
with patients as (

    select * from {{ ref('stg_pm__patients') }}

),

aged as (

    select
        patient_id,
        sex,
        primary_payer_id,
        zip_code,
        {{ dbt.datediff('birth_date', as_of_date(), 'year') }}
            - case
                when {{ date_part_int('month', as_of_date()) }} * 100 + {{ date_part_int('day', as_of_date()) }}
                    < {{ date_part_int('month', 'birth_date') }} * 100 + {{ date_part_int('day', 'birth_date') }}
                then 1 else 0
            end as age_years
    from patients

),

final as (

    select
        {{ patient_key('patient_id') }} as patient_key,
        case
            when age_years is null then 'unknown'
            when age_years < 18 then '0-17'
            when age_years < 35 then '18-34'
            when age_years < 50 then '35-49'
            when age_years < 65 then '50-64'
            when age_years < 75 then '65-74'
            when age_years < 90 then '75-89'
            else '90+'
        end as age_band,
        coalesce(sex, 'U') as sex,
        case
            when zip_code is null or length(zip_code) < 3 then null
            when substr(zip_code, 1, 3) in (
                '036', '059', '063', '102', '203', '556', '692', '790', '821', '823', '830',
                '831', '878', '879', '884', '890', '893'
            ) then '000'
            else substr(zip_code, 1, 3)
        end as zip3,
        primary_payer_id
    from aged

)

select * from final
