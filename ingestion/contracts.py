"""The extract contract (shared/spec/extracts.md, version 1) as data: one definition per extract.

Everything that needs to know an extract's columns (the CSV reader, the raw DDL, tests) reads
it from here, so a contract change is made in exactly one place.

Strictness: where the contract gives a closed list of values (e.g. ``appointments.status``),
``allowed`` holds it and a value outside it quarantines the row. Lists the contract introduces
with "e.g." or describes by example (``providers.specialty``, ``encounters.place_of_service``)
are open and not checked. Format notes that are not types (``npi`` "10 digits", ``state``
"two-letter") become ``pattern`` checks that *flag* a row without dropping it: the data is
still usable, and the practice hears about it.

Counts, durations and amounts are ``non_negative`` unless the contract gives a negative value
a meaning (``patient_payments.amount``: negative = refund): a negative number of minutes would
silently lower every sum it joins. Dates and timestamps later than a few years after the load
are refused as typos, except ``open_ended`` end-of-validity dates, where a far-future value
(9999-12-31) is a common way of writing "no end".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Group = Literal["pm", "ehr"]
ColumnType = Literal["text", "date", "timestamp", "money", "decimal", "integer", "boolean"]

DUCKDB_TYPES: dict[str, str] = {
    "text": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "money": "DECIMAL(18,2)",
    "decimal": "DECIMAL(18,4)",
    "integer": "BIGINT",
    "boolean": "BOOLEAN",
}


@dataclass(frozen=True)
class Pattern:
    """A format note checked as a warning: ``regex`` must match the whole value."""

    regex: str
    description: str


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = "text"
    required: bool = False
    allowed: tuple[str, ...] | None = None
    pattern: Pattern | None = None
    non_negative: bool = False
    open_ended: bool = False

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.type]


@dataclass(frozen=True)
class Extract:
    group: Group
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]

    @property
    def key(self) -> str:
        """The landing folder relative to the landing root, e.g. ``pm/appointments``."""
        return f"{self.group}/{self.name}"

    @property
    def table(self) -> str:
        """The raw table name (without schema), e.g. ``pm__appointments``."""
        return f"{self.group}__{self.name}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def req(
    name: str,
    type_: ColumnType = "text",
    allowed: tuple[str, ...] | None = None,
    pattern: Pattern | None = None,
    *,
    non_negative: bool = False,
    open_ended: bool = False,
) -> Column:
    """A required (``*``) column."""
    return Column(name, type_, True, allowed, pattern, non_negative, open_ended)


def opt(
    name: str,
    type_: ColumnType = "text",
    allowed: tuple[str, ...] | None = None,
    pattern: Pattern | None = None,
    *,
    non_negative: bool = False,
    open_ended: bool = False,
) -> Column:
    """An optional (nullable) column."""
    return Column(name, type_, False, allowed, pattern, non_negative, open_ended)


# Closed value lists, named after what they enumerate.
PAYER_TYPES = (
    "medicare",
    "medicare_advantage",
    "medicaid",
    "commercial",
    "workers_comp",
    "self_pay",
    "other",
)
STAFF_ROLES = (
    "front_desk",
    "scheduler",
    "eligibility",
    "auth_coordinator",
    "biller",
    "coder",
    "collector",
    "nurse",
    "manager",
)
SEXES = ("F", "M", "U")
APPOINTMENT_TYPES = ("new_patient", "established", "procedure", "follow_up", "telehealth")
APPOINTMENT_STATUSES = ("scheduled", "completed", "no_show", "cancelled", "rescheduled")
CANCEL_REASONS = (
    "patient_request",
    "provider_unavailable",
    "auth_pending",
    "eligibility_issue",
    "weather",
    "other",
)
CANCELLED_BY = ("patient", "practice", "payer")
SLOT_TYPES = ("new_patient", "established", "any")
ELIGIBILITY_CHANNELS = ("x12_270", "portal", "phone", "fax")
ELIGIBILITY_RESULTS = ("active", "inactive", "not_found", "error", "no_response")
AUTH_URGENCIES = ("standard", "expedited")
AUTH_CHANNELS = ("x12_278", "portal", "fax", "phone")
AUTH_DECISIONS = ("approved", "denied", "partially_approved", "pended", "withdrawn")
WORK_TYPES = (
    "scheduling",
    "registration",
    "eligibility",
    "prior_auth",
    "charge_entry",
    "coding",
    "claim_followup",
    "denial_appeal",
    "payment_posting",
    "patient_billing",
    "documentation_query",
)
WORK_ENTITY_TYPES = ("appointment", "claim", "auth", "patient", "remit")
WORK_CHANNELS = ("phone", "portal", "fax", "email", "internal")
PAYMENT_METHODS = ("point_of_service", "portal", "mail", "card_on_file", "collections")

STATE_CODE = Pattern("[A-Z]{2}", "a two-letter state code such as IL")
NPI = Pattern("[0-9]{10}", "a 10-digit NPI")
PLACE_OF_SERVICE = Pattern("[0-9]{2}", "a two-digit CMS place-of-service code such as 11")


def _extract(group: Group, name: str, *columns: Column, pk: tuple[str, ...]) -> Extract:
    return Extract(group, name, columns, pk)


ALL_EXTRACTS: tuple[Extract, ...] = (
    _extract(
        "pm",
        "locations",
        req("location_id"),
        req("location_name"),
        req("state", pattern=STATE_CODE),
        opt("opened_on", "date"),
        pk=("location_id",),
    ),
    _extract(
        "pm",
        "providers",
        req("provider_id"),
        req("npi", pattern=NPI),
        req("provider_name"),
        req("specialty"),
        req("location_id"),
        opt("fte", "decimal", non_negative=True),
        req("active_from", "date"),
        opt("active_to", "date", open_ended=True),
        pk=("provider_id",),
    ),
    _extract(
        "pm",
        "payers",
        req("payer_id"),
        req("payer_name"),
        req("payer_type", allowed=PAYER_TYPES),
        opt("payer_x12_id"),
        opt("timely_filing_days", "integer", non_negative=True),
        pk=("payer_id",),
    ),
    _extract(
        "pm",
        "staff",
        req("staff_id"),
        req("role", allowed=STAFF_ROLES),
        opt("location_id"),
        opt("fte", "decimal", non_negative=True),
        req("hourly_cost", "decimal", non_negative=True),
        pk=("staff_id",),
    ),
    _extract(
        "pm",
        "patients",
        req("patient_id"),
        req("mrn"),
        opt("first_name"),
        req("last_name"),
        req("birth_date", "date"),
        opt("sex", allowed=SEXES),
        opt("zip"),
        opt("primary_payer_id"),
        opt("member_id"),
        pk=("patient_id",),
    ),
    _extract(
        "pm",
        "appointments",
        req("appointment_id"),
        req("patient_id"),
        req("provider_id"),
        req("location_id"),
        req("appointment_type", allowed=APPOINTMENT_TYPES),
        req("requested_at", "timestamp"),
        req("booked_at", "timestamp"),
        req("scheduled_start", "timestamp"),
        opt("duration_min", "integer", non_negative=True),
        req("status", allowed=APPOINTMENT_STATUSES),
        opt("status_changed_at", "timestamp"),
        opt("cancel_reason", allowed=CANCEL_REASONS),
        opt("cancelled_by", allowed=CANCELLED_BY),
        opt("rescheduled_from_id"),
        opt("checked_in_at", "timestamp"),
        opt("copay_due", "money", non_negative=True),
        opt("copay_collected", "money", non_negative=True),
        pk=("appointment_id",),
    ),
    _extract(
        "pm",
        "open_slots",
        req("snapshot_date", "date"),
        req("provider_id"),
        req("slot_start", "timestamp"),
        req("slot_minutes", "integer", non_negative=True),
        opt("slot_type", allowed=SLOT_TYPES),
        pk=("snapshot_date", "provider_id", "slot_start"),
    ),
    _extract(
        "pm",
        "eligibility_checks",
        req("check_id"),
        req("patient_id"),
        req("payer_id"),
        opt("appointment_id"),
        req("requested_at", "timestamp"),
        opt("responded_at", "timestamp"),
        req("channel", allowed=ELIGIBILITY_CHANNELS),
        opt("staff_id"),
        req("result", allowed=ELIGIBILITY_RESULTS),
        opt("coverage_end", "date", open_ended=True),
        opt("copay_amount", "money", non_negative=True),
        pk=("check_id",),
    ),
    _extract(
        "pm",
        "prior_auths",
        req("auth_id"),
        req("patient_id"),
        req("payer_id"),
        req("provider_id"),
        opt("appointment_id"),
        req("cpt_code"),
        req("urgency", allowed=AUTH_URGENCIES),
        req("channel", allowed=AUTH_CHANNELS),
        req("requested_at", "timestamp"),
        opt("decided_at", "timestamp"),
        opt("decision", allowed=AUTH_DECISIONS),
        opt("auth_number"),
        opt("valid_from", "date"),
        opt("valid_to", "date", open_ended=True),
        opt("peer_to_peer", "boolean"),
        pk=("auth_id",),
    ),
    _extract(
        "pm",
        "work_items",
        req("work_item_id"),
        req("staff_id"),
        req("work_type", allowed=WORK_TYPES),
        opt("entity_type", allowed=WORK_ENTITY_TYPES),
        opt("entity_id"),
        req("channel", allowed=WORK_CHANNELS),
        req("started_at", "timestamp"),
        opt("completed_at", "timestamp"),
        req("touch_minutes", "decimal", non_negative=True),
        opt("outcome"),
        pk=("work_item_id",),
    ),
    _extract(
        "pm",
        "patient_payments",
        req("payment_id"),
        req("patient_id"),
        opt("claim_id"),
        req("received_at", "timestamp"),
        req("amount", "money"),
        req("method", allowed=PAYMENT_METHODS),
        pk=("payment_id",),
    ),
    _extract(
        "ehr",
        "encounters",
        req("encounter_id"),
        opt("appointment_id"),
        req("patient_id"),
        req("provider_id"),
        req("location_id"),
        req("service_date", "date"),
        opt("arrived_at", "timestamp"),
        opt("roomed_at", "timestamp"),
        opt("provider_start_at", "timestamp"),
        opt("provider_end_at", "timestamp"),
        opt("departed_at", "timestamp"),
        req("place_of_service", pattern=PLACE_OF_SERVICE),
        pk=("encounter_id",),
    ),
    _extract(
        "ehr",
        "clinical_notes",
        req("note_id"),
        req("encounter_id"),
        req("provider_id"),
        req("created_at", "timestamp"),
        opt("signed_at", "timestamp"),
        pk=("note_id",),
    ),
    _extract(
        "ehr",
        "charges",
        req("encounter_id"),
        req("line_number", "integer", non_negative=True),
        req("cpt_code"),
        opt("modifiers"),
        req("icd10_codes"),
        req("units", "decimal", non_negative=True),
        req("charge_amount", "money", non_negative=True),
        req("coded_at", "timestamp"),
        pk=("encounter_id", "line_number"),
    ),
)

EXTRACTS: dict[str, Extract] = {e.key: e for e in ALL_EXTRACTS}


def extract_for(group: str, name: str) -> Extract | None:
    """The extract landed under ``<group>/<name>/``, or None when the contract has none."""
    return EXTRACTS.get(f"{group}/{name}")
