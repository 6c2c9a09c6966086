-- Grain: one row per X12 transaction set (ST..SE): an 837P claim batch or an 835 payment.
-- 837P columns (BHT, submitter, receiver) are null on 835 rows and the 835 columns (BPR, TRN,
-- payer, payee) are null on 837 rows.
{{ append_only_config() }}
with source as (

    {{ rows_of_new_loads(source('raw', 'x12_transactions')) }}

),

renamed as (

    select
        substr(_file_hash, 1, 16) || '/' || cast(st_position as {{ dbt.type_string() }}) as transaction_id,
        _file_hash as file_hash,
        st_position,
        isa_position,
        gs_position,
        transaction_set_id,
        implementation_reference,
        segment_count,
        claim_count,
        -- 837P
        bht_purpose_code,
        originator_reference,
        creation_date,
        creation_time,
        claim_or_encounter,
        submitter_name,
        submitter_id,
        receiver_name,
        receiver_id,
        -- 835
        handling_code,
        payment_amount,
        credit_debit_flag,
        payment_method,
        payment_format,
        payment_date,
        trace_type_code,
        trace_number,
        trace_originator_id,
        production_date,
        payer_name,
        payer_id_qualifier,
        payer_id,
        payer_additional_id,
        payee_name,
        payee_id_qualifier,
        payee_id,
        payee_npi,
        payee_tin,
        total_claim_paid,
        total_provider_adjustments,
        balance_difference,
        unbalanced_claim_count,
        is_balanced,
        _interchange_control as interchange_control_number,
        _group_control as group_control_number,
        _st_control as transaction_control_number,
        _source_file,
        _load_id,
        _loaded_at
    from source

),

final as (

    select
        *,
        -- BHT04 (+ BHT05 HHMM[SS]) = when the 837 batch was created = submission time
        case
            when creation_date is not null then
                {{ dbt.dateadd(
                    'minute',
                    "coalesce(" ~ dbt.safe_cast("substr(creation_time, 1, 2)", "integer") ~ ", 0) * 60 + coalesce("
                        ~ dbt.safe_cast("substr(creation_time, 3, 2)", "integer") ~ ", 0)",
                    "cast(creation_date as timestamp)"
                ) }}
        end as created_at,
        -- BPR02 signed: a debit (BPR03 = D) takes money back from the provider
        case when credit_debit_flag = 'D' then -payment_amount else payment_amount end
            as signed_payment_amount,
        -- the payer's X12 id: REF*2U when sent (N104 then holds another id), else N1*PR N104
        coalesce(nullif(trim(payer_additional_id), ''), nullif(trim(payer_id), ''))
            as payer_x12_id,
        -- the date money moved: BPR16, else the 835 production date DTM*405
        coalesce(payment_date, production_date) as effective_payment_date
    from renamed

)

select * from final
