"""The Dagster instance of a runtime home: ``<home>/.dagster`` (run history, sensor cursors).

``friction ui`` serves it: runs started by the schedule, the sensor or a click are kept
there, and the sensor's cursor survives restarts.
"""

from __future__ import annotations

import os
from pathlib import Path

from dagster_project.settings import Settings

# Telemetry off; one run at a time, because every run writes the same DuckDB file (DuckDB
# allows one writer) and the schedule and the landing sensor may fire together.
DAGSTER_YAML = """\
telemetry:
  enabled: false
concurrency:
  runs:
    max_concurrent_runs: 1
"""


def dagster_home(settings: Settings) -> Path:
    """``<home>/.dagster`` with its ``dagster.yaml`` (written once; a user's edit is kept)."""
    home = settings.home / ".dagster"
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    return home


def dagster_env(settings: Settings) -> dict[str, str]:
    """Environment for a Dagster process serving this home (UI, daemon, code server)."""
    env = dict(os.environ)
    env.update(
        {
            "DAGSTER_HOME": str(dagster_home(settings)),
            "DAGSTER_DISABLE_TELEMETRY": "1",
            "FRICTION_HOME": str(settings.home),
            "FRICTION_LANDING": str(settings.landing),
        }
    )
    return env
