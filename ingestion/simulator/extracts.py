"""The CSV extracts of shared/spec/extracts.md as the simulator stores them.

Column order follows the contract. Identifier formats are the simulator's own choice; the
contract only asks for text.
"""

from __future__ import annotations

from .. import contracts
from .payers import PAYERS
from .tables import Col, Kind, TableSpec, enum_col, id_col

# Closed value lists come from the contract itself, so the simulator cannot drift from it.
ROLES = contracts.STAFF_ROLES
APPOINTMENT_TYPES = contracts.APPOINTMENT_TYPES
SEXES = contracts.SEXES
PAYER_IDS = tuple(p.payer_id for p in PAYERS)
APPOINTMENT_STATUSES = contracts.APPOINTMENT_STATUSES
CANCEL_REASONS = contracts.CANCEL_REASONS
CANCELLED_BY = contracts.CANCELLED_BY
SLOT_TYPES = contracts.SLOT_TYPES
CHECK_CHANNELS = contracts.ELIGIBILITY_CHANNELS
CHECK_RESULTS = contracts.ELIGIBILITY_RESULTS
URGENCIES = contracts.AUTH_URGENCIES
AUTH_CHANNELS = contracts.AUTH_CHANNELS
AUTH_DECISIONS = contracts.AUTH_DECISIONS
WORK_TYPES = contracts.WORK_TYPES
ENTITY_TYPES = contracts.WORK_ENTITY_TYPES
WORK_CHANNELS = contracts.WORK_CHANNELS
PAYMENT_METHODS = contracts.PAYMENT_METHODS

LOCATION = id_col("location_id", "L", 2)
PROVIDER = id_col("provider_id", "PRV", 4)
STAFF = id_col("staff_id", "S", 4)
PATIENT = id_col("patient_id", "P", 7)
APPOINTMENT = id_col("appointment_id", "A", 8)
ENCOUNTER = id_col("encounter_id", "V", 8)
CLAIM = id_col("claim_id", "C", 8)
AUTH = id_col("auth_id", "AU", 7)
PAYER = enum_col("payer_id", PAYER_IDS)


def _ts(name: str) -> Col:
    return Col(name, Kind.TS)


def _text(name: str) -> Col:
    return Col(name, Kind.TEXT)


