"""Publish the serving snapshot: marts and exports only, checkpointed, swapped in by one rename.

Readers (dashboard, analysts, exports) open ``<home>/serving/warehouse.duckdb`` read-only.
DuckDB allows no reader beside a writer, so readers never touch the work database; they get
a finished copy, and a refresh that fails before this step leaves their copy as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dagster_project.stages import faults
from ingestion.duckdb_memory import bound_memory

# Column names that would mean patient identity leaked past staging (architecture inv. 4).
PHI_COLUMN_NAMES = frozenset(
    {
        "first_name",
        "last_name",
        "patient_name",
        "birth_date",
        "date_of_birth",
        "dob",
        "mrn",
        "member_id",
        "subscriber_id",
        "patient_id",
        "patient_first_name",
        "patient_last_name",
        "subscriber_member_id",
        "subscriber_first_name",
        "subscriber_last_name",
        "subscriber_birth_date",
        "zip",
    }
)

# Schemas copied whole into the snapshot: the analysts' marts and the finance export tables.
PUBLISHED_SCHEMAS = ("marts", "exports")

# Bookkeeping copied from the work database; `value` is left out of the quarantine because
# a rejected row's value may be a name or a member id.
META_COPIES = {
    "load_manifest": "select * from work.raw._load_manifest",
    "quarantine": "select * exclude (value) from work.raw._quarantine",
}


class PublishRefused(RuntimeError):
    """The snapshot would break an invariant (PHI in marts, nothing to publish)."""


@dataclass
class PublishResult:
    path: Path
    tables: list[str]  # schema-qualified, e.g. marts.fct_claims
    rows: dict[str, int]
    built_at: dt.datetime
    previous_kept: list[Path] = field(default_factory=list)


def _published_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(schema, table) of every table in the published schemas of the work database."""
    return [
        (schema, table)
        for schema, table in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = 'work' and table_schema in ? "
            "order by table_schema, table_name",
            [list(PUBLISHED_SCHEMAS)],
        ).fetchall()
    ]


def _phi_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_catalog = 'work' and table_schema in ?",
        [list(PUBLISHED_SCHEMAS)],
    ).fetchall()
    return [f"{s}.{t}.{c}" for s, t, c in rows if c.lower() in PHI_COLUMN_NAMES]


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables "
        "where table_catalog = 'work' and table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(found and found[0])


def _rotate(serving_db: Path, built_at: dt.datetime, keep: int) -> list[Path]:
    """Keep the current snapshot under history/ (hard link: no copy, no gap), prune old ones."""
    history = serving_db.parent / "history"
    history.mkdir(exist_ok=True)
    if serving_db.exists():
        # built_at has whole seconds; two publishes in one second must not share a name.
        stamp = f"{built_at:%Y%m%dT%H%M%S}{dt.datetime.now():%f}-{uuid.uuid4().hex[:6]}"
        target = history / f"warehouse-{stamp}.duckdb"
        try:
            os.link(serving_db, target)
        except OSError:
            # Filesystems without hard links: a copy is slower but equally safe.
            target.write_bytes(serving_db.read_bytes())
    kept = sorted(history.glob("warehouse-*.duckdb"))
    for old in kept[:-keep] if keep > 0 else kept:
        old.unlink(missing_ok=True)
    return sorted(history.glob("warehouse-*.duckdb"))


def remove_leftovers(folder: Path) -> list[Path]:
    """Delete half-built files a killed publish left behind (one publisher at a time)."""
    removed = sorted(folder.glob(".building-*.duckdb*"))
    for leftover in removed:
        leftover.unlink(missing_ok=True)
    return removed


def publish_snapshot(
    work_db: Path,
    serving_db: Path,
    *,
    check_results: list[dict[str, object]] | None = None,
    refresh_id: str | None = None,
    keep: int = 3,
) -> PublishResult:
    """Copy ``marts.*``, ``exports.*`` and bookkeeping into a new file, then swap it in.

    Nothing under ``serving_db`` changes until the final rename: any failure before it (a
    refused snapshot, a full disk, a crash) leaves the previous snapshot as it was.
    """
    serving_db.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(serving_db.parent)
    built_at = dt.datetime.now().replace(microsecond=0)
    tmp = serving_db.parent / f".building-{uuid.uuid4().hex}.duckdb"
    rows: dict[str, int] = {}
    try:
        con = duckdb.connect(str(tmp))
        try:
            bound_memory(con)  # reading every mart would otherwise fill the buffer pool
            work_path = str(work_db).replace("'", "''")
            con.execute(f"attach '{work_path}' as work (read_only)")
            tables = _published_tables(con)
            if not any(schema == "marts" for schema, _ in tables):
                raise PublishRefused(f"{work_db} has no marts tables: nothing to publish")
            leaked = _phi_columns(con)
            if leaked:
                raise PublishRefused(f"PHI columns in published schemas, refusing: {leaked}")
            for schema in (*PUBLISHED_SCHEMAS, "meta"):
                con.execute(f"create schema {schema}")
            for index, (schema, table) in enumerate(tables):
                if index == len(tables) // 2:
                    faults.pause_if_requested(faults.PUBLISH)  # the new file is half written
                name = f'{schema}."{table}"'
                con.execute(f"create table {name} as select * from work.{name}")
                count = con.execute(f"select count(*) from {name}").fetchone()
                rows[f"{schema}.{table}"] = int(count[0]) if count else 0
            for name, sql in META_COPIES.items():
                con.execute(f"create table meta.{name} as {sql}")
            _write_meta(con, built_at, refresh_id, check_results or [], rows)
            con.execute("detach work")
            con.execute("checkpoint")
        finally:
            con.close()
        kept = _rotate(serving_db, built_at, keep)
        os.replace(tmp, serving_db)
    finally:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
    return PublishResult(serving_db, list(rows), rows, built_at, kept)


def _write_meta(
    con: duckdb.DuckDBPyConnection,
    built_at: dt.datetime,
    refresh_id: str | None,
    check_results: list[dict[str, object]],
    rows: dict[str, int],
) -> None:
    files = con.execute(
        "select count(*), coalesce(sum(units_loaded), 0) from meta.load_manifest"
    ).fetchone()
    con.execute(
        "create table meta.snapshot as select ?::timestamp as built_at, ? as refresh_id, "
        "?::bigint as files_loaded, ?::bigint as units_loaded, ? as table_rows",
        [
            built_at,
            refresh_id or uuid.uuid4().hex[:12],
            files[0] if files else 0,
            files[1] if files else 0,
            json.dumps(rows, sort_keys=True),
        ],
    )
    if _has_table(con, "marts", "source_freshness"):
        con.execute("create table meta.source_freshness as select * from marts.source_freshness")
    con.execute(
        "create table meta.check_results (check_name varchar, asset varchar, severity varchar, "
        "blocking boolean, passed boolean, detail varchar, checked_at timestamp)"
    )
    for result in check_results:
        con.execute(
            "insert into meta.check_results values (?, ?, ?, ?, ?, ?, ?)",
            [
                result.get("check_name"),
                result.get("asset"),
                result.get("severity"),
                result.get("blocking"),
                result.get("passed"),
                result.get("detail"),
                result.get("checked_at", built_at),
            ],
        )
