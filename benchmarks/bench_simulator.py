"""Time the practice simulator per preset and report its output volume and peak memory.

    .venv/bin/python benchmarks/bench_simulator.py --presets small,medium

Each preset runs in a fresh child process (which spawns the simulator's own workers), so
peak memory is that of the largest single process of that run (ru_maxrss of the child and
of its finished workers), not the sum of all runs so far.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _measure(preset: str, seed: int, workers: int | None, queue) -> None:
    sys.path.insert(0, str(REPO))
    from ingestion.simulator import simulate

    with tempfile.TemporaryDirectory(prefix=f"bench_{preset}_") as out:
        summary = simulate(preset, seed, Path(out), workers=workers)
    peak_kb = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    queue.put(
        {
            "preset": preset,
            "days": summary.days,
            "seconds": summary.seconds,
            "rows": summary.rows_per_extract,
            "x12_files": summary.x12_files,
            "x12_mb": summary.x12_bytes / 1e6,
            "peak_mb": peak_kb / 1024,
        }
    )


def run(preset: str, seed: int, workers: int | None) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_measure, args=(preset, seed, workers, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def table(results: list[dict]) -> str:
    head = f"{'preset':<8}{'days':>6}{'seconds':>9}{'CSV rows':>12}{'X12 files':>11}"
    head += f"{'X12 MB':>9}{'peak MB':>9}"
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(
            f"{r['preset']:<8}{r['days']:>6}{r['seconds']:>9.1f}{sum(r['rows'].values()):>12,}"
            f"{r['x12_files']:>11,}{r['x12_mb']:>9.1f}{r['peak_mb']:>9.0f}"
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
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    results = []
    for preset in args.presets.split(","):
        results.append(run(preset.strip(), args.seed, args.workers))
        print(f"{preset}: {results[-1]['seconds']:.1f} s", file=sys.stderr, flush=True)
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
