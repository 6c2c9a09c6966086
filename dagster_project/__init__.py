"""Dagster definitions of the refresh: stages, assets, checks, schedules."""

import ingestion  # noqa: F401  (configures polars' allocator before anything loads polars)
