"""Names shared by the assets and ``refresh.py``: each op's stage tag, the summary key."""

STAGE_TAG = "friction/stage"
# Materialization metadata key: one line a stage reports to the `friction refresh` output.
SUMMARY = "summary"

INGEST = "ingest"
TRANSFORM = "dbt build"
CHECKS = "checks"
PUBLISH = "publish"
EXPORTS = "exports"

STAGE_ORDER = (INGEST, TRANSFORM, CHECKS, PUBLISH, EXPORTS)
