-- Grain: one row per functional group (GS..GE) of a landed X12 file, with its ISA envelope.
{{ append_only_config() }}
with source as (

    {{ rows_of_new_loads(source('raw', 'x12_interchanges')) }}

),

final as (

    select
        substr(_file_hash, 1, 16) || '/' || cast(gs_position as {{ dbt.type_string() }}) as functional_group_id,
        _file_hash as file_hash,
        isa_position,
        gs_position,
        sender_id_qualifier,
        trim(sender_id) as sender_id,
        receiver_id_qualifier,
        trim(receiver_id) as receiver_id,
        interchange_date,
        interchange_time,
        interchange_version,
        interchange_control_number,
        usage_indicator,
        element_separator,
        repetition_separator,
        component_separator,
        segment_terminator,
        functional_id,
        application_sender,
        application_receiver,
        group_date,
        group_time,
        group_control_number,
        group_version,
        transaction_count,
        _source_file,
        _load_id,
        _loaded_at
    from source

)

select * from final
