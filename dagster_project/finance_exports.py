"""Finance exports: CSV files for the practice's accountant, from the serving snapshot.

The numbers are defined in dbt (``dbt/models/exports/``, schema ``exports``); this module
only writes them out. It reads the published snapshot, never the work database, so an export
always matches what the dashboard shows. Each set is a folder holding one CSV per export
table, ``control_totals.csv`` (rows and the sum of every numeric column, per file, computed
from the rows written) and ``data_dictionary.csv`` (every column's type and its dbt
description). A set is written beside its final place and renamed into it, so a reader
never sees half a set.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from dagster_project.settings import Settings

EXPORT_SCHEMA = "exports"
# File order is stable; each table has a `period_month` (first day of the month it reports).
EXPORT_TABLES = (
    "finance_revenue_monthly",
    "finance_ar_aging",
    "finance_payments_posted",
    "finance_denial_writeoffs",
)
CONTROL_TOTALS = "control_totals.csv"
DATA_DICTIONARY = "data_dictionary.csv"
NUMERIC_TYPES = ("DECIMAL", "DOUBLE", "FLOAT", "REAL", "INTEGER", "BIGINT", "HUGEINT")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class ExportSet:
    folder: Path
    files: dict[str, int]  # file name -> data rows


def finance_root(settings: Settings) -> Path:
    return settings.exports_dir / "finance"


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [EXPORT_SCHEMA, table],
    ).fetchall()


def _is_numeric(data_type: str) -> bool:
    return data_type.upper().startswith(NUMERIC_TYPES)


def _descriptions(manifest_path: Path) -> dict[tuple[str, str], str]:
    """(table, column) -> description, from the dbt manifest of the export models."""
    if not manifest_path.exists():
        return {}
    nodes = json.loads(manifest_path.read_text())["nodes"].values()
    found = {}
    for node in nodes:
        if node.get("resource_type") == "model" and node.get("schema") == EXPORT_SCHEMA:
            for column, props in node.get("columns", {}).items():
                found[(node["name"], column)] = props.get("description", "")
    return found


def _write_table(
    con: duckdb.DuckDBPyConnection, table: str, where: str, target: Path
) -> tuple[int, list[list[str]]]:
    """Write one CSV; return its row count and its control-total rows."""
    columns = _columns(con, table)
    order = ", ".join(f'"{name}"' for name, _ in columns)
    select = f'select * from {EXPORT_SCHEMA}."{table}" {where} order by {order}'
    con.execute(f"copy ({select}) to '{target}' (header, delimiter ',')")
    sums = [f'sum("{n}")' for n, t in columns if _is_numeric(t)]
    totals = con.execute(
        f"select count(*){''.join(', ' + s for s in sums)} from ({select})"
    ).fetchone()
    assert totals is not None
    rows = int(totals[0])
    control = [[target.name, "rows", "", str(rows)]]
    numeric = [n for n, t in columns if _is_numeric(t)]
    for name, value in zip(numeric, totals[1:], strict=True):
        control.append([target.name, "sum", name, "0" if value is None else str(value)])
    return rows, control


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write_export_set(
    serving_db: Path, folder: Path, manifest_path: Path, *, month: str | None = None
) -> ExportSet:
    """Write every export table (only ``month``'s rows when given) into ``folder``."""
    if month is not None and not MONTH.match(month):
        raise ValueError(f"month must look like 2025-03, not {month!r}")
    if not serving_db.exists():
        raise FileNotFoundError(f"no serving snapshot at {serving_db}: run `friction refresh`")
    # `month` matched MONTH above, so it is safe to inline (COPY takes no parameters).
    where = f"where period_month = date '{month}-01'" if month else ""
    folder.parent.mkdir(parents=True, exist_ok=True)
    # Built outside finance/ (same file system, so the rename is atomic): a reader listing
    # the export sets never sees one being written.
    building = folder.parent.parent / f".building-{uuid.uuid4().hex[:8]}"
    building.mkdir()
    descriptions = _descriptions(manifest_path)
    files: dict[str, int] = {}
    control: list[list[str]] = []
    dictionary: list[list[str]] = []
    try:
        with duckdb.connect(str(serving_db), read_only=True) as con:
            for table in EXPORT_TABLES:
                name = f"{table}.csv"
                files[name], totals = _write_table(con, table, where, building / name)
                control += totals
                dictionary += [
                    [name, column, data_type, descriptions.get((table, column), "")]
                    for column, data_type in _columns(con, table)
                ]
        _write_csv(building / CONTROL_TOTALS, ["file", "measure", "column", "value"], control)
        _write_csv(
            building / DATA_DICTIONARY, ["file", "column", "data_type", "description"], dictionary
        )
        _swap_in(building, folder)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return ExportSet(folder, files)


def _swap_in(building: Path, folder: Path) -> None:
    """Replace ``folder`` by ``building``; the old set is removed only once the new one is in."""
    retired = building.with_name(f".retired-{uuid.uuid4().hex[:8]}")
    if folder.exists():
        folder.rename(retired)
    building.rename(folder)
    shutil.rmtree(retired, ignore_errors=True)


def export_refresh(
    settings: Settings, manifest_path: Path, *, today: dt.date | None = None
) -> ExportSet:
    """The whole set as of a refresh: ``<home>/exports/finance/<YYYY-MM-DD>/``."""
    day = today or dt.datetime.now(ZoneInfo(settings.timezone)).date()
    folder = finance_root(settings) / day.isoformat()
    return write_export_set(settings.serving_db, folder, manifest_path)


def export_month(settings: Settings, month: str) -> Path:
    """One month's rows of every export: ``<home>/exports/finance/<YYYY-MM>/`` (CLI)."""
    from dagster_project.defs.project import dbt_project, prepare_manifest

    manifest = prepare_manifest(dbt_project)
    folder = finance_root(settings) / month
    return write_export_set(settings.serving_db, folder, manifest, month=month).folder
