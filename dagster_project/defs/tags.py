"""Names shared by the assets and ``refresh.py``: stage tags, the summary key, asset keys."""

from dagster import AssetKey

STAGE_TAG = "friction/stage"
# Materialization metadata key: one line a stage reports to the `friction refresh` output.
SUMMARY = "summary"

INGEST = "ingest"
TRANSFORM = "dbt build"
CHECKS = "checks"
PUBLISH = "publish"
EXPORTS = "exports"

STAGE_ORDER = (INGEST, TRANSFORM, CHECKS, PUBLISH, EXPORTS)

PUBLISH_KEY = AssetKey("publish")
FINANCE_EXPORTS_KEY = AssetKey("finance_exports")
# Assets materialized at or after publish: their checks cannot have run when it starts.
PUBLISHED_OR_LATER = frozenset({PUBLISH_KEY, FINANCE_EXPORTS_KEY})
