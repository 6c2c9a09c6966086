"""All configuration in one place: environment variables with defaults that run the demo.

Every variable is listed in ``.env.example`` at the repository root. Nothing else in the
project reads the environment for configuration.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt"

DEMO_PHI_KEY_FILE = "demo_phi_key.txt"


@dataclass(frozen=True)
class Settings:
    """Where the runtime folders are and how the refresh behaves."""

    home: Path
    landing: Path
    phi_key: str | None
    schedule_cron: str
    timezone: str
    stale_after_hours: float
    snapshots_kept: int

    @property
    def warehouse_dir(self) -> Path:
        return self.home / "warehouse"

    @property
    def work_db(self) -> Path:
        """The database ingestion and dbt write to; readers never open it."""
        return self.warehouse_dir / "work.duckdb"

    @property
    def serving_db(self) -> Path:
        """The published snapshot analysts and the dashboard open read-only."""
        return self.home / "serving" / "warehouse.duckdb"

    @property
    def exports_dir(self) -> Path:
        return self.home / "exports"

    @property
    def quarantine_dir(self) -> Path:
        return self.home / "quarantine"

    def ensure_dirs(self) -> None:
        for folder in (
            self.landing,
            self.warehouse_dir,
            self.serving_db.parent,
            self.exports_dir,
            self.quarantine_dir,
        ):
            folder.mkdir(parents=True, exist_ok=True)


def load_settings(home: Path | str | None = None, landing: Path | str | None = None) -> Settings:
    """Read settings from the environment; explicit arguments (CLI flags) win."""
    env = os.environ
    home_path = Path(home or env.get("FRICTION_HOME") or REPO_ROOT / "data").resolve()
    landing_path = Path(landing or env.get("FRICTION_LANDING") or home_path / "landing").resolve()
    return Settings(
        home=home_path,
        landing=landing_path,
        phi_key=env.get("FRICTION_PHI_KEY") or None,
        schedule_cron=env.get("FRICTION_SCHEDULE_CRON", "0 6 * * *"),
        timezone=env.get("FRICTION_TIMEZONE", "America/Chicago"),
        stale_after_hours=float(env.get("FRICTION_STALE_AFTER_HOURS", "24")),
        snapshots_kept=int(env.get("FRICTION_SNAPSHOTS_KEPT", "3")),
    )
