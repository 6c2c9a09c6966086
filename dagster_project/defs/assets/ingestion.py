"""Ingestion: the landing folder loaded into ``raw.*``, one asset per raw table.

One multi-asset, not one per source group. The loader (``ingestion.load.load_landing``)
gives every ``friction refresh`` one ``_load_id`` and walks the landing folder once in path
order; four group assets would mean four load ids, four walks and four DuckDB writers per
refresh for no gain. The source groups still show in the UI: every table's asset carries its
group (``raw_pm``, ``raw_ehr``, ``raw_claims`` (837), ``raw_remits`` (835), and ``raw_shared``
for the X12 envelopes both transaction sets fill and the load bookkeeping).
"""

from collections.abc import Iterator

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    ResourceParam,
    multi_asset,
)

from dagster_project.defs.resources import LoadProgress, WarehouseResource
from dagster_project.defs.tags import INGEST, STAGE_TAG, SUMMARY
from ingestion.contracts import ALL_EXTRACTS
from ingestion.x12.tables import X12_TABLES

RAW_SCHEMA = "raw"
BOOKKEEPING_TABLES = ("_load_manifest", "_landing_paths", "_quarantine")
# X12 table name prefix -> source group; the envelopes are shared by 837 and 835 files.
X12_GROUPS = {"x12_837_": "claims", "x12_835_": "remits"}


def raw_table_groups() -> dict[str, str]:
    """Every raw table ingestion writes, mapped to its source group."""
    groups = {extract.table: extract.group for extract in ALL_EXTRACTS}
    for table in X12_TABLES:
        groups[table] = next(
            (group for prefix, group in X12_GROUPS.items() if table.startswith(prefix)), "shared"
        )
    groups.update({table: "shared" for table in BOOKKEEPING_TABLES})
    return groups


def raw_key(table: str) -> AssetKey:
    return AssetKey([RAW_SCHEMA, table])


def csv_extract_tables() -> dict[str, str]:
    """Raw CSV table -> manifest ``extract`` key (``pm__appointments`` -> ``pm/appointments``)."""
    return {extract.table: extract.key for extract in ALL_EXTRACTS}


RAW_SPECS = [
    AssetSpec(
        raw_key(table),
        group_name=f"raw_{group}",
        kinds={"duckdb"},
        description=f"raw.{table}, appended by ingestion (see ingestion/RAW_LAYER.md).",
    )
    for table, group in sorted(raw_table_groups().items())
]


def raw_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per existing raw table, in one query."""
    existing = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = ?",
            [RAW_SCHEMA],
        ).fetchall()
    }
    tables = sorted(existing & set(raw_table_groups()))
    if not tables:
        return {}
    union = " union all ".join(
        f"select '{t}' as t, count(*) as n from {RAW_SCHEMA}.\"{t}\"" for t in tables
    )
    return {t: int(n) for t, n in con.execute(union).fetchall()}


@multi_asset(
    name="raw_landing",
    specs=RAW_SPECS,
    can_subset=False,
    op_tags={STAGE_TAG: INGEST},
)
def raw_landing(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    load_progress: ResourceParam[LoadProgress],
) -> Iterator[MaterializeResult]:
    """Load every new landing file (idempotent: known files are skipped)."""
    from ingestion.load import load_landing

    settings = warehouse.settings()
    settings.ensure_dirs()
    summary = load_landing(
        settings.landing,
        settings.work_db,
        quarantine_dir=settings.quarantine_dir,
        progress=load_progress,
    )
    context.log.info(summary.one_line())
    with duckdb.connect(str(settings.work_db), read_only=True) as con:
        counts = raw_row_counts(con)
    extract_of = csv_extract_tables()
    for spec in RAW_SPECS:
        table = spec.key.path[-1]
        metadata: dict[str, object] = {
            "dagster/row_count": counts.get(table, 0),
            "load_id": summary.load_id,
        }
        if table in extract_of:
            metadata["rows_loaded_this_load"] = summary.rows_loaded.get(extract_of[table], 0)
        if table == "_load_manifest":
            metadata[SUMMARY] = summary.one_line()
        yield MaterializeResult(asset_key=spec.key, metadata=metadata)
