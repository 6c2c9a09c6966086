"""CSV load throughput: ``load_landing`` against a bare DuckDB ``read_csv`` of the same files.

    .venv/bin/python benchmarks/bench_csv_load.py --landing data/landing
    .venv/bin/python benchmarks/bench_csv_load.py            # synthetic: 1M appointment rows

Only the CSV extracts (``pm/``, ``ehr/``) of the landing folder are measured; X12 files are
left out of both sides. Two floors are printed: ``read_csv count`` parses every file without
keeping anything, ``read_csv -> table`` loads each file into a table of a fresh on-disk
database with DuckDB's own type detection (the closest bare equivalent of a load). The ratio
target for the loader is 3x the second floor.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
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


def csv_only(landing: Path, target: Path) -> list[Path]:
    """Mirror the CSV extracts of ``landing`` into ``target`` as symlinks."""
    files = sorted(p for group in ("pm", "ehr") for p in (landing / group).glob("*/*.csv"))
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


def best_of(repeat: int, run: Callable[[Path], int], scratch: Path) -> tuple[int, float]:
    timings, rows = [], 0
    for attempt in range(repeat):
        database = scratch / f"run{attempt}_{time.monotonic_ns()}.duckdb"
        started = time.perf_counter()
        rows = run(database)
        timings.append(time.perf_counter() - started)
        database.unlink(missing_ok=True)
    return rows, min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, help="a landing folder (simulator output)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="synthetic rows")
    parser.add_argument("--files", type=int, default=12, help="synthetic files")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_csv_") as tmp:
        scratch = Path(tmp)
        source = args.landing
        if source is None:
            source = scratch / "synthetic"
            synthesize(source, args.rows, args.files)
        mirror = scratch / "landing"
        files = csv_only(source, mirror)
        megabytes = sum(p.stat().st_size for p in files) / 1e6

        def loader(database: Path) -> int:
            summary = load_landing(mirror, database)
            return sum(summary.rows_loaded.values()) + sum(summary.rows_quarantined.values())

        results = {
            "read_csv count": best_of(args.repeat, lambda db: floor_count(files, db), scratch),
            "read_csv -> table": best_of(args.repeat, lambda db: floor_table(files, db), scratch),
            "load_landing": best_of(args.repeat, loader, scratch),
        }
        shutil.rmtree(mirror)

    print(f"{'':20} {'files':>6} {'rows':>11} {'MB':>8} {'seconds':>8} {'MB/s':>7}")
    for name, (rows, seconds) in results.items():
        print(
            f"{name:20} {len(files):6d} {rows:11,d} {megabytes:8.1f} {seconds:8.2f} "
            f"{megabytes / seconds:7.1f}"
        )
    load_seconds = results["load_landing"][1]
    for floor in ("read_csv -> table", "read_csv count"):
        print(f"ratio load_landing / {floor}: {load_seconds / results[floor][1]:.2f}x")


if __name__ == "__main__":
    main()
