"""The foundation dbt models (staging pm/ehr, visits, dims, access/staff/auth/docs/ops metrics)
built end to end on a tiny hand-made raw layer, with every expected number worked out by hand.

One ``dbt build --exclude-resource-type unit_test`` (in-process, through dbtRunner) builds the
whole project into a throwaway DuckDB file; the tests then read the result. The dbt unit tests
run once afterwards (they need the built relations for column types, not their data).

The fixture (all in March 2025 unless said otherwise):

- appointments ap1..ap5 scheduled in March: ap1, ap2, ap3 completed, ap4 no_show, ap5
  rescheduled 18 h before its start (late) into ap6 (April, still scheduled).
  no-show rate = 1 / (3 + 1) = 0.25; late-cancel rate = 1 / 5 = 0.2.
  Versions: ap1 twice in one file (the last row wins: completed); ap2 scheduled in load 1,
  completed in load 2; ap4 in two files of load 2 (``...a.csv`` says completed, ``...b.csv``
  says no_show: the name that sorts last wins).
- encounters en1..en3 for the visits: door-to-room 10, 20, 30 min (median 20); cycle time 55,
  60, 80 min (median 60).
- notes: no1 signed exactly 24 h after provider_end_at, no2 exactly 72 h after, no3 unsigned:
  24 h rate 1/3, 72 h rate 2/3, 1 open note at the end of March.
- charges: lags 1, 2, 2, 0 days: mean 1.25, median 1.5.
- eligibility: ap1 answered active (x12_270), ap2 answered inactive by phone (visit went ahead),
  ap3 never checked: verified rate 1/3; failure rate 1/2; electronic rate 1/2.
- prior auths decided in March: au1 expedited, decided exactly 72 h later (within CMS
  timeframe, approved, for ap2's CPT 93306 with PY2); au2 standard, 240 h, denied: within 1/2,
  approval 1/2, median turnaround (72 + 240) / 2 = 156. Visits needing an auth: ap2 only
  (93306 for PY2), so required rate 1/3.
- work items started in March: 10 + 20 + 30 + 15 = 75 minutes over 3 visits = 25 min/visit;
  cost 5 + 10 + 30 + 15 = 60 USD -> 20 USD/visit; one still open at the end of March.
- open slots: snapshot 2025-03-03, P1's third open slot is 4 days out; P2 has only two.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingestion import raw_store

REPO = Path(__file__).resolve().parents[1]
DBT_DIR = REPO / "dbt"
AS_OF = "2025-04-01 00:00:00"
# The keyed hash's secret for this build, pinned: the suite's conftest sets its own default.
PHI_KEY = "foundation-test-key"

# PHI planted in the fixture: none of it may appear in any marts table.
PHI_STRINGS = [
    "Alice",
    "Zebra",
    "Bob",
    "Yakovlev",
    "Carol",
    "Xenakis",
    "MRN-0001",
    "MRN-0002",
    "MRN-0003",
    "MEMB-AAA1",
    "MEMB-BBB2",
    "MEMB-CCC3",
    "60614",
    "03601",
    "94110",
]
PHI_DATES = [dt.date(1980, 2, 3), dt.date(1955, 7, 8), dt.date(1990, 12, 12)]
FORBIDDEN_COLUMNS = {
    "patient_id",
    "first_name",
    "last_name",
    "birth_date",
    "mrn",
    "member_id",
    "zip",
}

Row = dict[str, Any]

# The foundation models and everything they read (some claims models too: kpi_ops reads
# kpi_revenue's write-offs, source_freshness the X12 transactions), kpi_monthly once it
# exists, and every seed. The claims models' own data tests are left to the claims tests.
FOUNDATION = (
    [
        f"+path:models/{folder}"
        for folder in (
            "staging/pm",
            "staging/ehr",
            "intermediate/visits",
            "marts/core",
            "marts/access",
            "marts/staff",
            "marts/auth",
            "marts/docs",
            "metrics/kpi_access.sql",
            "metrics/kpi_staff.sql",
            "metrics/kpi_auth.sql",
            "metrics/kpi_docs.sql",
            "metrics/kpi_ops.sql",
        )
    ]
    + ["resource_type:seed"]
    + (
        ["+path:models/metrics/kpi_monthly.sql"]
        if (DBT_DIR / "models" / "metrics" / "kpi_monthly.sql").exists()
        else []
    )
)
CLAIMS_TESTS = [
    f"resource_type:test,path:{path}"
    for path in (
        "models/staging/x12",
        "models/intermediate/claims",
        "models/marts/revenue",
        "models/metrics/kpi_revenue.yml",
        "models/metrics/kpi_finance.yml",
        "seeds/_claims_seeds.yml",
    )
]


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _file(load_id: int, path: str, rows: list[Row]) -> list[Row]:
    """Stamp lineage columns on the rows of one landed file."""
    loaded_at = dt.datetime(2025, 3, 1) + dt.timedelta(days=load_id)
    digest = hashlib.sha256(path.encode()).hexdigest()
    return [
        {
            **row,
            "_source_file": path,
            "_file_hash": digest,
            "_row_number": number,
            "_load_id": load_id,
            "_loaded_at": loaded_at,
        }
        for number, row in enumerate(rows, start=1)
    ]


def _appointment(
    appointment_id: str,
    patient: str,
    provider: str,
    location: str,
    scheduled: str,
    status: str,
    **extra: Any,
) -> Row:
    row: Row = {
        "appointment_id": appointment_id,
        "patient_id": patient,
        "provider_id": provider,
        "location_id": location,
        "appointment_type": extra.pop("appointment_type", "established"),
        "requested_at": _ts(extra.pop("requested_at", "2025-02-20 09:00:00")),
        "booked_at": _ts(extra.pop("booked_at", "2025-02-21 09:00:00")),
        "scheduled_start": _ts(scheduled),
        "duration_min": 20,
        "status": status,
    }
    for key, value in extra.items():
        row[key] = _ts(value) if key.endswith("_at") and isinstance(value, str) else value
    return row


def fixture_rows() -> dict[str, list[Row]]:
    """Raw rows per raw table (contract columns; lineage added by _file)."""
    tables: dict[str, list[Row]] = {}
    tables["pm__locations"] = _file(
        1,
        "pm/locations/2025-03-01.csv",
        [
            {
                "location_id": "L1",
                "location_name": "North",
                "state": "IL",
                "opened_on": _d("2020-01-01"),
            },
            {
                "location_id": "L2",
                "location_name": "South",
                "state": "IL",
                "opened_on": _d("2025-01-15"),
            },
        ],
    )
    tables["pm__providers"] = _file(
        1,
        "pm/providers/2025-03-01.csv",
        [
            {
                "provider_id": "P1",
                "npi": "1000000001",
                "provider_name": "Dr One",
                "specialty": "family_medicine",
                "location_id": "L1",
                "active_from": _d("2020-01-01"),
            },
            {
                "provider_id": "P2",
                "npi": "1000000002",
                "provider_name": "Dr Two",
                "specialty": "cardiology",
                "location_id": "L2",
                "active_from": _d("2025-01-15"),
            },
        ],
    )
    tables["pm__payers"] = _file(
        1,
        "pm/payers/2025-03-01.csv",
        [
            {
                "payer_id": "PY1",
                "payer_name": "Acme Health",
                "payer_type": "commercial",
                "payer_x12_id": "ACME1",
                "timely_filing_days": 90,
            },
            {
                "payer_id": "PY2",
                "payer_name": "Medicare",
                "payer_type": "medicare",
                "payer_x12_id": "MCR01",
                "timely_filing_days": 365,
            },
        ],
    )
    tables["pm__staff"] = _file(
        1,
        "pm/staff/2025-03-01.csv",
        [
            {"staff_id": "S1", "role": "front_desk", "location_id": "L1", "hourly_cost": 30},
            {"staff_id": "S2", "role": "biller", "location_id": None, "hourly_cost": 60},
        ],
    )
    tables["pm__patients"] = _file(
        1,
        "pm/patients/2025-03-01.csv",
        [
            {
                "patient_id": "pt1",
                "mrn": "MRN-0001",
                "first_name": "Alice",
                "last_name": "Zebra",
                "birth_date": PHI_DATES[0],
                "sex": "F",
                "zip": "60614",
                "primary_payer_id": "PY1",
                "member_id": "MEMB-AAA1",
            },
            {
                "patient_id": "pt2",
                "mrn": "MRN-0002",
                "first_name": "Bob",
                "last_name": "Yakovlev",
                "birth_date": PHI_DATES[1],
                "sex": "M",
                "zip": "03601",
                "primary_payer_id": "PY2",
                "member_id": "MEMB-BBB2",
            },
            {
                "patient_id": "pt3",
                "mrn": "MRN-0003",
                "first_name": "Carol",
                "last_name": "Xenakis",
                "birth_date": PHI_DATES[2],
                "sex": "F",
                "zip": "94110",
                "primary_payer_id": "PY1",
                "member_id": "MEMB-CCC3",
            },
        ],
    )
    tables["pm__appointments"] = (
        _file(
            1,
            "pm/appointments/2025-03-01.csv",
            [
                _appointment(
                    "ap1",
                    "pt1",
                    "P1",
                    "L1",
                    "2025-03-03 09:00:00",
                    "scheduled",
                    appointment_type="new_patient",
                    requested_at="2025-02-25 09:00:00",
                    booked_at="2025-02-26 09:00:00",
                ),
                _appointment(
                    "ap1",
                    "pt1",
                    "P1",
                    "L1",
                    "2025-03-03 09:00:00",
                    "completed",
                    appointment_type="new_patient",
                    requested_at="2025-02-25 09:00:00",
                    booked_at="2025-02-26 09:00:00",
                    copay_due=25,
                    copay_collected=25,
                ),
                _appointment("ap2", "pt2", "P2", "L2", "2025-03-05 10:00:00", "scheduled"),
                _appointment("ap3", "pt3", "P1", "L1", "2025-03-12 14:00:00", "scheduled"),
                _appointment("ap4", "pt1", "P1", "L1", "2025-03-20 09:00:00", "scheduled"),
                _appointment("ap5", "pt3", "P1", "L1", "2025-03-18 09:00:00", "scheduled"),
            ],
        )
        + _file(
            2,
            "pm/appointments/2025-03-21a.csv",
            [
                _appointment(
                    "ap2",
                    "pt2",
                    "P2",
                    "L2",
                    "2025-03-05 10:00:00",
                    "completed",
                    copay_due=40,
                    copay_collected=20,
                ),
                _appointment("ap3", "pt3", "P1", "L1", "2025-03-12 14:00:00", "completed"),
                _appointment("ap4", "pt1", "P1", "L1", "2025-03-20 09:00:00", "completed"),
                _appointment(
                    "ap5",
                    "pt3",
                    "P1",
                    "L1",
                    "2025-03-18 09:00:00",
                    "rescheduled",
                    status_changed_at="2025-03-17 15:00:00",
                    cancelled_by="patient",
                    cancel_reason="patient_request",
                ),
                _appointment(
                    "ap6",
                    "pt3",
                    "P1",
                    "L1",
                    "2025-04-02 09:00:00",
                    "scheduled",
                    rescheduled_from_id="ap5",
                    booked_at="2025-03-17 15:00:00",
                ),
            ],
        )
        + _file(
            2,
            "pm/appointments/2025-03-21b.csv",
            [
                _appointment("ap4", "pt1", "P1", "L1", "2025-03-20 09:00:00", "no_show"),
            ],
        )
    )
    tables["pm__open_slots"] = _file(
        1,
        "pm/open_slots/2025-03-03.csv",
        [
            {
                "snapshot_date": _d("2025-03-03"),
                "provider_id": "P1",
                "slot_start": _ts(f"2025-03-{day:02d} 09:00:00"),
                "slot_minutes": 20,
                "slot_type": "any",
            }
            for day in (4, 5, 7, 10)
        ]
        + [
            {
                "snapshot_date": _d("2025-03-03"),
                "provider_id": "P2",
                "slot_start": _ts(f"2025-03-{day:02d} 09:00:00"),
                "slot_minutes": 30,
                "slot_type": "any",
            }
            for day in (4, 6)
        ],
    )
    tables["pm__eligibility_checks"] = _file(
        1,
        "pm/eligibility_checks/2025-03-05.csv",
        [
            {
                "check_id": "ec1",
                "patient_id": "pt1",
                "payer_id": "PY1",
                "appointment_id": "ap1",
                "requested_at": _ts("2025-03-01 08:00:00"),
                "responded_at": _ts("2025-03-01 08:00:03"),
                "channel": "x12_270",
                "result": "active",
            },
            {
                "check_id": "ec2",
                "patient_id": "pt2",
                "payer_id": "PY2",
                "appointment_id": "ap2",
                "requested_at": _ts("2025-03-04 11:00:00"),
                "responded_at": _ts("2025-03-04 11:20:00"),
                "channel": "phone",
                "staff_id": "S1",
                "result": "inactive",
            },
        ],
    )
    tables["pm__prior_auths"] = _file(
        1,
        "pm/prior_auths/2025-03-20.csv",
        [
            {
                "auth_id": "au1",
                "patient_id": "pt2",
                "payer_id": "PY2",
                "provider_id": "P2",
                "appointment_id": "ap2",
                "cpt_code": "93306",
                "urgency": "expedited",
                "channel": "x12_278",
                "requested_at": _ts("2025-03-01 08:00:00"),
                "decided_at": _ts("2025-03-04 08:00:00"),
                "decision": "approved",
                "auth_number": "A-1",
                "valid_from": _d("2025-03-04"),
                "valid_to": _d("2025-04-04"),
                "peer_to_peer": False,
            },
            {
                "auth_id": "au2",
                "patient_id": "pt1",
                "payer_id": "PY1",
                "provider_id": "P1",
                "cpt_code": "73721",
                "urgency": "standard",
                "channel": "fax",
                "requested_at": _ts("2025-03-10 08:00:00"),
                "decided_at": _ts("2025-03-20 08:00:00"),
                "decision": "denied",
                "peer_to_peer": True,
            },
        ],
    )
    tables["pm__work_items"] = _file(
        1,
        "pm/work_items/2025-03-31.csv",
        [
            {
                "work_item_id": "wi1",
                "staff_id": "S1",
                "work_type": "scheduling",
                "entity_type": "appointment",
                "entity_id": "ap1",
                "channel": "phone",
                "started_at": _ts("2025-03-01 10:00:00"),
                "completed_at": _ts("2025-03-01 10:10:00"),
                "touch_minutes": 10,
            },
            {
                "work_item_id": "wi2",
                "staff_id": "S1",
                "work_type": "eligibility",
                "entity_type": "appointment",
                "entity_id": "ap2",
                "channel": "phone",
                "started_at": _ts("2025-03-04 11:00:00"),
                "completed_at": _ts("2025-03-04 11:20:00"),
                "touch_minutes": 20,
            },
            {
                "work_item_id": "wi3",
                "staff_id": "S2",
                "work_type": "claim_followup",
                "entity_type": "claim",
                "entity_id": "C1",
                "channel": "phone",
                "started_at": _ts("2025-03-25 09:00:00"),
                "completed_at": None,
                "touch_minutes": 30,
            },
            {
                "work_item_id": "wi4",
                "staff_id": "S2",
                "work_type": "coding",
                "channel": "internal",
                "started_at": _ts("2025-03-10 09:00:00"),
                "completed_at": _ts("2025-03-10 09:15:00"),
                "touch_minutes": 15,
            },
        ],
    )
    tables["pm__patient_payments"] = _file(
        1,
        "pm/patient_payments/2025-03-05.csv",
        [
            {
                "payment_id": "pp1",
                "patient_id": "pt2",
                "claim_id": None,
                "received_at": _ts("2025-03-05 11:00:00"),
                "amount": 20,
                "method": "point_of_service",
            },
        ],
    )
    encounters = [
        ("en1", "ap1", "pt1", "P1", "L1", "2025-03-03", "08:50", "09:00", "09:30", "09:45"),
        ("en2", "ap2", "pt2", "P2", "L2", "2025-03-05", "09:55", "10:15", "10:40", "10:55"),
        ("en3", "ap3", "pt3", "P1", "L1", "2025-03-12", "13:50", "14:20", "14:50", "15:10"),
    ]
    tables["ehr__encounters"] = _file(
        1,
        "ehr/encounters/2025-03-12.csv",
        [
            {
                "encounter_id": e,
                "appointment_id": a,
                "patient_id": pt,
                "provider_id": p,
                "location_id": loc,
                "service_date": _d(day),
                "arrived_at": _ts(f"{day} {arr}:00"),
                "roomed_at": _ts(f"{day} {room}:00"),
                "provider_start_at": _ts(f"{day} {room}:00"),
                "provider_end_at": _ts(f"{day} {end}:00"),
                "departed_at": _ts(f"{day} {dep}:00"),
                "place_of_service": "11",
            }
            for e, a, pt, p, loc, day, arr, room, end, dep in encounters
        ],
    )
    tables["ehr__clinical_notes"] = _file(
        1,
        "ehr/clinical_notes/2025-03-12.csv",
        [
            {
                "note_id": "no1",
                "encounter_id": "en1",
                "provider_id": "P1",
                "created_at": _ts("2025-03-03 09:30:00"),
                "signed_at": _ts("2025-03-04 09:30:00"),
            },
            {
                "note_id": "no2",
                "encounter_id": "en2",
                "provider_id": "P2",
                "created_at": _ts("2025-03-05 10:40:00"),
                "signed_at": _ts("2025-03-08 10:40:00"),
            },
            {
                "note_id": "no3",
                "encounter_id": "en3",
                "provider_id": "P1",
                "created_at": _ts("2025-03-12 14:50:00"),
                "signed_at": None,
            },
        ],
    )
    tables["ehr__charges"] = _file(
        1,
        "ehr/charges/2025-03-12.csv",
        [
            {
                "encounter_id": "en1",
                "line_number": 1,
                "cpt_code": "99213",
                "icd10_codes": "I10",
                "units": 1,
                "charge_amount": 120,
                "coded_at": _ts("2025-03-04 12:00:00"),
            },
            {
                "encounter_id": "en2",
                "line_number": 1,
                "cpt_code": "93306",
                "icd10_codes": "I50.9",
                "units": 1,
                "charge_amount": 900,
                "coded_at": _ts("2025-03-07 12:00:00"),
            },
            {
                "encounter_id": "en2",
                "line_number": 2,
                "cpt_code": "93000",
                "icd10_codes": "I50.9",
                "units": 1,
                "charge_amount": 50,
                "coded_at": _ts("2025-03-07 12:00:00"),
            },
            {
                "encounter_id": "en3",
                "line_number": 1,
                "cpt_code": "99214",
                "icd10_codes": "E11.9",
                "units": 1,
                "charge_amount": 160,
                "coded_at": _ts("2025-03-12 18:00:00"),
            },
        ],
    )
    return tables


def build_raw(database: Path) -> None:
    """Create the raw layer with the loader's own DDL and insert the fixture."""
    con = duckdb.connect(str(database))
    try:
        raw_store.create_raw_schema(con)
        for table, rows in fixture_rows().items():
            columns = sorted({key for row in rows for key in row})
            placeholders = ", ".join("?" for _ in columns)
            con.executemany(
                f"insert into raw.{table} ({', '.join(columns)}) values ({placeholders})",
                [[row.get(c) for c in columns] for row in rows],
            )
            for path in sorted({row["_source_file"] for row in rows}):
                file_rows = [r for r in rows if r["_source_file"] == path]
                con.execute(
                    "insert into raw._load_manifest values (?, ?, ?, ?, 'row', ?, ?, 0,"
                    " 'loaded', ?, ?)",
                    [
                        file_rows[0]["_file_hash"],
                        "/".join(path.split("/")[:2]),
                        path,
                        100,
                        len(file_rows),
                        len(file_rows),
                        file_rows[0]["_load_id"],
                        file_rows[0]["_loaded_at"],
                    ],
                )
    finally:
        con.close()


