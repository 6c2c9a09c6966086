"""Simulate "day N arrives" on a loaded work database, to prove incremental builds.

``hold_out(con, days)`` moves the raw rows of every landed file whose name carries one of
``days`` (YYYY-MM-DD) into schema ``held`` and forgets those files in the load manifest: the
database then looks as if only the earlier days had landed. ``release(con)`` lands them again
as one new load (a larger ``_load_id``, as ``ingestion.load`` would give them).

    python dbt/scripts/hold_out_days.py WORK_DB hold 2026-10-30 2026-10-31
    python dbt/scripts/hold_out_days.py WORK_DB release
"""

from __future__ import annotations

import sys

import duckdb

HELD = "held"
BOOKKEEPING = ("_load_manifest", "_landing_paths")


def _raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_schema = 'raw' and table_type = 'BASE TABLE' order by 1"
    ).fetchall()
    return [name for (name,) in rows if not name.startswith("_")]


def hold_out(con: duckdb.DuckDBPyConnection, days: list[str]) -> int:
    """Move the rows of the files of ``days`` out of raw; returns the number of rows moved."""
    match = " or ".join(f"contains({{column}}, '{day}')" for day in days)
    con.execute(f"create schema if not exists {HELD}")
    moved = 0
    for table in _raw_tables(con):
        where = match.format(column="_source_file")
        con.execute(
            f"create or replace table {HELD}.{table} as select * from raw.{table} where {where}"
        )
        moved += con.execute(f"select count(*) from {HELD}.{table}").fetchone()[0]
        con.execute(f"delete from raw.{table} where {where}")
    for table, column in zip(BOOKKEEPING, ("source_file", "path"), strict=True):
        where = match.format(column=column)
        con.execute(
            f"create or replace table {HELD}.{table} as select * from raw.{table} where {where}"
        )
        con.execute(f"delete from raw.{table} where {where}")
    return moved


def release(con: duckdb.DuckDBPyConnection) -> int:
    """Land the held rows again as one new load; returns that load's id."""
    load_id = con.execute(
        "select coalesce(max(load_id), 0) + 1 from raw._load_manifest"
    ).fetchone()[0]
    for table in [*_raw_tables(con), *BOOKKEEPING]:
        column = "load_id" if table in BOOKKEEPING else "_load_id"
        columns = [
            name
            for (name,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'raw' and table_name = ? order by ordinal_position",
                [table],
            ).fetchall()
        ]
        select = ", ".join(f"{load_id} as {name}" if name == column else name for name in columns)
        con.execute(f"insert into raw.{table} select {select} from {HELD}.{table}")
    con.execute(f"drop schema {HELD} cascade")
    return int(load_id)


def main(argv: list[str]) -> None:
    database, action, *days = argv
    con = duckdb.connect(database)
    try:
        if action == "hold":
            print(f"held {hold_out(con, days)} raw rows")
        else:
            print(f"released as load {release(con)}")
    finally:
        con.close()


if __name__ == "__main__":
    main(sys.argv[1:])
