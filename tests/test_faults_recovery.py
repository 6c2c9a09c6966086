"""Recovery after a killed refresh, piece by piece (the end-to-end kills: test_faults_kill.py).

The refresh lock cannot go stale, an orphaned dbt build is stopped while other holders of
the work database are waited for, and half-written files are cleared.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from dagster_project.settings import Settings, load_settings
from dagster_project.stages.preflight import PreflightError
from dagster_project.stages.recovery import (
    LOCK_FILE,
    clear_leftovers,
    open_work_db,
    refresh_lock,
)


def _settings(tmp_path: Path) -> Settings:
    settings = load_settings(home=tmp_path / "home")
    settings.ensure_dirs()
    return settings


def test_second_refresh_is_refused_while_one_runs(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    running = f"Another refresh of .* is running .PID {os.getpid()}"
    with refresh_lock(settings):
        with pytest.raises(PreflightError, match=running):
            with refresh_lock(settings):
                pass
    with refresh_lock(settings) as path:  # released on exit
        assert path.name == LOCK_FILE


def test_lock_of_a_killed_refresh_is_not_stale(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    holder = textwrap.dedent(
        f"""
        import os, signal
        from dagster_project.settings import load_settings
        from dagster_project.stages.recovery import refresh_lock
        with refresh_lock(load_settings(home={str(settings.home)!r})):
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    died = subprocess.run([sys.executable, "-c", holder], capture_output=True, text=True)
    assert died.returncode == -9, died.stderr
    assert (settings.warehouse_dir / LOCK_FILE).exists()  # the file stays, its lock does not
    with refresh_lock(settings):
        pass


def _orphan_holding(db: Path, script_name: str, tmp_path: Path) -> int:
    """Start a process that holds ``db``'s write lock with its parent already gone."""
    script = tmp_path / script_name
    ready = tmp_path / f"{script_name}.ready"
    script.write_text(
        "import sys, time, duckdb, pathlib\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "pathlib.Path(sys.argv[2]).write_text('ok')\n"
        "time.sleep(120)\n"
    )
    # sh starts it in the background and exits: init adopts it, as after a SIGKILLed parent.
    launcher = subprocess.run(
        ["sh", "-c", f'"{sys.executable}" "{script}" "{db}" "{ready}" >/dev/null 2>&1 & echo $!'],
        capture_output=True,
        text=True,
        check=True,
    )
    pid = int(launcher.stdout.strip())
    for _ in range(300):
        if ready.exists():
            return pid
        subprocess.run(["sleep", "0.1"], check=True)
    raise AssertionError("the lock holder never started")


def test_orphaned_dbt_on_the_work_db_is_stopped(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with duckdb.connect(str(settings.work_db)) as con:
        con.execute("create table kept as select 42 as answer")
    pid = _orphan_holding(settings.work_db, "dbt", tmp_path)
    said: list[str] = []
    with refresh_lock(settings):
        open_work_db(settings, said.append, wait_seconds=30)
    assert said == [f"stopping dbt (PID {pid}) left running by an interrupted refresh"]
    with duckdb.connect(str(settings.work_db)) as con:
        assert con.execute("select answer from kept").fetchall() == [(42,)]


def test_other_work_db_holder_is_waited_for_then_refused(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    duckdb.connect(str(settings.work_db)).close()
    pid = _orphan_holding(settings.work_db, "notebook.py", tmp_path)
    said: list[str] = []
    try:
        with pytest.raises(PreflightError, match=rf"in use by .* \(PID {pid}\)"):
            open_work_db(settings, said.append, wait_seconds=1)
        assert len(said) == 1 and f"(PID {pid}) to release" in said[0]
    finally:
        os.kill(pid, 9)


def test_half_written_files_are_cleared_and_finished_ones_kept(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    serving = settings.serving_db.parent
    half = [
        serving / ".building-0a1b.duckdb",
        serving / ".building-0a1b.duckdb.wal",
        serving / ".last_refresh.json.4242.tmp",
        settings.exports_dir / ".building-5c6d7e8f" / "finance_ar_aging.csv",
    ]
    kept = [
        settings.serving_db,
        serving / "last_refresh.json",
        serving / "history" / "warehouse-20261101T060000.duckdb",
        settings.exports_dir / "finance" / "2026-11-01" / "finance_ar_aging.csv",
        settings.exports_dir / ".retired-9a8b7c6d" / "finance_ar_aging.csv",  # maybe the only copy
    ]
    for path in half + kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    removed = clear_leftovers(settings)
    assert sorted(p.name for p in removed) == sorted(
        [
            ".building-0a1b.duckdb",
            ".building-0a1b.duckdb.wal",
            ".last_refresh.json.4242.tmp",
            ".building-5c6d7e8f",
        ]
    )
    assert not any(p.exists() for p in half)
    assert not (settings.exports_dir / ".building-5c6d7e8f").exists()
    assert all(p.exists() for p in kept)