# One interpreter for all dbt commands: parse once, then build and unit-test against that
# manifest (dbt start-up and parsing dominate the run time of such a small project).
_DBT_SCRIPT = """
import json, sys
from dbt.cli.main import dbtRunner
common, commands = json.loads(sys.argv[1])
parsed = dbtRunner().invoke(["parse", *common])
if not parsed.success:
    print("FAILED parse", parsed.exception)
    sys.exit(1)
runner = dbtRunner(manifest=parsed.result)
for command in commands:
    result = runner.invoke([*command, *common])
    print(("PASSED " if result.success else "FAILED ") + " ".join(command), flush=True)
"""


def run_dbt(commands: list[list[str]], target: Path, database: Path) -> dict[str, bool]:
    """Run dbt commands in one subprocess (dbt-duckdb keeps its connection open in-process);
    returns success per command, keyed by the command line."""
    common = [
        "--project-dir",
        str(DBT_DIR),
        "--profiles-dir",
        str(DBT_DIR),
        "--target-path",
        str(target / "target"),
        "--log-path",
        str(target / "logs"),
        "--vars",
        f"{{as_of: '{AS_OF}'}}",
    ]
    env = {
        **os.environ,
        "FRICTION_WORK_DB": str(database),
        "FRICTION_PHI_KEY": PHI_KEY,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    result = subprocess.run(
        [sys.executable, "-c", _DBT_SCRIPT, json.dumps([common, commands])],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    outcome = {}
    for line in result.stdout.splitlines():
        for status in ("PASSED ", "FAILED "):
            if line.startswith(status):
                outcome[line.removeprefix(status)] = status == "PASSED "
    (target / "dbt_stdout.txt").write_text(result.stdout)
    assert len(outcome) == len(commands), result.stdout[-4000:] + result.stderr[-2000:]
    return outcome


BUILD = [
    "build",
    "--exclude-resource-type",
    "unit_test",
    "--select",
    *FOUNDATION,
    "--exclude",
    *CLAIMS_TESTS,
]
# the unit tests need the built relations (for column types), not their data
UNIT_TESTS = [
    "test",
    "--select",
    *(f"{s.lstrip('+')},test_type:unit" for s in FOUNDATION if s.startswith("+")),
]


@pytest.fixture(scope="module")
def dbt_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bool]]:
    folder = tmp_path_factory.mktemp("dbt_foundation")
    database = folder / "work.duckdb"
    build_raw(database)
    return folder, run_dbt([BUILD, UNIT_TESTS], folder, database)


