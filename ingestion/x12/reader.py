"""Entry point: one landed X12 file (837P or 835) -> raw tables, issues and unit counts.

Steps: decode and tokenize (delimiters from each ISA) -> check envelopes and decide which
transactions may load -> pivot their segments into text tables (vectorized, see
segment_rows.py) -> type them, quarantining transactions with values that do not parse ->
check 835 balancing (flag, not drop) -> count units. ``units_loaded + units_quarantined ==
units_total`` always; a file whose ISA cannot be read counts as a single unit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

from ingestion.issues import LoadIssue
from ingestion.x12.balancing import balance_835, unbalanced_issues
from ingestion.x12.claims_837 import build_837
from ingestion.x12.envelope import Envelope, Transaction
from ingestion.x12.envelope_tables import interchanges_frame, lineage_frame, transactions_frame
from ingestion.x12.envelope_walk import walk_envelope
from ingestion.x12.parallel import map_in_threads
from ingestion.x12.remits_835 import build_835
from ingestion.x12.segment_rows import SegmentRows, join_on
from ingestion.x12.tables import TABLE_COLUMNS, X12_TABLES, arrow_schema
from ingestion.x12.tokenizer import NotX12Error, Segments, decode_to_utf8, tokenize
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


def read_x12_file(data: bytes, *, source_file: str, file_hash: str, expected: str) -> X12ReadResult:
    """Read one 837P (``expected="837"``, claims/) or 835 (``"835"``, remits/) file."""
    if expected not in FOLDERS:
        raise ValueError(f"expected must be one of {sorted(FOLDERS)}, not {expected!r}")
    raw = decode_to_utf8(data)
    if not raw.strip():
        return _unusable(
            LoadIssue("empty_file", "the file is empty or holds only whitespace; expected X12")
        )
    try:
        segments = tokenize(raw)
    except NotX12Error:
        return _unusable(_no_isa(raw), units=1)
    envelope = walk_envelope(segments, expected)
    frames, flags = _read_transactions(segments, envelope, expected)
    frames = _with_file(frames, source_file, file_hash)
    frames["x12_interchanges"] = interchanges_frame(envelope, source_file, file_hash)
    loaded, issues = envelope.settle()
    issues = sorted([*issues, *flags], key=lambda issue: issue.position or 0)
    return X12ReadResult(
        transaction_type=expected if envelope.loadable() else None,
        tables=_to_arrow(frames),
        issues=issues,
        units_total=envelope.total_units,
        units_loaded=loaded,
        units_quarantined=envelope.total_units - loaded,
    )


def _unusable(issue: LoadIssue, units: int = 0) -> X12ReadResult:
    issue = LoadIssue(issue.reason_code, issue.reason, "file", None, value=issue.value, units=units)
    return X12ReadResult(None, _to_arrow({}), [issue], units, 0, units)


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
    segments: Segments, envelope: Envelope, expected: str
) -> tuple[dict[str, pl.DataFrame], list[LoadIssue]]:
    """Typed tables of the loadable transactions; quarantines those with unparseable values."""
    loadable = envelope.loadable()
    built = _build(segments, loadable, expected)
    bad_composites = built.pop("malformed")
    built["x12_transactions"] = transactions_frame(loadable).join(
        built.pop("header"), on="st_position", how="left", maintain_order="left"
    )
    lineage = lineage_frame(envelope)
    typed = map_in_threads(
        lambda item: conform(join_on(item[1], lineage, "st_position", "st_position"), item[0]),
        built.items(),
    )
    frames = {table: frame for table, (frame, _) in zip(built, typed, strict=True)}
    invalid = [bad for _, bad in typed]
    by_position = {tx.st_position: tx for tx in envelope.transactions}
    rejected = _reject_invalid(envelope, by_position, pl.concat(invalid))
    if rejected:
        keep = ~pl.col("st_position").is_in(list(rejected))
        frames = {table: frame.filter(keep) for table, frame in frames.items()}
        bad_composites = bad_composites.filter(keep)
    flags = _malformed_flags(bad_composites, by_position, envelope)
    if expected == "835":
        frames = balance_835(frames)
        flags += unbalanced_issues(frames["x12_transactions"], frames["x12_835_claims"])
    return frames, flags


def _build(
    segments: Segments, loadable: list[Transaction], expected: str
) -> dict[str, pl.DataFrame]:
    rows, st_position = _content_rows(segments, loadable)
    regime_of_row = segments.regime[rows]
    # Usually one regime; a later ISA declaring other delimiters starts another.
    regimes = [r for r in range(len(segments.delimiters)) if (regime_of_row == r).any()] or [0]
    pieces: dict[str, list[pl.DataFrame]] = {}
    for regime in regimes:
        mine = regime_of_row == regime if len(regimes) > 1 else slice(None)
        content = SegmentRows(segments, rows[mine], st_position[mine], regime)
        for table, frame in BUILDERS[expected](content).items():
            pieces.setdefault(table, []).append(frame)
    return {
        table: frames[0] if len(frames) == 1 else pl.concat(frames, how="diagonal_relaxed")
        for table, frames in pieces.items()
    }


def _content_rows(segments: Segments, loadable: list[Transaction]) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of the segments inside loadable transactions, and their ST's position."""
    if not loadable:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.array([tx.st_position for tx in loadable], dtype=np.int64)
    ends = np.array([tx.end_position for tx in loadable], dtype=np.int64)
    positions = np.arange(1, segments.count + 1, dtype=np.int64)
    owner = np.clip(np.searchsorted(starts, positions, side="right") - 1, 0, None)
    inside = (positions >= starts[owner]) & (positions <= ends[owner])
    return positions[inside] - 1, starts[owner][inside]


