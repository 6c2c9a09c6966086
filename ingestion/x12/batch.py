"""Many X12 files read as one: their segments side by side, positions made global, then local.

A polars or numpy call costs about the same for 50 segments as for 50,000, and the table
builders make a few hundred of them, so reading a practice's daily files one at a time spends
nearly all its time on fixed costs. A ``Batch`` lays the tokenized files end to end: file ``k``'s
segment at position ``p`` gets the global position ``bases[k] + p``. Loops never cross an ST (the
builders check that an opener lies after the row's ST), positions still rise in file order, so
the builders run once on the whole batch unchanged. ``localize`` turns a finished table back
into per-file positions with a ``__file`` column (index into ``Batch.files``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

from ingestion.x12.envelope import Envelope, Transaction
from ingestion.x12.tokenizer import Delimiters, Segments

# Columns holding segment positions; every table has ``_segment_position``.
POSITION_COLUMNS = ("st_position", "_segment_position", "isa_position", "gs_position")
FILE = "__file"


@dataclass
class ParsedFile:
    """One tokenized file whose envelopes were checked."""

    index: int  # in the caller's list of sources
    source_file: str
    file_hash: str
    segments: Segments
    envelope: Envelope


class Batch:
    """Files whose segments are read together (see the module docstring)."""

    def __init__(self, files: list[ParsedFile]) -> None:
        self.files = files
        counts = np.array([file.segments.count for file in files], dtype=np.int64)
        self.bases = np.zeros(len(files), dtype=np.int64)
        np.cumsum(counts[:-1], out=self.bases[1:])
        self.segments = _merge([file.segments for file in files])

    def transactions(self, *, loadable: bool = True) -> Iterator[tuple[int, Transaction]]:
        """``(base, transaction)`` in global order, only loadable ones unless told otherwise."""
        for file, base in zip(self.files, self.bases.tolist(), strict=True):
            found = file.envelope.loadable() if loadable else file.envelope.transactions
            for tx in found:
                yield base, tx

    def content_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Row indices of the segments inside loadable transactions, and their ST's position."""
        spans = [
            (base + tx.st_position, base + tx.end_position) for base, tx in self.transactions()
        ]
        if not spans:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        starts, ends = np.array(spans, dtype=np.int64).T
        # Rows between transactions (envelopes, gaps) fall outside every span.
        lengths = ends - starts + 1
        st_position = np.repeat(starts, lengths)
        positions = st_position + _ranks(lengths)
        return positions - 1, st_position

    def localize(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` (global positions) with ``__file`` and each file's own positions."""
        if len(self.files) == 1:
            return frame.with_columns(pl.lit(0, dtype=pl.Int64).alias(FILE))
        positions = frame.get_column("_segment_position").to_numpy()
        file = np.searchsorted(self.bases, positions, side="left") - 1
        base = pl.Series(self.bases[file])
        return frame.with_columns(
            *(pl.col(c) - base for c in POSITION_COLUMNS if c in frame.columns),
            pl.Series(FILE, file, dtype=pl.Int64),
        )

    def envelope_at(self, file: int) -> Envelope:
        return self.files[file].envelope


def _ranks(lengths: np.ndarray) -> np.ndarray:
    """0, 1, .., n-1 for each run length n, concatenated."""
    total = int(lengths.sum())
    run_starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.arange(total, dtype=np.int64) - run_starts


def _merge(parts: list[Segments]) -> Segments:
    """One ``Segments`` over the files' bytes laid end to end; regimes become the distinct
    delimiters of the batch (most batches have one)."""
    if len(parts) == 1:
        return parts[0]
    regimes: dict[Delimiters, int] = {}
    offsets = np.zeros(len(parts), dtype=np.int64)
    np.cumsum([len(part.raw) for part in parts[:-1]], out=offsets[1:])
    regime = []
    for part in parts:
        mapping = np.array(
            [regimes.setdefault(d, len(regimes)) for d in part.delimiters], dtype=np.int64
        )
        regime.append(mapping[part.regime])
    return Segments(
        b"".join(part.raw for part in parts),
        np.concatenate([part.start + offset for part, offset in zip(parts, offsets, strict=True)]),
        np.concatenate([part.end + offset for part, offset in zip(parts, offsets, strict=True)]),
        np.concatenate([part.code for part in parts]),
        np.concatenate(regime),
        list(regimes),
    )
