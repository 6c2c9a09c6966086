"""The raw X12 tables: names, columns, DuckDB types and the X12 element each column comes from.

``X12_TABLES`` is what the loader creates in ``raw`` and what dbt declares as sources. Every
table starts with the lineage columns of RAW_LAYER.md (the loader appends ``_load_id`` and
``_loaded_at``). Rows join back through ``_file_hash`` plus positions:

- ``st_position`` (segment position of the transaction's ST) identifies a transaction in a
  file; ``isa_position`` / ``gs_position`` its interchange and group;
- ``claim_position`` is the claim's 1-based ordinal within its transaction and
  ``line_position`` the service line's ordinal within its claim, so
  ``(_file_hash, st_position, claim_position[, line_position])`` is unique even when one
  transaction repeats a claim id (claim splits, reversals, the same patient twice).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa


@dataclass(frozen=True)
class Column:
    name: str
    duckdb_type: str
    source: str = ""  # the X12 element(s), quoted in quarantine reasons and dbt docs


TEXT, INT, MONEY, QUANTITY, DATE, BOOL = (
    "VARCHAR",
    "BIGINT",
    "DECIMAL(18,2)",
    "DECIMAL(18,4)",
    "DATE",
    "BOOLEAN",
)

LINEAGE = [
    Column("_file_hash", TEXT, "sha256 of the file"),
    Column("_source_file", TEXT, "path relative to the landing folder"),
    Column("_interchange_control", TEXT, "ISA13"),
    Column("_group_control", TEXT, "GS06"),
    Column("_st_control", TEXT, "ST02"),
    Column("_segment_position", INT, "1-based position of the row's anchor segment"),
]

_TRANSACTION_KEY = [Column("st_position", INT, "segment position of the ST")]
_CLAIM_KEY = [*_TRANSACTION_KEY, Column("claim_position", INT, "claim ordinal in the ST")]
_LINE_KEY = [*_CLAIM_KEY, Column("line_position", INT, "line ordinal in the claim")]

_INTERCHANGES = [
    Column("isa_position", INT, "segment position of the ISA"),
    Column("gs_position", INT, "segment position of the GS"),
    Column("sender_id_qualifier", TEXT, "ISA05"),
    Column("sender_id", TEXT, "ISA06"),
    Column("receiver_id_qualifier", TEXT, "ISA07"),
    Column("receiver_id", TEXT, "ISA08"),
    Column("interchange_date", DATE, "ISA09"),
    Column("interchange_time", TEXT, "ISA10"),
    Column("interchange_version", TEXT, "ISA12"),
    Column("interchange_control_number", TEXT, "ISA13"),
    Column("usage_indicator", TEXT, "ISA15"),
    Column("element_separator", TEXT, "ISA byte 4"),
    Column("repetition_separator", TEXT, "ISA11"),
    Column("component_separator", TEXT, "ISA16"),
    Column("segment_terminator", TEXT, "byte after ISA16"),
    Column("functional_id", TEXT, "GS01"),
    Column("application_sender", TEXT, "GS02"),
    Column("application_receiver", TEXT, "GS03"),
    Column("group_date", DATE, "GS04"),
    Column("group_time", TEXT, "GS05"),
    Column("group_control_number", TEXT, "GS06"),
    Column("group_version", TEXT, "GS08"),
    Column("transaction_count", INT, "ST segments in the group"),
]

_TRANSACTIONS = [
    *_TRANSACTION_KEY,
    Column("isa_position", INT, "segment position of the ISA"),
    Column("gs_position", INT, "segment position of the GS"),
    Column("transaction_set_id", TEXT, "ST01"),
    Column("implementation_reference", TEXT, "ST03, else GS08"),
    Column("segment_count", INT, "SE01"),
    Column("claim_count", INT, "CLM or CLP segments"),
    # 837P: BHT and the submitter / receiver loops
    Column("bht_purpose_code", TEXT, "BHT02"),
    Column("originator_reference", TEXT, "BHT03"),
    Column("creation_date", DATE, "BHT04"),
    Column("creation_time", TEXT, "BHT05"),
    Column("claim_or_encounter", TEXT, "BHT06"),
    Column("submitter_name", TEXT, "NM1*41 NM103"),
    Column("submitter_id", TEXT, "NM1*41 NM109"),
    Column("receiver_name", TEXT, "NM1*40 NM103"),
    Column("receiver_id", TEXT, "NM1*40 NM109"),
    # 835: payment, trace, payer and payee
    Column("handling_code", TEXT, "BPR01"),
    Column("payment_amount", MONEY, "BPR02"),
    Column("credit_debit_flag", TEXT, "BPR03"),
    Column("payment_method", TEXT, "BPR04"),
    Column("payment_format", TEXT, "BPR05"),
    Column("payment_date", DATE, "BPR16"),
    Column("trace_type_code", TEXT, "TRN01"),
    Column("trace_number", TEXT, "TRN02"),
    Column("trace_originator_id", TEXT, "TRN03"),
    Column("production_date", DATE, "DTM*405"),
    Column("payer_name", TEXT, "N1*PR N102"),
    Column("payer_id_qualifier", TEXT, "N1*PR N103"),
    Column("payer_id", TEXT, "N1*PR N104"),
    Column("payer_additional_id", TEXT, "REF*2U"),
    Column("payee_name", TEXT, "N1*PE N102"),
    Column("payee_id_qualifier", TEXT, "N1*PE N103"),
    Column("payee_id", TEXT, "N1*PE N104"),
    Column("payee_npi", TEXT, "N1*PE N104 when N103=XX"),
    Column("payee_tin", TEXT, "N1*PE N104 when N103=FI, else REF*TJ"),
    Column("total_claim_paid", MONEY, "sum of CLP04"),
    Column("total_provider_adjustments", MONEY, "sum of PLB amounts"),
    Column("balance_difference", MONEY, "BPR02 (negative when BPR03=D) - (CLP04 - PLB)"),
    Column("unbalanced_claim_count", INT, "claims failing CLP03 - CAS = CLP04"),
    Column("is_balanced", BOOL, "no difference and no unbalanced claim"),
]

_837_CLAIMS = [
    *_CLAIM_KEY,
    Column("claim_id", TEXT, "CLM01"),
    Column("total_charge", MONEY, "CLM02"),
    Column("place_of_service", TEXT, "CLM05-1"),
    Column("facility_code_qualifier", TEXT, "CLM05-2"),
    Column("frequency_code", TEXT, "CLM05-3"),
    Column("payer_claim_control_number", TEXT, "REF*F8"),
    Column("prior_auth_number", TEXT, "REF*G1"),
    Column("encounter_id", TEXT, "REF*EA"),
    Column("principal_diagnosis", TEXT, "HI*ABK/BK code"),
    Column("principal_diagnosis_qualifier", TEXT, "HI01-1 (ABK ICD-10, BK ICD-9)"),
    Column("diagnosis_codes", TEXT, "HI ABK/ABF/BK/BF codes, ':'-joined in order"),
    Column("billing_provider_name", TEXT, "NM1*85 NM103"),
    Column("billing_provider_npi", TEXT, "NM1*85 NM109 (NM108=XX)"),
    Column("billing_provider_tin", TEXT, "REF*EI of loop 2010AA"),
    Column("subscriber_member_id", TEXT, "NM1*IL NM109"),
    Column("subscriber_last_name", TEXT, "NM1*IL NM103"),
    Column("subscriber_first_name", TEXT, "NM1*IL NM104"),
    Column("subscriber_birth_date", DATE, "DMG02 of loop 2010BA"),
    Column("subscriber_sex", TEXT, "DMG03 of loop 2010BA"),
    Column("payer_responsibility", TEXT, "SBR01"),
    Column("relationship_code", TEXT, "PAT01, else SBR02"),
    Column("claim_filing_indicator", TEXT, "SBR09"),
    Column("payer_name", TEXT, "NM1*PR NM103"),
    Column("payer_id", TEXT, "NM1*PR NM109"),
    Column("patient_last_name", TEXT, "NM1*QC NM103 (null: patient is subscriber)"),
    Column("patient_first_name", TEXT, "NM1*QC NM104"),
    Column("patient_birth_date", DATE, "DMG02 of loop 2010CA"),
    Column("patient_sex", TEXT, "DMG03 of loop 2010CA"),
    Column("rendering_provider_npi", TEXT, "NM1*82 NM109 of loop 2310B (NM108=XX)"),
    Column("service_line_count", INT, "LX segments"),
]

_837_LINES = [
    *_LINE_KEY,
    Column("claim_id", TEXT, "CLM01"),
    Column("line_number", INT, "LX01"),
    Column("procedure_qualifier", TEXT, "SV101-1"),
    Column("procedure_code", TEXT, "SV101-2"),
    Column("modifiers", TEXT, "SV101-3..6, ':'-joined"),
    Column("charge_amount", MONEY, "SV102"),
    Column("unit_code", TEXT, "SV103"),
    Column("units", QUANTITY, "SV104"),
    Column("place_of_service", TEXT, "SV105"),
    Column("diagnosis_pointers", TEXT, "SV107, ':'-joined"),
    Column("service_date_from", DATE, "DTP*472 (D8, or RD8 start)"),
    Column("service_date_to", DATE, "DTP*472 (D8, or RD8 end)"),
    Column("line_item_control_number", TEXT, "REF*6R"),
    Column("rendering_provider_npi", TEXT, "NM1*82 NM109 of loop 2420A (NM108=XX)"),
    Column("ndc_code", TEXT, "LIN03 when LIN02=N4"),
]

_835_CLAIMS = [
    *_CLAIM_KEY,
    Column("claim_id", TEXT, "CLP01"),
    Column("claim_status_code", TEXT, "CLP02"),
    Column("total_charge", MONEY, "CLP03"),
    Column("paid_amount", MONEY, "CLP04"),
    Column("patient_responsibility", MONEY, "CLP05"),
    Column("claim_filing_indicator", TEXT, "CLP06"),
    Column("payer_claim_control_number", TEXT, "CLP07"),
    Column("facility_type_code", TEXT, "CLP08"),
    Column("claim_frequency_code", TEXT, "CLP09"),
    Column("patient_last_name", TEXT, "NM1*QC NM103"),
    Column("patient_first_name", TEXT, "NM1*QC NM104"),
    Column("patient_id_qualifier", TEXT, "NM1*QC NM108"),
    Column("patient_member_id", TEXT, "NM1*QC NM109"),
    Column("subscriber_member_id", TEXT, "NM1*IL NM109"),
    Column("rendering_provider_id_qualifier", TEXT, "NM1*82 NM108"),
    Column("rendering_provider_id", TEXT, "NM1*82 NM109"),
    Column("rendering_provider_npi", TEXT, "NM1*82 NM109 when NM108=XX"),
    Column("service_date_from", DATE, "DTM*232"),
    Column("service_date_to", DATE, "DTM*233"),
    Column("received_date", DATE, "DTM*050"),
    Column("moa_remark_codes", TEXT, "MOA03..07, ':'-joined"),
    Column("mia_remark_codes", TEXT, "MIA05, MIA20..23, ':'-joined"),
    Column("claim_adjustment_amount", MONEY, "sum of claim-level CAS amounts"),
    Column("line_adjustment_amount", MONEY, "sum of line-level CAS amounts"),
    Column("service_line_count", INT, "SVC segments"),
    Column("balance_difference", MONEY, "CLP03 - CAS - CLP04 (null without lines)"),
    Column("is_balanced", BOOL, "balance_difference = 0 (null without lines)"),
]

_835_LINES = [
    *_LINE_KEY,
    Column("claim_id", TEXT, "CLP01"),
    Column("procedure_qualifier", TEXT, "SVC01-1"),
    Column("procedure_code", TEXT, "SVC01-2"),
    Column("modifiers", TEXT, "SVC01-3..6, ':'-joined"),
    Column("procedure_composite", TEXT, "SVC01 as sent"),
    Column("charge_amount", MONEY, "SVC02"),
    Column("paid_amount", MONEY, "SVC03"),
    Column("revenue_code", TEXT, "SVC04"),
    Column("units_paid", QUANTITY, "SVC05"),
    Column("original_procedure_code", TEXT, "SVC06-2"),
    Column("original_units", QUANTITY, "SVC07"),
    Column("service_date", DATE, "DTM*472"),
    Column("service_date_from", DATE, "DTM*150"),
    Column("service_date_to", DATE, "DTM*151"),
    Column("line_item_control_number", TEXT, "REF*6R"),
    Column("allowed_amount", MONEY, "AMT*B6"),
    Column("adjustment_amount", MONEY, "sum of the line's CAS amounts"),
]

_835_ADJUSTMENTS = [
    *_LINE_KEY,
    Column("claim_id", TEXT, "CLP01"),
    Column("level", TEXT, "'claim' (loop 2100) or 'line' (loop 2110)"),
    Column("triplet_position", INT, "1..6 within the CAS segment"),
    Column("group_code", TEXT, "CAS01"),
    Column("reason_code", TEXT, "CAS02/05/08/11/14/17"),
    Column("amount", MONEY, "CAS03/06/09/12/15/18"),
    Column("quantity", QUANTITY, "CAS04/07/10/13/16/19"),
]

_835_REMARKS = [
    *_LINE_KEY,
    Column("claim_id", TEXT, "CLP01"),
    Column("level", TEXT, "'claim' (MOA/MIA) or 'line' (LQ)"),
    Column("source_element", TEXT, "e.g. LQ02, MOA03, MIA05"),
    Column("code_list_qualifier", TEXT, "LQ01 (HE = RARC); null for MOA/MIA"),
    Column("remark_code", TEXT, "the code"),
]

_835_PROVIDER_ADJUSTMENTS = [
    *_TRANSACTION_KEY,
    Column("provider_id", TEXT, "PLB01"),
    Column("fiscal_period_date", DATE, "PLB02"),
    Column("adjustment_position", INT, "1..6 within the PLB segment"),
    Column("reason_code", TEXT, "PLB03-1 (and 05-1, ...)"),
    Column("reference_id", TEXT, "PLB03-2"),
    Column("amount", MONEY, "PLB04 (and 06, ...)"),
]

_DEFINITIONS: dict[str, list[Column]] = {
    "x12_interchanges": _INTERCHANGES,
    "x12_transactions": _TRANSACTIONS,
    "x12_837_claims": _837_CLAIMS,
    "x12_837_service_lines": _837_LINES,
    "x12_835_claims": _835_CLAIMS,
    "x12_835_service_lines": _835_LINES,
    "x12_835_adjustments": _835_ADJUSTMENTS,
    "x12_835_remarks": _835_REMARKS,
    "x12_835_provider_adjustments": _835_PROVIDER_ADJUSTMENTS,
}

TABLE_COLUMNS: dict[str, list[Column]] = {
    name: [*LINEAGE, *columns] for name, columns in _DEFINITIONS.items()
}

X12_TABLES: dict[str, list[tuple[str, str]]] = {
    name: [(column.name, column.duckdb_type) for column in columns]
    for name, columns in TABLE_COLUMNS.items()
}

_ARROW_TYPES = {
    TEXT: pa.large_string(),
    INT: pa.int64(),
    MONEY: pa.decimal128(18, 2),
    QUANTITY: pa.decimal128(18, 4),
    DATE: pa.date32(),
    BOOL: pa.bool_(),
}


def arrow_schema(table: str) -> pa.Schema:
    """The pyarrow schema a reader result table has for ``table``."""
    return pa.schema(
        [(column.name, _ARROW_TYPES[column.duckdb_type]) for column in TABLE_COLUMNS[table]]
    )
