"""The performance table of issue 8: every stage of a refresh, per preset, in one run.

    .venv/bin/python benchmarks/bench_refresh.py --presets small,medium,large

For each preset, in a fresh home under --work: simulate; ingest the CSV extracts and the X12
files separately (scratch databases, to give each its MB/s); a full `friction refresh`
(stage by stage: ingest, dbt build, checks, publish, exports); dashboard page renders on the
snapshot it published (p50/p95 over every page, cold caches and warm); then one new day and
the incremental refresh that follows. The new day is the simulation's last day: its files are
held back from the full refresh and land afterwards, exactly as a daily delivery would (this
costs no second simulation, which matters on `large`). Every measurement runs in its own child
process, so peak resident memory is that step's own (the child and the processes it waited
for, e.g. dbt).

``--reuse large=/path/to/simulated/home`` takes an existing simulation (its landing/ is
hard-linked, nothing copied) instead of simulating again; the simulate figures then come from
``simulate.json`` in that folder if present (``{"seconds": .., "peak_mb": ..}``), else show n/a.

The machine is shared and noisy: compare ratios measured in the same run. The last table
gives, between consecutive presets, each stage's time ratio divided by its data-size ratio
(1.0 = linear growth, below 1 = better than linear).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import queue as queue_module
import resource
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CSV_FOLDERS = ("pm", "ehr")
X12_FOLDERS = ("claims", "remits")
STAGES = ("ingest", "dbt build", "checks", "publish", "exports")
BENCH_PHI_KEY = "benchmark-only-key"


def _peak_mb() -> float:
    own, waited = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return max(own.ru_maxrss, waited.ru_maxrss) / 1024


def _child_main(target: Callable[..., dict], args: tuple, queue: Any) -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("FRICTION_PHI_KEY", BENCH_PHI_KEY)
    try:
        result = target(*args)
        result["peak_mb"] = _peak_mb()
        queue.put(result)
    except BaseException as error:  # report, never hang the parent on an empty queue
        queue.put({"error": f"{type(error).__name__}: {error}"})


def in_child(target: Callable[..., dict], *args: Any) -> dict:
    """Run ``target(*args)`` in a fresh spawned process; its result plus ``peak_mb``."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_child_main, args=(target, args, queue))
    child.start()
    while True:  # a child that dies before reporting must not hang the benchmark
        try:
            result = queue.get(timeout=5)
            break
        except queue_module.Empty:
            if not child.is_alive():
                raise RuntimeError(f"{target.__name__}: child exited {child.exitcode}") from None
    child.join()
    if "error" in result:
        raise RuntimeError(f"{target.__name__}{args}: {result['error']}")
    return result


# --- the measured steps (top level, so that spawn can pickle them) -------------------------


def step_simulate(preset: str, seed: int, home: str) -> dict:
    from ingestion.simulator import simulate

    summary = simulate(preset, seed, Path(home))
    return {"seconds": summary.seconds, "rows": sum(summary.rows_per_extract.values())}


def step_load(landing: str, database: str) -> dict:
    from ingestion.load import load_landing

    started = time.perf_counter()
    load_landing(Path(landing), Path(database))
    return {"seconds": time.perf_counter() - started}


def step_refresh(home: str) -> dict:
    from dagster_project.refresh import run_refresh
    from dagster_project.settings import load_settings

    started = time.perf_counter()
    result = run_refresh(load_settings(home=Path(home)))
    if not result.ok:
        raise RuntimeError(f"refresh failed: {result.error}")
    return {"seconds": time.perf_counter() - started, "stages": dict(result.stage_seconds)}


def step_dashboard(snapshot: str, runs: int) -> dict:
    """p50/p95 over every page's cold and warm-cache renders (bench_dashboard's AppTest)."""
    sys.path[:0] = [str(REPO / "benchmarks"), str(REPO / "tests")]
    os.environ["FRICTION_HOME"] = str(Path(snapshot).parent.parent)
    import bench_dashboard

    from app.registry import PAGES

    cold: list[float] = []
    first: list[float] = []
    for spec in PAGES:
        samples = bench_dashboard.page_samples(spec.path, runs)
        cold += samples["cold"]
        first += samples["first"] + samples["filter"]
    return {
        "cold": bench_dashboard.p50_p95(cold),
        "warm": bench_dashboard.p50_p95(first),
        "n": len(cold) + len(first),
    }


# --- helpers of the parent ----------------------------------------------------------------


def _megabytes(landing: Path, folders: tuple[str, ...]) -> float:
    return (
        sum(f.stat().st_size for d in folders for f in (landing / d).rglob("*") if f.is_file())
        / 1e6
    )


