"""The GX frame checks judge summaries computed in DuckDB: a bad value must still fail them."""

from __future__ import annotations

import duckdb
import pytest
from dagster import AssetKey

from dagster_project.defs.checks.frames import run_checks
from dagster_project.defs.checks.marts import mart_frame_checks
from dagster_project.defs.checks.raw import RAW_CHECKS


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    """Two 835 claims (one off by 0.10) and rates of two metrics (one at 1.25)."""
    con = duckdb.connect()
    con.execute("create schema raw; create schema marts")
    con.execute(
        "create table raw.x12_transactions as select * from (values "
        "('h', 1, '835', 'C', 90.00::decimal(18,2))) "
        "t(_file_hash, st_position, transaction_set_id, credit_debit_flag, payment_amount)"
    )
    con.execute(
        "create table raw.x12_835_claims as select * from (values "
        "('h', 1, 1, 100.00::decimal(18,2), 60.00::decimal(18,2)), "
        "('h', 1, 2, 50.00::decimal(18,2), 30.00::decimal(18,2))) "
        "t(_file_hash, st_position, claim_position, total_charge, paid_amount)"
    )
    con.execute(
        "create table raw.x12_835_adjustments as select * from (values "
        "('h', 1, 1, 40.00::decimal(18,2)), ('h', 1, 2, 19.90::decimal(18,2))) "
        "t(_file_hash, st_position, claim_position, amount)"
    )
    con.execute(
        "create table raw.x12_835_provider_adjustments as select 'h' as _file_hash, "
        "1 as st_position, 0.00::decimal(18,2) as amount where false"
    )
    con.execute(
        "create table marts.metric_catalog as select * from (values "
        "('a.rate', 'rate'), ('b.rate', 'rate'), ('c.minutes', 'minutes')) t(metric_id, unit)"
    )
    con.execute(
        "create table marts.kpi_monthly as select * from (values "
        "('a.rate', 0.5), ('a.rate', 0.0), ('b.rate', 1.25), ('b.rate', 0.75), "
        "('c.minutes', 42.0)) t(metric_id, value)"
    )
    return con


def _result(con: duckdb.DuckDBPyConnection, checks, asset: str, name: str):
    (check,) = [c for c in checks if c.asset.to_user_string() == asset and c.name == name]
    (result,) = list(run_checks(con, [check]))
    return result


def test_claim_balance_counts_the_unbalanced_claim(con: duckdb.DuckDBPyConnection) -> None:
    # Claim 2: 50.00 - 30.00 - 19.90 = 0.10 off; claim 1 balances and never reaches pandas.
    result = _result(con, RAW_CHECKS, "raw/x12_835_claims", "claims_balance")
    assert result.passed is False
    assert result.metadata["rows_validated"].value == 1
    assert "1 unexpected" in result.description and "0.1" in result.description


def test_transaction_balance_passes_when_bpr_equals_paid(con: duckdb.DuckDBPyConnection) -> None:
    result = _result(con, RAW_CHECKS, "raw/x12_transactions", "payments_balance")
    assert result.passed is True  # 90.00 = 60.00 + 30.00 - 0 (no PLB)
    assert result.metadata["rows_validated"].value == 0


def test_rate_above_one_fails_on_the_per_metric_summary(con: duckdb.DuckDBPyConnection) -> None:
    checks = mart_frame_checks([AssetKey(["marts", "kpi_monthly"])])
    result = _result(con, checks, "marts/kpi_monthly", "rates_between_0_and_1")
    assert result.passed is False
    assert result.metadata["rows_validated"].value == 2  # a.rate and b.rate; minutes left out
    assert "1.25" in result.description
