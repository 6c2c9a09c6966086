"""``friction demo``: the built-in demo practice from nothing to an open dashboard."""

from __future__ import annotations

import json

from dagster_project.progress import console, progress_bar
from dagster_project.refresh import run_refresh
from dagster_project.settings import Settings


def _already_simulated(settings: Settings, preset: str, seed: int) -> bool:
    state = settings.home / "truth" / "state.json"
    if not state.exists():
        return False
    recorded = json.loads(state.read_text())
    return recorded.get("preset") == preset and recorded.get("seed") == seed


def run_demo(settings: Settings, *, preset: str, seed: int, open_dashboard: bool) -> int:
    """Simulate (once) into the home folder, refresh, then serve the dashboard."""
    from ingestion.simulator import simulate

    settings.ensure_dirs()
    if _already_simulated(settings, preset, seed):
        console.print(f"demo practice ({preset}, seed {seed}) already in {settings.home}")
    else:
        with progress_bar("simulate") as progress:
            summary = simulate(preset, seed, settings.home, progress=progress)
        console.print(summary.one_line())
    result = run_refresh(settings)
    console.print(result.one_line())
    if not result.ok:
        return 1
    if open_dashboard:
        console.print("dashboard: not built yet (issue 6)")
    return 0
