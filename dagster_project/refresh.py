"""``friction refresh`` in-process: the same stages the Dagster job runs, in order.

Cron users get the whole refresh without a Dagster daemon; each stage reports progress and
the result ends in one summary line.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from dagster_project.progress import console, progress_bar
from dagster_project.settings import Settings


@dataclass
class RefreshResult:
    """What a refresh did, stage by stage (seconds), and whether it published."""

    ok: bool = True
    stage_seconds: dict[str, float] = field(default_factory=dict)
    summaries: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    def one_line(self) -> str:
        stages = ", ".join(f"{k} {v:.1f}s" for k, v in self.stage_seconds.items())
        status = "refresh ok" if self.ok else f"refresh FAILED ({self.error})"
        return f"{status}: {stages}"


def run_refresh(settings: Settings) -> RefreshResult:
    """Ingest new landing files into the work database (later stages follow)."""
    from ingestion.load import load_landing

    settings.ensure_dirs()
    result = RefreshResult()
    started = time.perf_counter()
    with progress_bar("ingest") as progress:
        summary = load_landing(
            settings.landing,
            settings.work_db,
            quarantine_dir=settings.quarantine_dir,
            progress=progress,
        )
    result.stage_seconds["ingest"] = time.perf_counter() - started
    result.summaries["ingest"] = summary.one_line()
    console.print(summary.one_line())
    return result
