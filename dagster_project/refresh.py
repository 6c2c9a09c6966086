"""``friction refresh`` in-process: the Dagster ``refresh`` job, run without a daemon.

Cron users get the same job the schedule runs (same assets, checks and publish), in this
process, with a progress bar and a time per stage. The run goes to an in-memory Dagster
instance: the home's SQLite instance (the one ``friction ui`` shows) commits every event
to disk, some 1,500 per refresh, which measured 60 s of a 190 s refresh of the small preset.
The outcome is recorded in ``<home>/serving/last_refresh.json`` either way.

Before the job starts: ``stages.preflight`` refuses a refresh that cannot work (no PHI key,
no landing folder, home not writable, disk full) with a one-paragraph fix, and
``stages.recovery`` takes the home's refresh lock and clears what a killed refresh left.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from dagster import DagsterEventType, DagsterInstance, Definitions, EventLogEntry, JobDefinition
from rich.table import Table

from dagster_project.defs.refresh_status import failure_reason, record_failure
from dagster_project.defs.tags import STAGE_ORDER, STAGE_TAG, SUMMARY, TRANSFORM
from dagster_project.progress import ProgressCallback, console, progress_bar
from dagster_project.settings import Settings
from dagster_project.stages import faults
from dagster_project.stages.build_state import forget_build
from dagster_project.stages.preflight import PreflightError, preflight
from dagster_project.stages.recovery import (
    clear_leftovers,
    open_work_db,
    refresh_lock,
    stop_own_dbt_children,
)

PREPARE = "prepare"
# The event log keeps every step's debug output; the terminal shows the bar and warnings.
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
_DONE_EVENTS = {
    DagsterEventType.STEP_SUCCESS,
    DagsterEventType.STEP_FAILURE,
    DagsterEventType.STEP_SKIPPED,
}


@dataclass
class RefreshResult:
    """What a refresh did, stage by stage (seconds), and whether it published."""

    ok: bool = True
    stage_seconds: dict[str, float] = field(default_factory=dict)
    summaries: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    run_id: str | None = None

    def one_line(self) -> str:
        stages = ", ".join(f"{k} {v:.1f}s" for k, v in self.stage_seconds.items())
        status = "refresh ok" if self.ok else f"refresh FAILED ({self.error})"
        return f"{status}: {stages}"


class StageClock:
    """Listens to the run's events: step times summed per stage, and the progress bar."""

    def __init__(self, progress: ProgressCallback) -> None:
        self.progress = progress
        self.stage_of_step: dict[str, str] = {}
        self.units = 0  # assets + checks the job produces
        self.done = 0
        self.started: dict[str, float] = {}
        self.seconds: dict[str, float] = defaultdict(float)
        self.summaries: dict[str, str] = {}  # stage -> the `summary` metadata its assets report

    def watch(self, job: JobDefinition, defs: Definitions) -> None:
        """Learn each op's stage (its ``friction/stage`` tag) and how many results to expect."""
        self.stage_of_step = {
            node.name: node.definition.tags.get(STAGE_TAG, node.name) for node in job.nodes
        }
        graph = defs.resolve_asset_graph()
        self.units = len(list(graph.get_all_asset_keys())) + len(list(graph.asset_check_keys))

    def _stage(self, step_key: str | None) -> str:
        op = (step_key or "").split("[")[0]
        return self.stage_of_step.get(op, op or "other")

    def __call__(self, entry: EventLogEntry) -> None:
        event = entry.dagster_event
        if event is None:
            return
        stage = self._stage(event.step_key)
        if event.event_type == DagsterEventType.STEP_START:
            self.started[event.step_key] = entry.timestamp
            self.progress(stage, self.done, self.units)
        elif event.event_type in _DONE_EVENTS and event.step_key in self.started:
            self.seconds[stage] += entry.timestamp - self.started.pop(event.step_key)
        elif event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            if stage == TRANSFORM:
                faults.pause_if_requested(faults.TRANSFORM)  # dbt is mid-build here
            self.done += 1
            summary = event.materialization.metadata.get(SUMMARY)
            if summary is not None:
                self.summaries[stage] = str(summary.value)
            self.progress(f"{stage}: {event.asset_key.to_user_string()}", self.done, self.units)
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            self.done += 1
            check = event.asset_check_evaluation_data
            label = f"{stage}: {check.asset_key.to_user_string()} {check.check_name}"
            self.progress(label, self.done, self.units)

    def load_progress(self, label: str, done: int, total: int) -> None:
        """The loader's per-file progress, shown on the same bar."""
        if done >= total // 2:
            faults.pause_if_requested(faults.INGEST)  # about half the files walked
        self.progress(f"ingest: {label} ({done}/{total} files)", self.done, self.units)


