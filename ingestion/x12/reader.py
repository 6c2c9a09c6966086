"""Entry points: landed X12 files (837P or 835) -> raw tables, issues and unit counts.

Per file: decode, tokenize (delimiters from each ISA; one numpy pass for the whole batch,
tokenize_files.py) -> check envelopes and decide which transactions may load. Per batch of
files (batch.py; ``read_x12_file`` is a batch of one): pivot the loadable segments into text
tables (vectorized, see segment_rows.py) -> type them, quarantining transactions with values
that do not parse -> flag 835 balancing, negative amounts and reused interchange numbers
(loaded anyway) -> split back per file and count units. ``units_loaded + units_quarantined ==
units_total`` always; a file whose ISA cannot be read counts as a single unit. README.md lists
every reason code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

from ingestion.issues import LoadIssue
from ingestion.x12.balancing import balance_835, unbalanced_issues
from ingestion.x12.batch import FILE, Batch, ParsedFile
from ingestion.x12.claims_837 import build_837
from ingestion.x12.envelope import Envelope, Transaction
from ingestion.x12.envelope_tables import interchanges_frame, lineage_frame, transactions_frame
from ingestion.x12.envelope_walk import walk_envelope
from ingestion.x12.parallel import map_in_threads
from ingestion.x12.remits_835 import build_835
from ingestion.x12.reuse import InterchangeKey, flag_reused_controls
from ingestion.x12.segment_rows import SegmentRows, join_on
from ingestion.x12.signs import negative_amount_issues
from ingestion.x12.tables import TABLE_COLUMNS, X12_TABLES, arrow_schema
from ingestion.x12.tokenize_files import tokenize_files
from ingestion.x12.tokenizer import decode_to_utf8, first_non_space
from ingestion.x12.values import EXPECTATIONS, conform
from ingestion.x12.versions import FOLDERS

BUILDERS: dict[str, Callable[[SegmentRows], dict[str, pl.DataFrame]]] = {
    "837": build_837,
    "835": build_835,
}


@dataclass
class X12ReadResult:
    """What the loader writes: the tables, the issues and the file's unit counts."""

    transaction_type: str | None  # "837" or "835" (the expected one), None if nothing usable
    tables: dict[str, pa.Table]  # every table of tables.X12_TABLES, possibly empty
    issues: list[LoadIssue]
    units_total: int  # segments in the file
    units_loaded: int
    units_quarantined: int  # units_loaded + units_quarantined == units_total


@dataclass(frozen=True)
class X12Source:
    """One landed file for ``read_x12_files``."""

    data: bytes
    source_file: str  # path relative to the landing folder
    file_hash: str


def read_x12_file(data: bytes, *, source_file: str, file_hash: str, expected: str) -> X12ReadResult:
    """Read one 837P (``expected="837"``, claims/) or 835 (``"835"``, remits/) file."""
    return read_x12_files([X12Source(data, source_file, file_hash)], expected=expected)[0]


def read_x12_files(
    sources: Sequence[X12Source],
    *,
    expected: str,
    seen_interchanges: dict[InterchangeKey, str] | None = None,
) -> list[X12ReadResult]:
    """Read several files of one folder at once; one result per source, in order.

    Each result is what ``read_x12_file`` returns for the file alone, but the table building
    runs once for the whole list (batch.py), so many small files cost little more than one
    large file. Memory grows with the total size: callers batch a few tens of MB at a time.

    An interchange whose (ISA05, ISA06, ISA13) another file of the list or
    ``seen_interchanges`` (key -> the file that used it, e.g. from ``raw.x12_interchanges``)
    already used is loaded and flagged ``reused_interchange_control``; the list's new
    interchanges are added to ``seen_interchanges``.
    """
    if expected not in FOLDERS:
        raise ValueError(f"expected must be one of {sorted(FOLDERS)}, not {expected!r}")
    results: list[X12ReadResult | None] = [None] * len(sources)
    parsed = _parse(sources, expected, results)
    seen = {} if seen_interchanges is None else seen_interchanges
    for file in parsed:
        flag_reused_controls(file.envelope, file.source_file, seen)
    if parsed:
        batch = Batch(parsed)
        frames, flags = _read_transactions(batch, expected)
        tables = _to_arrow(batch, frames)
        for position, file in enumerate(parsed):
            results[file.index] = _result(file, tables[position], flags[position], expected)
    return [result for result in results if result is not None]


