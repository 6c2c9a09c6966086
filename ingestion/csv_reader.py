"""Read and validate landed CSV files against their extract contract.

DuckDB parses the files (strict RFC 4180, every field as text, rows numbered in file order by
``WITH ORDINALITY``), the files of one extract that share a header in a single scan. Each
contract column is checked with one vectorized SQL predicate per rule; the rows that pass are
cast to their contract types. Nothing is done row by row in Python.

The result is lazy: ``rows_sql`` and ``issues_sql`` select from the files and from temporary
tables on the connection they were read with, so a million-row file is never copied out of
DuckDB just to be inserted back (``rows()`` gives a relation for callers that want Arrow or
polars). Many small files are staged once as text instead, because DuckDB's cost for them is
per file opened, not per byte.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import duckdb

from ingestion.contracts import Column, Extract
from ingestion.issues import LoadIssue
from ingestion.raw_store import ISSUE_COLUMNS, quote_ident, quote_literal, scalar

VALUE_LIMIT = 200  # characters of an offending value kept in the quarantine and its reason
_HEADER_PROBE_BYTES = 1 << 16
_QUOTE_SCAN_BYTES = 8 << 20
_BOM = b"\xef\xbb\xbf"
_temp_names = itertools.count(1)
# Below this average size per file, a group of files is staged once rather than parsed twice.
SMALL_FILE_BYTES = 4 << 20

# Per contract type: the regular expression a value must match in full, and how the
# expectation is spelled for a practice's IT person. Dates and timestamps are also cast, which
# catches calendar errors (2026-02-30) the pattern lets through; the digit limits keep the
# numeric casts from overflowing.
_TYPE_RULES: dict[str, tuple[str, str]] = {
    "date": (r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}", "is not a date (expected YYYY-MM-DD)"),
    "timestamp": (
        r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}[ T]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]",
        "is not a timestamp (expected YYYY-MM-DD HH:MM:SS)",
    ),
    "money": (
        r"-?[0-9]{1,16}(\.[0-9]{1,2})?",
        "is not an amount in dollars (expected digits with at most 2 decimals, e.g. 125.00; "
        "no $ sign or thousands separator)",
    ),
    "decimal": (r"-?[0-9]{1,14}(\.[0-9]+)?", "is not a decimal number (expected e.g. 0.75)"),
    "integer": (r"-?[0-9]{1,18}", "is not a whole number (expected e.g. 30)"),
    "boolean": (r"true|false", "is not a boolean (expected true or false)"),
}
_CALENDAR_TYPES = ("date", "timestamp")
# Plausible calendar range: before 1900 is a placeholder or a typo in any of the contract's
# dates (a birth date included); more than this many years after the load is a typo unless the
# column is open-ended (a validity end such as 9999-12-31 = "no end").
EARLIEST_DATE = "1900-01-01"
FUTURE_YEARS = 5
# No text value of the contract (ids, names, codes, a short outcome) comes near this; a longer
# one is an export bug (often a closing quote that is missing, swallowing the lines after it).
TEXT_LIMIT = 10_000
# Leading bytes of files that are not text at all, with what to tell the sender.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "is gzip-compressed; decompress it (gunzip) and land the .csv inside"),
    (
        b"PK\x03\x04",
        "is a ZIP archive or an Excel workbook (.xlsx); export the sheet as 'CSV UTF-8' or "
        "unzip it and land the .csv inside",
    ),
    (
        b"\xd0\xcf\x11\xe0",
        "is an Excel 97-2003 workbook (.xls); export the sheet as 'CSV UTF-8'",
    ),
    (b"%PDF", "is a PDF document; land the CSV extract itself"),
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class CsvSource:
    """A file to read and the landing-relative name that reasons and lineage use for it."""

    path: Path
    source_file: str


@dataclass
class CsvFileResult:
    """What became of one file's data rows.

    ``file_issues`` reject the whole file; ``file_warnings`` (flagged, e.g. extra or renamed
    columns) are about the whole file but do not stop its rows.
    """

    source_file: str
    units_total: int = 0
    units_quarantined: int = 0
    file_issues: list[LoadIssue] = field(default_factory=list)
    file_warnings: list[LoadIssue] = field(default_factory=list)

    @property
    def units_loaded(self) -> int:
        return self.units_total - self.units_quarantined

    @property
    def wholly_quarantined(self) -> bool:
        return bool(self.file_issues)


@dataclass
class CsvReadResult:
    """What a set of CSV files of one extract holds, before it is written anywhere.

    ``files`` follows the order the files were given in. ``rows_sql`` selects the typed
    contract columns, ``_extra``, ``_source_file`` and ``_row_number`` of the rows that passed;
    ``issues_sql`` selects ``source_file`` and the ``LoadIssue`` fields of every row issue.
    Either is None when there is nothing to select.
    """

    extract: Extract
    con: duckdb.DuckDBPyConnection
    files: list[CsvFileResult]
    rows_sql: str | None = None
    issues_sql: str | None = None
    _temp_tables: list[str] = field(default_factory=list)

    @property
    def units_total(self) -> int:
        return sum(f.units_total for f in self.files)

    @property
    def units_quarantined(self) -> int:
        return sum(f.units_quarantined for f in self.files)

    @property
    def units_loaded(self) -> int:
        return self.units_total - self.units_quarantined

    @property
    def wholly_quarantined(self) -> bool:
        return all(f.wholly_quarantined for f in self.files)

    def rows(self) -> duckdb.DuckDBPyRelation | None:
        return None if self.rows_sql is None else self.con.sql(self.rows_sql)

    def issues(self) -> list[LoadIssue]:
        """Every issue as ``LoadIssue`` objects (materialized: meant for small results)."""
        found = [issue for f in self.files for issue in (*f.file_issues, *f.file_warnings)]
        if self.issues_sql is not None:
            found += [LoadIssue(*row[1:]) for row in self.con.execute(self.issues_sql).fetchall()]
        return found

    def release(self) -> None:
        """Drop the temporary tables (the rows and issues go with them)."""
        if self._temp_tables:
            self.con.execute("; ".join(f"DROP TABLE IF EXISTS {t}" for t in self._temp_tables))
        self._temp_tables.clear()
        self.rows_sql = self.issues_sql = None

    def __enter__(self) -> CsvReadResult:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class _FileRejected(Exception):
    def __init__(self, reason_code: str, reason: str) -> None:
        super().__init__(reason)
        self.issue = LoadIssue(reason_code, reason, "file")


def _file_warning(reason_code: str, reason: str, value: str) -> LoadIssue:
    return LoadIssue(reason_code, reason, "file", disposition="flagged").with_value(
        value, VALUE_LIMIT
    )


@dataclass(frozen=True)
class _Check:
    """One vectorized rule: ``condition`` is true (SQL) for the values that break it."""

    column: str
    field: str
    condition: str
    reason_code: str
    problem: str
    disposition: Literal["quarantined", "flagged"] = "quarantined"


def read_csv_file(
    path: Path,
    extract: Extract,
    *,
    source_file: str,
    con: duckdb.DuckDBPyConnection | None = None,
) -> CsvReadResult:
    """Parse and validate one file as ``extract`` (see ``read_csv_files``)."""
    return read_csv_files([CsvSource(path, source_file)], extract, con=con)


def read_csv_files(
    sources: Sequence[CsvSource],
    extract: Extract,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
) -> CsvReadResult:
    """Parse and validate ``sources`` as ``extract``, files with the same header in one scan.

    ``con`` is where the temporary tables live (a private in-memory database when omitted).
    Python reads each file's header (its first 64 KB) and counts its double quotes (a byte
    scan, ~0.1 ms per small file); it reads more only when a file is rejected and its reason
    needs a closer look.
    """
    con = con if con is not None else duckdb.connect()
    result = CsvReadResult(extract, con, [CsvFileResult(s.source_file) for s in sources])
    outcome = {f.source_file: f for f in result.files}
    by_header: dict[tuple[str, ...], list[CsvSource]] = {}
    for source in sources:
        try:
            landed_header = _read_header(source.path, source.source_file)
            header, warnings = _match_header(landed_header, extract, source.source_file)
            _check_quotes_balance(con, header, source)
            by_header.setdefault(tuple(header), []).append(source)
            outcome[source.source_file].file_warnings = warnings
        except _FileRejected as rejected:
            _reject(outcome[source.source_file], source.path, rejected)
    rows, issues = [], []
    for header, members in by_header.items():
        checked = _parse_and_count(con, result, list(header), members, outcome)
        if checked is not None:
            rows_sql, issues_sql = _split_good_and_bad(con, result, checked, outcome)
            rows.append(rows_sql)
            issues += [issues_sql] if issues_sql else []
    result.rows_sql = " UNION ALL ".join(rows) or None
    result.issues_sql = " UNION ALL ".join(issues) or None
    return result


def _check_quotes_balance(
    con: duckdb.DuckDBPyConnection, header: list[str], source: CsvSource
) -> None:
    """Reject a file with an odd number of double quotes: a quoted field is never closed.

    RFC 4180 quotes come in pairs (a field's opening and closing quote, ``""`` for a quote
    inside), so an odd count is an unterminated field for certain. DuckDB 2.0 reports one when
    it reads the file alone, but when several files are scanned together it can end such a file
    at the open quote without an error, silently dropping the rows after it; this count is what
    keeps that from happening. The file is then parsed alone for DuckDB's account of the line.
    """
    quotes = 0
    with source.path.open("rb") as file:
        while chunk := file.read(_QUOTE_SCAN_BYTES):
            quotes += chunk.count(b'"')
    if quotes % 2 == 0:
        return
    problem = (
        f"the file holds an odd number of double quotes ({quotes}): a quoted value is not closed"
    )
    try:
        con.execute(f"SELECT count(*) FROM {_read_csv_sql(header, [source])}").fetchall()
    except duckdb.InvalidInputException as error:
        problem = _duckdb_csv_problem(error)
    raise _FileRejected(
        "not_csv",
        f"{source.source_file} is not parseable CSV (comma-separated, RFC 4180 quoting): {problem}",
    )


def _reject(outcome: CsvFileResult, path: Path, rejected: _FileRejected) -> None:
    rows = _physical_data_lines(path.read_bytes())
    outcome.units_total = outcome.units_quarantined = rows
    outcome.file_issues = [replace(rejected.issue, units=rows)]
    outcome.file_warnings = []  # a file refused as a whole is told only why


def _physical_data_lines(data: bytes) -> int:
    """Lines after the first, the best count of rows a file holds when it cannot be parsed."""
    if data.startswith(_UTF16_BOMS):
        return max(len(data.decode("utf-16", errors="replace").splitlines()) - 1, 0)
    return max(len(data.splitlines()) - 1, 0)


def _read_header(path: Path, source_file: str) -> list[str]:
    with path.open("rb") as file:
        head = file.read(_HEADER_PROBE_BYTES)
        # A header wider than the probe (thousands of columns) is read to its end.
        while b"\n" not in head and (more := file.read(_HEADER_PROBE_BYTES)):
            head += more
        whole = not file.read(1)
    start = len(_BOM) if head.startswith(_BOM) else 0
    if whole and not head[start:].strip():
        raise _FileRejected(
            "empty_file",
            f"{source_file} is empty; a CSV extract needs at least a header row naming its columns",
        )
    _refuse_binary(head, source_file)
    try:
        # Incremental, so a character cut at the end of the probe is not an error.
        text = codecs.getincrementaldecoder("utf-8")().decode(head[start:], final=whole)
    except UnicodeDecodeError as error:
        raise _not_utf8(head, start + error.start, source_file) from error
    try:
        header = next(csv.reader(io.StringIO(text, newline=""), strict=True), [])
    except csv.Error as error:
        raise _FileRejected(
            "not_csv", f"{source_file} header row is not valid CSV (RFC 4180): {error}"
        ) from error
    if not header:
        raise _FileRejected(
            "no_header",
            f"{source_file} line 1 is blank; the first line must be the header row naming the "
            "columns",
        )
    return header


def _refuse_binary(head: bytes, source_file: str) -> None:
    """Reject files that are not text, naming what they are rather than a stray byte."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise _FileRejected("not_text", f"{source_file} is not CSV text: it {what}")
    if head.startswith(_UTF16_BOMS):
        raise _FileRejected(
            "not_utf8",
            f"{source_file} is UTF-16 text (it starts with a UTF-16 byte order mark); export or "
            "save the file as UTF-8",
        )
    nul = head.find(b"\x00")
    if nul >= 0:
        line = head.count(b"\n", 0, nul) + 1
        raise _FileRejected(
            "not_text",
            f"{source_file} is not CSV text: it holds a NUL byte at byte offset {nul} "
            f"(line {line}), so it is binary data or UTF-16; land "
            "the CSV extract, saved as UTF-8",
        )


