"""Checks as data: a query that yields a small frame, and the expectations it must meet.

Each ``FrameCheck`` becomes one Dagster asset check. The query aggregates in DuckDB (counts,
distinct codes, per-transaction balances) so the frame GX validates stays small whatever
the warehouse size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import duckdb
from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey

from dagster_project.defs.checks.gx import Expectation, validate_frame


@dataclass(frozen=True)
class FrameCheck:
    """One asset check: ``sql`` runs against the work database, GX validates its result.

    ``blocking`` checks stop everything downstream (publish included) when they fail: use it
    where a failure means the numbers would be wrong *and* the next load can repair them.
    Facts about landed payer data that no re-load can undo (raw is append-only) warn instead.
    """

    name: str
    asset: AssetKey
    description: str
    sql: str | Callable[[duckdb.DuckDBPyConnection], str]  # a callable sees the schema first
    expectations: tuple[Expectation, ...]
    blocking: bool = True
    required_tables: tuple[str, ...] = field(default=())

    @property
    def severity(self) -> AssetCheckSeverity:
        return AssetCheckSeverity.ERROR if self.blocking else AssetCheckSeverity.WARN

    def spec(self) -> AssetCheckSpec:
        return AssetCheckSpec(
            self.name, asset=self.asset, description=self.description, blocking=self.blocking
        )


def _existing(con: duckdb.DuckDBPyConnection, tables: Iterable[str]) -> list[str]:
    missing = []
    for qualified in tables:
        schema, table = qualified.split(".")
        found = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()
        if not (found and found[0]):
            missing.append(qualified)
    return missing


def run_checks(
    con: duckdb.DuckDBPyConnection, checks: Iterable[FrameCheck]
) -> Iterator[AssetCheckResult]:
    """Evaluate each check; a missing table fails the check rather than the whole step."""
    for check in checks:
        missing = _existing(con, check.required_tables)
        if missing:
            yield AssetCheckResult(
                asset_key=check.asset,
                check_name=check.name,
                passed=False,
                severity=check.severity,
                description=f"missing tables: {', '.join(missing)}",
            )
            continue
        sql = check.sql(con) if callable(check.sql) else check.sql
        frame = con.execute(sql).df()
        outcomes = validate_frame(
            f"{check.asset.to_python_identifier()}__{check.name}", frame, list(check.expectations)
        )
        yield AssetCheckResult(
            asset_key=check.asset,
            check_name=check.name,
            passed=all(o.passed for o in outcomes),
            severity=check.severity,
            description="; ".join(o.describe() for o in outcomes)[:2000],
            metadata={"rows_validated": len(frame)},
        )
