"""Great Expectations suites on the marts: metric ranges and money amounts. All blocking.

Marts are rebuilt from the latest version of every source row, so a bad value that reaches
them (a payment of five million dollars, a no-show rate of 1.3) is repaired by the next
corrected extract: blocking publish until then costs nothing but a day's staleness, while
publishing it would put a wrong number in front of a practice manager.
"""

from collections.abc import Callable, Iterable, Iterator

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetKey,
    multi_asset_check,
)

from dagster_project.defs.checks.frames import FrameCheck, run_checks
from dagster_project.defs.checks.gx import Expectation
from dagster_project.defs.resources import WarehouseResource
from dagster_project.defs.tags import CHECKS, STAGE_TAG

# Rates whose numerator is not a subset of the denominator, so above 1 is legitimate.
UNBOUNDED_RATES = ("fin.cost_to_collect_rate",)
# One charge, payment or adjustment line above a million dollars is a data error in a
# physician practice; aggregates live in kpi tables, not in the facts checked here.
MAX_LINE_AMOUNT = 1_000_000
# Money is a DECIMAL with two decimals: (18,2) as landed, (38,2) once summed in dbt.
MONEY_TYPE_PATTERN = "DECIMAL(%,2)"


def _rates_within_unit_interval() -> FrameCheck:
    excluded = ", ".join(f"'{m}'" for m in UNBOUNDED_RATES)
    return FrameCheck(
        name="rates_between_0_and_1",
        asset=AssetKey(["marts", "kpi_monthly"]),
        description=(
            "Every metric whose unit is 'rate' in metric_catalog lies in [0, 1], "
            f"except {', '.join(UNBOUNDED_RATES)}."
        ),
        # Each rate's extremes, not its every row: both within [0, 1] iff all values are.
        sql=(
            "select k.metric_id, min(k.value) as lowest, max(k.value) as highest "
            "from marts.kpi_monthly as k join marts.metric_catalog as c using (metric_id) "
            f"where c.unit = 'rate' and k.metric_id not in ({excluded}) and k.value is not null "
            "group by k.metric_id"
        ),
        expectations=tuple(
            Expectation(
                "ExpectColumnValuesToBeBetween", {"column": column, "min_value": 0, "max_value": 1}
            )
            for column in ("lowest", "highest")
        ),
        required_tables=("marts.kpi_monthly", "marts.metric_catalog"),
    )


def _money_extremes_sql(table: str) -> Callable[[duckdb.DuckDBPyConnection], str]:
    """One row per money column of ``marts.<table>``: its largest absolute value."""

    def build(con: duckdb.DuckDBPyConnection) -> str:
        columns = [
            name
            for (name,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? and data_type like ? "
                "order by ordinal_position",
                [table, MONEY_TYPE_PATTERN],
            ).fetchall()
        ]
        if not columns:
            return "select 'none' as column_name, 0.0 as largest where false"
        return " union all ".join(
            f"select '{c}' as column_name, coalesce(max(abs(\"{c}\")), 0) as largest "
            f'from marts."{table}"'
            for c in columns
        )

    return build


def _amounts_in_range(table: str) -> FrameCheck:
    return FrameCheck(
        name="amounts_in_range",
        asset=AssetKey(["marts", table]),
        description=(
            f"Every money column (DECIMAL with 2 decimals) of marts.{table} lies within "
            f"+/- {MAX_LINE_AMOUNT:,} dollars."
        ),
        sql=_money_extremes_sql(table),
        expectations=(
            Expectation(
                "ExpectColumnValuesToBeBetween",
                {"column": "largest", "min_value": 0, "max_value": MAX_LINE_AMOUNT},
            ),
        ),
        required_tables=(f"marts.{table}",),
    )


def mart_frame_checks(asset_keys: Iterable[AssetKey]) -> list[FrameCheck]:
    """The checks whose mart exists in the dbt project (facts are found by name)."""
    keys = set(asset_keys)
    checks = []
    if AssetKey(["marts", "kpi_monthly"]) in keys:
        checks.append(_rates_within_unit_interval())
    facts = sorted(
        k.path[-1] for k in keys if k.path[0] == "marts" and k.path[-1].startswith("fct_")
    )
    checks += [_amounts_in_range(table) for table in facts]
    return checks


def build_mart_checks(asset_keys: Iterable[AssetKey]) -> AssetChecksDefinition | None:
    checks = mart_frame_checks(asset_keys)
    if not checks:
        return None

    @multi_asset_check(
        name="mart_quality_checks",
        specs=[check.spec() for check in checks],
        op_tags={STAGE_TAG: CHECKS},
    )
    def mart_quality_checks(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[AssetCheckResult]:
        """Great Expectations suites on the marts, read-only on the work database."""
        with duckdb.connect(str(warehouse.settings().work_db), read_only=True) as con:
            yield from run_checks(con, checks)

    return mart_quality_checks
