"""The one DuckDB memory bound of the load, the dbt build and the publish."""

from __future__ import annotations

import duckdb
import pytest

from ingestion.duckdb_memory import MEMORY_LIMIT_ENV, bound_memory, memory_limit


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
