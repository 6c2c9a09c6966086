"""Where the serving snapshot is and how to recognise a new one.

The publish step swaps in a new file by rename, so (path, inode, mtime, size) changes with
every refresh. Every cached query takes this identity as an argument: a new snapshot gets new
cache entries on the next rerun, without a restart, and nothing ever waits on a lock.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import NamedTuple

from dagster_project.settings import load_settings


class SnapshotKey(NamedTuple):
    """Identity of one published snapshot file (hashable, so it can key st.cache_data)."""

    path: str
    inode: int
    mtime_ns: int
    size: int


def serving_path() -> Path:
    """The snapshot file the settings point at (FRICTION_HOME/serving/warehouse.duckdb)."""
    return load_settings().serving_db


def stale_after_hours() -> float:
    return load_settings().stale_after_hours


def exports_dir() -> Path:
    return load_settings().exports_dir


def snapshot_key(path: Path | None = None) -> SnapshotKey | None:
    """Identity of the snapshot file, or None when there is no (non-empty) file yet."""
    target = path or serving_path()
    try:
        st = os.stat(target)
    except OSError:
        return None
    if st.st_size == 0:
        return None
    return SnapshotKey(str(target), st.st_ino, st.st_mtime_ns, st.st_size)


def last_refresh(serving_db: Path | str) -> dict | None:
    """<serving>/last_refresh.json, written by every refresh (how it ended and why).

    The snapshot cannot say that a later refresh failed (it is only replaced on success),
    so the banner reads this file beside it. None when absent or unreadable.
    """
    path = Path(serving_db).parent / "last_refresh.json"
    try:
        status = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return status if isinstance(status, dict) else None
