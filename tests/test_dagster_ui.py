"""`friction ui`, the home's Dagster instance and the failed-refresh record (no dbt needed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from dagster import DagsterEventType, DagsterInstance, build_run_status_sensor_context, job, op

from dagster_project.defs.refresh_status import read_status, record_success
from dagster_project.defs.sensors import build_failure_sensor
from dagster_project.instance import DAGSTER_YAML, dagster_env, dagster_home
from dagster_project.settings import load_settings
from dagster_project.ui import ui_command

NOON = dt.datetime(2025, 3, 1, 12, 0)


def test_ui_binds_to_loopback_only() -> None:
    command = ui_command(3111)
    assert command[1:] == [
        "dev",
        "--host",
        "127.0.0.1",
        "--port",
        "3111",
        "--module-name",
        "dagster_project.definitions",
    ]
    assert Path(command[0]).name == "dagster"


def test_dagster_home_turns_telemetry_off_and_runs_one_at_a_time(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path / "home")
    home = dagster_home(settings)
    assert home == tmp_path / "home" / ".dagster"
    config = yaml.safe_load((home / "dagster.yaml").read_text())
    assert config == {
        "telemetry": {"enabled": False},
        "concurrency": {"runs": {"max_concurrent_runs": 1}},
    }
    env = dagster_env(settings)
    assert env["DAGSTER_HOME"] == str(home)
    assert env["FRICTION_HOME"] == str(tmp_path / "home")
    assert env["FRICTION_LANDING"] == str(tmp_path / "home" / "landing")
    # A user's edit of dagster.yaml survives the next start.
    (home / "dagster.yaml").write_text(DAGSTER_YAML + "# edited\n")
    dagster_home(settings)
    assert (home / "dagster.yaml").read_text().endswith("# edited\n")


def test_failure_sensor_records_why_and_keeps_the_last_success(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path / "home")
    record_success(settings.serving_db, run_id="good-run", built_at=NOON, rows=42)

    @op
    def load_landing() -> None:
        raise ValueError("landing folder unreadable: permission denied")

    @job(name="refresh")
    def refresh() -> None:
        load_landing()

    instance = DagsterInstance.ephemeral()
    result = refresh.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type == DagsterEventType.RUN_FAILURE)
    context = build_run_status_sensor_context(
        sensor_name="record_failed_refresh",
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=failure,
    ).for_run_failure()
    build_failure_sensor(settings)(context)

    status = read_status(settings.serving_db)
    assert status is not None
    assert status["ok"] is False
    assert status["run_id"] == result.run_id
    assert status["reason"] == (
        "load_landing: ValueError: landing folder unreadable: permission denied"
    )
    assert status["serving_snapshot_unchanged"] is True
    assert status["last_success"]["run_id"] == "good-run"
    assert status["last_success"]["snapshot_rows"] == 42
