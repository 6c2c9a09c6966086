"""Publish the serving snapshot: marts and exports only, checkpointed, swapped in by one rename.

Readers (dashboard, analysts, exports) open ``<home>/serving/warehouse.duckdb`` read-only.
DuckDB allows no reader beside a writer, so readers never touch the work database; they get
a finished copy, and a refresh that fails before this step leaves their copy as it was.

Copying a table into the snapshot costs DuckDB about eight times what reading it costs (the
write compresses every column again; medium: 10 s CPU to copy the marts, 1.2 s to read them),
and a daily refresh changes few rows of most marts. So a publish starts from a file copy of
the served snapshot and brings each table up to date by content. Every snapshot records, per
table, a fingerprint (row count and the sum of a 64-bit hash of every row) of the work table
it was copied from. A table whose fingerprint is still the work table's is kept as it is; a
large table where few rows changed is patched (the rows whose hash occurs a different number
of times on the two sides are removed and copied again); any other table is copied whole.
Without a usable previous snapshot every table is copied whole. Content is compared by hash:
two different rows with one 64-bit hash (or a double that only changed between 0.0 and -0.0,
which DuckDB hashes alike) would go unnoticed; nothing else can.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
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

# Per published table, the fingerprint of the work table the snapshot's copy came from.
FINGERPRINTS = "meta.table_fingerprints"
# A changed table is patched only from this size: a smaller one is copied whole (cheap), so
# the small tables the dashboard reads without ORDER BY keep the work database's row order.
PATCH_MIN_ROWS = 50_000
# ... and only when at most this share of its rows changed: beyond it a whole copy costs
# about the same and leaves no deleted rows behind.
PATCH_MAX_SHARE = 0.25
# A previous snapshot with more free blocks than this share (tables replaced since it was
# last written afresh) is not reused: copying it would carry that many dead bytes along.
MAX_FREE_SHARE = 0.5

KEPT, PATCHED, COPIED = "kept", "patched", "copied"


class PublishRefused(RuntimeError):
    """The snapshot would break an invariant (PHI in marts, nothing to publish)."""


@dataclass(frozen=True)
class Fingerprint:
    """Row count and the sum of every row's 64-bit hash: equal multisets of rows, equal
    fingerprints; a different content matches only by a hash collision."""

    rows: int
    hash_sum: int


@dataclass
class PublishResult:
    path: Path
    tables: list[str]  # schema-qualified, e.g. marts.fct_claims
    rows: dict[str, int]
    built_at: dt.datetime
    previous_kept: list[Path] = field(default_factory=list)
    # Per table: how it got into the snapshot (KEPT, PATCHED or COPIED).
    actions: dict[str, str] = field(default_factory=dict)


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


def _columns(
    con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str
) -> list[tuple[str, str]]:
    """(name, type) of a table's columns in order; empty when the table does not exist."""
    return con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [catalog, schema, table],
    ).fetchall()


def _row_hash(columns: list[tuple[str, str]]) -> str:
    names = ", ".join('"' + name.replace('"', '""') + '"' for name, _ in columns)
    return f"hash({names})"


def _fingerprint(con: duckdb.DuckDBPyConnection, relation: str, hashed: str) -> Fingerprint:
    """The fingerprint of ``relation`` given the expression of its rows' hash."""
    found = con.execute(
        f"select count(*), coalesce(sum(({hashed})::hugeint), 0) from {relation}"
    ).fetchone()
    return Fingerprint(int(found[0]), int(found[1])) if found else Fingerprint(0, 0)


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
    """Delete half-built files a killed publish left behind (one publisher at a time), and
    the folder DuckDB spills to beside them (``<file>.tmp``)."""
    removed = sorted(folder.glob(".building-*.duckdb*"))
    for leftover in removed:
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    return removed


