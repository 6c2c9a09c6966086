"""The publish stage alone: copy a built work database into a serving snapshot, N times.

    .venv/bin/python benchmarks/bench_publish.py medium=/path/to/work.duckdb [more LABEL=PATH]
        [--repeats 3] [--cold] [--previous SNAPSHOT] [--work /tmp/friction_bench_publish]

Each publish runs ``publish_snapshot`` in a fresh spawned process (bench_refresh's
``in_child``), into a scratch serving folder under ``--work`` (history pruned, so disk use
stays one snapshot). The work database is opened read-only, as the refresh opens it, and is
never changed. Figures per database: median wall and CPU (user + sys of the publishing
process, DuckDB's threads included: the comparable figure on a loaded machine), megabytes
the process read from and wrote to the disk (``getrusage`` block counts: reads served by
the page cache do not count), peak resident memory, and the snapshot's size.

``--previous SNAPSHOT``: every publish starts with SNAPSHOT as the served snapshot (copied in,
untimed), as a daily refresh does: e.g. the snapshot published before the last day landed,
with the work database after the incremental build. Without it every publish starts with
no snapshot (the first refresh of a home). The table counts the tables kept, patched and
copied whole (``publish_snapshot``'s actions).

Warm (default): one untimed publish first, so the work database sits in the page cache, as
it does right after a full ``dbt build`` wrote it. ``--cold``: the work database's pages are
dropped from the page cache before every publish (``posix_fadvise``, that file only), as
after an incremental build that rewrote a small part of it.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

from bench_refresh import in_child

BLOCK_BYTES = 512  # getrusage counts block I/O in 512-byte units on Linux
ACTIONS = ("kept", "patched", "copied")


def evict_from_page_cache(path: Path) -> None:
    """Drop ``path``'s clean pages from the page cache (only this file, nobody else's)."""
    for name in (path, Path(f"{path}.wal")):
        if name.exists():
            fd = os.open(name, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def step_publish(work_db: str, serving_db: str, cold: bool, previous: str | None) -> dict:
    """One publish in this (child) process: its wall, CPU and disk figures."""
    from dagster_project.stages.publish import publish_snapshot

    serving = Path(serving_db)
    serving.unlink(missing_ok=True)
    if previous is not None:
        serving.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(previous, serving)
    if cold:
        evict_from_page_cache(Path(work_db))
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    result = publish_snapshot(Path(work_db), serving, refresh_id="bench", keep=0)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "seconds": seconds,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "read_mb": (after.ru_inblock - before.ru_inblock) * BLOCK_BYTES / 1e6,
        "written_mb": (after.ru_oublock - before.ru_oublock) * BLOCK_BYTES / 1e6,
        "tables": len(result.tables),
        "rows": sum(result.rows.values()),
        "snapshot_mb": serving.stat().st_size / 1e6,
        "actions": " / ".join(
            f"{list(result.actions.values()).count(action)}" for action in ACTIONS
        ),
    }


def bench_database(
    label: str, work_db: Path, work: Path, repeats: int, cold: bool, previous: Path | None
) -> dict:
    """Median figures of ``repeats`` publishes of ``work_db`` (after a warm-up unless cold)."""
    serving = work / label / "serving" / "warehouse.duckdb"
    start = None if previous is None else str(previous)
    if not cold:
        print(f"[{label}] warm-up publish", flush=True)
        in_child(step_publish, str(work_db), str(serving), False, start)
    runs = []
    for index in range(repeats):
        print(f"[{label}] publish {index + 1}/{repeats}", flush=True)
        runs.append(in_child(step_publish, str(work_db), str(serving), cold, start))
    median = {
        key: statistics.median(run[key] for run in runs)
        for key in ("seconds", "cpu", "read_mb", "written_mb", "peak_mb")
    }
    return {
        **median,
        "label": label,
        "work_mb": work_db.stat().st_size / 1e6,
        "tables": runs[-1]["tables"],
        "rows": runs[-1]["rows"],
        "snapshot_mb": runs[-1]["snapshot_mb"],
        "actions": runs[-1]["actions"],
        "start": "previous" if previous is not None else "empty",
        "cache": "cold" if cold else "warm",
        "repeats": repeats,
    }


COLUMNS = (
    ("database", lambda r: r["label"]),
    ("work MB", lambda r: f"{r['work_mb']:,.0f}"),
    ("tables", lambda r: f"{r['tables']}"),
    ("rows", lambda r: f"{r['rows']:,}"),
    ("snapshot MB", lambda r: f"{r['snapshot_mb']:,.0f}"),
    ("start", lambda r: r["start"]),
    ("kept/patched/copied", lambda r: r["actions"]),
    ("cache", lambda r: r["cache"]),
    ("runs", lambda r: f"{r['repeats']}"),
    ("wall s", lambda r: f"{r['seconds']:.2f}"),
    ("CPU s", lambda r: f"{r['cpu']:.2f}"),
    ("disk read MB", lambda r: f"{r['read_mb']:,.0f}"),
    ("disk written MB", lambda r: f"{r['written_mb']:,.0f}"),
    ("peak MB", lambda r: f"{r['peak_mb']:,.0f}"),
)


def print_table(results: list[dict]) -> None:
    cells = [[header for header, _ in COLUMNS]]
    cells += [[cell(r) for _, cell in COLUMNS] for r in results]
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]
    for row in cells:
        print("  ".join(value.rjust(width) for value, width in zip(row, widths, strict=True)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("databases", nargs="+", metavar="LABEL=WORK_DB")
    parser.add_argument("--repeats", type=int, default=3, help="timed publishes per database")
    parser.add_argument("--cold", action="store_true", help="evict the work DB before each")
    parser.add_argument(
        "--previous", type=Path, help="the served snapshot every publish starts from"
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/friction_bench_publish"))
    args = parser.parse_args(argv)
    pairs = [item.split("=", 1) for item in args.databases]
    print(f"load average before: {os.getloadavg()[0]:.2f}, cores: {os.cpu_count()}")
    results = [
        bench_database(label, Path(path), args.work, args.repeats, args.cold, args.previous)
        for label, path in pairs
    ]
    print()
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
