"""Time the practice simulator per preset and report its output volume and peak memory.

    .venv/bin/python benchmarks/bench_simulator.py --presets small,medium [--next-day]

Each preset runs in a fresh child process (which spawns the simulator's own workers), so
peak memory is that of the largest single process of that run (ru_maxrss of the child and
of its finished workers), not the sum of all runs so far. CPU s is user + system time of
the child and its workers; on a shared machine it is steadier than wall seconds, and the
load average before the run says how shared the machine was. With --next-day, each preset's
run is then extended by simulate_next_day (the daily refresh's input): its seconds and CPU
seconds are reported beside the full run's.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _usage() -> tuple[float, float]:
    """(user + system seconds, peak MB of the largest single process) of this process and
    its finished children so far."""
    own, kids = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    cpu = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
    return cpu, max(own.ru_maxrss, kids.ru_maxrss) / 1024


def _measure(preset: str, seed: int, workers: int | None, next_day: bool, queue) -> None:
    sys.path.insert(0, str(REPO))
    from ingestion.simulator import simulate, simulate_next_day

    load_before = os.getloadavg()[0]
    next_seconds = next_cpu = float("nan")
    with tempfile.TemporaryDirectory(prefix=f"bench_{preset}_") as out:
        summary = simulate(preset, seed, Path(out), workers=workers)
        cpu, peak_mb = _usage()
        if next_day:
            next_seconds = simulate_next_day(Path(out), workers=workers).seconds
            next_cpu = _usage()[0] - cpu
    queue.put(
        {
            "preset": preset,
            "days": summary.days,
            "seconds": summary.seconds,
            "rows": summary.rows_per_extract,
            "x12_files": summary.x12_files,
            "x12_mb": summary.x12_bytes / 1e6,
            "peak_mb": peak_mb,
            "cpu_seconds": cpu,
            "load_before": load_before,
            "next_day_seconds": next_seconds,
            "next_day_cpu_seconds": next_cpu,
        }
    )


def run(preset: str, seed: int, workers: int | None, next_day: bool = False) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_measure, args=(preset, seed, workers, next_day, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def table(results: list[dict]) -> str:
    head = f"{'preset':<8}{'days':>6}{'seconds':>9}{'CPU s':>8}{'load':>6}{'CSV rows':>12}"
    head += f"{'X12 files':>11}{'X12 MB':>9}{'peak MB':>9}{'next-day s':>12}{'next CPU s':>12}"
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(
            f"{r['preset']:<8}{r['days']:>6}{r['seconds']:>9.1f}{r['cpu_seconds']:>8.1f}"
            f"{r['load_before']:>6.1f}{sum(r['rows'].values()):>12,}"
            f"{r['x12_files']:>11,}{r['x12_mb']:>9.1f}{r['peak_mb']:>9.0f}"
            f"{r['next_day_seconds']:>12.1f}{r['next_day_cpu_seconds']:>12.1f}"
        )
    extracts = sorted({name for r in results for name in r["rows"]})
    lines += ["", f"{'rows per extract':<24}" + "".join(f"{r['preset']:>12}" for r in results)]
    for name in extracts:
        counts = "".join(f"{r['rows'].get(name, 0):>12,}" for r in results)
        lines.append(f"{name:<24}{counts}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default="small,medium", help="comma-separated presets")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=None, help="simulator processes")
    parser.add_argument("--next-day", action="store_true", help="also time simulate_next_day")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    results = []
    for preset in args.presets.split(","):
        results.append(run(preset.strip(), args.seed, args.workers, args.next_day))
        print(f"{preset}: {results[-1]['seconds']:.1f} s", file=sys.stderr, flush=True)
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