def _subset(landing: Path, folders: tuple[str, ...], into: Path) -> Path:
    """A landing folder holding only ``folders``: hard links, the same bytes at no copy cost
    (the loader does not follow symlinked folders)."""
    into.mkdir(parents=True, exist_ok=True)
    for name in folders:
        if (landing / name).exists():
            shutil.copytree(landing / name, into / name, copy_function=os.link)
    return into


def _link_tree(source: Path, into: Path) -> None:
    shutil.copytree(source, into, copy_function=os.link)


def _csv_rows(landing: Path) -> int:
    """Data rows of every CSV extract (lines minus each file's header)."""
    rows = 0
    for path in (landing / d for d in CSV_FOLDERS):
        for file in path.rglob("*.csv"):
            with file.open("rb") as handle:
                rows += sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 22), b""))
            rows -= 1
    return rows


def _hold_back_last_day(home: Path, held: Path) -> int:
    """Move the files of the simulation's last day (``*_<end date>_*``) from the landing into
    ``held``; the number of CSV rows they carry."""
    state = json.loads((home / "truth" / "state.json").read_text())
    marker = f"_{state['end_date']}_"
    landing = home / "landing"
    for file in [f for f in landing.rglob("*") if f.is_file() and marker in f.name]:
        target = held / file.relative_to(landing)
        target.parent.mkdir(parents=True, exist_ok=True)
        file.rename(target)
    return _csv_rows(held)


def _release(held: Path, landing: Path) -> None:
    for file in [f for f in held.rglob("*") if f.is_file()]:
        target = landing / file.relative_to(held)
        target.parent.mkdir(parents=True, exist_ok=True)
        file.rename(target)


