"""Publish: swap in a new serving snapshot once everything it copies was built and checked.

Dagster already skips this asset when an upstream step failed or a blocking check failed;
the asset checks again itself, because a user can also select it alone in the UI, and
publishing then would copy whatever a failed run left in the work database.
"""

from collections import Counter
from collections.abc import Sequence

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    DagsterEventType,
    Failure,
    MaterializeResult,
    asset,
)

from dagster_project.defs.refresh_status import (
    check_names,
    check_results,
    failed_blocking,
    record_success,
)
from dagster_project.defs.resources import WarehouseResource
from dagster_project.defs.tags import PUBLISH, PUBLISH_KEY, PUBLISHED_OR_LATER, STAGE_TAG, SUMMARY
from dagster_project.stages.publish import COPIED, KEPT, PATCHED, publish_snapshot


def _materialized_in_run(context: AssetExecutionContext, keys: set[AssetKey]) -> set[AssetKey]:
    records = context.instance.all_logs(
        context.run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION
    )
    done = {r.get_dagster_event().asset_key for r in records}
    return done & keys


def _unevaluated_checks(context: AssetExecutionContext) -> list[str]:
    """Checks the run planned (before publish) that produced no result.

    Dagster lets a blocking check that emits nothing pass. That happens when dbt runs a
    different project than the one the definitions were loaded from (files edited mid-run):
    then some tests never ran, and the snapshot must not be published as if they had.
    """
    planned = set()
    for record in context.instance.all_logs(
        context.run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED
    ):
        data = record.get_dagster_event().event_specific_data
        if data.asset_key not in PUBLISHED_OR_LATER:
            planned.add((data.asset_key.to_user_string(), data.check_name))
    evaluated = {
        (r["asset"], r["check_name"]) for r in check_results(context.instance, context.run.run_id)
    }
    return sorted(f"{asset}:{name}" for asset, name in planned - evaluated)


def build_publish_asset(upstream: Sequence[AssetKey]) -> AssetsDefinition:
    """The publish asset, downstream of every asset whose tables the snapshot copies."""
    upstream_keys = set(upstream)

    @asset(
        key=PUBLISH_KEY,
        deps=sorted(upstream_keys, key=lambda k: k.to_user_string()),
        group_name="serving",
        kinds={"duckdb"},
        op_tags={STAGE_TAG: PUBLISH},
        description="The serving snapshot <home>/serving/warehouse.duckdb, swapped in by rename.",
    )
    def publish(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        settings, run_id = warehouse.settings(), context.run.run_id
        results = check_results(context.instance, run_id)
        blocked = failed_blocking(results)
        if blocked:
            raise Failure(f"not publishing: blocking checks failed ({check_names(blocked)})")
        missing = _unevaluated_checks(context)
        if missing:
            raise Failure(
                f"not publishing: {len(missing)} planned checks did not run "
                f"(was the dbt project edited during the run?): {', '.join(missing[:5])}"
            )
        if not _materialized_in_run(context, upstream_keys):
            raise Failure(
                "not publishing: this run built none of the tables it would publish; "
                "run the whole refresh job so the snapshot is built and checked together"
            )
        result = publish_snapshot(
            settings.work_db,
            settings.serving_db,
            check_results=results,
            refresh_id=run_id,
            keep=settings.snapshots_kept,
        )
        total_rows = sum(result.rows.values())
        # How much the publish had to write: a daily refresh keeps or patches most tables.
        counted = Counter(result.actions.values())
        how = {action: counted[action] for action in (KEPT, PATCHED, COPIED)}
        record_success(
            settings.serving_db, run_id=run_id, built_at=result.built_at, rows=total_rows
        )
        return MaterializeResult(
            metadata={
                "path": str(result.path),
                "tables": len(result.tables),
                "dagster/row_count": total_rows,
                "checks_recorded": len(results),
                "built_at": result.built_at.isoformat(),
                **{f"tables_{action}": count for action, count in how.items()},
                SUMMARY: f"{result.path}: {len(result.tables)} tables ({how[KEPT]} kept, "
                f"{how[PATCHED]} patched, {how[COPIED]} copied), {total_rows:,} rows, "
                f"{len(results)} checks recorded",
            }
        )

    return publish