def _parse(
    sources: Sequence[X12Source], expected: str, results: list[X12ReadResult | None]
) -> list[ParsedFile]:
    """The files tokenized with their envelopes checked; an unreadable file's result goes
    into ``results`` instead."""
    raws = [decode_to_utf8(source.data) for source in sources]
    readable = []
    for index, raw in enumerate(raws):
        if first_non_space(raw) == len(raw):  # (strip() would copy the whole file)
            results[index] = _unusable(
                LoadIssue("empty_file", "the file is empty or holds only whitespace; expected X12")
            )
        else:
            readable.append(index)
    parsed = []
    for index, segments in zip(readable, tokenize_files([raws[k] for k in readable]), strict=True):
        if segments is None:
            results[index] = _unusable(_no_isa(raws[index]), units=1)
            continue
        source = sources[index]
        envelope = walk_envelope(segments, expected)
        parsed.append(ParsedFile(index, source.source_file, source.file_hash, segments, envelope))
    return parsed


def _result(
    file: ParsedFile, tables: dict[str, pa.Table], flags: list[LoadIssue], expected: str
) -> X12ReadResult:
    envelope = file.envelope
    loaded, issues = envelope.settle()
    issues = sorted([*issues, *flags], key=lambda issue: issue.position or 0)
    return X12ReadResult(
        transaction_type=expected if envelope.loadable() else None,
        tables=tables,
        issues=issues,
        units_total=envelope.total_units,
        units_loaded=loaded,
        units_quarantined=envelope.total_units - loaded,
    )


def _unusable(issue: LoadIssue, units: int = 0) -> X12ReadResult:
    issue = LoadIssue(issue.reason_code, issue.reason, "file", None, value=issue.value, units=units)
    return X12ReadResult(None, _empty_tables(), [issue], units, 0, units)


def _no_isa(raw: bytes) -> LoadIssue:
    start = raw.lstrip()[:40].decode("utf-8", "replace")
    return LoadIssue(
        "no_isa",
        "the file does not start with a readable ISA segment ('ISA', an element separator, "
        "16 elements, the ISA16 component separator and a segment terminator), so its "
        "delimiters and segments cannot be known; the whole file was quarantined",
        "file",
    ).with_value(start)


def _read_transactions(
    batch: Batch, expected: str
) -> tuple[dict[str, pl.DataFrame], list[list[LoadIssue]]]:
    """Typed tables of the loadable transactions (each file's own positions, ``__file``) and
    flags per file; quarantines the transactions with unparseable values."""
    built = _build(batch, expected)
    bad_composites = built.pop("malformed")
    built["x12_transactions"] = transactions_frame(batch).join(
        built.pop("header"), on="st_position", how="left", maintain_order="left"
    )
    lineage = lineage_frame(batch)
    typed = map_in_threads(
        lambda item: conform(join_on(item[1], lineage, "st_position", "st_position"), item[0]),
        built.items(),
    )
    frames = {table: frame for table, (frame, _) in zip(built, typed, strict=True)}
    invalid = pl.concat([bad for _, bad in typed])
    if invalid.height:
        keep = ~pl.col("st_position").is_in(invalid.get_column("st_position").unique().to_list())
        frames = {table: frame.filter(keep) for table, frame in frames.items()}
        bad_composites = bad_composites.filter(keep)
        _reject_invalid(batch, batch.localize(invalid))
    flags: list[list[LoadIssue]] = [[] for _ in batch.files]
    for file, flag in _malformed_flags(batch, batch.localize(bad_composites)):
        flags[file].append(flag)
    if expected == "835":
        frames = balance_835(frames)
    frames = {table: batch.localize(frame) for table, frame in frames.items()}
    frames["x12_interchanges"] = interchanges_frame(batch)
    found = negative_amount_issues(frames, expected, FILE)
    if expected == "835":
        found += unbalanced_issues(frames["x12_transactions"], frames["x12_835_claims"], FILE)
    for file, flag in found:
        flags[file].append(flag)
    return frames, flags


def _build(batch: Batch, expected: str) -> dict[str, pl.DataFrame]:
    segments = batch.segments
    rows, st_position = batch.content_rows()
    regime_of_row = segments.regime[rows]
    # Usually one regime; files or interchanges declaring other delimiters make more.
    regimes = [r for r in range(len(segments.delimiters)) if (regime_of_row == r).any()] or [0]
    pieces: dict[str, list[pl.DataFrame]] = {}
    for regime in regimes:
        mine = regime_of_row == regime if len(regimes) > 1 else slice(None)
        content = SegmentRows(segments, rows[mine], st_position[mine], regime)
        for table, frame in BUILDERS[expected](content).items():
            pieces.setdefault(table, []).append(frame)
    if len(regimes) == 1:
        return {table: frames[0] for table, frames in pieces.items()}
    # Regimes interleave in a batch: back to file order (stable, so ties keep their order).
    return {
        table: pl.concat(frames, how="diagonal_relaxed").sort(
            "_segment_position" if "_segment_position" in frames[0].columns else "st_position",
            maintain_order=True,
        )
        for table, frames in pieces.items()
    }


