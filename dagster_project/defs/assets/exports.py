"""Finance exports: the CSV set of each refresh, written from the snapshot just published."""

from dagster import AssetExecutionContext, MaterializeResult, asset

from dagster_project.defs.project import dbt_project
from dagster_project.defs.resources import WarehouseResource
from dagster_project.defs.tags import (
    EXPORTS,
    FINANCE_EXPORTS_KEY,
    PUBLISH_KEY,
    STAGE_TAG,
    SUMMARY,
)
from dagster_project.finance_exports import export_refresh


@asset(
    key=FINANCE_EXPORTS_KEY,
    deps=[PUBLISH_KEY],
    group_name="serving",
    kinds={"csv"},
    op_tags={STAGE_TAG: EXPORTS},
    description=(
        "<home>/exports/finance/<date>/: revenue summary, A/R aging, payments posted and "
        "denial write-offs, with control totals and a data dictionary."
    ),
)
def finance_exports(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    """Written after publish, from the serving snapshot: exports match the dashboard."""
    written = export_refresh(warehouse.settings(), dbt_project.manifest_path)
    rows = sum(written.files.values())
    return MaterializeResult(
        metadata={
            "folder": str(written.folder),
            SUMMARY: f"{written.folder}: {len(written.files)} files, {rows:,} rows",
            "dagster/row_count": rows,
            **{f"rows {name}": rows for name, rows in written.files.items()},
        }
    )
