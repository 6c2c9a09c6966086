"""When the daily ``dbt build`` may be incremental, and when it must rebuild everything.

Incremental models only recompute the entities a new load touches. That equals a full
rebuild as long as nothing else that shapes their rows has changed since the last build:
the model SQL and macros, the seeds (code lists, targets), ``dbt_project.yml`` (vars), and
the patient-identity key. So every successful build records a fingerprint of those in
``<home>/warehouse/build_state.json``, and the next build runs with ``--full-refresh`` when
the fingerprint differs or is missing (a new home, a home built by an older release, an
upgrade, a rotated key, a build that failed half-way). ``friction refresh --full-refresh``
removes the record to force it.

The key is never written: the record holds an HMAC of a fixed label under the key, which
tells whether the key changed and nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path

from dagster_project.settings import DBT_PROJECT_DIR

STATE_FILE = "build_state.json"
# What shapes the rows of incremental models. Tests and docs do not.
SHAPING_INPUTS = ("dbt_project.yml", "models", "macros", "seeds")
SHAPING_SUFFIXES = (".sql", ".csv", ".yml")
KEY_LABEL = b"friction build-state key check"


def project_fingerprint(phi_key: str, project_dir: Path = DBT_PROJECT_DIR) -> dict[str, str]:
    """A digest of every file that shapes model rows, and a check value of the key."""
    digest = hashlib.sha256()
    for name in SHAPING_INPUTS:
        root = project_dir / name
        files = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in files:
            if path.is_file() and path.suffix in SHAPING_SUFFIXES:
                digest.update(path.relative_to(project_dir).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    key_check = hmac.new(phi_key.encode(), KEY_LABEL, hashlib.sha256).hexdigest()
    return {"project": digest.hexdigest(), "key_check": key_check}


def full_refresh_reason(warehouse_dir: Path, fingerprint: dict[str, str]) -> str | None:
    """Why the next build must rebuild everything, or None when incremental is safe."""
    path = warehouse_dir / STATE_FILE
    try:
        recorded = json.loads(path.read_text())
    except FileNotFoundError:
        return "no record of an earlier complete build"
    except (OSError, ValueError):
        return f"{path.name} is unreadable"
    if recorded.get("key_check") != fingerprint["key_check"]:
        return "the patient-identity key changed"
    if recorded.get("project") != fingerprint["project"]:
        return "the dbt project (models, macros, seeds or vars) changed"
    return None


def record_build(warehouse_dir: Path, fingerprint: dict[str, str]) -> None:
    """Remember a complete, successful build (written atomically)."""
    path = warehouse_dir / STATE_FILE
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(fingerprint, indent=2, sort_keys=True))
    os.replace(partial, path)


def forget_build(warehouse_dir: Path) -> None:
    """Make the next build a full rebuild."""
    (warehouse_dir / STATE_FILE).unlink(missing_ok=True)
