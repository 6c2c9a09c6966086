{#- Keyed hash of patient identity: the only patient identifier allowed in marts.
    HMAC-SHA256(phi_key, id) as lowercase hex (DuckDB; other adapters: sha2 of key|id). var('phi_key') defaults to
    env_var('FRICTION_PHI_KEY', 'demo-only-key') in dbt_project.yml. A null id stays null. -#}
{% macro patient_key(column) -%}
    {{ return(adapter.dispatch('patient_key', 'friction')(column)) }}
{%- endmacro %}

{% macro default__patient_key(column) -%}
    case when {{ column }} is null then null
         else sha2(concat({{ dbt.string_literal(var('phi_key')) }}, '|', cast({{ column }} as {{ dbt.type_string() }})), 256)
    end
{%- endmacro %}

{#- HMAC-SHA256 (RFC 2104) in DuckDB SQL, as lowercase hex: DuckDB has sha256 but no hmac.
    K' = the key's UTF-8 bytes (hashed first when longer than the 64-byte block), zero-padded
    to 64 bytes; HMAC = sha256((K' xor opad) || sha256((K' xor ipad) || id)). Every part but
    the id is a constant, which DuckDB folds once per query. -#}
{% macro duckdb__patient_key(column) -%}
    {%- set key = dbt.string_literal(var('phi_key')) -%}
    {%- set key_bytes = "(case when octet_length(encode(" ~ key ~ ")) > 64 then unhex(sha256(" ~ key ~ ")) else encode(" ~ key ~ ") end)" -%}
    {%- set block = "(" ~ key_bytes ~ " || unhex(repeat('00', 64 - octet_length(" ~ key_bytes ~ "))))" -%}
    {%- set inner_pad = "cast(xor(cast(" ~ block ~ " as bit), cast(unhex(repeat('36', 64)) as bit)) as blob)" -%}
    {%- set outer_pad = "cast(xor(cast(" ~ block ~ " as bit), cast(unhex(repeat('5c', 64)) as bit)) as blob)" -%}
    case when {{ column }} is null then null
         else sha256({{ outer_pad }} || unhex(sha256({{ inner_pad }} || encode(cast({{ column }} as {{ dbt.type_string() }})))))
    end
{%- endmacro %}
