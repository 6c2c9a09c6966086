"""``friction ui``: the Dagster UI (``dagster dev``) for one runtime home, on 127.0.0.1 only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster_project.defs.project import dbt_project, prepare_manifest
from dagster_project.instance import dagster_env
from dagster_project.progress import console
from dagster_project.settings import REPO_ROOT, Settings

DEFAULT_PORT = 3000


def ui_command(port: int) -> list[str]:
    """``dagster dev`` bound to the loopback interface: the UI can start refreshes, and
    nobody else on the network should be able to."""
    dagster = Path(sys.executable).with_name("dagster")
    return [
        str(dagster) if dagster.exists() else "dagster",
        "dev",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--module-name",
        "dagster_project.definitions",
    ]


def run_ui(settings: Settings, port: int = DEFAULT_PORT) -> int:
    """Serve the UI (with the schedule and sensors running) until interrupted."""
    settings.ensure_dirs()
    # Parse before the code server starts, so its first load does not time out on dbt parse.
    prepare_manifest(dbt_project)
    env = dagster_env(settings)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    console.print(f"Dagster UI on http://127.0.0.1:{port} (home {settings.home}); Ctrl-C stops")
    try:
        return subprocess.run(ui_command(port), env=env, cwd=REPO_ROOT, check=False).returncode
    except KeyboardInterrupt:
        return 130