@pytest.fixture(scope="module")
def warehouse(dbt_run: tuple[Path, dict[str, bool]]) -> Path:
    folder, outcome = dbt_run
    log = (folder / "dbt_stdout.txt").read_text()
    assert outcome[" ".join(BUILD)], f"dbt build failed:\n{log[-4000:]}"
    return folder / "work.duckdb"


def test_dbt_unit_tests(dbt_run: tuple[Path, dict[str, bool]]) -> None:
    """The dbt unit tests of the foundation models pass."""
    folder, outcome = dbt_run
    log = (folder / "dbt_stdout.txt").read_text()
    assert outcome[" ".join(UNIT_TESTS)], f"dbt unit tests failed:\n{log[-4000:]}"


@pytest.fixture
def con(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    # per test, so that no connection is open while dbt writes (test_dbt_unit_tests)
    connection = duckdb.connect(str(warehouse), read_only=True)
    yield connection
    connection.close()


def kpi_table(con: duckdb.DuckDBPyConnection) -> str:
    """kpi_monthly once both helpers' kpi models exist, else the foundation kpi models."""
    names = {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }
    if "kpi_monthly" in names:
        return "marts.kpi_monthly"
    parts = [
        f"select * from marts.{n}"
        for n in ("kpi_access", "kpi_staff", "kpi_auth", "kpi_docs", "kpi_ops")
    ]
    return "(" + " union all ".join(parts) + ")"


def metric(
    con: duckdb.DuckDBPyConnection,
    metric_id: str,
    month: str = "2025-03-01",
    dimension: str = "practice",
    value: str = "all",
) -> tuple[float | None, ...]:
    rows = con.execute(
        f"select numerator, denominator, value from {kpi_table(con)} "
        "where metric_id = ? and period_month = ? and dimension = ? and dimension_value = ?",
        [metric_id, _d(month), dimension, value],
    ).fetchall()
    assert len(rows) == 1, f"{metric_id} {month} {dimension}={value}: {rows}"
    return rows[0]


def test_latest_version_rule(con: duckdb.DuckDBPyConnection) -> None:
    statuses = dict(
        con.execute("select appointment_id, status from staging.stg_pm__appointments").fetchall()
    )
    # last row in a file; later load; same load -> name sorting last
    assert statuses == {
        "ap1": "completed",
        "ap2": "completed",
        "ap3": "completed",
        "ap4": "no_show",
        "ap5": "rescheduled",
        "ap6": "scheduled",
    }


@pytest.mark.parametrize(
    ("metric_id", "expected"),
    [
        ("access.no_show_rate", (1, 4, 0.25)),
        ("access.late_cancel_rate", (1, 5, 0.2)),
        ("access.door_to_room_min_median", (None, 3, 20.0)),
        ("access.cycle_time_min_median", (None, 3, 60.0)),
        ("access.third_next_available_days", (4, 1, 4.0)),
        ("docs.notes_signed_24h_rate", (1, 3, 1 / 3)),
        ("docs.notes_signed_72h_rate", (2, 3, 2 / 3)),
        ("docs.open_notes", (1, None, 1)),
        ("rcm.charge_lag_days_mean", (5, 4, 1.25)),
        ("rcm.charge_lag_days_median", (None, 4, 1.5)),
        ("frontdesk.eligibility_verified_rate", (1, 3, 1 / 3)),
        ("frontdesk.eligibility_failure_rate", (1, 2, 0.5)),
        ("frontdesk.eligibility_electronic_rate", (1, 2, 0.5)),
        ("frontdesk.pos_collection_rate", (45, 65, 45 / 65)),
        ("auth.within_cms_timeframe_rate", (1, 2, 0.5)),
        ("auth.approval_rate", (1, 2, 0.5)),
        ("auth.turnaround_hours_median", (None, 2, 156.0)),
        ("auth.required_rate", (1, 3, 1 / 3)),
        ("staff.minutes_per_visit", (75, 3, 25.0)),
        ("staff.cost_per_visit", (60, 3, 20.0)),
        ("staff.open_backlog", (1, None, 1)),
        # work RVUs (seed cpt_work_rvus) of the March charges: 99213 1.30 + 93306 1.50
        # + 93000 0.17 + 99214 1.92, one unit each
        ("fin.wrvu", (4.89, None, 4.89)),
    ],
)
def test_practice_metric_values(
    con: duckdb.DuckDBPyConnection, metric_id: str, expected: tuple[float | None, ...]
) -> None:
    got = metric(con, metric_id)
    for actual, want in zip(got, expected, strict=True):
        if want is None:
            assert actual is None, (metric_id, got)
        else:
            assert actual == pytest.approx(want), (metric_id, got)


# Rows per mart, from the fixture: a speed-up or refactor of the models must not change them.
MART_ROWS = {
    "dim_patient": 3,  # pt1..pt3
    "dim_provider": 2,
    "dim_location": 2,
    "fct_appointments": 6,  # ap1..ap6, one row per appointment whatever its versions
    "fct_visits": 3,  # the completed ap1..ap3
    "fct_encounters": 3,
    "fct_clinical_notes": 3,
    "fct_encounter_charges": 4,
    "fct_eligibility_checks": 2,  # ap1's x12_270 and ap2's phone check
    "fct_prior_auths": 2,
    "fct_work_items": 4,
    "fct_note_backlog": 1,  # no3, unsigned at the end of March
    "fct_work_backlog": 1,  # the claim follow-up still open at the end of March
}


def test_mart_row_counts(con: duckdb.DuckDBPyConnection) -> None:
    counts = {
        name: con.execute(f"select count(*) from marts.{name}").fetchone()[0] for name in MART_ROWS
    }
    assert counts == MART_ROWS


def test_breakdowns(con: duckdb.DuckDBPyConnection) -> None:
    # L1: ap1, ap3 completed + ap4 no-show -> 1/3; L2: ap2 completed -> 0/1
    assert metric(con, "access.no_show_rate", dimension="location", value="L1") == (
        1,
        3,
        pytest.approx(1 / 3),
    )
    assert metric(con, "access.no_show_rate", dimension="location", value="L2") == (0, 1, 0)
    # expedited au1 decided exactly at 72 h is within the CMS-0057-F timeframe
    assert metric(
        con, "auth.within_cms_timeframe_rate", dimension="urgency", value="expedited"
    ) == (1, 1, 1)
    # the open claim follow-up is 7 days old at the end of March (started 03-25)
    assert metric(con, "staff.open_backlog", dimension="age_bucket", value="0-7 days")[2] == 1


def test_kpi_columns_and_keys(con: duckdb.DuckDBPyConnection) -> None:
    for name in ("kpi_access", "kpi_staff", "kpi_auth", "kpi_docs", "kpi_ops"):
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and table_name = ? order by ordinal_position",
            [name],
        ).fetchall()
        assert columns == [
            ("metric_id", "VARCHAR"),
            ("period_month", "DATE"),
            ("dimension", "VARCHAR"),
            ("dimension_value", "VARCHAR"),
            ("numerator", "DOUBLE"),
            ("denominator", "DOUBLE"),
            ("value", "DOUBLE"),
        ], name
    duplicates = con.execute(
        f"select count(*) from (select metric_id, period_month, dimension, dimension_value "
        f"from {kpi_table(con)} group by all having count(*) > 1)"
    ).fetchone()
    assert duplicates == (0,)
    for table, key in [
        ("fct_appointments", "appointment_id"),
        ("fct_visits", "appointment_id"),
        ("fct_encounters", "encounter_id"),
        ("fct_prior_auths", "auth_id"),
        ("fct_eligibility_checks", "check_id"),
        ("fct_work_items", "work_item_id"),
        ("fct_clinical_notes", "note_id"),
        ("dim_patient", "patient_key"),
        ("dim_provider", "provider_id"),
        ("dim_location", "location_id"),
    ]:
        total, distinct = con.execute(
            f"select count(*), count(distinct {key}) from marts.{table}"
        ).fetchone()
        assert total == distinct > 0, table