def _print_stages(result: RefreshResult) -> None:
    table = Table(title="refresh stages", show_header=True)
    table.add_column("stage")
    table.add_column("seconds", justify="right")
    for stage, seconds in result.stage_seconds.items():
        table.add_row(stage, f"{seconds:.1f}")
    table.add_row("total", f"{sum(result.stage_seconds.values()):.1f}", style="bold")
    console.print(table)
    for stage, summary in result.summaries.items():
        console.print(f"{stage}: {summary}")


def run_refresh(
    settings: Settings, *, instance: DagsterInstance | None = None, full_rebuild: bool = False
) -> RefreshResult:
    """Run the ``refresh`` job in-process; ``ok=False`` with the reason when it failed.

    Raises ``PreflightError`` (nothing written) when the refresh cannot start: see
    ``stages.preflight``. ``instance`` receives the run's events (default: an in-memory one).
    ``full_rebuild`` rebuilds every dbt model from raw instead of only what new loads touched
    (``stages.build_state`` decides that by itself after an upgrade or a key change).
    """
    try:
        preflight(settings)
    except PreflightError as error:
        _record_refusal(settings, str(error))
        raise
    settings.ensure_dirs()
    with refresh_lock(settings):
        open_work_db(settings, console.print)
        for path in clear_leftovers(settings):
            console.print(f"removed {path.name}, left half-written by an interrupted refresh")
        if full_rebuild:
            forget_build(settings.warehouse_dir)
        try:
            return _run_job(settings, instance)
        finally:
            for pid in stop_own_dbt_children():
                console.print(f"stopped dbt (PID {pid}), still running after the refresh ended")


def _record_refusal(settings: Settings, reason: str) -> None:
    """Tell the dashboard why data stopped updating, if the serving folder can take a note."""
    if settings.serving_db.parent.is_dir():
        try:
            record_failure(settings.serving_db, run_id="", reason=reason)
        except OSError:
            pass  # unwritable or full: the message on the terminal is all we can give


def _run_job(settings: Settings, instance: DagsterInstance | None) -> RefreshResult:
    from dagster_project.defs import build_defs
    from dagster_project.defs.jobs import REFRESH_JOB

    result = RefreshResult(run_id=str(uuid.uuid4()))  # Dagster run ids are uuid4 strings
    began = time.perf_counter()
    with progress_bar("refresh") as progress:
        progress(PREPARE, 0, 0)
        clock = StageClock(progress)
        try:
            defs = build_defs(settings, load_progress=clock.load_progress)
            job = defs.resolve_job_def(REFRESH_JOB)
            clock.watch(job, defs)
            instance = instance or DagsterInstance.ephemeral()
        except Exception as error:  # a broken dbt project fails here, before any run exists
            result.ok, result.error = False, f"could not load definitions: {error}"
            result.stage_seconds[PREPARE] = time.perf_counter() - began
            record_failure(settings.serving_db, run_id="", reason=result.error)
            return result
        result.stage_seconds[PREPARE] = time.perf_counter() - began
        instance.add_event_listener(result.run_id, clock)
        execution = job.execute_in_process(
            run_config=QUIET, instance=instance, run_id=result.run_id, raise_on_error=False
        )
    for stage in STAGE_ORDER:
        if stage in clock.seconds:
            result.stage_seconds[stage] = clock.seconds[stage]
    result.summaries = clock.summaries
    if not execution.success:
        result.ok = False
        result.error = failure_reason(instance, result.run_id)
        record_failure(settings.serving_db, run_id=result.run_id, reason=result.error)
    _print_stages(result)
    return result