def _not_utf8(data: bytes, offset: int, source_file: str) -> _FileRejected:
    line = data.count(b"\n", 0, offset) + 1
    bad = data[offset : offset + 4].hex(" ")
    return _FileRejected(
        "not_utf8",
        f"{source_file} is not UTF-8: invalid byte sequence {bad} at byte offset {offset} "
        f"(line {line}); export or save the file as UTF-8",
    )


def _match_header(
    landed: list[str], extract: Extract, source_file: str
) -> tuple[list[str], list[LoadIssue]]:
    """The header with contract names matched leniently, and warnings about what was done.

    A name that differs from a contract column only in case, surrounding spaces or spaces for
    underscores (``Appointment ID``) can mean nothing else, so it is read as that column and
    the practice is told. Names the contract does not know are kept (in ``_extra``) with a
    warning, because a misspelt optional column would otherwise be silently empty.
    """
    _check_names(landed, source_file)
    known = set(extract.column_names)
    header, renamed = [], []
    for name in landed:
        normalized = "_".join(name.lower().split())
        if name not in known and normalized in known:
            renamed.append(f"'{name}' as {normalized}")
            name = normalized
        header.append(name)
    _check_header(header, extract, source_file, landed)
    warnings = []
    if renamed:
        warnings.append(
            _file_warning(
                "header_normalized",
                f"{source_file} header: read {', '.join(renamed)}; the contract's column names "
                "are lower case with underscores (loaded anyway)",
                ", ".join(renamed),
            )
        )
    extra = [name for name in header if name not in known]
    if extra:
        listed = ", ".join(extra)
        if len(listed) > VALUE_LIMIT:
            listed = listed[:VALUE_LIMIT] + "…"
        warnings.append(
            _file_warning(
                "extra_columns",
                f"{source_file} has {len(extra)} column(s) the contract of {extract.key} does "
                f"not define: {listed}; kept in the raw layer's _extra and ignored downstream "
                "(is one a misspelt contract column?)",
                ", ".join(extra),
            )
        )
    return header, warnings