def _reject_invalid(batch: Batch, invalid: pl.DataFrame) -> None:
    """Quarantine each transaction holding a value that does not parse (``invalid`` has
    the files' own positions)."""
    first = invalid.sort(FILE, "_segment_position").unique(
        subset=[FILE, "st_position"], keep="first", maintain_order=True
    )
    counts = {
        (file, st): count
        for file, st, count in invalid.group_by(FILE, "st_position").len().iter_rows()
    }
    for row in first.iter_rows(named=True):
        envelope = batch.envelope_at(row[FILE])
        tx = _transaction_at(envelope, row["st_position"])
        column = next(c for c in TABLE_COLUMNS[row["table"]] if c.name == row["column"])
        more = counts[(row[FILE], row["st_position"])] - 1
        envelope.reject(
            tx,
            "invalid_value",
            f"{column.source} ({row['table']}.{column.name}) {row['value']!r} in the row at "
            f"segment {row['_segment_position']} is not {EXPECTATIONS[column.duckdb_type]}"
            + (f" ({more} more invalid values)" if more else "")
            + f"; {tx.label} was quarantined",
            row["value"],
        )


def _transaction_at(envelope: Envelope, st_position: int) -> Transaction:
    return next(tx for tx in envelope.transactions if tx.st_position == st_position)


def _malformed_flags(batch: Batch, malformed: pl.DataFrame) -> list[tuple[int, LoadIssue]]:
    if malformed.height == 0:
        return []
    first = malformed.unique(subset=[FILE, "st_position"], keep="first", maintain_order=True)
    counts = {
        (file, st): count
        for file, st, count in malformed.group_by(FILE, "st_position").len().iter_rows()
    }
    return [
        (row[FILE], _malformed_flag(row, counts[(row[FILE], row["st_position"])], batch))
        for row in first.iter_rows(named=True)
    ]


def _malformed_flag(row: dict, count: int, batch: Batch) -> LoadIssue:
    envelope = batch.envelope_at(row[FILE])
    tx = _transaction_at(envelope, row["st_position"])
    header = envelope.interchanges[tx.interchange or 0].header
    separator = header.delimiters.component if header else ":"
    return LoadIssue(
        "malformed_composite",
        f"{count} composite element(s) in "
        f"{tx.label} lack the ISA16 component separator "
        f"{separator!r}, first at segment {row['_segment_position']}: {row['value']!r} "
        f"(expected qualifier{separator}code, e.g. HC{separator}99213 or "
        f"ABK{separator}J449). Loaded with the code columns empty",
        "segment",
        row["_segment_position"],
        disposition="flagged",
    ).with_value(row["value"])


def _to_arrow(batch: Batch, frames: dict[str, pl.DataFrame]) -> list[dict[str, pa.Table]]:
    """Per file, every table of X12_TABLES as Arrow with its declared schema.

    Each table is converted once for the whole batch, then sliced per file (zero-copy).
    """
    hashes = pl.Series([file.file_hash for file in batch.files], dtype=pl.String)
    names = pl.Series([file.source_file for file in batch.files], dtype=pl.String)
    count = len(batch.files)

    def convert(table: str) -> list[pa.Table]:
        schema = arrow_schema(table)
        frame = frames.get(table)
        if frame is None or frame.height == 0:
            empty = pa.Table.from_batches([], schema=schema)
            return [empty] * count
        file = frame.get_column(FILE)
        if not file.is_sorted():
            frame = frame.sort(FILE, maintain_order=True)
            file = frame.get_column(FILE)
        frame = frame.with_columns(
            hashes.gather(file).alias("_file_hash"), names.gather(file).alias("_source_file")
        )
        arrow = frame.select(schema.names).to_arrow(compat_level=pl.CompatLevel.oldest())
        arrow = arrow.cast(schema)
        sizes = np.bincount(file.to_numpy(), minlength=count)
        offsets = np.concatenate([[0], np.cumsum(sizes)]).tolist()
        return [arrow.slice(offsets[k], int(sizes[k])) for k in range(count)]

    converted = dict(zip(X12_TABLES, map_in_threads(convert, X12_TABLES), strict=True))
    return [{table: converted[table][k] for table in X12_TABLES} for k in range(count)]


def _empty_tables() -> dict[str, pa.Table]:
    return {table: pa.Table.from_batches([], schema=arrow_schema(table)) for table in X12_TABLES}
