"""Simulator CSV output against the extract contract (ingestion/contracts.py): columns, types,
required values, closed value lists, keys and the one-file-per-day layout."""

from __future__ import annotations

import json
import re

import pytest
from test_simulator_support import read_extract, small_run, sql

from ingestion.contracts import ALL_EXTRACTS, Column, Extract

TYPE_PATTERNS = {
    "date": r"\d{4}-\d{2}-\d{2}",
    "timestamp": r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}",
    "money": r"-?\d+\.\d{2}",
    "decimal": r"-?\d+(\.\d+)?",
    "integer": r"-?\d+",
    "boolean": r"true|false",
}
FILE_NAME = re.compile(r"(?P<extract>[a-z_]+)_(?P<day>\d{4}-\d{2}-\d{2})_part[12]\.csv")
# Extracts whose rows never change: each key appears once in the whole landing folder.
IMMUTABLE = (
    "pm/open_slots",
    "pm/eligibility_checks",
    "pm/patient_payments",
    "ehr/encounters",
    "ehr/charges",
)
VERSIONED = {
    "pm/appointments": ("appointment_id", "status_changed_at"),
    "pm/prior_auths": ("auth_id", "decided_at"),
    "pm/work_items": ("work_item_id", "completed_at"),
    "ehr/clinical_notes": ("note_id", "signed_at"),
}


def _violations(column: Column) -> str:
    """SQL counting the rows whose value breaks the contract for this column."""
    c = f'"{column.name}"'
    tests = [f"{c} is null"] if column.required else []
    if column.allowed is not None:
        listed = ", ".join(f"'{v}'" for v in column.allowed)
        tests.append(f"{c} is not null and {c} not in ({listed})")
    if column.type in TYPE_PATTERNS:
        tests.append(
            f"{c} is not null and not regexp_full_match({c}, '{TYPE_PATTERNS[column.type]}')"
        )
    if column.type in ("date", "timestamp"):
        tests.append(f"{c} is not null and try_cast({c} as {column.type}) is null")
    if column.pattern is not None:
        tests.append(f"{c} is not null and not regexp_full_match({c}, '{column.pattern.regex}')")
    return " or ".join(tests) or "false"


@pytest.mark.parametrize("extract", ALL_EXTRACTS, ids=lambda e: e.key)
def test_every_extract_follows_the_contract(extract: Extract) -> None:
    run = small_run()
    files = sorted((run / "landing" / extract.key).glob("*.csv"))
    assert files, f"{extract.key}: no files"
    for path in files:
        header = path.read_text().split("\n", 1)[0].split(",")
        assert header == list(extract.column_names), path.name
        match = FILE_NAME.fullmatch(path.name)
        assert match and match["extract"] == extract.name, path.name
    checks = ", ".join(f"count(*) filter ({_violations(col)})" for col in extract.columns)
    counts = sql(f"select {checks} from t", t=read_extract(run, extract.key))[0]
    bad = {col.name: n for col, n in zip(extract.columns, counts, strict=True) if n}
    assert not bad


@pytest.mark.parametrize("key", IMMUTABLE)
def test_immutable_extracts_have_unique_keys(key: str) -> None:
    extract = next(e for e in ALL_EXTRACTS if e.key == key)
    pk = ", ".join(extract.primary_key)
    query = f"select count(*), count(distinct ({pk})) from t"
    rows, keys = sql(query, t=read_extract(small_run(), key))[0]
    assert rows == keys > 0


@pytest.mark.parametrize("extract", sorted(VERSIONED))
def test_versions_arrive_in_time_order(extract: str) -> None:
    """A later version (in landing order) never records an earlier change, so the contract's
    latest-version rule yields the current state; and rows really do change."""
    key, changed = VERSIONED[extract]
    regressions, changing = sql(
        f"""
        with ordered as (
            select {key}, coalesce({changed}, '') as moment,
                   lag(coalesce({changed}, '')) over (partition by {key} order by filename, _row)
                       as previous
            from v)
        select count(*) filter (where moment < previous),
               count(distinct {key}) filter (where previous is not null)
        from ordered
        """,
        v=read_extract(small_run(), extract),
    )[0]
    assert regressions == 0
    assert changing > 0


def test_appointment_versions_land_on_the_day_they_happen() -> None:
    run = small_run()
    window_start = json.loads((run / "truth" / "state.json").read_text())["start_date"]
    misplaced, early = sql(
        f"""
        select count(*) filter (where regexp_extract(filename, '_(\\d{{4}}-\\d{{2}}-\\d{{2}})_', 1)
                                 <> greatest(left(coalesce(status_changed_at, booked_at), 10),
                                             '{window_start}')),
               count(*) filter (where left(booked_at, 10) < '{window_start}')
        from a
        """,
        a=read_extract(run, "pm/appointments"),
    )[0]
    assert misplaced == 0
    assert early > 0  # the first file carries bookings made before the window


def test_references_resolve() -> None:
    run = small_run()
    pm = (
        "patients",
        "providers",
        "locations",
        "staff",
        "appointments",
        "payers",
        "eligibility_checks",
        "work_items",
        "prior_auths",
    )
    frames = {name: read_extract(run, f"pm/{name}") for name in pm}
    frames |= {
        name: read_extract(run, f"ehr/{name}")
        for name in ("encounters", "charges", "clinical_notes")
    }
    orphans = {
        "appointment patient": "select patient_id from appointments except select patient_id "
        "from patients",
        "appointment provider": "select provider_id from appointments except select provider_id "
        "from providers",
        "appointment location": "select location_id from appointments except select location_id "
        "from locations",
        "rescheduled from": "select rescheduled_from_id from appointments where "
        "rescheduled_from_id is not null except select appointment_id from appointments",
        "encounter appointment": "select appointment_id from encounters except select "
        "appointment_id from appointments",
        "charge encounter": "select encounter_id from charges except select encounter_id from "
        "encounters",
        "note encounter": "select encounter_id from clinical_notes except select encounter_id "
        "from encounters",
        "work item staff": "select staff_id from work_items except select staff_id from staff",
        "check appointment": "select appointment_id from eligibility_checks except select "
        "appointment_id from appointments",
        "check payer": "select payer_id from eligibility_checks except select payer_id from payers",
        "work item appointment": "select entity_id from work_items where entity_type = "
        "'appointment' except select appointment_id from appointments",
        "work item auth": "select entity_id from work_items where entity_type = 'auth' "
        "except select auth_id from prior_auths",
    }
    found = {name: len(sql(query, **frames)) for name, query in orphans.items()}
    assert found == dict.fromkeys(orphans, 0)