def _check_names(header: list[str], source_file: str) -> None:
    empty = [str(i + 1) for i, name in enumerate(header) if not name.strip()]
    if empty:
        raise _FileRejected(
            "empty_column_name",
            f"{source_file} header has no name for column {', '.join(empty)}; every column "
            "needs a name (is there a trailing comma?)",
        )


def _check_header(header: list[str], extract: Extract, source_file: str, landed: list[str]) -> None:
    repeated = sorted(name for name, n in Counter(header).items() if n > 1)
    if repeated:
        raise _FileRejected(
            "duplicate_columns",
            f"{source_file} header names a column more than once: {', '.join(repeated)}",
        )
    missing = [name for name in extract.required_columns if name not in header]
    if missing:
        raise _FileRejected(
            "missing_columns",
            f"{source_file} lacks required column(s) {', '.join(missing)} of {extract.key}; "
            f"columns found: {', '.join(landed)}{_header_hint(landed)}",
        )


def _header_hint(header: list[str]) -> str:
    if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):
        return " (the file does not look comma-separated; the contract requires commas)"
    return " (is the first line the header row?)"


@dataclass(frozen=True)
class _Counted:
    """Files of one header, parsed and counted: ``rows`` is a relation over their text columns
    (``c0``, ``c1``, ...), ``filename`` and ``ordinality``; ``files`` a temp table with one row
    per file (``filename``, ``source_file``, ``first_ordinal``, ``row_count``, ``bad_rows``)."""

    rows: str
    files: str
    fields: dict[str, str]
    checks: list[_Check]
    any_bad: str


