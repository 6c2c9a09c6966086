"""The extract contract as data matches shared/spec/extracts.md (values checked by hand)."""

from __future__ import annotations

import pytest

from ingestion.contracts import ALL_EXTRACTS, EXTRACTS, extract_for


def test_every_extract_of_the_contract_is_defined_once() -> None:
    assert sorted(EXTRACTS) == [
        "ehr/charges",
        "ehr/clinical_notes",
        "ehr/encounters",
        "pm/appointments",
        "pm/eligibility_checks",
        "pm/locations",
        "pm/open_slots",
        "pm/patient_payments",
        "pm/patients",
        "pm/payers",
        "pm/prior_auths",
        "pm/providers",
        "pm/staff",
        "pm/work_items",
    ]
    assert len(ALL_EXTRACTS) == len(EXTRACTS)


def test_names_of_folder_and_raw_table() -> None:
    slots = extract_for("pm", "open_slots")
    assert slots is not None
    assert (slots.key, slots.table) == ("pm/open_slots", "pm__open_slots")
    assert extract_for("ehr", "appointments") is None


@pytest.mark.parametrize("extract", ALL_EXTRACTS, ids=lambda e: e.key)
def test_primary_key_columns_exist_and_are_required(extract) -> None:
    by_name = {c.name: c for c in extract.columns}
    assert len(by_name) == len(extract.columns), "duplicate column names"
    assert extract.primary_key
    assert all(by_name[k].required for k in extract.primary_key)


def test_composite_keys() -> None:
    assert EXTRACTS["pm/open_slots"].primary_key == ("snapshot_date", "provider_id", "slot_start")
    assert EXTRACTS["ehr/charges"].primary_key == ("encounter_id", "line_number")


def test_appointments_columns_types_and_required_flags() -> None:
    appointments = EXTRACTS["pm/appointments"]
    assert [(c.name, c.type, c.required) for c in appointments.columns] == [
        ("appointment_id", "text", True),
        ("patient_id", "text", True),
        ("provider_id", "text", True),
        ("location_id", "text", True),
        ("appointment_type", "text", True),
        ("requested_at", "timestamp", True),
        ("booked_at", "timestamp", True),
        ("scheduled_start", "timestamp", True),
        ("duration_min", "integer", False),
        ("status", "text", True),
        ("status_changed_at", "timestamp", False),
        ("cancel_reason", "text", False),
        ("cancelled_by", "text", False),
        ("rescheduled_from_id", "text", False),
        ("checked_in_at", "timestamp", False),
        ("copay_due", "money", False),
        ("copay_collected", "money", False),
    ]


def test_star_marks_only_the_column_it_follows() -> None:
    # "first_name, last_name*": only last_name is required.
    patients = {c.name: c for c in EXTRACTS["pm/patients"].columns}
    assert (patients["first_name"].required, patients["last_name"].required) == (False, True)


def test_closed_lists_are_exactly_the_contract_values() -> None:
    def allowed(key: str, column: str) -> tuple[str, ...] | None:
        return {c.name: c for c in EXTRACTS[key].columns}[column].allowed

    assert allowed("pm/appointments", "status") == (
        "scheduled",
        "completed",
        "no_show",
        "cancelled",
        "rescheduled",
    )
    assert allowed("pm/eligibility_checks", "channel") == ("x12_270", "portal", "phone", "fax")
    assert allowed("pm/prior_auths", "channel") == ("x12_278", "portal", "fax", "phone")
    assert allowed("pm/eligibility_checks", "result") == (
        "active",
        "inactive",
        "not_found",
        "error",
        "no_response",
    )
    assert allowed("pm/work_items", "channel") == ("phone", "portal", "fax", "email", "internal")
    assert allowed("pm/patients", "sex") == ("F", "M", "U")
    assert len(allowed("pm/work_items", "work_type") or ()) == 11


def test_open_lists_and_free_text_are_not_enforced() -> None:
    providers = {c.name: c for c in EXTRACTS["pm/providers"].columns}
    encounters = {c.name: c for c in EXTRACTS["ehr/encounters"].columns}
    work_items = {c.name: c for c in EXTRACTS["pm/work_items"].columns}
    assert providers["specialty"].allowed is None  # the contract says "e.g."
    assert encounters["place_of_service"].allowed is None
    assert encounters["place_of_service"].pattern is not None  # flagged, not quarantined
    assert work_items["outcome"].allowed is None


def test_duckdb_types() -> None:
    charges = {c.name: c.duckdb_type for c in EXTRACTS["ehr/charges"].columns}
    assert charges == {
        "encounter_id": "VARCHAR",
        "line_number": "BIGINT",
        "cpt_code": "VARCHAR",
        "modifiers": "VARCHAR",
        "icd10_codes": "VARCHAR",
        "units": "DECIMAL(18,4)",
        "charge_amount": "DECIMAL(18,2)",
        "coded_at": "TIMESTAMP",
    }
    auths = {c.name: c.duckdb_type for c in EXTRACTS["pm/prior_auths"].columns}
    assert (auths["peer_to_peer"], auths["valid_from"]) == ("BOOLEAN", "DATE")


def test_range_rules_follow_the_contract() -> None:
    non_negative = sorted(
        f"{e.name}.{c.name}" for e in ALL_EXTRACTS for c in e.columns if c.non_negative
    )
    assert non_negative == [
        "appointments.copay_collected",
        "appointments.copay_due",
        "appointments.duration_min",
        "charges.charge_amount",
        "charges.line_number",
        "charges.units",
        "eligibility_checks.copay_amount",
        "open_slots.slot_minutes",
        "payers.timely_filing_days",
        "providers.fte",
        "staff.fte",
        "staff.hourly_cost",
        "work_items.touch_minutes",
    ]
    # "negative = refund": the one amount the contract lets go below zero.
    [amount] = [c for c in EXTRACTS["pm/patient_payments"].columns if c.name == "amount"]
    assert not amount.non_negative
    open_ended = sorted(
        f"{e.name}.{c.name}" for e in ALL_EXTRACTS for c in e.columns if c.open_ended
    )
    assert open_ended == [
        "eligibility_checks.coverage_end",
        "prior_auths.valid_to",
        "providers.active_to",
    ]
    # Only dates and timestamps can be open-ended; only numbers can be non-negative.
    for extract in ALL_EXTRACTS:
        for column in extract.columns:
            assert not column.open_ended or column.type == "date"
            assert not column.non_negative or column.type in ("money", "decimal", "integer")
