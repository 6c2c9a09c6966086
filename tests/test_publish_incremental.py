"""publish_snapshot after a previous publish: unchanged tables kept, few changed rows patched,
the rest copied, and the snapshot's content always the work database's (row multisets)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from dagster_project.stages.publish import (
    COPIED,
    KEPT,
    PATCH_MIN_ROWS,
    PATCHED,
    publish_snapshot,
)
from ingestion.raw_store import create_raw_schema

DISTINCT_ROWS = PATCH_MIN_ROWS + 10_000
BIG_ROWS = DISTINCT_ROWS + DISTINCT_ROWS // 10  # every tenth row has a twin


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def work_db(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse" / "work.duckdb"
    path.parent.mkdir()
    with duckdb.connect(str(path)) as con:
        create_raw_schema(con)
        con.execute("create schema marts")
        con.execute("create schema exports")
        # Twins (equal rows) must keep their count through a patch.
        con.execute(
            "create table marts.fct_big as "
            "select i as visit_no, 'V' || i // 7 as visit_id, i * 0.25 as amount "
            f"from range({DISTINCT_ROWS}) as t(i) "
            "union all select i, 'V' || i // 7, i * 0.25 "
            f"from range(0, {DISTINCT_ROWS}, 10) as t(i)"
        )
        con.execute("create table marts.dim_small (id varchar, name varchar)")
        con.execute("insert into marts.dim_small values ('L1', 'North'), ('L2', 'South')")
        con.execute("create table exports.finance_x as select 14.75::decimal(18,2) as total")
    return path


def _same_rows(work_db: Path, serving: Path, table: str) -> tuple[int, int, int]:
    """(rows in work, rows only in work, rows only in the snapshot), duplicates counted."""
    with duckdb.connect() as con:
        con.execute(f"attach '{work_db}' as work (read_only)")
        con.execute(f"attach '{serving}' as snap (read_only)")
        found = con.execute(
            f"select (select count(*) from work.{table}), "
            f"(select count(*) from (from work.{table} except all from snap.{table})), "
            f"(select count(*) from (from snap.{table} except all from work.{table}))"
        ).fetchone()
    assert found is not None
    return found


def test_second_publish_keeps_patches_and_copies_by_content(work_db: Path, tmp_path: Path) -> None:
    serving = tmp_path / "serving" / "warehouse.duckdb"
    first = publish_snapshot(work_db, serving, refresh_id="r1")
    assert first.actions == {
        "exports.finance_x": COPIED,
        "marts.dim_small": COPIED,
        "marts.fct_big": COPIED,
    }
    first_sha = _sha256(serving)
    with duckdb.connect(str(work_db)) as con:
        # A day's worth of changes: rows changed (110 with their twins), rows gone (visits
        # 77-90 and two twins: 16), one twin fewer, two equal rows new.
        con.execute(
            "update marts.fct_big set amount = amount + 1 where visit_no between 3000 and 3099"
        )
        con.execute("delete from marts.fct_big where visit_id in ('V11', 'V12')")
        con.execute(
            "delete from marts.fct_big where rowid = "
            "(select max(rowid) from marts.fct_big where visit_no = 500)"
        )
        con.execute("insert into marts.fct_big values (-7, 'V-new', 1.5), (-7, 'V-new', 1.5)")
    second = publish_snapshot(work_db, serving, refresh_id="r2")
    assert second.actions == {
        "exports.finance_x": KEPT,
        "marts.dim_small": KEPT,
        "marts.fct_big": PATCHED,
    }
    work_rows = BIG_ROWS - 16 - 1 + 2
    assert second.rows["marts.fct_big"] == work_rows
    assert _same_rows(work_db, serving, "marts.fct_big") == (work_rows, 0, 0)
    assert _same_rows(work_db, serving, "marts.dim_small") == (2, 0, 0)
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute(
            "select count(*) from marts.fct_big where visit_no in (500, -7)"
        ).fetchone() == (3,)
    # The served snapshot of the first publish went to history untouched.
    assert [_sha256(p) for p in second.previous_kept] == [first_sha]
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("select refresh_id from meta.snapshot").fetchone() == ("r2",)
        recorded = con.execute(
            "select table_name, row_count from meta.table_fingerprints order by 1"
        ).fetchall()
    assert recorded == [
        ("exports.finance_x", 1),
        ("marts.dim_small", 2),
        ("marts.fct_big", work_rows),
    ]


def test_small_or_heavily_changed_tables_are_copied_whole(work_db: Path, tmp_path: Path) -> None:
    serving = tmp_path / "serving" / "warehouse.duckdb"
    publish_snapshot(work_db, serving)
    with duckdb.connect(str(work_db)) as con:
        con.execute("update marts.dim_small set name = 'North campus' where id = 'L1'")
        con.execute("update marts.fct_big set amount = -amount where visit_no % 2 = 0")
    result = publish_snapshot(work_db, serving)
    assert result.actions["marts.dim_small"] == COPIED
    assert result.actions["marts.fct_big"] == COPIED  # about half its rows changed
    assert _same_rows(work_db, serving, "marts.fct_big") == (BIG_ROWS, 0, 0)
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("select name from marts.dim_small order by id").fetchall() == [
            ("North campus",),
            ("South",),
        ]


def test_new_dropped_and_retyped_tables(work_db: Path, tmp_path: Path) -> None:
    serving = tmp_path / "serving" / "warehouse.duckdb"
    publish_snapshot(work_db, serving)
    with duckdb.connect(str(work_db)) as con:
        con.execute("drop table exports.finance_x")
        con.execute("create table exports.finance_y as select 1 as n")
        # Same values, another type: the copy must carry the work table's type.
        con.execute("alter table marts.fct_big alter amount type double")
    result = publish_snapshot(work_db, serving)
    assert result.actions == {
        "exports.finance_y": COPIED,
        "marts.dim_small": KEPT,
        "marts.fct_big": COPIED,
    }
    with duckdb.connect(str(serving), read_only=True) as con:
        tables = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('marts', 'exports') order by 1"
        ).fetchall()
        amount_type = con.execute(
            "select data_type from information_schema.columns "
            "where table_name = 'fct_big' and column_name = 'amount'"
        ).fetchone()
    assert tables == [("exports.finance_y",), ("marts.dim_small",), ("marts.fct_big",)]
    assert amount_type == ("DOUBLE",)


def test_snapshot_without_fingerprints_is_not_reused(work_db: Path, tmp_path: Path) -> None:
    serving = tmp_path / "serving" / "warehouse.duckdb"
    publish_snapshot(work_db, serving)
    with duckdb.connect(str(serving)) as con:  # as written before fingerprints existed
        con.execute("drop table meta.table_fingerprints")
    result = publish_snapshot(work_db, serving)
    assert set(result.actions.values()) == {COPIED}
    assert _same_rows(work_db, serving, "marts.fct_big") == (BIG_ROWS, 0, 0)
