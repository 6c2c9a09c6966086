"""The DuckDB side of the raw layer: DDL for ``raw.*``, the bookkeeping tables and inserts.

Layout and meaning of every table are described in ``ingestion/RAW_LAYER.md``. Raw is
append-only: nothing here updates or deletes a row. Callers own transactions; the insert
helpers never commit, so a file's data, issues and manifest row commit together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb

from ingestion.contracts import ALL_EXTRACTS, Extract
from ingestion.issues import LoadIssue

if TYPE_CHECKING:  # pyarrow is only needed when X12 tables arrive
    import pyarrow as pa

RAW_SCHEMA = "raw"
MANIFEST = f"{RAW_SCHEMA}._load_manifest"
LANDING_PATHS = f"{RAW_SCHEMA}._landing_paths"
QUARANTINE = f"{RAW_SCHEMA}._quarantine"

# Lineage columns every CSV raw table carries after its contract columns.
CSV_LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_extra", "VARCHAR"),
    ("_source_file", "VARCHAR"),
    ("_file_hash", "VARCHAR"),
    ("_row_number", "BIGINT"),
    ("_load_id", "BIGINT"),
    ("_loaded_at", "TIMESTAMP"),
)
# The loader stamps these on X12 tables; the X12 reader supplies the rest of the lineage.
LOAD_STAMP_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_load_id", "BIGINT"),
    ("_loaded_at", "TIMESTAMP"),
)

_BOOKKEEPING_DDL = (
    f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}",
    f"""CREATE TABLE IF NOT EXISTS {MANIFEST} (
        file_hash VARCHAR NOT NULL,
        extract VARCHAR NOT NULL,
        source_file VARCHAR NOT NULL,
        size_bytes BIGINT NOT NULL,
        unit VARCHAR NOT NULL,
        units_total BIGINT NOT NULL,
        units_loaded BIGINT NOT NULL,
        units_quarantined BIGINT NOT NULL,
        status VARCHAR NOT NULL,
        load_id BIGINT NOT NULL,
        loaded_at TIMESTAMP NOT NULL,
        PRIMARY KEY (file_hash, extract),
        CHECK (units_loaded + units_quarantined = units_total),
        CHECK (status IN ('loaded', 'partial', 'quarantined')),
        CHECK (unit IN ('row', 'segment', 'file'))
    )""",
    f"""CREATE TABLE IF NOT EXISTS {LANDING_PATHS} (
        path VARCHAR NOT NULL,
        file_hash VARCHAR NOT NULL,
        extract VARCHAR NOT NULL,
        size_bytes BIGINT NOT NULL,
        modified_ns BIGINT NOT NULL,
        load_id BIGINT NOT NULL,
        seen_at TIMESTAMP NOT NULL,
        PRIMARY KEY (path, file_hash)
    )""",
    f"""CREATE TABLE IF NOT EXISTS {QUARANTINE} (
        file_hash VARCHAR NOT NULL,
        source_file VARCHAR NOT NULL,
        extract VARCHAR NOT NULL,
        position_kind VARCHAR NOT NULL,
        position BIGINT,
        column_name VARCHAR,
        value VARCHAR,
        reason_code VARCHAR NOT NULL,
        reason VARCHAR NOT NULL,
        disposition VARCHAR NOT NULL,
        units BIGINT NOT NULL,
        load_id BIGINT NOT NULL
    )""",
)

# The quarantine columns a reader reports, in ``LoadIssue`` field order, with their types.
ISSUE_FIELDS: tuple[tuple[str, str], ...] = (
    ("reason_code", "VARCHAR"),
    ("reason", "VARCHAR"),
    ("position_kind", "VARCHAR"),
    ("position", "BIGINT"),
    ("column_name", "VARCHAR"),
    ("value", "VARCHAR"),
    ("disposition", "VARCHAR"),
    ("units", "BIGINT"),
)
ISSUE_COLUMNS = ", ".join(name for name, _ in ISSUE_FIELDS)


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: object | None = None) -> Any:
    """The single value ``sql`` returns, with the result read to its end.

    (duckdb 2 keeps a result open until a fetch comes back empty; ``fetchone`` would leave
    the connection busy for the next statement.)
    """
    return con.execute(sql, params).fetchall()[0][0]


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def csv_table_columns(extract: Extract) -> list[tuple[str, str]]:
    """Column names and DuckDB types of ``raw.<extract.table>``."""
    return [(c.name, c.duckdb_type) for c in extract.columns] + list(CSV_LINEAGE_COLUMNS)


def _raw_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = ?",
        [RAW_SCHEMA],
    ).fetchall()
    columns: dict[str, set[str]] = {}
    for table, column in rows:
        columns.setdefault(table, set()).add(column)
    return columns


def ensure_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: Sequence[tuple[str, str]],
    existing: dict[str, set[str]] | None = None,
) -> None:
    """Create ``raw.<table>``, or add the columns an older version of it lacks.

    Adding (never dropping or retyping) keeps raw append-only while the contract or the X12
    table definitions grow; old rows read as null in new columns. ``existing`` (the raw
    schema's columns by table) saves a catalog query per table when many are ensured.
    """
    qualified = f"{RAW_SCHEMA}.{quote_ident(table)}"
    present = (_raw_columns(con) if existing is None else existing).get(table, set())
    if not present:
        body = ", ".join(f"{quote_ident(n)} {t}" for n, t in columns)
        con.execute(f"CREATE TABLE IF NOT EXISTS {qualified} ({body})")
        return
    for name, type_ in columns:
        if name not in present:
            con.execute(f"ALTER TABLE {qualified} ADD COLUMN {quote_ident(name)} {type_}")


def create_raw_schema(
    con: duckdb.DuckDBPyConnection, extracts: Iterable[Extract] = ALL_EXTRACTS
) -> None:
    """Create the raw schema, bookkeeping tables and the tables of every extract."""
    for ddl in _BOOKKEEPING_DDL:
        con.execute(ddl)
    existing = _raw_columns(con)
    for extract in extracts:
        ensure_table(con, extract.table, csv_table_columns(extract), existing)
    # X12 tables exist before the first claim file lands, so dbt sources always resolve.
    for table, columns in _declared_x12_tables().items():
        ensure_table(con, table, _with_load_stamp(columns), existing)


def _declared_x12_tables() -> dict[str, list[tuple[str, str]]]:
    try:
        from ingestion.x12.tables import X12_TABLES
    except ImportError:  # the X12 package is optional for CSV-only deployments and tests
        return {}
    return X12_TABLES


def _with_load_stamp(columns: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    names = {name for name, _ in columns}
    return list(columns) + [c for c in LOAD_STAMP_COLUMNS if c[0] not in names]


# source_file -> file hash, from list parameters, for inserts that stamp a batch of files.
_FILE_HASHES = (
    "SELECT unnest($sources::VARCHAR[]) AS source_file, unnest($hashes::VARCHAR[]) AS hash"
)


def _file_hash_params(file_hashes: Mapping[str, str]) -> dict[str, list[str]]:
    return {"sources": list(file_hashes), "hashes": list(file_hashes.values())}


def insert_csv_rows(
    con: duckdb.DuckDBPyConnection,
    extract: Extract,
    rows_sql: str,
    *,
    file_hashes: Mapping[str, str],
    load_id: int,
    loaded_at: dt.datetime,
) -> int:
    """Append the typed rows ``rows_sql`` selects, stamped with lineage; return the count.

    ``rows_sql`` carries ``_source_file``; ``file_hashes`` maps it to the file's hash.
    """
    count = scalar(
        con,
        f"INSERT INTO {RAW_SCHEMA}.{quote_ident(extract.table)} BY NAME "
        "SELECT r.*, h.hash AS _file_hash, $load_id AS _load_id, $loaded_at AS _loaded_at "
        f"FROM ({rows_sql}) r JOIN ({_FILE_HASHES}) h ON r._source_file = h.source_file",
        {**_file_hash_params(file_hashes), "load_id": load_id, "loaded_at": loaded_at},
    )
    return int(count)


def insert_arrow_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    parts: Sequence[pa.Table],
    *,
    load_id: int,
    loaded_at: dt.datetime,
) -> int:
    """Append X12 reader tables (one per file) to ``raw.<table>`` with the load stamp.

    One insert for all parts: per-statement cost, not volume, is what X12 files of a few
    hundred claims each spend their time on. Tables of ``X12_TABLES`` exist already
    (``create_raw_schema``); one it does not declare (a test double) is created from the Arrow
    types. Returns the number of rows appended.
    """
    import pyarrow as pa

    # The batch reader hands back slices of one table per file: hundreds of small chunks,
    # which DuckDB scans about 1.8x slower than one contiguous chunk.
    rows = pa.concat_tables(parts, promote_options="permissive").combine_chunks()
    con.register("_arrow_rows", rows)
    try:
        if table not in _declared_x12_tables():
            described = con.execute("DESCRIBE SELECT * FROM _arrow_rows").fetchall()
            ensure_table(con, table, _with_load_stamp([(row[0], row[1]) for row in described]))
        count = scalar(
            con,
            f"INSERT INTO {RAW_SCHEMA}.{quote_ident(table)} BY NAME "
            "SELECT *, $load_id AS _load_id, $loaded_at AS _loaded_at FROM _arrow_rows",
            {"load_id": load_id, "loaded_at": loaded_at},
        )
    finally:
        con.unregister("_arrow_rows")
    return int(count)


@dataclass(frozen=True)
class FileRef:
    """Which landed file a bookkeeping row is about."""

    file_hash: str
    source_file: str
    extract: str
    load_id: int


def insert_row_issues(
    con: duckdb.DuckDBPyConnection,
    issues_sql: str,
    *,
    extract: str,
    file_hashes: Mapping[str, str],
    load_id: int,
) -> None:
    """Append the issues ``issues_sql`` selects (``source_file`` + ``ISSUE_FIELDS``)."""
    con.execute(
        f"INSERT INTO {QUARANTINE} SELECT h.hash, i.source_file, $extract, position_kind, "
        "position, column_name, value, reason_code, reason, disposition, units, $load_id "
        f"FROM ({issues_sql}) i JOIN ({_FILE_HASHES}) h USING (source_file)",
        {**_file_hash_params(file_hashes), "extract": extract, "load_id": load_id},
    )


def _append(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[object]],
) -> None:
    """Insert Python rows in one statement, passed column-wise as list parameters.

    (Arrow would do too, but building Arrow arrays from Python objects imports pandas, which
    costs more than the whole insert.)
    """
    if not rows:
        return
    names = ", ".join(name for name, _ in columns)
    unnested = ", ".join(f"unnest(${name}::{type_}[]) AS {name}" for name, type_ in columns)
    values = {
        name: list(column)
        for (name, _), column in zip(columns, zip(*rows, strict=True), strict=True)
    }
    con.execute(f"INSERT INTO {table} ({names}) SELECT {unnested}", values)


_QUARANTINE_FILE_COLUMNS = (("file_hash", "VARCHAR"), ("source_file", "VARCHAR"))
_LOAD_COLUMNS = (("extract", "VARCHAR"), ("load_id", "BIGINT"))


def insert_issues(
    con: duckdb.DuckDBPyConnection, issues: Sequence[tuple[FileRef, LoadIssue]]
) -> None:
    """Append reader issues (file-level CSV problems, X12 issues), each with its file."""
    columns = (*_QUARANTINE_FILE_COLUMNS, *_LOAD_COLUMNS, *ISSUE_FIELDS)
    rows = [
        (ref.file_hash, ref.source_file, ref.extract, ref.load_id)
        + tuple(getattr(issue, name) for name, _ in ISSUE_FIELDS)
        for ref, issue in issues
    ]
    _append(con, QUARANTINE, columns, rows)


@dataclass(frozen=True)
class ManifestEntry:
    """What became of one file's units; ``rejected`` marks a file refused as a whole."""

    unit: str
    units_total: int
    units_loaded: int
    units_quarantined: int
    size_bytes: int
    rejected: bool = False

    @property
    def status(self) -> str:
        if self.rejected or (self.units_loaded == 0 and self.units_quarantined > 0):
            return "quarantined"
        return "partial" if self.units_quarantined else "loaded"


def insert_manifest(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[tuple[FileRef, ManifestEntry]],
    loaded_at: dt.datetime,
) -> None:
    columns = (
        ("file_hash", "VARCHAR"),
        ("source_file", "VARCHAR"),
        *_LOAD_COLUMNS,
        ("size_bytes", "BIGINT"),
        ("unit", "VARCHAR"),
        ("units_total", "BIGINT"),
        ("units_loaded", "BIGINT"),
        ("units_quarantined", "BIGINT"),
        ("status", "VARCHAR"),
        ("loaded_at", "TIMESTAMP"),
    )
    rows = [
        (ref.file_hash, ref.source_file, ref.extract, ref.load_id, entry.size_bytes, entry.unit)
        + (entry.units_total, entry.units_loaded, entry.units_quarantined, entry.status, loaded_at)
        for ref, entry in files
    ]
    _append(con, MANIFEST, columns, rows)


@dataclass(frozen=True)
class PathSeen:
    """A landing path and the size and mtime its bytes had when they were hashed."""

    ref: FileRef
    size_bytes: int
    modified_ns: int


def insert_landing_paths(
    con: duckdb.DuckDBPyConnection, paths: Sequence[PathSeen], seen_at: dt.datetime
) -> None:
    columns = (
        ("path", "VARCHAR"),
        ("file_hash", "VARCHAR"),
        *_LOAD_COLUMNS,
        ("size_bytes", "BIGINT"),
        ("modified_ns", "BIGINT"),
        ("seen_at", "TIMESTAMP"),
    )
    rows = [
        (p.ref.source_file, p.ref.file_hash, p.ref.extract, p.ref.load_id)
        + (p.size_bytes, p.modified_ns, seen_at)
        for p in paths
    ]
    _append(con, LANDING_PATHS, columns, rows)


@dataclass
class SeenPaths:
    """The loader's memory of the landing folder.

    ``pairs`` holds every (path, hash) recorded; ``stats`` the (path, size, mtime) they had,
    which lets an unchanged file be skipped without reading it (landed files are immutable).
    """

    pairs: set[tuple[str, str]]
    stats: set[tuple[str, int, int]]


def seen_paths(con: duckdb.DuckDBPyConnection) -> SeenPaths:
    rows = con.execute(
        f"SELECT path, file_hash, size_bytes, modified_ns FROM {LANDING_PATHS}"
    ).fetchall()
    return SeenPaths({(p, h) for p, h, _, _ in rows}, {(p, s, m) for p, _, s, m in rows})


def known_contents(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """(file_hash, extract) already in the manifest, mapped to the path it was loaded from."""
    rows = con.execute(f"SELECT file_hash, extract, source_file FROM {MANIFEST}").fetchall()
    return {(h, e): p for h, e, p in rows}


def used_interchanges(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str, str], str]:
    """(ISA05, ISA06, ISA13) of every interchange loaded so far, mapped to where it was first
    used, as the X12 reader words it: ``<source_file> (segment <ISA position>)``."""
    if "x12_interchanges" not in _declared_x12_tables():
        return {}
    rows = con.execute(
        f"""SELECT trim(sender_id_qualifier), trim(sender_id), trim(interchange_control_number),
                   arg_min(_source_file || ' (segment ' || isa_position || ')',
                           (_load_id, _source_file, isa_position))
            FROM {RAW_SCHEMA}.x12_interchanges
            WHERE interchange_control_number IS NOT NULL
            GROUP BY ALL"""
    ).fetchall()
    return {(qualifier, sender, control): first for qualifier, sender, control, first in rows}


def next_load_id(con: duckdb.DuckDBPyConnection) -> int:
    """One more than any load that wrote something; loads that wrote nothing leave no trace."""
    current = scalar(
        con,
        f"SELECT greatest((SELECT max(load_id) FROM {MANIFEST}), "
        f"(SELECT max(load_id) FROM {LANDING_PATHS}))",
    )
    return (current or 0) + 1
