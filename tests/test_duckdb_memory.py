"""The one DuckDB memory bound of the load, the dbt build and the publish."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from dagster_project.defs.project import WORK_DB_ENV, dbt_environment
from ingestion.duckdb_memory import (
    DEFAULT_MEMORY_LIMIT,
    MEMORY_LIMIT_ENV,
    bound_memory,
    memory_limit,
)


def _setting(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("select current_setting('memory_limit')").fetchone()
    assert row is not None
    return str(row[0])


def test_default_is_three_gigabytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MEMORY_LIMIT_ENV, raising=False)
    with duckdb.connect() as con:
        bound_memory(con)
        assert memory_limit() == "3GB"
        assert _setting(con) == "2.7 GiB"  # DuckDB shows 3 GB (10^9 bytes each) in GiB


def test_the_variable_sets_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "1GB")
    with duckdb.connect() as con:
        bound_memory(con)
        assert _setting(con) == "953.6 MiB"


@pytest.mark.parametrize("value", ["3", "lots", "3GB'; drop table x; --"])
def test_a_value_that_is_not_a_size_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_ENV, value)
    with pytest.raises(ValueError, match=MEMORY_LIMIT_ENV):
        memory_limit()


def test_the_dbt_profile_default_is_the_same_bound() -> None:
    # A manual `dbt build` reads the profile's default; the refresh exports memory_limit().
    profile = (Path(__file__).resolve().parents[1] / "dbt" / "profiles.yml").read_text()
    assert f"env_var('{MEMORY_LIMIT_ENV}', '{DEFAULT_MEMORY_LIMIT}')" in profile


def test_dbt_environment_exports_the_validated_bound(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_ENV, " 1500MB ")
    with dbt_environment(tmp_path / "work.duckdb"):
        assert os.environ[MEMORY_LIMIT_ENV] == "1500MB"
        assert os.environ[WORK_DB_ENV] == str(tmp_path / "work.duckdb")
    assert os.environ[MEMORY_LIMIT_ENV] == " 1500MB "
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "lots")
    with pytest.raises(ValueError, match=MEMORY_LIMIT_ENV), dbt_environment(tmp_path / "w"):
        pass
