"""What a refresh cleans up after one that died (SIGKILL, out of memory, power loss).

Nothing here needs a person: the next refresh finds and clears what the dead one left.

- The refresh lock is an ``flock`` on ``<home>/warehouse/.refresh.lock``: the kernel drops it
  when its holder dies, so a lock can never go stale, while a live refresh still keeps a
  second one (cron and a manual run) out.
- ``dbt build`` runs as a child process. When its parent is killed it keeps running, orphaned,
  and holds DuckDB's write lock on the work database until it ends. Holding the refresh lock
  proves no refresh is alive, so an orphaned dbt still on the work database belongs to a dead
  one: it is stopped (its tables are rebuilt anyway). Any other holder is waited for.
- Opening the work database replays the write-ahead log a killed writer left: committed
  loads stay, the uncommitted tail is dropped (the loader commits whole files only).
- Half-written files (a snapshot being built, an export set being written, the status
  file's temporary copy) are never read by anyone and are deleted at the start.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from dagster_project.settings import Settings
from dagster_project.stages.preflight import PreflightError
from dagster_project.stages.publish import remove_leftovers

LOCK_FILE = ".refresh.lock"
# DuckDB names the process that holds a database's write lock in its error message.
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<exe>.*?) \(PID (?P<pid>\d+)\)")
# Processes a refresh may have started; their parents say whether that refresh is alive.
_OWNERS = ("friction", "dagster")

Say = Callable[[str], None]


@contextmanager
def refresh_lock(settings: Settings) -> Iterator[Path]:
    """Hold the home's refresh lock for the block; refuse if another refresh holds it."""
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    path = settings.warehouse_dir / LOCK_FILE
    handle = path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise PreflightError(
                f"Another refresh of {settings.home} is running (PID {holder}); two refreshes "
                "cannot write one warehouse. Fix: wait for it to finish (cron runs and manual "
                "runs of `friction refresh` take turns); if no refresh is running, this "
                f"message cannot appear, because the lock on {path} ends with its process."
            ) from error
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield path
    finally:
        handle.close()  # releases the flock


def clear_leftovers(settings: Settings) -> list[Path]:
    """Delete what a killed refresh was writing; call while holding ``refresh_lock``."""
    serving = settings.serving_db.parent
    removed = remove_leftovers(serving) if serving.is_dir() else []
    removed += sorted(serving.glob(".last_refresh.json.*.tmp"))  # refresh_status.write_status
    # finance_exports builds a set in exports/.building-* and renames it into place.
    removed += sorted(p for p in settings.exports_dir.glob(".building-*") if p.is_dir())
    for path in removed:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return removed


def _cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Field 4 follows the command name, which may itself hold spaces or parentheses.
    return int(stat.rsplit(")", 1)[1].split()[1])


def is_dbt(pid: int) -> bool:
    return any(Path(part).name == "dbt" for part in _cmdline(pid).split())


def is_orphan(pid: int) -> bool:
    """True when no live friction or Dagster process is the parent any more."""
    parent = _parent(pid)
    if parent is None:
        return False  # already gone
    return parent <= 1 or not any(owner in _cmdline(parent) for owner in _OWNERS)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _parent(pid) is not None  # a zombie has no /proc stat parent we care about


def stop_process(pid: int, *, grace_seconds: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it is still there after the grace period."""
    for sig, wait in ((signal.SIGTERM, grace_seconds), (signal.SIGKILL, 5.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.1)


def stop_own_dbt_children() -> list[int]:
    """Stop ``dbt`` processes this process started that are still running.

    dagster-dbt leaves the dbt subprocess running when the step fails while reading its
    events; that orphan would then hold the work database's lock for minutes.
    """
    me = os.getpid()
    stopped = []
    for entry in Path("/proc").glob("[0-9]*"):
        pid = int(entry.name)
        if _parent(pid) == me and is_dbt(pid):
            stop_process(pid)
            stopped.append(pid)
    return stopped


def lock_holder(error: duckdb.Error) -> tuple[int, str] | None:
    found = _LOCK_HOLDER.search(str(error))
    return (int(found["pid"]), found["exe"]) if found else None


def open_work_db(settings: Settings, say: Say, *, wait_seconds: float = 600.0) -> None:
    """Make sure the work database opens for writing; clear what a dead refresh left.

    Call while holding ``refresh_lock``. Opening replays a killed writer's write-ahead log.
    """
    work = settings.work_db
    if not work.exists():
        return
    deadline = time.monotonic() + wait_seconds
    told: set[int] = set()
    while True:
        try:
            duckdb.connect(str(work)).close()
            return
        except duckdb.IOException as error:
            holder = lock_holder(error)
            if holder is None:
                raise PreflightError(
                    f"The work database {work} cannot be opened: {error}. Fix: free the disk "
                    "or fix the permissions named above; if the file itself is damaged, move "
                    "it aside and refresh again: the refresh rebuilds it from the landing "
                    "folder. The last good snapshot is still served."
                ) from error
            pid, exe = holder
            if is_dbt(pid) and is_orphan(pid):
                say(f"stopping dbt (PID {pid}) left running by an interrupted refresh")
                stop_process(pid)
                continue
            if time.monotonic() > deadline:
                raise PreflightError(
                    f"The work database {work} is in use by {exe} (PID {pid}) and stayed "
                    f"locked for {wait_seconds:.0f} s. DuckDB allows one writer. Fix: close "
                    "that program (a DuckDB shell or notebook opened on the work database; "
                    "analysts should open the serving snapshot instead) and refresh again. "
                    "Nothing was changed; the last good snapshot is still served."
                ) from error
            if pid not in told:
                say(f"waiting for {exe} (PID {pid}) to release {work}")
                told.add(pid)
            time.sleep(2.0)
