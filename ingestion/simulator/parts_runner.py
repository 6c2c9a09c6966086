"""Runs the group's parts (see world.py) in worker processes, or in-process for one worker.

The output does not depend on the number of workers: each part is a deterministic function
of (preset, seed, window, part). Workers are spawned, not forked, because forking a process
whose polars thread pool is running can deadlock.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import queue as queue_module
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import engine
from .landing_writer import assemble_remits, write_csv_extracts, write_x12
from .practice import PARTS
from .presets import get_preset
from .truth import TRUTH_SINKS, TruthPart, truth_part

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class PartJob:
    preset: str
    seed: int
    landing: Path
    start: int  # first day of the window
    first: int  # first day to write
    last: int  # last day to simulate and write


@dataclass
class PartResult:
    rows: dict[str, int]
    x12_files: int
    x12_bytes: int
    truth: TruthPart


def run_part(job: PartJob, part: int, progress: Progress | None = None) -> PartResult:
    with _no_cyclic_gc():
        # The world dies with _simulate_part's frame, before the collector is back on: freed
        # by reference counting (it holds no cycles) rather than scanned object by object.
        return _simulate_part(job, part, progress)


def _simulate_part(job: PartJob, part: int, progress: Progress | None) -> PartResult:
    world = engine.build_world(get_preset(job.preset), job.seed, job.start, job.last, part)
    engine.run(world, job.last, progress)
    remits = assemble_remits(world, job.last)
    rows = write_csv_extracts(world, job.landing, job.first, job.last, progress, TRUTH_SINKS)
    files, size = write_x12(world, job.landing, remits, job.first, job.last, progress)
    return PartResult(rows, files, size, truth_part(world, remits, job.last))


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """The world holds millions of long-lived objects and makes no garbage cycles worth
    collecting; with the cyclic collector on, each full pass rescans them all and the run
    grows quadratically with its length."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def default_workers() -> int:
    return max(1, min(PARTS, os.cpu_count() or 1)) if _can_spawn() else 1


def _can_spawn() -> bool:
    """Spawned workers re-import the parent's main script; a script read from stdin cannot
    be re-imported, so such callers run the parts in-process."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return main_file is None or Path(main_file).exists()


def run_all_parts(job: PartJob, workers: int, progress: Progress | None) -> list[PartResult]:
    if workers <= 1:
        return [run_part(job, part, progress) for part in range(PARTS)]
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(job, part, queue)) for part in range(PARTS)]
    for proc in procs:
        proc.start()
    results: dict[int, PartResult] = {}
    seen: dict[tuple[str, int], tuple[int, int]] = {}
    try:
        while len(results) < PARTS:
            try:
                kind, part, payload = queue.get(timeout=1.0)
            except queue_module.Empty:
                dead = [p for p in procs if p.exitcode not in (None, 0)]
                if dead:
                    raise RuntimeError(f"simulator worker exited with {dead[0].exitcode}") from None
                continue
            if kind == "error":
                raise RuntimeError(f"simulator part {part} failed:\n{payload}")
            if kind == "done":
                results[part] = payload
            elif progress is not None:
                stage, done, total = payload
                seen[(stage, part)] = (done, total)
                parts = [v for (s, _), v in seen.items() if s == stage]
                progress(stage, sum(d for d, _ in parts), sum(t for _, t in parts))
    finally:
        for proc in procs:
            proc.join(timeout=5 if len(results) < PARTS else None)
            if proc.is_alive():
                proc.terminate()
    return [results[part] for part in range(PARTS)]


def _worker(job: PartJob, part: int, queue) -> None:
    try:

        def report(stage: str, done: int, total: int) -> None:
            queue.put(("progress", part, (stage, done, total)))

        queue.put(("done", part, run_part(job, part, report)))
    except BaseException:  # the parent must hear about any failure, or it waits forever
        queue.put(("error", part, traceback.format_exc()))