def _read_csv_sql(header: Sequence[str], members: Sequence[CsvSource]) -> str:
    """read_csv over ``members``, every column as text, rows numbered in file order."""
    # read_csv globs its paths ('a[1].csv' would match 'a1.csv'): brackets make them literal.
    paths = ", ".join(quote_literal(re.sub(r"([\[\]*?])", r"[\1]", str(m.path))) for m in members)
    # Positional column names (c0, c1, ...) keep odd header names out of the SQL.
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
    return (
        f"read_csv([{paths}], columns = {columns}, header = true, auto_detect = false, "
        """delim = ',', quote = '"', escape = '"', strict_mode = true, null_padding = false, """
        "encoding = 'utf-8', filename = true) WITH ORDINALITY"
    )


def _parse_and_count(
    con: duckdb.DuckDBPyConnection,
    result: CsvReadResult,
    header: list[str],
    members: list[CsvSource],
    outcome: dict[str, CsvFileResult],
) -> _Counted | None:
    """Parse the files sharing ``header``, count their rows and the rows breaking a rule.

    Files DuckDB cannot parse are rejected and left out: only when the shared scan fails is
    each file given a parse-only probe of its own, to find the culprits. None when no file is
    left.
    """
    try:
        return _count(con, result, header, members, outcome)
    except duckdb.InvalidInputException as error:
        if len(members) == 1:
            _reject(
                outcome[members[0].source_file], members[0].path, _unparseable(members[0], error)
            )
            return None
    parseable = []
    for member in members:
        try:
            con.execute(f"SELECT count(*) FROM {_read_csv_sql(header, [member])}").fetchall()
            parseable.append(member)
        except duckdb.InvalidInputException as error:
            _reject(outcome[member.source_file], member.path, _unparseable(member, error))
    return _count(con, result, header, parseable, outcome) if parseable else None


