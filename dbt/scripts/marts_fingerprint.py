"""Order-independent content fingerprints of every table a dbt build leaves in the warehouse.

Used to prove that a speed optimisation (or an incremental build) changed no value:
fingerprint the marts before and after and compare. Each table gets its row count and the
sum of a 64-bit hash of every row (order-independent, duplicates counted). Floating-point
columns are hashed as 32-bit floats (about 7 significant digits): a different summation order
inside DuckDB (threads, row order) moves a double sum in its last bits, and a fixed number of
decimals would still flip on large sums.

    python dbt/scripts/marts_fingerprint.py WORK_DB [--schemas marts,exports] [--json OUT]
    python dbt/scripts/marts_fingerprint.py --compare A.json B.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb

FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}
DEFAULT_SCHEMAS = ("marts", "exports")


def _row_expression(columns: list[tuple[str, str]]) -> str:
    parts = []
    for name, data_type in columns:
        quoted = '"' + name.replace('"', '""') + '"'
        if data_type.upper() in FLOAT_TYPES:
            parts.append(f"cast({quoted} as float)")
        else:
            parts.append(quoted)
    return "row(" + ", ".join(parts) + ")"


def fingerprint(
    con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...] = DEFAULT_SCHEMAS
) -> dict[str, list[int]]:
    """``{schema.table: [row_count, hash_sum]}`` for every base table of ``schemas``."""
    placeholders = ", ".join("?" for _ in schemas)
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables "
        f"where table_schema in ({placeholders}) and table_type = 'BASE TABLE' "
        "order by 1, 2",
        list(schemas),
    ).fetchall()
    result: dict[str, list[int]] = {}
    for schema, table in tables:
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
        count, total = con.execute(
            f"select count(*), coalesce(sum(hash({_row_expression(columns)})::hugeint), 0) "
            f'from "{schema}"."{table}"'
        ).fetchone()
        result[f"{schema}.{table}"] = [int(count), int(total) % (1 << 64)]
    return result


def compare(before: dict[str, list[int]], after: dict[str, list[int]]) -> list[str]:
    """Human-readable differences between two fingerprints (empty = identical)."""
    differences = []
    for name in sorted(set(before) | set(after)):
        if before.get(name) != after.get(name):
            differences.append(f"{name}: {before.get(name)} -> {after.get(name)}")
    return differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work_db", nargs="?", type=Path)
    parser.add_argument("--schemas", default=",".join(DEFAULT_SCHEMAS))
    parser.add_argument("--json", type=Path, help="write the fingerprint here")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"))
    args = parser.parse_args(argv)
    if args.compare:
        first, second = (json.loads(path.read_text()) for path in args.compare)
        differences = compare(first, second)
        print("\n".join(differences) or f"identical ({len(first)} tables)")
        return 1 if differences else 0
    if args.work_db is None:
        parser.error("WORK_DB or --compare is required")
    con = duckdb.connect(str(args.work_db), read_only=True)
    try:
        prints = fingerprint(con, tuple(args.schemas.split(",")))
    finally:
        con.close()
    text = json.dumps(prints, indent=1, sort_keys=True)
    if args.json:
        args.json.write_text(text + "\n")
    print(f"{len(prints)} tables, {sum(count for count, _ in prints.values())} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
