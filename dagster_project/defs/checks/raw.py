"""Great Expectations suites on the raw layer: load integrity, code sets, 835 balancing.

Load integrity blocks: rows in ``raw.<table>`` that the manifest does not account for mean
the load itself is broken. Code sets and 835 balancing are about what payers sent; raw is
append-only, so no later load could make them pass again and blocking would freeze the
warehouse: they warn (and the Data health page shows them).
"""

import csv
from collections.abc import Iterator

import duckdb
from dagster import AssetCheckExecutionContext, AssetCheckResult, multi_asset_check

from dagster_project.defs.assets.ingestion import csv_extract_tables, raw_key
from dagster_project.defs.checks.frames import FrameCheck, run_checks
from dagster_project.defs.checks.gx import Expectation
from dagster_project.defs.resources import WarehouseResource
from dagster_project.defs.tags import CHECKS, STAGE_TAG
from dagster_project.settings import DBT_PROJECT_DIR
from ingestion.contracts import APPOINTMENT_STATUSES

# Amounts are DECIMAL(18,2): a balance is off when it differs by a cent or more.
CENT = 0.005


def seed_codes(seed: str, column: str, *, where: tuple[str, str] | None = None) -> list[str]:
    """A code list from a dbt seed, so dbt and the checks share one definition."""
    with open(DBT_PROJECT_DIR / "seeds" / f"{seed}.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return sorted(r[column] for r in rows if where is None or r[where[0]] == where[1])


def _rows_match_manifest(table: str, extract: str) -> FrameCheck:
    return FrameCheck(
        name="rows_match_manifest",
        asset=raw_key(table),
        description=(
            f"raw.{table} holds exactly the rows raw._load_manifest says were loaded "
            f"for {extract} (sum of units_loaded)."
        ),
        sql=(
            f'select (select count(*) from raw."{table}") as raw_rows, '
            "(select coalesce(sum(units_loaded), 0) from raw._load_manifest "
            f"where extract = '{extract}') as manifest_rows"
        ),
        expectations=(
            Expectation(
                "ExpectColumnPairValuesToBeEqual",
                {"column_A": "raw_rows", "column_B": "manifest_rows"},
            ),
        ),
        required_tables=(f"raw.{table}", "raw._load_manifest"),
    )


def _code_set(
    name: str, table: str, column: str, codes: list[str], *, blocking: bool, why: str
) -> FrameCheck:
    return FrameCheck(
        name=name,
        asset=raw_key(table),
        description=f"raw.{table}.{column} only holds codes of {why}.",
        sql=f'select distinct {column} as code from raw."{table}" where {column} is not null',
        expectations=(
            Expectation("ExpectColumnValuesToBeInSet", {"column": "code", "value_set": codes}),
        ),
        blocking=blocking,
        required_tables=(f"raw.{table}",),
    )


def _balance(name: str, table: str, description: str, sql: str) -> FrameCheck:
    # Only the rows that are off by anything reach pandas: an exact zero passes the
    # expectation anyway (as does a null, which GX counts as missing), and there is one row
    # per 835 claim, millions on a large practice.
    return FrameCheck(
        name=name,
        asset=raw_key(table),
        description=description,
        sql=f"select * from ({sql}) as balances where difference <> 0",
        expectations=(
            Expectation(
                "ExpectColumnValuesToBeBetween",
                {"column": "difference", "min_value": -CENT, "max_value": CENT},
            ),
        ),
        blocking=False,
        required_tables=(
            "raw.x12_transactions",
            "raw.x12_835_claims",
            "raw.x12_835_adjustments",
            "raw.x12_835_provider_adjustments",
        ),
    )


# BPR02 (negative for a debit) = sum of CLP04 - sum of PLB amounts, per 835 transaction.
_TRANSACTION_BALANCE_SQL = """
with claims as (
    select _file_hash, st_position, sum(paid_amount) as paid
    from raw.x12_835_claims group by all
), plb as (
    select _file_hash, st_position, sum(amount) as adjusted
    from raw.x12_835_provider_adjustments group by all
)
select t._file_hash, t.st_position,
    (case when t.credit_debit_flag = 'D' then -1 else 1 end) * t.payment_amount
        - (coalesce(c.paid, 0) - coalesce(p.adjusted, 0)) as difference
from raw.x12_transactions as t
left join claims as c using (_file_hash, st_position)
left join plb as p using (_file_hash, st_position)
where t.transaction_set_id = '835'
"""

# CLP03 (charge) - CLP04 (paid) = every CAS amount on the claim, claim and line level.
_CLAIM_BALANCE_SQL = """
with cas as (
    select _file_hash, st_position, claim_position, sum(amount) as adjusted
    from raw.x12_835_adjustments group by all
)
select c._file_hash, c.st_position, c.claim_position,
    c.total_charge - c.paid_amount - coalesce(cas.adjusted, 0) as difference
from raw.x12_835_claims as c
left join cas using (_file_hash, st_position, claim_position)
"""


def raw_frame_checks() -> list[FrameCheck]:
    checks = [
        _rows_match_manifest(table, extract)
        for table, extract in sorted(csv_extract_tables().items())
    ]
    checks += [
        # The loader quarantines any other status, so a failure here is an ingestion bug.
        _code_set(
            "status_in_code_set",
            "pm__appointments",
            "status",
            list(APPOINTMENT_STATUSES),
            blocking=True,
            why="the extract contract (ingestion/contracts.py APPOINTMENT_STATUSES)",
        ),
        _code_set(
            "clp02_in_code_set",
            "x12_835_claims",
            "claim_status_code",
            seed_codes("x12_claim_status_codes", "claim_status_code"),
            blocking=False,
            why="CLP02 claim status (seed x12_claim_status_codes)",
        ),
        _code_set(
            "group_code_in_code_set",
            "x12_835_adjustments",
            "group_code",
            seed_codes("x12_adjustment_group_codes", "group_code", where=("valid_in_5010", "true")),
            blocking=False,
            why="CAS01 group codes valid in 5010 (seed x12_adjustment_group_codes)",
        ),
        _balance(
            "payments_balance",
            "x12_transactions",
            "Every 835 balances: BPR02 = sum of CLP04 - sum of PLB adjustments (to the cent).",
            _TRANSACTION_BALANCE_SQL,
        ),
        _balance(
            "claims_balance",
            "x12_835_claims",
            "Every 835 claim balances: CLP03 - CLP04 = sum of its CAS amounts (to the cent).",
            _CLAIM_BALANCE_SQL,
        ),
    ]
    return checks


RAW_CHECKS = raw_frame_checks()


@multi_asset_check(
    name="raw_quality_checks",
    specs=[check.spec() for check in RAW_CHECKS],
    op_tags={STAGE_TAG: CHECKS},
)
def raw_quality_checks(
    context: AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[AssetCheckResult]:
    """Great Expectations suites on the raw tables, read-only on the work database."""
    with duckdb.connect(str(warehouse.settings().work_db), read_only=True) as con:
        yield from run_checks(con, RAW_CHECKS)