def _count(
    con: duckdb.DuckDBPyConnection,
    result: CsvReadResult,
    header: list[str],
    members: list[CsvSource],
    outcome: dict[str, CsvFileResult],
) -> _Counted:
    suffix = next(_temp_names)
    rows = _read_csv_sql(header, members)
    if sum(m.path.stat().st_size for m in members) < len(members) * SMALL_FILE_BYTES:
        # Many small files: DuckDB's cost is per file opened, so they are read once into a
        # stage. Big files are cheaper to parse twice than to hold as text.
        stage = f"_csv_stage_{suffix}"
        con.execute(f"CREATE TEMP TABLE {stage} AS SELECT * FROM {rows}")
        result._temp_tables.append(stage)
        rows = stage
    fields = {name: f"c{i}" for i, name in enumerate(header)}
    checks = _checks(result.extract, fields)
    any_bad = " OR ".join(f"({c.condition})" for c in checks) or "false"
    files = f"_csv_files_{suffix}"
    con.execute(
        f"""CREATE TEMP TABLE {files} AS
            SELECT filename, source_file, min(ordinality) AS first_ordinal,
                   count(*) AS row_count, count(*) FILTER (WHERE {any_bad}) AS bad_rows
            FROM {rows}
            JOIN (SELECT unnest($paths) AS filename, unnest($sources) AS source_file)
                USING (filename)
            GROUP BY ALL""",
        {"paths": [str(m.path) for m in members], "sources": [m.source_file for m in members]},
    )
    result._temp_tables.append(files)
    for source_file, row_count in con.execute(
        f"SELECT source_file, row_count FROM {files}"
    ).fetchall():
        outcome[source_file].units_total = row_count
    return _Counted(rows, files, fields, checks, any_bad)


def _unparseable(source: CsvSource, error: duckdb.Error) -> _FileRejected:
    # DuckDB names the line but not the byte of an encoding error; Python names both.
    data = source.path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as not_utf8:
        return _not_utf8(data, not_utf8.start, source.source_file)
    return _FileRejected(
        "not_csv",
        f"{source.source_file} is not parseable CSV (comma-separated, RFC 4180 quoting): "
        f"{_duckdb_csv_problem(error)}",
    )