def _reject_invalid(
    envelope: Envelope, by_position: dict[int, Transaction], invalid: pl.DataFrame
) -> set[int]:
    if invalid.height == 0:
        return set()
    first = invalid.sort("_segment_position").unique(
        subset=["st_position"], keep="first", maintain_order=True
    )
    counts = dict(invalid.group_by("st_position").len().iter_rows())
    for row in first.iter_rows(named=True):
        tx = by_position[row["st_position"]]
        column = next(c for c in TABLE_COLUMNS[row["table"]] if c.name == row["column"])
        more = counts[row["st_position"]] - 1
        envelope.reject(
            tx,
            "invalid_value",
            f"{column.source} ({row['table']}.{column.name}) {row['value']!r} in the row at "
            f"segment {row['_segment_position']} is not {EXPECTATIONS[column.duckdb_type]}"
            + (f" ({more} more invalid values)" if more else "")
            + f"; {tx.label} was quarantined",
            row["value"],
        )
    return set(counts)


def _malformed_flags(
    malformed: pl.DataFrame, by_position: dict[int, Transaction], envelope: Envelope
) -> list[LoadIssue]:
    if malformed.height == 0:
        return []
    first = malformed.unique(subset=["st_position"], keep="first", maintain_order=True)
    counts = dict(malformed.group_by("st_position").len().iter_rows())
    return [
        _malformed_flag(row, counts, by_position, envelope) for row in first.iter_rows(named=True)
    ]


def _malformed_flag(
    row: dict, counts: dict[int, int], by_position: dict[int, Transaction], envelope: Envelope
) -> LoadIssue:
    tx = by_position[row["st_position"]]
    header = envelope.interchanges[tx.interchange or 0].header
    separator = header.delimiters.component if header else ":"
    return LoadIssue(
        "malformed_composite",
        f"{counts[row['st_position']]} composite element(s) in "
        f"{tx.label} lack the ISA16 component separator "
        f"{separator!r}, first at segment {row['_segment_position']}: {row['value']!r} "
        f"(expected qualifier{separator}code, e.g. HC{separator}99213 or "
        f"ABK{separator}J449). Loaded with the code columns empty",
        "segment",
        row["_segment_position"],
        disposition="flagged",
    ).with_value(row["value"])


def _with_file(
    frames: dict[str, pl.DataFrame], source_file: str, file_hash: str
) -> dict[str, pl.DataFrame]:
    files = [
        pl.lit(file_hash, dtype=pl.String).alias("_file_hash"),
        pl.lit(source_file, dtype=pl.String).alias("_source_file"),
    ]
    return {table: frame.with_columns(files) for table, frame in frames.items()}


def _to_arrow(frames: dict[str, pl.DataFrame]) -> dict[str, pa.Table]:
    """Every table of X12_TABLES as Arrow with its declared schema (empty when absent)."""

    def convert(table: str) -> pa.Table:
        schema = arrow_schema(table)
        frame = frames.get(table)
        if frame is None or frame.height == 0:
            return pa.Table.from_batches([], schema=schema)
        arrow = frame.select(schema.names).to_arrow(compat_level=pl.CompatLevel.oldest())
        return arrow.cast(schema)

    return dict(zip(X12_TABLES, map_in_threads(convert, X12_TABLES), strict=True))
