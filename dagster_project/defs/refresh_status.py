"""``<home>/serving/last_refresh.json``: how the last refresh ended, and why when it failed.

The serving snapshot only changes on success, so a failed refresh cannot record itself in
it; this small file beside it can. Written by the publish asset (success), by ``friction
refresh`` and by the run-failure sensor (failure). The dashboard reads it next to the
snapshot's ``meta.snapshot.built_at`` to say how old the data is and why it did not update.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from dagster import DagsterEventType, DagsterInstance
from dagster._utils.error import SerializableErrorInfo

STATUS_FILE = "last_refresh.json"


def status_path(serving_db: Path) -> Path:
    return serving_db.parent / STATUS_FILE


def write_status(serving_db: Path, status: dict[str, Any]) -> Path:
    """Replace the status file atomically (readers never see half a JSON document)."""
    path = status_path(serving_db)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(status, indent=2, sort_keys=True, default=str) + "\n")
    os.replace(tmp, path)
    return path


def read_status(serving_db: Path) -> dict[str, Any] | None:
    path = status_path(serving_db)
    return json.loads(path.read_text()) if path.exists() else None


def check_results(instance: DagsterInstance, run_id: str) -> list[dict[str, Any]]:
    """Every asset check evaluated in the run, as rows for ``meta.check_results``."""
    rows = []
    for record in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION):
        event = record.get_dagster_event()
        evaluation = event.asset_check_evaluation_data
        detail = evaluation.description or _metadata_text(evaluation.metadata)
        rows.append(
            {
                "check_name": evaluation.check_name,
                "asset": evaluation.asset_key.to_user_string(),
                "severity": evaluation.severity.value,
                "blocking": bool(evaluation.blocking),
                "passed": bool(evaluation.passed),
                "detail": detail,
                "checked_at": dt.datetime.fromtimestamp(record.timestamp),
            }
        )
    return rows


def _metadata_text(metadata: Any) -> str | None:
    if not metadata:
        return None
    parts = []
    for key, value in sorted(metadata.items()):
        shown = getattr(value, "value", value)
        parts.append(f"{key}={shown}")
    return "; ".join(parts)[:2000]


def failed_blocking(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in results if not r["passed"] and r["severity"] == "ERROR" and r["blocking"]]


def check_names(results: list[dict[str, Any]]) -> str:
    return ", ".join(f"{r['asset']}:{r['check_name']}" for r in results)


def _root_cause(error: SerializableErrorInfo | None) -> str:
    """The innermost error's message: "dbt failed on model x", not "error in op dbt"."""
    if error is None:
        return "unknown error"
    while error.cause is not None:
        error = error.cause
    lines = [line.strip() for line in error.message.splitlines() if line.strip()]
    return " ".join(lines)[:600]


def failure_reason(instance: DagsterInstance, run_id: str) -> str:
    """A one-paragraph reason: the failed blocking checks, else the failed steps' errors."""
    blocked = failed_blocking(check_results(instance, run_id))
    if blocked:
        return f"blocking checks failed: {check_names(blocked)}"
    errors = []
    for record in instance.all_logs(run_id, of_type=DagsterEventType.STEP_FAILURE):
        event = record.get_dagster_event()
        errors.append(f"{event.step_key}: {_root_cause(event.step_failure_data.error)}")
    if errors:
        return "; ".join(errors)[:2000]
    for record in instance.all_logs(run_id, of_type=DagsterEventType.RUN_FAILURE):
        return record.get_dagster_event().message or "run failed"
    return "run failed"


def record_failure(serving_db: Path, *, run_id: str, reason: str) -> Path:
    """Say that a refresh failed and that the snapshot in place is the last good one."""
    previous = read_status(serving_db) or {}
    return write_status(
        serving_db,
        {
            "ok": False,
            "run_id": run_id,
            "finished_at": dt.datetime.now().isoformat(timespec="seconds"),
            "reason": reason,
            "serving_snapshot_unchanged": True,
            "last_success": previous.get("last_success"),
        },
    )


def record_success(serving_db: Path, *, run_id: str, built_at: dt.datetime, rows: int) -> Path:
    summary = {
        "ok": True,
        "run_id": run_id,
        "finished_at": dt.datetime.now().isoformat(timespec="seconds"),
        "snapshot_built_at": built_at.isoformat(timespec="seconds"),
        "snapshot_rows": rows,
    }
    return write_status(serving_db, {**summary, "last_success": dict(summary)})