def _duckdb_csv_problem(error: duckdb.Error) -> str:
    """DuckDB's description of a CSV error, without its advice about DuckDB options."""
    text = str(error).split("Possible fixes:")[0].split("Possible Solution:")[0]
    text = text.replace("Invalid Input Error: ", "")
    parts = [" ".join(line.split()) for line in text.splitlines()]
    return "; ".join(p[:VALUE_LIMIT] for p in parts if p)


def _split_good_and_bad(
    con: duckdb.DuckDBPyConnection,
    result: CsvReadResult,
    counted: _Counted,
    outcome: dict[str, CsvFileResult],
) -> tuple[str, str | None]:
    """The SQL of the rows that pass, and of the issues of those that do not (if any)."""
    numbered = f"{counted.rows} AS s JOIN {counted.files} AS f USING (filename)"
    row_number = "s.ordinality - f.first_ordinal + 1"
    keep, issues_sql = "", None
    if scalar(con, f"SELECT sum(bad_rows) FROM {counted.files}"):
        issues = f"_csv_issues_{next(_temp_names)}"
        con.execute(_issues_sql(issues, numbered, row_number, counted.checks, counted.any_bad))
        result._temp_tables.append(issues)
        issues_sql = f"SELECT source_file, {ISSUE_COLUMNS} FROM {issues}"
        per_file = con.execute(f"SELECT source_file, sum(units) FROM {issues} GROUP BY ALL")
        for source_file, units in per_file.fetchall():
            outcome[source_file].units_quarantined = int(units)
        keep = (
            f" WHERE s.ordinality NOT IN (SELECT r FROM {issues} WHERE disposition = 'quarantined')"
        )
    rows_sql = (
        f"SELECT {_typed_columns(result.extract, counted.fields)}, "
        f"f.source_file AS _source_file, {row_number} AS _row_number FROM {numbered}{keep}"
    )
    return rows_sql, issues_sql


def _checks(extract: Extract, fields: dict[str, str]) -> list[_Check]:
    checks: list[_Check] = []
    for column in extract.columns:
        field_ = fields.get(column.name)
        if field_ is not None:
            checks.extend(_column_checks(column, field_))
    return checks


def _column_checks(column: Column, field_: str) -> list[_Check]:
    # Only the required-value rule looks at nulls; every other rule judges present values.
    present = f"{field_} IS NOT NULL AND "
    checks = []
    if column.required:
        checks.append(
            _Check(
                column.name, field_, f"{field_} IS NULL", "missing_value", "required value is empty"
            )
        )
    if column.type == "text":
        checks.append(
            _Check(
                column.name,
                field_,
                f"{present}length({field_}) > {TEXT_LIMIT}",
                "value_too_long",
                f"is longer than {TEXT_LIMIT:,} characters, the most any text value of the "
                "contract needs (is a closing quote missing?)",
            )
        )
    else:
        regex, problem = _TYPE_RULES[column.type]
        well_formed = f"regexp_full_match({field_}, {quote_literal(regex)})"
        condition = f"NOT {well_formed}"
        if column.type in _CALENDAR_TYPES:
            condition += f" OR try_cast({field_} AS {column.duckdb_type}) IS NULL"
        checks.append(
            _Check(column.name, field_, f"{present}({condition})", f"bad_{column.type}", problem)
        )
        if column.type in _CALENDAR_TYPES:
            checks.append(_plausible_date_check(column, field_))
        if column.non_negative:
            checks.append(
                _Check(
                    column.name,
                    field_,
                    f"{present}{well_formed} AND starts_with({field_}, '-') "
                    f"AND try_cast({field_} AS DOUBLE) <> 0",
                    "negative_value",
                    "is negative (expected zero or more)",
                )
            )
    if column.allowed is not None:
        listed = ", ".join(quote_literal(v) for v in column.allowed)
        checks.append(
            _Check(
                column.name,
                field_,
                f"{present}{field_} NOT IN ({listed})",
                "value_not_allowed",
                f"is not an allowed value (expected one of: {', '.join(column.allowed)})",
            )
        )
    if column.pattern is not None:
        regex = quote_literal(column.pattern.regex)
        checks.append(
            _Check(
                column.name,
                field_,
                f"{present}NOT regexp_full_match({field_}, {regex})",
                "unexpected_format",
                f"does not look like {column.pattern.description} (row loaded anyway)",
                "flagged",
            )
        )
    return checks


