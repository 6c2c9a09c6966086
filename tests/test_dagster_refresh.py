"""The Dagster refresh end to end on the `small` preset, in a temporary home.

The tests read the session's shared home (``refreshed_small_home`` in conftest.py: simulated
and refreshed once). The bad-input test works on a copy, so it can fail a refresh and recover
without disturbing the others. Slow (a full dbt build per refresh): ``pytest -m "not slow"``
skips the module.

The asset-graph snapshot (tests/snapshots/asset_graph.json) pins the shape of the code
location: asset keys, groups and dependencies, checks and whether they block, the job,
the schedule's cron and the sensors. Regenerate it after an intended change with
``FRICTION_UPDATE_SNAPSHOTS=1 pytest tests/test_dagster_refresh.py -k snapshot``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import RefreshedHome, default_settings
from dagster import DagsterEventType, Definitions

from dagster_project.defs import build_defs
from dagster_project.defs.refresh_status import read_status
from dagster_project.finance_exports import CONTROL_TOTALS, DATA_DICTIONARY, EXPORT_TABLES
from dagster_project.refresh import run_refresh
from dagster_project.settings import Settings

pytestmark = pytest.mark.slow

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"
UPDATE_SNAPSHOTS = os.environ.get("FRICTION_UPDATE_SNAPSHOTS") == "1"
BAD_AMOUNT = "5000000.00"  # five million dollars from one patient: amounts_in_range blocks it


@pytest.fixture(scope="session")
def defs(tmp_path_factory: pytest.TempPathFactory) -> Definitions:
    """The code location alone (no refresh needed): graph-shape tests run in seconds."""
    return build_defs(default_settings(tmp_path_factory.mktemp("defs_home")))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _export_folder(settings: Settings) -> Path:
    """The refresh's set: the one folder named by a date (a month set is named YYYY-MM)."""
    folders = [p for p in (settings.exports_dir / "finance").iterdir() if len(p.name) == 10]
    assert len(folders) == 1, folders
    return folders[0]


# --- definitions and graph shape ----------------------------------------------------------


def graph_shape(defs: Definitions) -> dict:
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
        }
    checks: dict[str, list[str]] = {}
    for check_key in graph.asset_check_keys:
        spec = graph.get_check_spec(check_key)
        label = spec.name + (" [blocking]" if spec.blocking else "")
        checks.setdefault(check_key.asset_key.to_user_string(), []).append(label)
    job = defs.resolve_job_def("refresh")
    return {
        "assets": assets,
        "checks": {asset: sorted(names) for asset, names in sorted(checks.items())},
        "jobs": {job.name: {"executor": job.executor_def.name}},
        "schedules": {
            s.name: {"cron": s.cron_schedule, "timezone": s.execution_timezone, "job": s.job_name}
            for s in defs.schedules or []
        },
        "sensors": sorted(s.name for s in defs.sensors or []),
    }


def test_definitions_load(defs: Definitions) -> None:
    job = defs.resolve_job_def("refresh")
    assert job.executor_def.name == "in_process"
    schedule = defs.resolve_schedule_def("daily_refresh")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 6 * * *", "America/Chicago")
    assert {s.name for s in defs.sensors or []} == {"landing_files", "record_failed_refresh"}
    # The module Dagster's CLI loads builds the same location from the environment.
    import dagster_project.definitions as entry

    assert entry.defs.resolve_job_def("refresh").name == "refresh"


def test_asset_graph_matches_snapshot(defs: Definitions) -> None:
    shape = graph_shape(defs)
    if UPDATE_SNAPSHOTS or not SNAPSHOT.exists():
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(shape, indent=1, sort_keys=True) + "\n")
        if not UPDATE_SNAPSHOTS:
            pytest.fail(f"wrote a new {SNAPSHOT.name}; review and commit it")
    assert shape == json.loads(SNAPSHOT.read_text())


def test_graph_wiring(defs: Definitions) -> None:
    shape = graph_shape(defs)
    assets = shape["assets"]
    # Ingestion: one asset per raw table, in its source group; dbt sources link to them.
    assert assets["raw/pm__appointments"]["group"] == "raw_pm"
    assert assets["raw/x12_835_claims"]["group"] == "raw_remits"
    assert assets["raw/x12_837_claims"]["group"] == "raw_claims"
    assert "raw/pm__appointments" in assets["staging/stg_pm__appointments"]["deps"]
    # Publish waits for every mart and export; the CSVs are written after it.
    assert "marts/kpi_monthly" in assets["publish"]["deps"]
    assert "exports/finance_revenue_monthly" in assets["publish"]["deps"]
    assert assets["finance_exports"]["deps"] == ["publish"]
    checks = shape["checks"]
    assert "rows_match_manifest [blocking]" in checks["raw/pm__appointments"]
    assert "clp02_in_code_set" in checks["raw/x12_835_claims"]  # warns: payer data
    assert "rates_between_0_and_1 [blocking]" in checks["marts/kpi_monthly"]
    assert "amounts_in_range [blocking]" in checks["marts/fct_payments"]


