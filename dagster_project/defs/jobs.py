"""The one job: a whole refresh (ingest, dbt build, checks, publish, exports) in one process.

In-process executor: every step writes or reads the same DuckDB file, which allows one
writer, so steps must not run in parallel processes.
"""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor

REFRESH_JOB = "refresh"

refresh_job = define_asset_job(
    REFRESH_JOB,
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    description="Load new landing files, build and check the warehouse, publish, export.",
)
