"""``friction demo``: the built-in demo practice from nothing to an open dashboard."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import replace

from dagster_project.progress import console, progress_bar
from dagster_project.refresh import run_refresh
from dagster_project.settings import DEMO_PHI_KEY_FILE, Settings


def _already_simulated(settings: Settings, preset: str, seed: int) -> bool:
    state = settings.home / "truth" / "state.json"
    if not state.exists():
        return False
    recorded = json.loads(state.read_text())
    return recorded.get("preset") == preset and recorded.get("seed") == seed


def ensure_demo_phi_key(settings: Settings) -> Settings:
    """Use FRICTION_PHI_KEY if set; otherwise generate (once) a key kept in the home folder."""
    if settings.phi_key:
        return settings
    key_file = settings.home / DEMO_PHI_KEY_FILE
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
        console.print(f"demo mode: generated a patient-identity hash key in {key_file}")
    key = key_file.read_text().strip()
    os.environ["FRICTION_PHI_KEY"] = key
    return replace(settings, phi_key=key)


def run_demo(settings: Settings, *, preset: str, seed: int, open_dashboard: bool) -> int:
    """Simulate (once) into the home folder, refresh, then serve the dashboard."""
    from ingestion.simulator import simulate

    # The demo always reads the landing folder it simulates into.
    settings = replace(settings, landing=settings.home / "landing")
    settings.ensure_dirs()
    settings = ensure_demo_phi_key(settings)
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
        from app.launch import run_dashboard

        return run_dashboard(settings.home)
    return 0
