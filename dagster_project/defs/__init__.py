"""Everything Dagster loads, assembled from one ``Settings`` (``build_defs``).

Definitions depend on settings (the schedule's cron, the folder the sensor watches) and on
the dbt manifest, so they are built by a function rather than collected at import time.
"""

from __future__ import annotations

from dagster import Definitions

from dagster_project.defs.assets.dbt import build_dbt_assets
from dagster_project.defs.assets.exports import finance_exports
from dagster_project.defs.assets.ingestion import raw_landing
from dagster_project.defs.assets.publish import build_publish_asset
from dagster_project.defs.checks.marts import build_mart_checks
from dagster_project.defs.checks.raw import raw_quality_checks
from dagster_project.defs.jobs import refresh_job
from dagster_project.defs.project import dbt_project, dbt_resource, prepare_manifest
from dagster_project.defs.resources import LoadProgress, WarehouseResource, no_progress
from dagster_project.defs.schedules import build_daily_schedule
from dagster_project.defs.sensors import build_failure_sensor, build_landing_sensor
from dagster_project.settings import Settings
from dagster_project.stages.publish import PUBLISHED_SCHEMAS


def build_defs(settings: Settings, *, load_progress: LoadProgress | None = None) -> Definitions:
    """The code location for one runtime home. ``load_progress`` receives loader progress."""
    prepare_manifest(dbt_project)
    dbt_warehouse = build_dbt_assets(dbt_project)
    dbt_keys = list(dbt_warehouse.keys)
    published = [k for k in dbt_keys if k.path[0] in PUBLISHED_SCHEMAS]
    mart_checks = build_mart_checks(dbt_keys)
    return Definitions(
        assets=[raw_landing, dbt_warehouse, build_publish_asset(published), finance_exports],
        asset_checks=[raw_quality_checks, *([mart_checks] if mart_checks else [])],
        jobs=[refresh_job],
        schedules=[build_daily_schedule(settings)],
        sensors=[build_landing_sensor(settings), build_failure_sensor(settings)],
        resources={
            "warehouse": WarehouseResource.from_settings(settings),
            "dbt": dbt_resource(dbt_project),
            "load_progress": load_progress or no_progress,
        },
    )


__all__ = ["build_defs"]
