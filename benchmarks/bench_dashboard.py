"""Render time of every dashboard page against a serving snapshot (AppTest, in-process).

For each page, the median (p50) and 95th percentile (p95) of --runs runs of:
- cold: a new session right after the caches were cleared (the first reader after a
  refresh published a new snapshot);
- first: a new session with warm caches (any later reader opening the page);
- filter: a rerun after the reader changes the location filter.

    .venv/bin/python benchmarks/bench_dashboard.py --snapshot data/serving/warehouse.duckdb
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _home_for(snapshot: Path) -> Path:
    """A FRICTION_HOME whose serving/warehouse.duckdb is the given snapshot file."""
    if snapshot.name == "warehouse.duckdb" and snapshot.parent.name == "serving":
        return snapshot.parent.parent
    home = Path(tempfile.mkdtemp(prefix="bench_dashboard_"))
    (home / "serving").mkdir()
    (home / "serving" / "warehouse.duckdb").symlink_to(snapshot.resolve())
    return home


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _another_location(current: str) -> str | None:
    """A location id other than the one selected now (the filter change to time)."""
    from app import queries
    from app.snapshot import snapshot_key

    key = snapshot_key()
    ids = [] if key is None else list(queries.locations(key)["location_id"].astype(str))
    return next((i for i in ids if i != current), None)


def p50_p95(samples: list[float]) -> tuple[float, float]:
    """Median and 95th percentile (linear interpolation between the runs)."""
    if not samples:
        return float("nan"), float("nan")
    if len(samples) == 1:
        return samples[0], samples[0]
    return statistics.median(samples), statistics.quantiles(samples, n=20, method="inclusive")[18]


def page_samples(page: str, runs: int) -> dict[str, list[float]]:
    """Seconds of every cold, first and filter render of ``page`` over ``runs`` runs."""
    # One component registry for every session, as in a served app (see app_test).
    from app_fixture import app_test

    samples: dict[str, list[float]] = {"cold": [], "first": [], "filter": []}
    for _ in range(runs):
        for kind in ("cold", "first"):
            if kind == "cold":
                _clear_caches()
            at = app_test(page, timeout=300)
            samples[kind].append(_timed(at.run))
            if at.exception:
                raise RuntimeError(f"{page}: {at.exception[0].value}")
        location = _another_location(at.selectbox(key="f_location").value)
        if location is not None:
            at.selectbox(key="f_location").set_value(location)
            samples["filter"].append(_timed(at.run))
    return samples


def measure_page(page: str, runs: int) -> dict[str, tuple[float, float]]:
    """(p50, p95) seconds per kind of render of ``page``."""
    return {kind: p50_p95(times) for kind, times in page_samples(page, runs).items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshot", required=True, help="path of a serving warehouse.duckdb")
    parser.add_argument("--runs", type=int, default=5, help="runs per page (median reported)")
    parser.add_argument("--pages", nargs="*", help="page files (default: every page)")
    args = parser.parse_args(argv)

    snapshot = Path(args.snapshot)
    if not snapshot.is_file():
        parser.error(f"no snapshot file at {snapshot}")
    os.environ["FRICTION_HOME"] = str(_home_for(snapshot))
    sys.path[:0] = [str(REPO), str(REPO / "tests")]
    from app.registry import PAGES

    pages = args.pages or [spec.path for spec in PAGES]
    warm_up = _timed(lambda: measure_page(pages[0], 1))
    size_mb = snapshot.stat().st_size / 1e6
    print(
        f"snapshot {snapshot} ({size_mb:.1f} MB), {args.runs} runs per page, "
        f"seconds p50/p95 (warm-up incl. imports {warm_up:.1f} s)"
    )
    kinds = ("cold", "first", "filter")
    print(f"{'page':<26}" + "".join(f"{k + ' p50':>12}{k + ' p95':>12}" for k in kinds))
    for page in pages:
        result = measure_page(page, args.runs)
        cells = "".join(f"{result[k][0]:>12.2f}{result[k][1]:>12.2f}" for k in kinds)
        print(f"{page:<26}{cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