# --- the refresh -----------------------------------------------------------------------


def test_refresh_runs_every_stage_and_publishes(refreshed_small_home: RefreshedHome) -> None:
    result, settings = refreshed_small_home.result, refreshed_small_home.settings
    assert result.ok, result.error
    assert list(result.stage_seconds) == [
        "prepare",
        "ingest",
        "dbt build",
        "checks",
        "publish",
        "exports",
    ]
    instance = refreshed_small_home.instance
    planned = {
        (data.asset_key.to_user_string(), data.check_name)
        for record in instance.all_logs(
            result.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED
        )
        for data in [record.get_dagster_event().event_specific_data]
    }
    recorded = set(
        _query(
            settings.serving_db,
            "select asset, check_name from meta.check_results where passed or not blocking",
        )
    )
    # Every check the run planned is in the snapshot it built, and none of them blocked:
    # the Great Expectations suites on raw and marts as well as the dbt tests.
    assert recorded == planned
    assert {
        ("raw/pm__appointments", "rows_match_manifest"),
        ("raw/x12_transactions", "payments_balance"),
        ("marts/kpi_monthly", "rates_between_0_and_1"),
        ("marts/fct_payments", "amounts_in_range"),
        (
            "exports/export_reconciliation",
            "accepted_values_export_reconciliation_reconciles__False__True",
        ),
    } <= planned
    (refresh_id,) = _query(settings.serving_db, "select refresh_id from meta.snapshot")[0]
    assert refresh_id == result.run_id
    status = read_status(settings.serving_db)
    assert status is not None and status["ok"] is True and status["run_id"] == result.run_id


def test_serving_snapshot_has_marts_and_exports_but_no_staging(
    refreshed_small_home: RefreshedHome,
) -> None:
    schemas = {
        s
        for (s,) in _query(
            refreshed_small_home.settings.serving_db,
            "select distinct table_schema from information_schema.tables",
        )
    }
    assert schemas == {"marts", "exports", "meta"}


# --- failure and recovery --------------------------------------------------------------


def _land_payment(settings: Settings, name: str, payment_id: str, amount: str) -> None:
    """A patient payment for an existing patient, dated within the simulated window."""
    patient_id, received_at = _query(
        settings.work_db,
        "select patient_id, max(received_at) from raw.pm__patient_payments "
        "group by patient_id order by patient_id limit 1",
    )[0]
    folder = settings.landing / "pm" / "patient_payments"
    with (folder / name).open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["payment_id", "patient_id", "claim_id", "received_at", "amount", "method"])
        writer.writerow(
            [payment_id, patient_id, "", f"{received_at:%Y-%m-%d %H:%M:%S}", amount, "portal"]
        )


def test_bad_input_blocks_publish_and_the_next_good_refresh_recovers(
    refreshed_small_home: RefreshedHome, tmp_path: Path
) -> None:
    assert refreshed_small_home.result.ok
    home = tmp_path / "home"
    shutil.copytree(refreshed_small_home.settings.home, home)
    settings = default_settings(home)
    snapshot_before = _sha256(settings.serving_db)
    exports_before = sorted(p.name for p in (settings.exports_dir / "finance").iterdir())

    _land_payment(settings, "zz_bad.csv", "PP-BAD-1", BAD_AMOUNT)
    failed = run_refresh(settings)
    assert not failed.ok
    assert failed.error == "blocking checks failed: marts/fct_payments:amounts_in_range"
    assert "publish" not in failed.stage_seconds
    assert _sha256(settings.serving_db) == snapshot_before  # readers still see the last good one
    assert sorted(p.name for p in (settings.exports_dir / "finance").iterdir()) == exports_before
    status = read_status(settings.serving_db)
    assert status is not None
    assert (status["ok"], status["reason"], status["run_id"]) == (
        False,
        failed.error,
        failed.run_id,
    )
    assert status["last_success"]["run_id"] == refreshed_small_home.result.run_id

    # The practice re-sends the payment corrected: the latest version wins in staging.
    _land_payment(settings, "zz_fix.csv", "PP-BAD-1", "50.00")
    recovered = run_refresh(settings)
    assert recovered.ok, recovered.error
    assert _sha256(settings.serving_db) != snapshot_before
    assert _query(
        settings.serving_db,
        "select payment_amount from marts.fct_payments where payment_id = 'PP-BAD-1'",
    ) == [(Decimal("50.00"),)]
    assert _query(settings.serving_db, "select refresh_id from meta.snapshot") == [
        (recovered.run_id,)
    ]
    status = read_status(settings.serving_db)
    assert status is not None and status["ok"] is True


# --- finance exports -------------------------------------------------------------------
# (No PHI in any export file or header: tests/test_phi_containment.py.)


def _control_totals(folder: Path) -> dict[tuple[str, str, str], Decimal]:
    with (folder / CONTROL_TOTALS).open(newline="") as handle:
        return {
            (row["file"], row["measure"], row["column"]): Decimal(row["value"])
            for row in csv.DictReader(handle)
        }


