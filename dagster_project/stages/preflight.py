"""Checks a refresh runs before it touches anything: key, landing folder, home folder, disk.

Each failure is one paragraph for the person who runs ``friction refresh`` (often from cron):
what is wrong, where, and how to fix it. A refused refresh has written nothing, so the last
good snapshot and the work database stay exactly as they were.
"""

from __future__ import annotations

import errno
import shutil
import tempfile
from pathlib import Path

from dagster_project.settings import Settings

# Headroom a refresh needs beyond the new snapshot it writes: the loader's and dbt's
# write-ahead logs, rebuilt tables before the old ones are dropped, the finance exports.
MIN_FREE_BYTES = 64 * 1024 * 1024


class PreflightError(RuntimeError):
    """The refresh cannot start; the message says what, where and how to fix it."""


def _fmt_bytes(n: int) -> str:
    return f"{n / (1024 * 1024):,.1f} MiB"


def check_phi_key(settings: Settings) -> None:
    if not settings.phi_key:
        raise PreflightError(
            "FRICTION_PHI_KEY is not set. Patient identity leaves staging only as a keyed hash "
            "(HMAC), and outside demo mode the refresh refuses to run without the secret key, "
            "because a default key would make the hashes reversible by anyone who knows it. "
            "Fix: set FRICTION_PHI_KEY to a long random secret (for example the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`) in the environment "
            "of the scheduler or shell that runs `friction refresh`, and keep the same value "
            "for every refresh so patient keys stay stable. `friction demo` generates its own."
        )


def check_landing(settings: Settings) -> None:
    landing = settings.landing
    if not landing.exists():
        raise PreflightError(
            f"The landing folder {landing} does not exist. The refresh reads the practice "
            "extracts (pm/, ehr/, claims/, remits/) from it and creates nothing there. Fix: "
            "create the folder or mount the share the practice management export writes to, "
            "or point the refresh at the right place with `--landing PATH` or "
            "FRICTION_LANDING. Nothing was changed; the last good snapshot is still served."
        )
    if not landing.is_dir():
        raise PreflightError(
            f"The landing path {landing} is a file, not a folder. Fix: point `--landing` or "
            "FRICTION_LANDING at the folder that holds pm/, ehr/, claims/ and remits/. "
            "Nothing was changed; the last good snapshot is still served."
        )


def _home_folders(settings: Settings) -> list[Path]:
    return [
        settings.home,
        settings.warehouse_dir,
        settings.serving_db.parent,
        settings.exports_dir,
        settings.quarantine_dir,
    ]


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_home_writable(settings: Settings) -> None:
    """Probe each folder the refresh writes (or the nearest existing parent) with a temp file.

    A permission bit test is not enough: root ignores modes, and a read-only mount or a
    full quota only shows when something is written.
    """
    for folder in dict.fromkeys(_nearest_existing(f) for f in _home_folders(settings)):
        try:
            with tempfile.TemporaryFile(dir=folder, prefix=".friction-probe-"):
                pass
        except OSError as error:
            if error.errno == errno.ENOSPC:
                raise _disk_full(settings, folder, 0) from error
            raise PreflightError(
                f"The home folder {settings.home} is not writable: creating a file in "
                f"{folder} failed ({error.strerror or error}). The refresh writes the work "
                "database, the serving snapshot, exports and quarantined files under it. Fix: "
                "give the user that runs the refresh write access to the folder (or remount "
                "it read-write), or choose another home with `--home PATH` or FRICTION_HOME. "
                "Nothing was changed; the last good snapshot is still served."
            ) from error


def required_free_bytes(settings: Settings) -> int:
    """A new snapshot is written beside the current one before the swap, plus headroom."""
    serving = settings.serving_db
    current = serving.stat().st_size if serving.exists() else 0
    return MIN_FREE_BYTES + current


def _disk_full(settings: Settings, folder: Path, free: int) -> PreflightError:
    need = required_free_bytes(settings)
    return PreflightError(
        f"Not enough free disk space for a refresh: {_fmt_bytes(free)} free on the filesystem "
        f"holding {folder}, and a refresh needs at least {_fmt_bytes(need)} there (a new "
        "snapshot is written beside the current one, plus room for the work database to "
        "grow). Fix: free space on that disk (old exports under "
        f"{settings.exports_dir} and snapshots under {settings.serving_db.parent / 'history'} "
        "can go), or move the home to a larger disk with `--home PATH` or FRICTION_HOME. "
        "Nothing was changed; the last good snapshot is still served."
    )


def check_free_space(settings: Settings) -> None:
    need = required_free_bytes(settings)
    for folder in dict.fromkeys(_nearest_existing(f) for f in _home_folders(settings)):
        free = shutil.disk_usage(folder).free
        if free < need:
            raise _disk_full(settings, folder, free)


def preflight(settings: Settings) -> None:
    """Raise ``PreflightError`` with a one-paragraph fix when a refresh cannot start."""
    check_phi_key(settings)
    check_landing(settings)
    check_home_writable(settings)
    check_free_space(settings)