def _timed_median(runs: int, step: Callable[[], dict]) -> dict:
    """The run whose total is the median of ``runs`` runs (all its figures come from it)."""
    results = sorted((step() for _ in range(runs)), key=lambda r: r["seconds"])
    return results[len(results) // 2]


def _simulation(preset: str, seed: int, home: Path, reuse: Path | None) -> dict:
    """Simulate into ``home``, or link an earlier simulation's landing and truth there."""
    if reuse is None:
        print(f"[{preset}] simulate", flush=True)
        return in_child(step_simulate, preset, seed, str(home))
    print(f"[{preset}] reuse the simulation in {reuse}", flush=True)
    _link_tree(reuse / "landing", home / "landing")
    shutil.copytree(reuse / "truth", home / "truth")
    figures = reuse / "simulate.json"
    sim = json.loads(figures.read_text()) if figures.exists() else {}
    return {
        "seconds": float(sim.get("seconds", "nan")),
        "peak_mb": float(sim.get("peak_mb", "nan")),
        "rows": _csv_rows(home / "landing"),
    }


def bench_preset(
    preset: str,
    seed: int,
    work: Path,
    repeat: int,
    page_runs: int,
    reuse: Path | None = None,
    split: bool = True,
) -> dict:
    """Every figure of one preset; ``repeat`` > 1 reruns the short steps and keeps medians."""
    home = work / preset / "home"
    shutil.rmtree(work / preset, ignore_errors=True)
    sim = _simulation(preset, seed, home, reuse)
    landing = home / "landing"
    csv_mb, x12_mb = _megabytes(landing, CSV_FOLDERS), _megabytes(landing, X12_FOLDERS)

    def load(folders: tuple[str, ...], label: str) -> dict:
        scratch = work / preset / f"scratch_{label}"
        shutil.rmtree(scratch, ignore_errors=True)
        sub = _subset(landing, folders, scratch / "landing")
        # Not raw.duckdb: a catalog named "raw" would clash with the schema raw.
        result = in_child(step_load, str(sub), str(scratch / "scratch.duckdb"))
        shutil.rmtree(scratch, ignore_errors=True)
        return result

    if split:
        print(f"[{preset}] ingest CSV and X12 separately", flush=True)
        csv = _timed_median(repeat, lambda: load(CSV_FOLDERS, "csv"))
        x12 = _timed_median(repeat, lambda: load(X12_FOLDERS, "x12"))
    else:
        csv = x12 = {"seconds": float("nan")}

    def full_refresh() -> dict:
        for stale in ("warehouse", "serving", "exports", "quarantine"):
            shutil.rmtree(home / stale, ignore_errors=True)
        return in_child(step_refresh, str(home))

    held = work / preset / "new_day"
    new_day_rows = _hold_back_last_day(home, held)
    print(f"[{preset}] full refresh (all days but the last)", flush=True)
    full = _timed_median(repeat, full_refresh)
    print(f"[{preset}] dashboard pages", flush=True)
    pages = in_child(step_dashboard, str(home / "serving" / "warehouse.duckdb"), page_runs)
    print(f"[{preset}] the last day lands: incremental refresh", flush=True)
    _release(held, landing)
    incremental = in_child(step_refresh, str(home))
    return {
        "preset": preset,
        "rows": sim["rows"],
        "csv_mb": csv_mb,
        "x12_mb": x12_mb,
        "simulate": sim,
        "ingest_csv": csv,
        "ingest_x12": x12,
        "full": full,
        "pages": pages,
        "new_day_rows": new_day_rows,
        "incremental": incremental,
    }


def table_rows(result: dict) -> list[tuple[str, str]]:
    """(label, formatted value) pairs of one preset's column."""
    full, inc = result["full"], result["incremental"]
    csv_s, x12_s = result["ingest_csv"]["seconds"], result["ingest_x12"]["seconds"]
    rows = [
        ("landing rows (CSV)", f"{result['rows']:,}"),
        ("landing MB CSV / X12", f"{result['csv_mb']:.1f} / {result['x12_mb']:.1f}"),
        ("simulate s", f"{result['simulate']['seconds']:.1f}"),
        ("simulate peak MB", f"{result['simulate']['peak_mb']:.0f}"),
        ("ingest CSV s (MB/s)", f"{csv_s:.1f} ({result['csv_mb'] / csv_s:.1f})"),
        ("ingest X12 s (MB/s)", f"{x12_s:.1f} ({result['x12_mb'] / x12_s:.1f})"),
    ]
    rows += [(f"refresh: {s} s", f"{full['stages'].get(s, 0.0):.1f}") for s in STAGES]
    rows += [
        ("refresh total s", f"{full['seconds']:.1f}"),
        ("refresh peak MB", f"{full['peak_mb']:.0f}"),
        ("page cold p50 / p95 s", "{:.2f} / {:.2f}".format(*result["pages"]["cold"])),
        ("page warm p50 / p95 s", "{:.2f} / {:.2f}".format(*result["pages"]["warm"])),
        ("new-day CSV rows", f"{result['new_day_rows']:,}"),
        ("incremental refresh s", f"{inc['seconds']:.1f}"),
        ("incremental / full", f"{inc['seconds'] / full['seconds']:.0%}"),
    ]
    return rows


def growth_rows(smaller: dict, larger: dict) -> list[tuple[str, float]]:
    """Per stage: (time ratio) / (data-size ratio) between two presets."""
    size = (larger["csv_mb"] + larger["x12_mb"]) / (smaller["csv_mb"] + smaller["x12_mb"])
    pairs = [
        ("simulate", lambda r: r["simulate"]["seconds"], size),
        ("ingest CSV", lambda r: r["ingest_csv"]["seconds"], larger["csv_mb"] / smaller["csv_mb"]),
        ("ingest X12", lambda r: r["ingest_x12"]["seconds"], larger["x12_mb"] / smaller["x12_mb"]),
    ]
    pairs += [(s, lambda r, s=s: r["full"]["stages"].get(s, 0.0), size) for s in STAGES]
    pairs.append(("refresh total", lambda r: r["full"]["seconds"], size))
    out = []
    for label, seconds, data_ratio in pairs:
        before = seconds(smaller)
        out.append((label, (seconds(larger) / before) / data_ratio if before else float("nan")))
    return out


def print_tables(results: list[dict]) -> None:
    names = [r["preset"] for r in results]
    columns = [dict(table_rows(r)) for r in results]
    width = max(len(label) for label, _ in table_rows(results[0])) + 2
    print("\n" + "".ljust(width) + "".join(n.rjust(16) for n in names))
    for label, _ in table_rows(results[0]):
        print(label.ljust(width) + "".join(c[label].rjust(16) for c in columns))
    for smaller, larger in zip(results, results[1:], strict=False):
        print(f"\ngrowth {smaller['preset']} -> {larger['preset']} (time ratio / size ratio)")
        for label, ratio in growth_rows(smaller, larger):
            print(f"  {label.ljust(width)}{ratio:>8.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default="small,medium", help="comma-separated presets")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path("/tmp/friction_bench"))
    parser.add_argument("--repeat", type=int, default=1, help="runs of the short steps (median)")
    parser.add_argument("--page-runs", type=int, default=3, help="renders per dashboard page")
    parser.add_argument(
        "--reuse",
        action="append",
        default=[],
        metavar="PRESET=DIR",
        help="take PRESET's landing from an earlier simulation in DIR (repeatable)",
    )
    parser.add_argument(
        "--no-split",
        action="store_true",
        help="skip the separate CSV-only and X12-only loads (the refresh's ingest still runs)",
    )
    args = parser.parse_args(argv)
    reuse = {p: Path(d) for p, d in (item.split("=", 1) for item in args.reuse)}
    print(f"load average before: {os.getloadavg()[0]:.2f}, cores: {os.cpu_count()}")
    results = [
        bench_preset(
            p, args.seed, args.work, args.repeat, args.page_runs, reuse.get(p), not args.no_split
        )
        for p in args.presets.split(",")
    ]
    print_tables(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
