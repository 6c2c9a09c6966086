"""Finance export sets written from a hand-built serving snapshot (hand-checked totals)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from dagster_project.finance_exports import (
    CONTROL_TOTALS,
    DATA_DICTIONARY,
    EXPORT_TABLES,
    write_export_set,
)


@pytest.fixture
def serving_db(tmp_path: Path) -> Path:
    """Every export table with a few rows; revenue has two months."""
    path = tmp_path / "serving" / "warehouse.duckdb"
    path.parent.mkdir()
    with duckdb.connect(str(path)) as con:
        con.execute("create schema exports")
        con.execute(
            "create table exports.finance_revenue_monthly (period_month date, payer_id varchar, "
            "claims_billed bigint, charges_usd decimal(18,2), payer_payments_usd decimal(18,2))"
        )
        con.execute(
            "insert into exports.finance_revenue_monthly values "
            "('2025-01-01', 'MCR', 3, 300.00, 120.50), ('2025-01-01', 'BCB', 1, 99.99, 0.00), "
            "('2025-02-01', 'MCR', 2, 200.00, 80.25)"
        )
        for table in EXPORT_TABLES[1:]:
            con.execute(
                f"create table exports.{table} (period_month date, payer_id varchar, "
                "amount_usd decimal(18,2))"
            )
            con.execute(
                f"insert into exports.{table} values ('2025-01-01', 'MCR', 10.10), "
                "('2025-02-01', 'MCR', -0.10)"
            )
    return path


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    """The two descriptions the dictionary should pick up, as dbt writes them."""
    path = tmp_path / "manifest.json"
    nodes = {
        "model.friction.finance_revenue_monthly": {
            "resource_type": "model",
            "name": "finance_revenue_monthly",
            "schema": "exports",
            "columns": {"charges_usd": {"description": "Billed charges."}},
        },
        "model.friction.fct_claims": {
            "resource_type": "model",
            "name": "fct_claims",
            "schema": "marts",
            "columns": {"charges_usd": {"description": "not an export"}},
        },
    }
    path.write_text(json.dumps({"nodes": nodes}))
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_full_set_with_control_totals_and_dictionary(
    serving_db: Path, manifest: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "exports" / "finance" / "2025-03-01"
    written = write_export_set(serving_db, folder, manifest)
    assert written.folder == folder
    assert written.files == {
        f"{t}.csv": (3 if t == "finance_revenue_monthly" else 2) for t in EXPORT_TABLES
    }
    revenue = _rows(folder / "finance_revenue_monthly.csv")
    # Sorted by every column, in column order: BCB before MCR in January.
    assert [(r["period_month"], r["payer_id"], r["charges_usd"]) for r in revenue] == [
        ("2025-01-01", "BCB", "99.99"),
        ("2025-01-01", "MCR", "300.00"),
        ("2025-02-01", "MCR", "200.00"),
    ]
    totals = {
        (r["file"], r["measure"], r["column"]): r["value"] for r in _rows(folder / CONTROL_TOTALS)
    }
    assert totals[("finance_revenue_monthly.csv", "rows", "")] == "3"
    assert totals[("finance_revenue_monthly.csv", "sum", "charges_usd")] == "599.99"
    assert totals[("finance_revenue_monthly.csv", "sum", "payer_payments_usd")] == "200.75"
    assert totals[("finance_revenue_monthly.csv", "sum", "claims_billed")] == "6"
    assert totals[("finance_ar_aging.csv", "sum", "amount_usd")] == "10.00"
    assert ("finance_ar_aging.csv", "sum", "payer_id") not in totals  # text is not summed
    dictionary = _rows(folder / DATA_DICTIONARY)
    charges = next(r for r in dictionary if r["column"] == "charges_usd")
    assert (charges["file"], charges["data_type"], charges["description"]) == (
        "finance_revenue_monthly.csv",
        "DECIMAL(18,2)",
        "Billed charges.",
    )
    assert sorted(p.name for p in folder.parent.parent.iterdir()) == ["finance"]  # no leftovers


def test_month_set_keeps_only_that_month(serving_db: Path, manifest: Path, tmp_path: Path) -> None:
    folder = tmp_path / "exports" / "finance" / "2025-02"
    written = write_export_set(serving_db, folder, manifest, month="2025-02")
    assert written.files["finance_revenue_monthly.csv"] == 1
    totals = {
        (r["file"], r["measure"], r["column"]): r["value"] for r in _rows(folder / CONTROL_TOTALS)
    }
    assert totals[("finance_revenue_monthly.csv", "sum", "charges_usd")] == "200.00"
    assert totals[("finance_payments_posted.csv", "sum", "amount_usd")] == "-0.10"


def test_rewriting_a_set_replaces_it_whole(
    serving_db: Path, manifest: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "exports" / "finance" / "2025-03-01"
    write_export_set(serving_db, folder, manifest)
    (folder / "stale.csv").write_text("from an older version\n")
    write_export_set(serving_db, folder, manifest)
    assert not (folder / "stale.csv").exists()
    assert (folder / CONTROL_TOTALS).exists()


def test_bad_month_and_missing_snapshot_are_refused(manifest: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="2025-13"):
        write_export_set(tmp_path / "x.duckdb", tmp_path / "out", manifest, month="2025-13")
    with pytest.raises(FileNotFoundError, match="friction refresh"):
        write_export_set(tmp_path / "absent.duckdb", tmp_path / "out", manifest)
    assert not (tmp_path / "out").exists()
