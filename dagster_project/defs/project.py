"""The one dbt project Dagster builds, and how its manifest and environment are prepared.

Asset definitions are read from ``manifest.json`` when the code location loads, so the
manifest must exist before ``@dbt_assets`` runs. ``dbt/target/`` is git-ignored, hence
``prepare_manifest`` runs ``dbt parse`` whenever the manifest is missing or older than a dbt
source file: a fresh clone, ``friction refresh`` and ``dagster dev`` all work without a
separate preparation step. It never runs ``dbt deps`` (no network; the project has no
packages).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from filelock import FileLock

from dagster_project.settings import DBT_PROJECT_DIR
from ingestion.duckdb_memory import MEMORY_LIMIT_ENV, memory_limit

# A target folder of our own: a developer's manual `dbt build` (dbt/target) and Dagster's
# manifest never overwrite each other.
MANIFEST_TARGET = Path("target") / "dagster"
# Where `dbt parse` writes (its partial-parse state stays warm there); see prepare_manifest.
PARSE_TARGET = Path("target") / "dagster-parse"

# What dbt reads when it parses; a newer file than the manifest means the manifest is stale.
PARSE_INPUTS = (
    "dbt_project.yml",
    "profiles.yml",
    "models",
    "macros",
    "seeds",
    "tests",
    "snapshots",
    "analyses",
)

WORK_DB_ENV = "FRICTION_WORK_DB"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, target_path=MANIFEST_TARGET)


def dbt_executable() -> str:
    """The ``dbt`` beside the running Python (the virtualenv's), else whatever PATH finds."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else "dbt"


def dbt_resource(project: DbtProject = dbt_project) -> DbtCliResource:
    return DbtCliResource(project_dir=project, dbt_executable=dbt_executable())


def _newest_input_mtime(project_dir: Path) -> float:
    newest = 0.0
    for name in PARSE_INPUTS:
        path = project_dir / name
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
        elif path.is_dir():
            for child in path.rglob("*"):
                if child.is_file():
                    newest = max(newest, child.stat().st_mtime)
    return newest


def manifest_is_stale(project: DbtProject = dbt_project) -> bool:
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    return _newest_input_mtime(project.project_dir) > manifest.stat().st_mtime


@contextmanager
def dbt_environment(work_db: Path) -> Iterator[None]:
    """Point the dbt profile at ``work_db`` (and the memory bound) for one dbt invocation.

    dagster-dbt hands the process environment to dbt and offers no per-call override; runs
    of this project are serialised (one DuckDB writer), so setting and restoring the
    variables around the call is safe. The memory bound is validated here, so a bad value
    stops the refresh with our message rather than DuckDB's from inside dbt.
    """
    values = {WORK_DB_ENV: str(Path(work_db).resolve()), MEMORY_LIMIT_ENV: memory_limit()}
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def prepare_manifest(project: DbtProject = dbt_project, *, work_db: Path | None = None) -> Path:
    """Run ``dbt parse`` when the manifest is missing or stale; return the manifest path.

    A file lock keeps two processes (the UI and a CLI refresh) from parsing at once.
    """
    manifest = project.manifest_path
    manifest.parent.mkdir(parents=True, exist_ok=True)
    if not manifest_is_stale(project):
        return manifest
    # Parsing renders the profile, which needs some absolute path; it does not open it.
    placeholder = work_db or project.project_dir / MANIFEST_TARGET / "parse-only.duckdb"
    with FileLock(str(manifest.with_suffix(".lock")), timeout=600):
        if manifest_is_stale(project):
            with dbt_environment(placeholder):
                dbt_resource(project).cli(["parse", "--quiet"], target_path=PARSE_TARGET).wait()
            # Readers do not take the lock (a fresh manifest needs none), so the new manifest
            # appears by one rename: a reader gets the old file or the new one, never half.
            partial = manifest.with_suffix(".json.partial")
            shutil.copyfile(project.project_dir / PARSE_TARGET / "manifest.json", partial)
            os.replace(partial, manifest)
    return manifest
