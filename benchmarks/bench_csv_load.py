"""Ingest throughput: ``load_landing`` against a bare DuckDB ``read_csv`` of the same files.

    .venv/bin/python benchmarks/bench_csv_load.py --landing data/landing
    .venv/bin/python benchmarks/bench_csv_load.py --landing data/landing --x12
    .venv/bin/python benchmarks/bench_csv_load.py            # synthetic: 1M appointment rows

The CSV extracts (``pm/``, ``ehr/``) of the landing folder are measured against two floors:
``read_csv count`` parses every file without keeping anything, ``read_csv -> table`` loads
each file into a table of a fresh on-disk database with DuckDB's own type detection (the
closest bare equivalent of a load). The ratio target for the loader is 3x the second floor.

With ``--x12`` the X12 files (``claims/``, ``remits/``) are loaded alone too, then everything
together: the loader reads X12 on a worker thread while it loads CSV, so on two cores the
whole ingest costs less than its two halves. Loads run in a fresh process each, which reports
its wall time, CPU time (user + system, all threads) and peak resident memory. On a shared
machine compare CPU seconds, and wall-time ratios measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingestion.load import load_landing  # noqa: E402

APPOINTMENT_SQL = """
COPY (
    SELECT
        'A' || i AS appointment_id,
        'P' || (i * 7919 % 120000) AS patient_id,
        'D' || (i % 60) AS provider_id,
        'L' || (i % 6) AS location_id,
        ['new_patient', 'established', 'procedure', 'follow_up', 'telehealth'][i % 5 + 1]
            AS appointment_type,
        strftime(start - INTERVAL (i % 40 + 2) DAY, '%Y-%m-%d %H:%M:%S') AS requested_at,
        strftime(start - INTERVAL (i % 30 + 1) DAY, '%Y-%m-%d %H:%M:%S') AS booked_at,
        strftime(start, '%Y-%m-%d %H:%M:%S') AS scheduled_start,
        [15, 20, 30, 40, 60][i % 5 + 1] AS duration_min,
        ['completed', 'completed', 'completed', 'no_show', 'cancelled'][i % 5 + 1] AS status,
        strftime(start + INTERVAL 1 HOUR, '%Y-%m-%dT%H:%M:%S') AS status_changed_at,
        CASE WHEN i % 5 = 4 THEN 'patient_request' END AS cancel_reason,
        CASE WHEN i % 5 = 4 THEN 'patient' END AS cancelled_by,
        NULL AS rescheduled_from_id,
        CASE WHEN i % 5 < 3 THEN strftime(start - INTERVAL 10 MINUTE, '%Y-%m-%d %H:%M:%S') END
            AS checked_in_at,
        printf('%.2f', (i % 8) * 10.0) AS copay_due,
        CASE WHEN i % 5 < 3 THEN printf('%.2f', (i % 8) * 10.0) END AS copay_collected,
        CASE WHEN i % 997 = 0 THEN 'called twice, "urgent"' || chr(10) || 'see chart' END
            AS front_desk_note
    FROM (
        SELECT i, TIMESTAMP '2025-01-06 08:00:00' + INTERVAL (i % 400) DAY
                  + INTERVAL (i % 36 * 15) MINUTE AS start
        FROM range($first, $last) t(i)
    )
) TO '{path}' (HEADER, DELIMITER ',', QUOTE '"')
"""


def synthesize(landing: Path, rows: int, files: int) -> None:
    """A landing folder of ``rows`` appointment rows split over ``files`` monthly files."""
    folder = landing / "pm" / "appointments"
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    per_file = -(-rows // files)
    for n in range(files):
        first, last = n * per_file, min((n + 1) * per_file, rows)
        path = folder / f"appointments_2025-{n + 1:02d}.csv"
        con.execute(APPOINTMENT_SQL.format(path=path), {"first": first, "last": last})
    con.close()


def mirror(landing: Path, target: Path, groups: tuple[str, ...]) -> list[Path]:
    """Mirror the files of ``groups`` (top folders) of ``landing`` into ``target`` as symlinks."""
    files = sorted(p for group in groups for p in (landing / group).rglob("*") if p.is_file())
    for path in files:
        link = target / path.relative_to(landing)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(path.resolve())
    return files


def floor_count(files: list[Path], _: Path) -> int:
    con = duckdb.connect()
    return sum(
        con.execute("SELECT count(*) FROM read_csv(?)", [str(p)]).fetchone()[0] for p in files
    )


def floor_table(files: list[Path], database: Path) -> int:
    con = duckdb.connect(str(database))
    rows = 0
    for n, path in enumerate(files):
        con.execute(f"CREATE TABLE t{n} AS SELECT * FROM read_csv(?)", [str(path)])
        rows += con.execute(f"SELECT count(*) FROM t{n}").fetchone()[0]
    con.close()
    return rows


@dataclass
class Timing:
    rows: int
    seconds: float
    cpu_seconds: float
    peak_mb: float | None = None


def best_of(repeat: int, run: Callable[[Path], int], scratch: Path) -> Timing:
    """The fastest of ``repeat`` in-process runs (CPU: user + system of every thread)."""
    best: Timing | None = None
    for attempt in range(repeat):
        database = scratch / f"run{attempt}_{time.monotonic_ns()}.duckdb"
        cpu, started = _cpu_seconds(), time.perf_counter()
        rows = run(database)
        timing = Timing(rows, time.perf_counter() - started, _cpu_seconds() - cpu)
        database.unlink(missing_ok=True)
        best = timing if best is None or timing.seconds < best.seconds else best
    assert best is not None
    return best


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load_in_child(repeat: int, landing: Path, scratch: Path) -> Timing:
    """The fastest of ``repeat`` ``load_landing`` runs, each in a fresh process."""
    best: Timing | None = None
    for attempt in range(repeat):
        database = scratch / f"load{attempt}_{time.monotonic_ns()}.duckdb"
        child = subprocess.run(
            [sys.executable, __file__, "--child-load", str(landing), str(database)],
            capture_output=True,
            text=True,
            check=True,
        )
        timing = Timing(**json.loads(child.stdout.splitlines()[-1]))
        database.unlink(missing_ok=True)
        best = timing if best is None or timing.seconds < best.seconds else best
    assert best is not None
    return best


def child_load(landing: Path, database: Path) -> None:
    """One load; prints its Timing as JSON (run by ``load_in_child``)."""
    cpu, started = _cpu_seconds(), time.perf_counter()
    summary = load_landing(landing, database)
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    rows = sum(summary.rows_loaded.values()) + sum(summary.rows_quarantined.values())
    print(json.dumps({"rows": rows, "seconds": seconds, "cpu_seconds": cpu, "peak_mb": _peak_mb()}))


def _peak_mb() -> float | None:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the
    parent that forked it), None where /proc is missing."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    kilobytes = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))
    return int(kilobytes) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, help="a landing folder (simulator output)")
    parser.add_argument("--x12", action="store_true", help="also load X12, alone and with CSV")
    parser.add_argument("--rows", type=int, default=1_000_000, help="synthetic rows")
    parser.add_argument("--files", type=int, default=12, help="synthetic files")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best)")
    parser.add_argument("--child-load", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_load:
        child_load(*args.child_load)
        return

    results: dict[str, tuple[int, float, Timing]] = {}  # name -> files, MB, timing
    with tempfile.TemporaryDirectory(prefix="bench_csv_") as tmp:
        scratch = Path(tmp)
        source = args.landing
        if source is None:
            source = scratch / "synthetic"
            synthesize(source, args.rows, args.files)
        csv_files = mirror(source, scratch / "csv", ("pm", "ehr"))
        csv = (len(csv_files), sum(p.stat().st_size for p in csv_files) / 1e6)
        results["read_csv count"] = (
            *csv,
            best_of(args.repeat, lambda db: floor_count(csv_files, db), scratch),
        )
        results["read_csv -> table"] = (
            *csv,
            best_of(args.repeat, lambda db: floor_table(csv_files, db), scratch),
        )
        results["load_landing CSV"] = (*csv, load_in_child(args.repeat, scratch / "csv", scratch))
        if args.x12:
            x12_files = mirror(source, scratch / "x12", ("claims", "remits"))
            x12 = (len(x12_files), sum(p.stat().st_size for p in x12_files) / 1e6)
            results["load_landing X12"] = (
                *x12,
                load_in_child(args.repeat, scratch / "x12", scratch),
            )
            mirror(source, scratch / "all", ("pm", "ehr", "claims", "remits"))
            results["load_landing CSV+X12"] = (
                csv[0] + x12[0],
                csv[1] + x12[1],
                load_in_child(args.repeat, scratch / "all", scratch),
            )

    print(
        f"{'':21} {'files':>6} {'rows':>11} {'MB':>8} {'seconds':>8} {'CPU s':>7} "
        f"{'MB/s':>7} {'peak MB':>8}"
    )
    for name, (files, megabytes, t) in results.items():
        peak = "" if t.peak_mb is None else f"{t.peak_mb:8.0f}"
        print(
            f"{name:21} {files:6d} {t.rows:11,d} {megabytes:8.1f} {t.seconds:8.2f} "
            f"{t.cpu_seconds:7.2f} {megabytes / t.seconds:7.1f} {peak}"
        )
    load = results["load_landing CSV"][2]
    for floor in ("read_csv -> table", "read_csv count"):
        floor_t = results[floor][2]
        print(
            f"ratio load_landing CSV / {floor}: {load.seconds / floor_t.seconds:.2f}x wall, "
            f"{load.cpu_seconds / floor_t.cpu_seconds:.2f}x CPU"
        )
    if args.x12:
        apart = load.seconds + results["load_landing X12"][2].seconds
        together = results["load_landing CSV+X12"][2].seconds
        print(
            f"CSV and X12 loaded apart: {apart:.2f} s; together: {together:.2f} s "
            f"({together / apart:.2f}x)"
        )


if __name__ == "__main__":
    main()
