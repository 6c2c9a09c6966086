"""One memory bound for every DuckDB connection that writes the warehouse.

DuckDB's default is 80 % of the machine's memory, and its buffer pool fills it with cached
blocks when a refresh reads gigabytes (the large preset peaked at 5.9 GB). A bound makes
DuckDB evict and spill to disk instead. dbt's profile reads the same variable
(dbt/profiles.yml), so the load, the dbt build and the publish share it.
"""

from __future__ import annotations

import os
import re

import duckdb

MEMORY_LIMIT_ENV = "FRICTION_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "3GB"
_SIZE = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


def memory_limit() -> str:
    """The configured bound, e.g. ``3GB``; a value DuckDB would not take is refused here."""
    value = os.environ.get(MEMORY_LIMIT_ENV, "").strip() or DEFAULT_MEMORY_LIMIT
    if not _SIZE.match(value):
        raise ValueError(f"{MEMORY_LIMIT_ENV}={value!r}: expected a size such as 3GB or 1500MB")
    return value


def bound_memory(con: duckdb.DuckDBPyConnection) -> None:
    """Apply the bound to ``con`` (the setting is per database instance)."""
    con.execute(f"SET memory_limit = '{memory_limit()}'")