def _reusable_fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, Fingerprint] | None:
    """The fingerprints a copied previous snapshot recorded, or None when it cannot serve as
    the starting point (written before fingerprints existed, or mostly free blocks)."""
    size = con.execute(
        "select total_blocks, free_blocks from pragma_database_size() "
        "where database_name = current_database()"
    ).fetchone()
    recorded = con.execute(
        "select count(*) from information_schema.tables "
        "where table_catalog = current_database() and table_schema = 'meta' "
        "and table_name = 'table_fingerprints'"
    ).fetchone()
    if not (size and recorded and recorded[0]) or size[1] > MAX_FREE_SHARE * size[0]:
        return None
    return {
        name: Fingerprint(int(rows), int(hash_sum))
        for name, rows, hash_sum in con.execute(
            f"select table_name, row_count, hash_sum from {FINGERPRINTS}"
        ).fetchall()
    }


def _open_building_file(
    serving_db: Path, tmp: Path
) -> tuple[duckdb.DuckDBPyConnection, dict[str, Fingerprint]]:
    """The connection to the new snapshot file and the fingerprints of what it already holds.

    The new file starts as a copy of the served snapshot when that one recorded fingerprints
    (the served file is only ever replaced by rename, never written in place, so the copy
    is consistent); otherwise it starts empty and holds nothing.
    """
    if serving_db.exists():
        shutil.copyfile(serving_db, tmp)
        try:
            con = duckdb.connect(str(tmp))
            stored = _reusable_fingerprints(con)
            if stored is not None:
                return con, stored
            con.close()
        except duckdb.Error:
            pass  # an unreadable previous snapshot: start afresh
        tmp.unlink()
    return duckdb.connect(str(tmp)), {}


def _row_hashes(con: duckdb.DuckDBPyConnection, table: str, relation: str, hashed: str) -> None:
    """Temp table ``table`` (r, h): every row's rowid and hash, one pass over ``relation``."""
    con.execute(
        f"create or replace temp table {table} as select rowid as r, {hashed} as h from {relation}"
    )


def _patch(con: duckdb.DuckDBPyConnection, name: str, hashed: str, rows: int) -> bool:
    """Bring the snapshot's ``name`` to the rows of ``work.name`` (whose hashes are in temp
    table ``new_rows``) by replacing only the rows that differ; False, the table perhaps half
    patched, when more than PATCH_MAX_SHARE of them differ.

    Rows are compared as multisets of row hashes: every row of a hash whose count differs
    between the two sides is removed from the snapshot, every row of it in work is copied.
    Rows of any other hash are the same rows on both sides, as often (barring a collision of
    64-bit hashes), so the result holds the work table's rows, duplicates included.
    """
    _row_hashes(con, "old_rows", name, hashed)
    con.execute(
        "create or replace temp table changed_hashes as "
        "select coalesce(old.h, new.h) as h, coalesce(old.n, 0) + coalesce(new.n, 0) as n "
        "from (select h, count(*) as n from old_rows group by h) as old "
        "full join (select h, count(*) as n from new_rows group by h) as new "
        "on old.h = new.h where old.n is distinct from new.n"
    )
    moved = con.execute("select coalesce(sum(n), 0) from changed_hashes").fetchone()
    if moved is None or moved[0] > PATCH_MAX_SHARE * rows:
        return False
    con.execute(
        f"delete from {name} where rowid in "
        "(select r from old_rows where h in (select h from changed_hashes))"
    )
    con.execute(
        f"insert into {name} select * from work.{name} where rowid in "
        "(select r from new_rows where h in (select h from changed_hashes))"
    )
    count = con.execute(f"select count(*) from {name}").fetchone()
    return bool(count and count[0] == rows)


def _publish_table(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    snapshot_catalog: str,
    stored: Fingerprint | None,
) -> tuple[str, Fingerprint]:
    """Make the snapshot's ``schema.table`` equal the work table; how, and its fingerprint."""
    name = f'{schema}."{table}"'
    columns = _columns(con, "work", schema, table)
    hashed = _row_hash(columns)
    same_shape = _columns(con, snapshot_catalog, schema, table) == columns
    counted = con.execute(f"select count(*) from work.{name}").fetchone()
    if not (same_shape and stored is not None and counted and counted[0] >= PATCH_MIN_ROWS):
        target = _fingerprint(con, f"work.{name}", hashed)
        if same_shape and stored == target:
            return KEPT, target
    else:
        # A large table: its row hashes, kept, give the fingerprint and, if that changed, the
        # patch, in one pass over the work table.
        _row_hashes(con, "new_rows", f"work.{name}", hashed)
        target = _fingerprint(con, "new_rows", "h")
        try:
            if stored == target:
                return KEPT, target
            if _patch(con, name, hashed, target.rows):
                return PATCHED, target
        finally:
            for temp in ("new_rows", "old_rows", "changed_hashes"):
                con.execute(f"drop table if exists {temp}")
    con.execute(f"drop table if exists {name}")
    con.execute(f"create table {name} as select * from work.{name}")
    return COPIED, target


