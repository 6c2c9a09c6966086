"""Vectorized access to the segments of loadable transactions: elements and loop context.

X12 loops have no closing segment; a segment belongs to the latest loop opener before it. So
instead of walking segments one by one, each segment kind is taken as a frame and its loop is
found with an as-of join on position ("the latest CLP at or before this CAS"), checked to lie
in the same transaction (the opener's position is after the row's ST) or the same parent loop.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import polars as pl

from ingestion.x12.parallel import map_in_threads
from ingestion.x12.tokenizer import Segments, byte_slices, segment_code, token_codes

KEYS = ("pos", "st_position")
# The arguments of SegmentRows.get: segment id, elements (highest or exact), qualifiers.
Request = tuple[str, int | list[int]] | tuple[str, int | list[int], tuple[str, ...]]


def _request_key(
    segment_id: str, elements: int | Iterable[int], qualifiers: Iterable[str] | None = None
) -> tuple[str, tuple[int, ...], tuple[str, ...] | None]:
    wanted = range(1, elements + 1) if isinstance(elements, int) else elements
    return segment_id, tuple(sorted(set(wanted))), None if qualifiers is None else tuple(qualifiers)


class SegmentRows:
    """The segments of loadable transactions in one delimiter regime, by segment id."""

    def __init__(
        self, segments: Segments, rows: np.ndarray, st_position: np.ndarray, regime: int
    ) -> None:
        self.delimiters = segments.delimiters[regime]
        self._segments = segments
        self._rows = rows
        self._st_position = st_position
        self._codes = segments.code[rows]
        self._cache: dict[tuple, pl.DataFrame] = {}

    def prefetch(self, requests: Iterable[Request]) -> None:
        """Extract several segment kinds at once, on both cores; later ``get`` calls with
        the same arguments are served from the cache."""
        keys = [_request_key(*request) for request in requests]
        frames = map_in_threads(lambda key: self._extract(*key), keys)
        self._cache.update(zip(keys, frames, strict=True))

    def get(
        self,
        segment_id: str,
        elements: int | Iterable[int],
        qualifiers: Iterable[str] | None = None,
    ) -> pl.DataFrame:
        """``pos``, ``st_position`` and columns ``e01``..``eNN`` (null when absent or empty).

        ``elements`` is the highest element wanted or the exact ones (others stay null, which
        saves extracting them); ``qualifiers`` keeps only segments whose first element is one
        of them (compared on the raw bytes, before any text is made).
        """
        key = _request_key(segment_id, elements, qualifiers)
        found = self._cache.get(key)
        return found if found is not None else self._extract(*key)

    def _extract(
        self, segment_id: str, wanted: tuple[int, ...], qualifiers: tuple[str, ...] | None
    ) -> pl.DataFrame:
        names = [f"e{index:02d}" for index in range(1, max(wanted) + 1)]
        index = np.flatnonzero(self._codes == segment_code(segment_id))
        if qualifiers is not None:
            index = index[self._first_element_in(index, len(segment_id), qualifiers)]
        rows = self._rows[index]
        # The id and its separator are not gathered: element k is list item k - 1.
        starts = self._segments.start[rows] + len(segment_id) + 1
        ends = np.maximum(self._segments.end[rows], starts)
        split = pl.DataFrame(
            {
                "pos": rows + 1,
                "st_position": self._st_position[index],
                "_e": byte_slices(self._segments.array, starts, ends - starts).str.split(
                    self.delimiters.element
                ),
            },
            schema={"pos": pl.Int64, "st_position": pl.Int64, "_e": pl.List(pl.String)},
        )
        # Elements past the longest segment of this kind are all null: skip extracting them.
        longest = split.select(pl.col("_e").list.len().max()).item() or 0
        # Lazy, so each element is extracted once although _blank_to_null names it twice.
        return _collect(
            split.lazy().select(
                *KEYS,
                *(
                    _blank_to_null(pl.col("_e").list.get(number - 1, null_on_oob=True)).alias(name)
                    if number in wanted and number <= longest
                    else pl.lit(None, dtype=pl.String).alias(name)
                    for number, name in enumerate(names, start=1)
                ),
            )
        )

    def _first_element_in(
        self, index: np.ndarray, id_length: int, qualifiers: Iterable[str]
    ) -> np.ndarray:
        """Mask of the segments whose first element is one of ``qualifiers`` (1-3 chars)."""
        rows = self._rows[index]
        begin = self._segments.start[rows] + id_length + 1
        found = token_codes(
            self._segments.array, begin, self._segments.end[rows], self.delimiters.element
        )
        return np.isin(found, [segment_code(qualifier) for qualifier in qualifiers])

    def positions(self, segment_id: str) -> pl.DataFrame:
        """``pos`` and ``st_position`` of every ``segment_id`` segment (loop openers)."""
        index = np.flatnonzero(self._codes == segment_code(segment_id))
        return pl.DataFrame(
            {"pos": self._rows[index] + 1, "st_position": self._st_position[index]},
            schema={"pos": pl.Int64, "st_position": pl.Int64},
        )

    def first_elements(self, segment_id: str, width: int = 4) -> pl.DataFrame:
        """``positions`` plus ``e01``, read from at most ``width`` bytes after the id.

        Qualifiers and entity codes are short, so this skips making the segments' text.
        """
        frame = self.positions(segment_id)
        rows = frame.get_column("pos").to_numpy() - 1
        array = self._segments.array
        begin = self._segments.start[rows] + len(segment_id) + 1
        end = self._segments.end[rows]
        last = len(array) - 1
        separator = ord(self.delimiters.element)
        length = np.full(len(rows), width, dtype=np.int64)
        for offset in range(width - 1, -1, -1):
            stop = array[np.minimum(begin + offset, last)] == separator
            length[stop] = offset
        length = np.clip(np.minimum(length, end - begin), 0, None)
        frame = frame.with_columns(byte_slices(array, begin, length).alias("e01"))
        return frame.with_columns(_blank_to_null(pl.col("e01")).alias("e01"))

    def with_parts(self, frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
        """Add ``<column>_parts`` (the composite split once into its components) and
        ``<column>_composite`` (whether it holds the ISA16 separator at all)."""
        separator = self.delimiters.component
        return frame.with_columns(
            expr
            for column in columns
            for expr in (
                pl.col(column).str.split(separator).alias(f"{column}_parts"),
                pl.col(column).str.contains(separator, literal=True).alias(f"{column}_composite"),
            )
        )


def part(column: str, index: int) -> pl.Expr:
    """Component ``index`` (0-based) of a column prepared with ``SegmentRows.with_parts``."""
    return _blank_to_null(pl.col(f"{column}_parts").list.get(index, null_on_oob=True))


def parts_joined(column: str, start: int, count: int) -> pl.Expr:
    """Components ``start``..``start+count-1`` joined with ':' (null when all are empty)."""
    # concat_str of the items is list.slice + list.join (empty items kept, absent ones not),
    # at two thirds of the cost.
    parts = pl.col(f"{column}_parts")
    items = [parts.list.get(index, null_on_oob=True) for index in range(start, start + count)]
    joined = pl.concat_str(items, separator=":", ignore_nulls=True)
    return _blank_to_null(joined.str.strip_chars(":"))


def procedure_columns(column: str) -> dict[str, pl.Expr]:
    """Qualifier, code and ':'-joined modifiers of an SV1/SVC procedure composite.

    Without the ISA16 separator (e.g. 'HC>99213' when ISA16 is ':') the composite cannot be
    read: the codes stay empty and the raw text is reported as malformed.
    """
    readable = pl.col(f"{column}_composite")
    return {
        "procedure_qualifier": pl.when(readable).then(part(column, 0)),
        "procedure_code": pl.when(readable).then(part(column, 1)),
        "modifiers": pl.when(readable).then(parts_joined(column, 2, 4)),
    }


def present(frame: pl.DataFrame, columns: Iterable[str]) -> list[str]:
    """The columns holding at least one value (skips all-null repeats such as CAS triplets)."""
    return [column for column in columns if frame.get_column(column).null_count() < frame.height]


def _collect(query: pl.LazyFrame) -> pl.DataFrame:
    """Run a query with the in-memory engine: the streaming engine, polars 2's default for
    lazy queries, costs about 0.4 ms more per query, and a batch runs a few hundred small ones
    (their whole cost for a day's handful of files)."""
    return query.collect(engine="in-memory")


def _blank_to_null(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr != "").then(expr)


def latest(
    rows: pl.DataFrame,
    openers: pl.DataFrame,
    name: str,
    *,
    after: str = "st_position",
    carry: Iterable[str] = (),
) -> pl.DataFrame:
    """Add ``name``: position of the latest opener at or before each row, if after ``after``.

    ``openers`` has ``pos`` and the ``carry`` columns (copied onto the row, null when no
    opener applies). ``after`` names a row column (its transaction's ST, or a parent loop's
    position): an opener at or before it belongs to another loop.
    """
    carry = list(carry)
    right = openers.lazy().select(pl.col("pos").alias(name), *carry)
    valid = pl.col(name) > pl.col(after)
    return _collect(
        rows.lazy()
        .join_asof(right, left_on="pos", right_on=name, strategy="backward")
        .with_columns(
            pl.when(valid).then(pl.col(column)).alias(column) for column in [name, *carry]
        )
    )


def ordinal(parent: str) -> pl.Expr:
    """1-based rank of each row among consecutive rows with the same ``parent`` value."""
    index = pl.int_range(pl.len(), dtype=pl.Int64)
    starts = (pl.col(parent) != pl.col(parent).shift(1)).fill_null(True)
    return index - pl.when(starts).then(index).forward_fill() + 1


def first_per(frame: pl.DataFrame, key: str, columns: dict[str, pl.Expr]) -> pl.DataFrame:
    """One row per ``key`` (the first in file order) with the named columns.

    Rows come in file order, so a loop key (the position of the loop's opener) never
    decreases: duplicates are neighbours and dropping them needs no hashing.
    """
    # The previous non-null key, so rows with a null key between two equal keys do not break
    # the run. Lazy, so only the selected columns are filtered (frames here are wide).
    previous = pl.col(key).forward_fill().shift(1)
    first = pl.col(key).is_not_null() & (pl.col(key) != previous).fill_null(True)
    query = (
        frame.lazy()
        .filter(first)
        .select(pl.col(key), *(expr.alias(name) for name, expr in columns.items()))
    )
    return _collect(query)


def in_file_order(pieces: list[pl.DataFrame], key: str) -> pl.DataFrame:
    """``pieces`` (each in file order on ``key``) merged into file order; rows with the same
    key keep the order of the pieces (a stable sort on one key: several times cheaper than
    sorting on the key and a tie-breaker)."""
    if len(pieces) == 1:
        return pieces[0]
    return pl.concat(pieces).sort(key, maintain_order=True)


def join_on(left: pl.DataFrame, right: pl.DataFrame, left_key: str, right_key: str) -> pl.DataFrame:
    """Left join keeping ``left``'s rows and order; ``right`` is unique on ``right_key``.

    Both sides are in file order (non-null keys never decrease), so a merge (as-of join plus
    an equality check) replaces a hash join, several times faster on large files.
    """
    added = [column for column in right.columns if column != right_key]
    probe = pl.col(left_key).forward_fill().fill_null(-1).alias("__probe")
    hit = pl.col("__match") == pl.col(left_key)
    return _collect(
        left.lazy()
        .with_columns(probe)
        .join_asof(
            right.lazy().rename({right_key: "__match"}), left_on="__probe", right_on="__match"
        )
        .with_columns(pl.when(hit).then(pl.col(c)).alias(c) for c in added)
        .drop("__probe", "__match")
    )


def date_range(column: str, part: int) -> pl.Expr:
    """Start (part 0) or end (part 1) of a D8 ``CCYYMMDD`` or RD8 ``CCYYMMDD-CCYYMMDD`` value."""
    pieces = pl.col(column).str.split("-")
    return pieces.list.get(part, null_on_oob=True) if part == 0 else pieces.list.last()