def _plausible_date_check(column: Column, field_: str) -> _Check:
    """Dates the calendar allows but no practice means: before 1900, or years ahead."""
    value = f"try_cast({field_} AS {column.duckdb_type})"
    too_early = f"{value} < DATE '{EARLIEST_DATE}'"
    if column.open_ended:
        condition, expected = too_early, f"on or after {EARLIEST_DATE}"
    else:
        too_late = f"{value} > current_date + INTERVAL {FUTURE_YEARS} YEAR"
        condition = f"{too_early} OR {too_late}"
        expected = f"between {EARLIEST_DATE} and {FUTURE_YEARS} years after the load date"
    return _Check(
        column.name,
        field_,
        f"{field_} IS NOT NULL AND ({condition})",
        "implausible_date",
        f"is not a plausible {column.type} (expected {expected})",
    )


def _issues_sql(
    target: str, numbered: str, row_number: str, checks: list[_Check], any_bad: str
) -> str:
    """One issue per broken rule per row; the first quarantining issue of a row carries it."""
    fields = ", ".join(sorted({c.field for c in checks}))
    branches = " UNION ALL ".join(
        f"SELECT r, position, source_file, {i} AS check_no, "
        f"{quote_literal(c.column)} AS column_name, {c.field} AS raw_value, "
        f"{quote_literal(c.reason_code)} AS reason_code, {quote_literal(c.problem)} AS problem, "
        f"{quote_literal(c.disposition)} AS disposition FROM bad WHERE {c.condition}"
        for i, c in enumerate(checks)
    )
    shown = (
        f"CASE WHEN length(raw_value) > {VALUE_LIMIT} "
        f"THEN left(raw_value, {VALUE_LIMIT}) || '…' ELSE raw_value END"
    )
    quoted_value = "'''' || value || ''' '"
    return f"""
        CREATE TEMP TABLE {target} AS
        WITH bad AS MATERIALIZED (
            SELECT s.ordinality AS r, {row_number} AS position, f.source_file, {fields}
            FROM {numbered} WHERE {any_bad}
        ),
        found AS ({branches}),
        shown AS (SELECT *, {shown} AS value FROM found)
        SELECT
            source_file,
            reason_code,
            source_file || ' row ' || position || ', column ' || column_name || ': '
                || CASE WHEN value IS NULL THEN problem
                        ELSE {quoted_value} || problem END AS reason,
            'row' AS position_kind,
            position,
            column_name,
            value,
            disposition,
            CASE WHEN disposition = 'quarantined'
                  AND row_number() OVER (PARTITION BY r, disposition ORDER BY check_no) = 1
                 THEN 1 ELSE 0 END AS units,
            r
        FROM shown
        ORDER BY r, check_no
    """


def _typed_columns(extract: Extract, fields: dict[str, str]) -> str:
    typed = []
    for column in extract.columns:
        field_ = fields.get(column.name)
        if field_ is None:
            value = f"NULL::{column.duckdb_type}"
        elif column.type == "text":
            value = field_
        else:
            value = f"CAST({field_} AS {column.duckdb_type})"
        typed.append(f"{value} AS {quote_ident(column.name)}")
    typed.append(f"{_extra_json(extract, fields)} AS _extra")
    return ", ".join(typed)


def _extra_json(extract: Extract, fields: dict[str, str]) -> str:
    """Columns the contract does not know, as a JSON object (null when a row has none)."""
    extra = [(name, f) for name, f in fields.items() if name not in extract.column_names]
    if not extra:
        return "NULL::VARCHAR"
    pairs = ", ".join(f"{quote_literal(name)}, {f}" for name, f in extra)
    all_null = " AND ".join(f"{f} IS NULL" for _, f in extra)
    return f"CASE WHEN {all_null} THEN NULL ELSE json_object({pairs})::VARCHAR END"
