"""publish_snapshot: marts and exports copied, bookkeeping kept, swapped in atomically."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pytest

from dagster_project.stages.publish import PublishRefused, publish_snapshot
from ingestion.raw_store import create_raw_schema

LOADED_AT = dt.datetime(2025, 3, 1, 6, 0)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def work_db(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse" / "work.duckdb"
    path.parent.mkdir()
    with duckdb.connect(str(path)) as con:
        create_raw_schema(con)
        con.execute(
            "insert into raw._load_manifest values "
            "('h1', 'pm/payers', 'pm/payers/a.csv', 10, 'row', 3, 2, 1, 'partial', 1, ?), "
            "('h2', 'remits', 'remits/b.835', 99, 'segment', 40, 40, 0, 'loaded', 1, ?)",
            [LOADED_AT, LOADED_AT],
        )
        con.execute(
            "insert into raw._quarantine values ('h1', 'pm/payers/a.csv', 'pm/payers', 'row', 3, "
            "'payer_type', 'Jane Doe', 'not_allowed', 'not a payer type', 'quarantined', 1, 1)"
        )
        con.execute("create schema marts")
        con.execute("create schema exports")
        con.execute("create schema staging")
        con.execute("create table marts.fct_payments (payment_id varchar, amount decimal(18,2))")
        con.execute("insert into marts.fct_payments values ('P1', 10.50), ('P2', 4.25)")
        con.execute("create table exports.finance_x (period_month date, total decimal(18,2))")
        con.execute("insert into exports.finance_x values ('2025-02-01', 14.75)")
        con.execute("create table staging.stg_secret (last_name varchar)")
    return path


def test_publish_copies_marts_exports_and_bookkeeping(work_db: Path, tmp_path: Path) -> None:
    serving = tmp_path / "serving" / "warehouse.duckdb"
    checks = [
        {
            "check_name": "amounts_in_range",
            "asset": "marts/fct_payments",
            "severity": "ERROR",
            "blocking": True,
            "passed": True,
            "detail": "ok",
        },
    ]
    result = publish_snapshot(work_db, serving, check_results=checks, refresh_id="run-1")
    assert result.rows == {"marts.fct_payments": 2, "exports.finance_x": 1}
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("select sum(amount) from marts.fct_payments").fetchone()[0] == (
            pytest.approx(14.75)
        )
        assert con.execute("select total from exports.finance_x").fetchone()[0] == 14.75
        tables = {
            f"{s}.{t}"
            for s, t in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        assert "staging.stg_secret" not in tables
        snapshot = con.execute(
            "select refresh_id, files_loaded, units_loaded from meta.snapshot"
        ).fetchone()
        assert snapshot == ("run-1", 2, 42)
        assert con.execute(
            "select check_name, blocking, passed from meta.check_results"
        ).fetchall() == [("amounts_in_range", True, True)]
        quarantine_columns = [
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'meta' and table_name = 'quarantine'"
            ).fetchall()
        ]
        assert "value" not in quarantine_columns  # a rejected value may be a patient's name
    assert not list(serving.parent.glob(".building-*"))


def test_refused_publish_leaves_the_previous_snapshot_untouched(
    work_db: Path, tmp_path: Path
) -> None:
    serving = tmp_path / "serving" / "warehouse.duckdb"
    publish_snapshot(work_db, serving, refresh_id="good")
    before = _sha256(serving)
    with duckdb.connect(str(work_db)) as con:
        con.execute("create table marts.leaky (patient_key varchar, member_id varchar)")
    with pytest.raises(PublishRefused, match="marts.leaky.member_id"):
        publish_snapshot(work_db, serving, refresh_id="bad")
    assert _sha256(serving) == before
    assert not list(serving.parent.glob(".building-*"))
    assert not (serving.parent / "history").exists() or not list(
        (serving.parent / "history").iterdir()
    )


def test_nothing_to_publish_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(PublishRefused, match="no marts tables"):
        publish_snapshot(empty, tmp_path / "serving" / "warehouse.duckdb")


def test_history_keeps_the_last_snapshots_and_leftovers_are_cleaned(
    work_db: Path, tmp_path: Path
) -> None:
    serving = tmp_path / "serving" / "warehouse.duckdb"
    first = publish_snapshot(work_db, serving, refresh_id="r1", keep=2)
    first_hash = _sha256(serving)
    assert first.previous_kept == []
    # A publish killed half-way leaves its building file behind; the next one removes it.
    (serving.parent / ".building-deadbeef.duckdb").write_bytes(b"half")
    spill = serving.parent / ".building-deadbeef.duckdb.tmp"  # DuckDB's spill folder
    spill.mkdir()
    (spill / "duckdb_temp_storage-0.tmp").write_bytes(b"spilled")
    second = publish_snapshot(work_db, serving, refresh_id="r2", keep=2)
    assert [_sha256(p) for p in second.previous_kept] == [first_hash]
    assert not list(serving.parent.glob(".building-*"))
    publish_snapshot(work_db, serving, refresh_id="r3", keep=2)
    fourth = publish_snapshot(work_db, serving, refresh_id="r4", keep=2)
    assert len(fourth.previous_kept) == 2
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("select refresh_id from meta.snapshot").fetchone() == ("r4",)