def test_export_control_totals_equal_the_marts(refreshed_small_home: RefreshedHome) -> None:
    settings = refreshed_small_home.settings
    folder = _export_folder(settings)
    totals = _control_totals(folder)
    serving = settings.serving_db
    expected = {
        ("finance_revenue_monthly.csv", "charges_usd"): "select sum(current_charge) "
        "from marts.fct_claims",
        ("finance_revenue_monthly.csv", "payer_payments_usd"): "select sum(payer_paid_amount) "
        "from marts.fct_claims",
        ("finance_revenue_monthly.csv", "patient_payments_usd"): "select sum(payment_amount) "
        "from marts.fct_payments where payment_source = 'patient'",
        ("finance_revenue_monthly.csv", "contractual_adjustments_usd"): "select "
        "sum(contractual_adjustment_amount) from marts.fct_claims",
        ("finance_revenue_monthly.csv", "denials_usd"): "select sum(denied_amount) "
        "from marts.fct_claim_denials",
        ("finance_revenue_monthly.csv", "denial_writeoffs_usd"): "select "
        "sum(denial_writeoff_amount) from marts.fct_claims",
        ("finance_ar_aging.csv", "ar_total_usd"): "select sum(ar_amount) "
        "from marts.fct_ar_snapshot_monthly",
        ("finance_payments_posted.csv", "payment_usd"): "select sum(payment_amount) "
        "from marts.fct_payments where payment_source = 'payer'",
        ("finance_denial_writeoffs.csv", "written_off_usd"): "select "
        "sum(denial_writeoff_amount) from marts.fct_claims",
    }
    for (file, column), sql in expected.items():
        (mart_total,) = _query(serving, sql)[0]
        assert totals[(file, "sum", column)] == mart_total, (file, column)
        assert mart_total != 0, (file, column)  # a real comparison, not 0 == 0
    for table in EXPORT_TABLES:
        with (folder / f"{table}.csv").open(newline="") as handle:
            data_rows = sum(1 for _ in csv.DictReader(handle))
        (table_rows,) = _query(serving, f"select count(*) from exports.{table}")[0]
        assert totals[(f"{table}.csv", "rows", "")] == data_rows == table_rows > 0
    # The latest month's A/R is the open balance of every claim.
    (latest_ar,) = _query(
        serving,
        "select sum(ar_amount) from marts.fct_ar_snapshot_monthly where snapshot_month = "
        "(select max(snapshot_month) from marts.fct_ar_snapshot_monthly)",
    )[0]
    (outstanding,) = _query(serving, "select sum(outstanding_balance) from marts.fct_claims")[0]
    assert latest_ar == outstanding


def test_export_columns_are_documented(refreshed_small_home: RefreshedHome) -> None:
    folder = _export_folder(refreshed_small_home.settings)
    with (folder / DATA_DICTIONARY).open(newline="") as handle:
        dictionary = list(csv.DictReader(handle))
    undocumented = [(r["file"], r["column"]) for r in dictionary if not r["description"].strip()]
    assert undocumented == []
    for table in EXPORT_TABLES:
        with (folder / f"{table}.csv").open(newline="") as handle:
            header = next(csv.reader(handle))
        assert header == [r["column"] for r in dictionary if r["file"] == f"{table}.csv"]
    revenue = [r["column"] for r in dictionary if r["file"] == "finance_revenue_monthly.csv"]
    assert revenue[:2] == ["period_month", "location_id"]
    assert {
        "charges_usd",
        "payer_payments_usd",
        "patient_payments_usd",
        "contractual_adjustments_usd",
        "denials_usd",
        "denial_writeoffs_usd",
    } <= set(revenue)


def test_export_month_rebuilds_one_month(refreshed_small_home: RefreshedHome) -> None:
    from dagster_project.finance_exports import export_month

    settings = refreshed_small_home.settings
    (month,) = _query(
        settings.serving_db,
        "select strftime(max(period_month), '%Y-%m') from exports.finance_revenue_monthly",
    )[0]
    folder = export_month(settings, month)
    assert folder == settings.exports_dir / "finance" / month
    totals = _control_totals(folder)
    (charges,) = _query(
        settings.serving_db,
        "select sum(charges_usd) from exports.finance_revenue_monthly "
        f"where period_month = date '{month}-01'",
    )[0]
    assert totals[("finance_revenue_monthly.csv", "sum", "charges_usd")] == charges
    with (folder / "finance_payments_posted.csv").open(newline="") as handle:
        months = {row["period_month"] for row in csv.DictReader(handle)}
    assert months == {f"{month}-01"}


def test_refresh_date_folder_is_today_in_the_practice_time_zone(
    refreshed_small_home: RefreshedHome,
) -> None:
    from zoneinfo import ZoneInfo

    folder = _export_folder(refreshed_small_home.settings)
    today = dt.datetime.now(ZoneInfo(refreshed_small_home.settings.timezone)).date()
    # A run that straddles midnight may have written yesterday's folder.
    assert folder.name in {today.isoformat(), (today - dt.timedelta(days=1)).isoformat()}
