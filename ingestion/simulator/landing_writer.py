"""Writes the landing folder: one CSV per extract per day, one 837 per submission day and one
835 per payer per payment day, each named with its sortable date.

A row's file is the day its change happened; changes before the window start (bookings made
during the warm-up) land in the first day's file, as a practice's first extract would hold them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path

import numpy as np
import polars as pl

from .claim_files import claims_batch
from .extracts import ALL_EXTRACTS
from .payers import PAYERS
from .remit_files import RemitLedger, plan_remits, remit_batch
from .tables import formatted
from .timebase import date_of
from .world import World
from .x12_writer import write_835, write_837

Progress = Callable[[str, int, int], None]

_BLOCK_DAYS = 28


def part_tag(w: World) -> str:
    """File-name suffix of a part; names still sort by date first."""
    return f"part{w.part + 1}"


def write_csv_extracts(
    w: World,
    landing: Path,
    first_day: int,
    last_day: int,
    progress: Progress | None = None,
    keep: Collection[str] = (),
) -> dict[str, int]:
    """Write rows whose (clamped) day is in [first_day, last_day]; returns rows per extract.

    Each extract's rows leave the world as they are written (the run's largest holding),
    except the sinks named in `keep`, which later stages still read.
    """
    rows: dict[str, int] = {}
    for i, spec in enumerate(ALL_EXTRACTS):
        sink = w.sinks[spec.name]
        frame = (sink.frame() if spec.name in keep else sink.take()).with_columns(
            pl.max_horizontal("_day", pl.lit(w.start_day)).alias("_day")
        )
        rows[spec.path] = 0
        folder, prefix = landing / spec.path, f"{spec.name}_"
        # A few weeks at a time, each block filtered and sorted on its own: a whole sorted copy
        # of a large extract, or its text, would take gigabytes at the run's memory peak. A
        # day's rows all fall in one block, in the same stable (_day, _order) order.
        for lo in range(first_day, last_day + 1, _BLOCK_DAYS):
            block = frame.filter(
                pl.col("_day").is_between(lo, min(lo + _BLOCK_DAYS - 1, last_day))
            ).sort(["_day", "_order"], maintain_order=True)
            if block.height:
                rows[spec.path] += block.height
                _write_days(formatted(spec, block), folder, prefix, part_tag(w))
        if progress is not None:
            progress("write_csv", i + 1, len(ALL_EXTRACTS))
    return rows


def _write_days(frame: pl.DataFrame, folder: Path, prefix: str, tag: str) -> None:
    """One file per day from a day-sorted frame: the CSV is rendered once and its bytes cut at
    day boundaries (values never hold line breaks, so one row is one line)."""
    days, counts = np.unique(frame["_day"].to_numpy(), return_counts=True)
    text = frame.drop("_day").write_csv(datetime_format="%Y-%m-%d %H:%M:%S", date_format="%Y-%m-%d")
    data = text.encode()
    line_ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n")) + 1
    if line_ends.size != frame.height + 1:
        raise ValueError(f"{folder.name}: a value holds a line break")
    header = data[: line_ends[0]]
    # Row k of the frame ends at line_ends[k + 1]; day i's rows end after its cumulative count.
    bounds = line_ends[np.concatenate(([0], np.cumsum(counts)))].tolist()
    folder.mkdir(parents=True, exist_ok=True)
    for day, start, end in zip(days.tolist(), bounds[:-1], bounds[1:], strict=True):
        (folder / f"{prefix}{date_of(day).isoformat()}_{tag}.csv").write_bytes(
            header + data[start:end]
        )


def assemble_remits(w: World, last_day: int) -> dict[int, list]:
    """Plan every remittance up to `last_day` in date order (PLB carry-overs are sequential);
    also logs the payment-posting work. Returns remits by day."""
    ledger = RemitLedger()
    out = {}
    for day in sorted(d for d in w.claims.remits if d <= last_day):
        out[day] = plan_remits(w, day, ledger)
    return out


def write_x12(
    w: World,
    landing: Path,
    remits: dict[int, list],
    first_day: int,
    last_day: int,
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Returns (files, bytes) written."""
    files = size = 0
    days = range(first_day, last_day + 1)
    for i, day in enumerate(days):
        stamp = date_of(day).isoformat()
        batch = claims_batch(w, day)
        if batch is not None:
            name = f"claims_{stamp}_{part_tag(w)}.837"
            size += _write(landing / "claims" / name, write_837(batch))
            files += 1
        for remit in remits.get(day, ()):
            name = f"remit_{stamp}_{PAYERS[remit.payer].payer_id}_{part_tag(w)}.835"
            size += _write(landing / "remits" / name, write_835(remit_batch(w, remit)))
            files += 1
        if progress is not None and (i % 30 == 0 or day == last_day):
            progress("write_x12", i + 1, len(days))
    return files, size


def _write(path: Path, text: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("ascii")
    path.write_bytes(data)
    return len(data)