LOCATIONS = TableSpec(
    "pm/locations", (LOCATION, _text("location_name"), _text("state"), Col("opened_on", Kind.DATE))
)
PROVIDERS = TableSpec(
    "pm/providers",
    (
        PROVIDER,
        _text("npi"),
        _text("provider_name"),
        _text("specialty"),
        LOCATION,
        Col("fte", Kind.TENTHS),
        Col("active_from", Kind.DATE),
        Col("active_to", Kind.DATE),
    ),
)
PAYERS_TABLE = TableSpec(
    "pm/payers",
    (
        PAYER,
        _text("payer_name"),
        _text("payer_type"),
        _text("payer_x12_id"),
        Col("timely_filing_days", Kind.INT),
    ),
)
STAFF_TABLE = TableSpec(
    "pm/staff",
    (
        STAFF,
        enum_col("role", ROLES),
        LOCATION,
        Col("fte", Kind.TENTHS),
        Col("hourly_cost", Kind.MONEY),
    ),
)
PATIENTS = TableSpec(
    "pm/patients",
    (
        PATIENT,
        _text("mrn"),
        _text("first_name"),
        _text("last_name"),
        Col("birth_date", Kind.DATE),
        enum_col("sex", SEXES),
        _text("zip"),
        enum_col("primary_payer_id", PAYER_IDS),
        _text("member_id"),
    ),
)
APPOINTMENTS = TableSpec(
    "pm/appointments",
    (
        APPOINTMENT,
        PATIENT,
        PROVIDER,
        LOCATION,
        enum_col("appointment_type", APPOINTMENT_TYPES),
        _ts("requested_at"),
        _ts("booked_at"),
        _ts("scheduled_start"),
        Col("duration_min", Kind.INT),
        enum_col("status", APPOINTMENT_STATUSES),
        _ts("status_changed_at"),
        enum_col("cancel_reason", CANCEL_REASONS),
        enum_col("cancelled_by", CANCELLED_BY),
        id_col("rescheduled_from_id", "A", 8),
        _ts("checked_in_at"),
        Col("copay_due", Kind.MONEY),
        Col("copay_collected", Kind.MONEY),
    ),
)
OPEN_SLOTS = TableSpec(
    "pm/open_slots",
    (
        Col("snapshot_date", Kind.DATE),
        PROVIDER,
        _ts("slot_start"),
        Col("slot_minutes", Kind.INT),
        enum_col("slot_type", SLOT_TYPES),
    ),
)
ELIGIBILITY_CHECKS = TableSpec(
    "pm/eligibility_checks",
    (
        id_col("check_id", "E", 8),
        PATIENT,
        PAYER,
        APPOINTMENT,
        _ts("requested_at"),
        _ts("responded_at"),
        enum_col("channel", CHECK_CHANNELS),
        STAFF,
        enum_col("result", CHECK_RESULTS),
        Col("coverage_end", Kind.DATE),
        Col("copay_amount", Kind.MONEY),
    ),
)
PRIOR_AUTHS = TableSpec(
    "pm/prior_auths",
    (
        id_col("auth_id", "AU", 7),
        PATIENT,
        PAYER,
        PROVIDER,
        APPOINTMENT,
        _text("cpt_code"),
        enum_col("urgency", URGENCIES),
        enum_col("channel", AUTH_CHANNELS),
        _ts("requested_at"),
        _ts("decided_at"),
        enum_col("decision", AUTH_DECISIONS),
        _text("auth_number"),
        Col("valid_from", Kind.DATE),
        Col("valid_to", Kind.DATE),
        Col("peer_to_peer", Kind.BOOL),
    ),
)
WORK_ITEMS = TableSpec(
    "pm/work_items",
    (
        id_col("work_item_id", "W", 9),
        STAFF,
        enum_col("work_type", WORK_TYPES),
        enum_col("entity_type", ENTITY_TYPES),
        _text("entity_id"),
        enum_col("channel", WORK_CHANNELS),
        _ts("started_at"),
        _ts("completed_at"),
        Col("touch_minutes", Kind.TENTHS),
        _text("outcome"),
    ),
)
PATIENT_PAYMENTS = TableSpec(
    "pm/patient_payments",
    (
        id_col("payment_id", "PP", 8),
        PATIENT,
        CLAIM,
        _ts("received_at"),
        Col("amount", Kind.MONEY),
        enum_col("method", PAYMENT_METHODS),
    ),
)
ENCOUNTERS = TableSpec(
    "ehr/encounters",
    (
        ENCOUNTER,
        APPOINTMENT,
        PATIENT,
        PROVIDER,
        LOCATION,
        Col("service_date", Kind.DATE),
        _ts("arrived_at"),
        _ts("roomed_at"),
        _ts("provider_start_at"),
        _ts("provider_end_at"),
        _ts("departed_at"),
        _text("place_of_service"),
    ),
)
CLINICAL_NOTES = TableSpec(
    "ehr/clinical_notes",
    (id_col("note_id", "N", 8), ENCOUNTER, PROVIDER, _ts("created_at"), _ts("signed_at")),
)
CHARGES = TableSpec(
    "ehr/charges",
    (
        ENCOUNTER,
        Col("line_number", Kind.INT),
        _text("cpt_code"),
        _text("modifiers"),
        _text("icd10_codes"),
        Col("units", Kind.TENTHS),
        Col("charge_amount", Kind.MONEY),
        _ts("coded_at"),
    ),
)

ALL_EXTRACTS: tuple[TableSpec, ...] = (
    LOCATIONS,
    PROVIDERS,
    PAYERS_TABLE,
    STAFF_TABLE,
    PATIENTS,
    APPOINTMENTS,
    OPEN_SLOTS,
    ELIGIBILITY_CHECKS,
    PRIOR_AUTHS,
    WORK_ITEMS,
    PATIENT_PAYMENTS,
    ENCOUNTERS,
    CLINICAL_NOTES,
    CHARGES,
)


def ident(col: Col, number: int) -> str:
    """Text form of an id column's value, for places that reference it as text (837, 835)."""
    # zfill pads like the "0{width}d" format (sign first), at a fraction of the cost of a
    # nested format spec; this runs for every work item, claim and remit line.
    return col.prefix + str(number).zfill(col.width)
