"""Fixtures shared by the whole suite.

``refreshed_small_home`` is the one warehouse the suite builds end to end (simulate + a full
``friction refresh``, some two minutes on two cores): modules that need a real warehouse
share it instead of building their own.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from dagster import DagsterInstance

    from dagster_project.refresh import RefreshResult
    from dagster_project.settings import Settings
    from ingestion.simulator.api import SimulationSummary

# Refreshes outside demo mode refuse a missing PHI key; tests that check that refusal delete
# the variable with monkeypatch. Set before any module reads the environment.
os.environ.setdefault("FRICTION_PHI_KEY", "test-only-key")

REPO_ROOT = Path(__file__).resolve().parents[1]
# CI lays shared/ beside the clone; the spec, code lists and real X12 samples live there.
SHARED_DIR = REPO_ROOT.parent / "shared"

os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED_DIR.is_dir():
        pytest.fail(f"shared/ not found beside the repository at {SHARED_DIR}")
    return SHARED_DIR


SMALL_PRESET, SMALL_SEED = "small", 7


@dataclasses.dataclass(frozen=True)
class RefreshedHome:
    """A runtime home after one successful refresh (see ``refreshed_small_home``)."""

    settings: Settings
    result: RefreshResult
    instance: DagsterInstance  # holds the refresh's event log (in memory)
    simulation: SimulationSummary

    @property
    def home(self) -> Path:
        return self.settings.home

    @property
    def truth(self) -> Path:
        """The simulator's ground truth (``ingestion/simulator/truth.py``), beside landing/."""
        return self.settings.home / "truth"


def default_settings(home: Path) -> Settings:
    """Settings for ``home`` pinned to the documented defaults, whatever the environment says."""
    from dagster_project.settings import load_settings

    return dataclasses.replace(
        load_settings(home=home),
        schedule_cron="0 6 * * *",
        timezone="America/Chicago",
        snapshots_kept=3,
    )


@pytest.fixture(scope="session")
def refreshed_small_home(tmp_path_factory: pytest.TempPathFactory) -> RefreshedHome:
    """The ``small`` preset (seed 7) simulated into a temporary home and refreshed once.

    In-process, on an ephemeral Dagster instance; the refresh must succeed. READ-ONLY for
    every consumer: the whole session shares it. Open ``settings.work_db`` (raw, staging,
    marts: every dbt relation) and ``settings.serving_db`` (the published snapshot) with
    ``read_only=True``. A test that needs to change the home (land a file, refresh again,
    run dbt against it) first copies it to its own folder, e.g.
    ``shutil.copytree(refreshed_small_home.home, tmp_path / "home")`` and
    ``default_settings(tmp_path / "home")``.
    """
    from dagster import DagsterInstance

    from dagster_project.refresh import run_refresh
    from ingestion.simulator import simulate

    home = tmp_path_factory.mktemp("refreshed_small_home")
    simulation = simulate(SMALL_PRESET, SMALL_SEED, home)
    settings = default_settings(home)
    instance = DagsterInstance.ephemeral()
    result = run_refresh(settings, instance=instance)
    if not result.ok:
        pytest.fail(f"the shared small refresh failed: {result.error}")
    return RefreshedHome(settings, result, instance, simulation)