def test_no_phi_in_marts(con: duckdb.DuckDBPyConnection) -> None:
    columns = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'marts'"
    ).fetchall()
    assert not [c for c in columns if c[1] in FORBIDDEN_COLUMNS]
    for table, column, data_type in columns:
        if data_type == "VARCHAR":
            found = con.execute(
                f'select count(*) from marts."{table}" where '
                + " or ".join(f'contains("{column}", ?)' for _ in PHI_STRINGS),
                PHI_STRINGS,
            ).fetchone()
            assert found == (0,), f"PHI in marts.{table}.{column}"
        elif data_type == "DATE":
            found = con.execute(
                f'select count(*) from marts."{table}" where "{column}" in (?, ?, ?)', PHI_DATES
            ).fetchone()
            assert found == (0,), f"birth date in marts.{table}.{column}"
    # staging still has it (PHI stays in raw + staging), and the keyed hash is stable
    assert con.execute(
        "select count(*) from staging.stg_pm__patients where mrn = 'MRN-0001'"
    ).fetchone() == (1,)
    key = hmac.new(PHI_KEY.encode(), b"pt1", hashlib.sha256).hexdigest()
    assert con.execute(
        "select age_band, sex, zip3 from marts.dim_patient where patient_key = ?", [key]
    ).fetchone() == ("35-49", "F", "606")
    # a three-digit ZIP area under 20,000 people is reported as 000
    assert con.execute("select count(*) from marts.dim_patient where zip3 = '000'").fetchone() == (
        1,
    )
