-- Grain: one row per PLB adjustment (reason, reference, amount) of an 835 transaction.
-- A positive amount reduces the payment (BPR02 = sum(CLP04) - sum(PLB)).
{{ append_only_config() }}
with source as (

    {{ rows_of_new_loads(source('raw', 'x12_835_provider_adjustments')) }}

),

final as (

    select
        substr(_file_hash, 1, 16) || '/' || cast(st_position as {{ dbt.type_string() }})
            || '/' || cast(_segment_position as {{ dbt.type_string() }})
            || '/' || cast(adjustment_position as {{ dbt.type_string() }})
            as provider_adjustment_id,
        substr(_file_hash, 1, 16) || '/' || cast(st_position as {{ dbt.type_string() }}) as transaction_id,
        provider_id,
        fiscal_period_date,
        adjustment_position,
        upper(trim(reason_code)) as plb_reason_code,
        reference_id,
        amount,
        _segment_position,
        _source_file,
        _load_id,
        _loaded_at
    from source

)

select * from final
