"""simulate() and simulate_next_day(): the simulator's public entry points."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .parts_runner import PartJob, default_workers, run_all_parts
from .presets import get_preset
from .timebase import date_of, day_of
from .truth import STATE_FILE, write_truth

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SimulationSummary:
    preset: str
    seed: int
    start_date: dt.date
    end_date: dt.date
    days: int  # days written by this call
    rows_per_extract: dict[str, int] = field(default_factory=dict)
    x12_files: int = 0
    x12_bytes: int = 0
    seconds: float = 0.0

    def one_line(self) -> str:
        rows = sum(self.rows_per_extract.values())
        return (
            f"{self.preset} seed={self.seed} {self.start_date}..{self.end_date}: "
            f"{self.days} day(s), {rows:,} CSV rows in {len(self.rows_per_extract)} extracts, "
            f"{self.x12_files:,} X12 files ({self.x12_bytes / 1e6:.1f} MB) "
            f"in {self.seconds:.1f} s"
        )


def simulate(
    preset: str,
    seed: int,
    out: Path,
    *,
    end_date: dt.date | None = None,
    start_date: dt.date | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
) -> SimulationSummary:
    """Write `out/landing` (the extract contract's layout) and `out/truth` for a whole window.

    The window is the preset's months ending on `end_date` (default presets.DEFAULT_END_DATE);
    `start_date` overrides its first day. The same arguments give byte-identical files, with
    any number of `workers` (processes; default: up to 2, one per part of the group).
    A previous simulator output in `out` is replaced; any other non-empty landing is refused.
    """
    started = time.perf_counter()
    spec = get_preset(preset)
    first, last = spec.window(end_date, start_date)
    out = Path(out)
    _prepare(out)
    job = PartJob(spec.name, seed, out / "landing", day_of(first), day_of(first), day_of(last))
    return _run(job, out, workers, progress, started)


def simulate_next_day(
    out: Path, *, progress: Progress | None = None, workers: int | None = None
) -> SimulationSummary:
    """Add exactly the day after the recorded end date: its landing files, a refreshed truth.

    The world is re-simulated from the recorded seed, so the new day equals what a full run to
    that day would have written.
    """
    started = time.perf_counter()
    out = Path(out)
    state_path = out / "truth" / STATE_FILE
    if not state_path.exists():
        raise FileNotFoundError(f"{state_path} not found: run simulate() first")
    state = json.loads(state_path.read_text())
    start = day_of(dt.date.fromisoformat(state["start_date"]))
    day = day_of(dt.date.fromisoformat(state["end_date"])) + 1
    job = PartJob(state["preset"], int(state["seed"]), out / "landing", start, day, day)
    return _run(job, out, workers, progress, started)


def _prepare(out: Path) -> None:
    landing, truth = out / "landing", out / "truth"
    if (truth / STATE_FILE).exists():
        shutil.rmtree(landing, ignore_errors=True)
        shutil.rmtree(truth, ignore_errors=True)
    elif landing.exists() and any(landing.iterdir()):
        raise FileExistsError(f"{landing} holds files the simulator did not write")


def _run(
    job: PartJob, out: Path, workers: int | None, progress: Progress | None, started: float
) -> SimulationSummary:
    results = run_all_parts(job, workers or default_workers(), progress)
    rows: dict[str, int] = {}
    for result in results:
        for path, n in result.rows.items():
            rows[path] = rows.get(path, 0) + n
    state = {
        "preset": job.preset,
        "seed": job.seed,
        "format": 1,
        "start_date": date_of(job.start).isoformat(),
        "end_date": date_of(job.last).isoformat(),
    }
    write_truth([r.truth for r in results], out / "truth", state)
    return SimulationSummary(
        job.preset,
        job.seed,
        date_of(job.start),
        date_of(job.last),
        job.last - job.first + 1,
        rows,
        sum(r.x12_files for r in results),
        sum(r.x12_bytes for r in results),
        time.perf_counter() - started,
    )
