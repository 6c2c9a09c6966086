"""When a refresh's dbt build must rebuild everything (dagster_project/stages/build_state.py)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import RefreshedHome

from dagster_project.settings import DBT_PROJECT_DIR
from dagster_project.stages.build_state import (
    STATE_FILE,
    forget_build,
    full_refresh_reason,
    project_fingerprint,
    record_build,
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the parts of the dbt project that shape rows."""
    copy = tmp_path / "dbt"
    for name in ("models", "macros", "seeds"):
        shutil.copytree(DBT_PROJECT_DIR / name, copy / name)
    shutil.copy2(DBT_PROJECT_DIR / "dbt_project.yml", copy / "dbt_project.yml")
    return copy


def test_a_new_home_rebuilds_then_an_unchanged_project_is_incremental(
    tmp_path: Path, project: Path
) -> None:
    print_ = project_fingerprint("key-1", project)
    assert full_refresh_reason(tmp_path, print_) == "no record of an earlier complete build"
    record_build(tmp_path, print_)
    assert full_refresh_reason(tmp_path, project_fingerprint("key-1", project)) is None
    forget_build(tmp_path)
    assert full_refresh_reason(tmp_path, print_) == "no record of an earlier complete build"


def test_the_key_is_not_written_and_a_new_key_rebuilds(tmp_path: Path, project: Path) -> None:
    record_build(tmp_path, project_fingerprint("a-secret-key", project))
    assert "a-secret-key" not in (tmp_path / STATE_FILE).read_text()
    assert full_refresh_reason(tmp_path, project_fingerprint("another-key", project)) == (
        "the patient-identity key changed"
    )


@pytest.mark.parametrize(
    ("changed", "shapes_rows"),
    [
        ("models/marts/revenue/fct_claims.sql", True),
        ("macros/incremental.sql", True),
        ("seeds/cpt_work_rvus.csv", True),
        ("dbt_project.yml", True),
        ("models/marts/revenue/fct_claims.md", False),  # docs do not shape rows
    ],
)
def test_what_changes_the_project_fingerprint(
    tmp_path: Path, project: Path, changed: str, shapes_rows: bool
) -> None:
    before = project_fingerprint("k", project)
    record_build(tmp_path, before)
    path = project / changed
    path.write_text((path.read_text() if path.exists() else "") + "\n-- edited\n")
    reason = full_refresh_reason(tmp_path, project_fingerprint("k", project))
    if shapes_rows:
        assert reason == "the dbt project (models, macros, seeds or vars) changed"
    else:
        assert reason is None


def test_an_unreadable_record_rebuilds(tmp_path: Path, project: Path) -> None:
    (tmp_path / STATE_FILE).write_text("{not json")
    assert full_refresh_reason(tmp_path, project_fingerprint("k", project)) == (
        "build_state.json is unreadable"
    )


def test_a_successful_refresh_records_its_build(refreshed_small_home: RefreshedHome) -> None:
    """The shared home's refresh recorded the project it built with the test key, so the
    next refresh of that home (every copy the slow tests make) is incremental."""
    warehouse = refreshed_small_home.settings.warehouse_dir
    key = os.environ["FRICTION_PHI_KEY"]
    recorded = json.loads((warehouse / STATE_FILE).read_text())
    assert recorded == project_fingerprint(key)
    assert full_refresh_reason(warehouse, project_fingerprint(key)) is None