def publish_snapshot(
    work_db: Path,
    serving_db: Path,
    *,
    check_results: list[dict[str, object]] | None = None,
    refresh_id: str | None = None,
    keep: int = 3,
) -> PublishResult:
    """Bring ``marts.*``, ``exports.*`` and bookkeeping into a new file, then swap it in.

    Nothing under ``serving_db`` changes until the final rename: any failure before it (a
    refused snapshot, a full disk, a crash) leaves the previous snapshot as it was.
    """
    serving_db.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(serving_db.parent)
    built_at = dt.datetime.now().replace(microsecond=0)
    tmp = serving_db.parent / f".building-{uuid.uuid4().hex}.duckdb"
    actions: dict[str, str] = {}
    fingerprints: dict[str, Fingerprint] = {}
    try:
        con, stored = _open_building_file(serving_db, tmp)
        try:
            bound_memory(con)  # reading every mart would otherwise fill the buffer pool
            catalog = con.execute("select current_database()").fetchone()[0]
            work_path = str(work_db).replace("'", "''")
            con.execute(f"attach '{work_path}' as work (read_only)")
            tables = _published_tables(con)
            if not any(schema == "marts" for schema, _ in tables):
                raise PublishRefused(f"{work_db} has no marts tables: nothing to publish")
            leaked = _phi_columns(con)
            if leaked:
                raise PublishRefused(f"PHI columns in published schemas, refusing: {leaked}")
            _prepare_schemas(con, catalog, set(tables))
            for index, (schema, table) in enumerate(tables):
                if index == len(tables) // 2:
                    faults.pause_if_requested(faults.PUBLISH)  # the new file is half written
                key = f"{schema}.{table}"
                actions[key], fingerprints[key] = _publish_table(
                    con, schema, table, catalog, stored.get(key)
                )
            for name, sql in META_COPIES.items():
                con.execute(f"create table meta.{name} as {sql}")
            _write_meta(con, built_at, refresh_id, check_results or [], fingerprints)
            con.execute("detach work")
            con.execute("checkpoint")
        finally:
            con.close()
        kept = _rotate(serving_db, built_at, keep)
        os.replace(tmp, serving_db)
    finally:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
    rows = {name: fingerprint.rows for name, fingerprint in fingerprints.items()}
    return PublishResult(serving_db, list(rows), rows, built_at, kept, actions)


def _prepare_schemas(
    con: duckdb.DuckDBPyConnection, catalog: str, published: set[tuple[str, str]]
) -> None:
    """Fresh ``meta``; drop the tables a previous snapshot holds that are published no more."""
    con.execute("drop schema if exists meta cascade")
    for schema in (*PUBLISHED_SCHEMAS, "meta"):
        con.execute(f"create schema if not exists {schema}")
    for schema, table in con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = ? and table_schema in ?",
        [catalog, list(PUBLISHED_SCHEMAS)],
    ).fetchall():
        if (schema, table) not in published:
            con.execute(f'drop table {schema}."{table}"')


def _write_meta(
    con: duckdb.DuckDBPyConnection,
    built_at: dt.datetime,
    refresh_id: str | None,
    check_results: list[dict[str, object]],
    fingerprints: dict[str, Fingerprint],
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
            json.dumps({name: fp.rows for name, fp in fingerprints.items()}, sort_keys=True),
        ],
    )
    con.execute(
        f"create table {FINGERPRINTS} (table_name varchar, row_count bigint, hash_sum hugeint)"
    )
    con.executemany(
        f"insert into {FINGERPRINTS} values (?, ?, ?)",
        [[name, print_.rows, print_.hash_sum] for name, print_ in sorted(fingerprints.items())],
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
