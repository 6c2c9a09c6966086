"""Data health panels: snapshot facts, source freshness, manifest, quarantine, checks."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from app import charts, insights, queries, ui
from app.context import PageContext
from app.fmt import fmt_age
from app.snapshot import last_refresh

FACTS = {
    "built_at": "Built at",
    "refresh_id": "Refresh",
    "files_loaded": "Files loaded",
    "units_loaded": "Rows and segments loaded",
}


def snapshot_facts(ctx: PageContext) -> None:
    meta = queries.snapshot_meta(ctx.key)
    built = meta.get("built_at")
    parts = []
    if not ui.is_blank(built):
        parts.append(f"**Built** {pd.Timestamp(built):%Y-%m-%d %H:%M}")
    if not ui.is_blank(meta.get("refresh_id")):
        parts.append(f"**Refresh** `{meta['refresh_id']}`")
    for name, label in (("files_loaded", "files"), ("units_loaded", "rows and segments")):
        if not ui.is_blank(meta.get(name)):
            parts.append(f"**{int(meta[name]):,}** {label} loaded")
    st.markdown(" · ".join(parts))
    refresh = last_refresh(ctx.key.path)
    if refresh:
        verdict = "succeeded" if refresh.get("ok") else f"failed: {refresh.get('reason')}"
        st.caption(f"Last refresh {refresh.get('finished_at', '')} {verdict}.")
    rows = meta.get("table_rows")
    if isinstance(rows, str) and rows.startswith("{"):
        counts = pd.Series(json.loads(rows), name="rows").rename_axis("table").reset_index()
        with st.expander(f"Rows per published table ({len(counts)} tables)"):
            ui.table(counts, "rows per table", "table_rows")


def freshness(ctx: PageContext) -> None:
    meta = queries.snapshot_meta(ctx.key)
    frame = insights.hours_behind(
        queries.meta_table(ctx.key, "source_freshness"), meta.get("built_at")
    )
    timed = frame.dropna(subset=["hours_behind"]) if not frame.empty else frame
    if timed.empty:
        ui.no_data("source freshness")
        return
    timed = timed.assign(label=timed["source"].astype(str))
    oldest = timed.loc[timed["hours_behind"].idxmax()]
    title = (
        f"{oldest['source']} is the least current source: its newest event was "
        f"{fmt_age(oldest['hours_behind'])} old when the snapshot was built"
    )
    fig = charts.bar(timed, "label", "hours_behind", "hours", title, what="Age of newest event")
    ui.chart_with_data(fig, frame, "source freshness", "freshness")
    untimed = frame[frame["hours_behind"].isna()]["source"].astype(str).tolist()
    if untimed:
        st.caption(f"Reference extracts without event times: {', '.join(untimed)}.")


def manifest(ctx: PageContext) -> None:
    frame = queries.meta_table(ctx.key, "load_manifest")
    if frame.empty:
        ui.no_data("load manifest rows")
        return
    if "status" in frame:
        counts = frame["status"].value_counts()
        st.caption(" · ".join(f"{count} {status}" for status, count in counts.items()))
    ui.table(frame, "load manifest", "load_manifest", height=300)


def quarantine(ctx: PageContext) -> None:
    summary = queries.quarantine_by_reason(ctx.key)
    if summary.empty:
        st.success("Nothing is quarantined: every landed row and segment loaded.")
        return
    ui.table(summary, "quarantine by reason", "quarantine_reasons")
    with st.expander("Every quarantined problem (file, position, reason)"):
        ui.table(queries.meta_table(ctx.key, "quarantine"), "quarantine", "quarantine")


def checks(ctx: PageContext) -> None:
    frame = queries.meta_table(ctx.key, "check_results")
    if frame.empty:
        ui.no_data("check results")
        return
    failed = insights.failed_count(frame)
    blocking = insights.failed_count(frame[_blocking(frame)])
    if blocking:
        st.error(
            f"{blocking} of {len(frame)} checks failed and blocked publishing.",
            icon=":material/error:",
        )
    elif failed:
        st.warning(
            f"{failed} of {len(frame)} checks failed as warnings (they do not block a refresh).",
            icon=":material/warning:",
        )
    else:
        st.success(f"All {len(frame)} checks passed.", icon=":material/check_circle:")
    order = frame["passed"].fillna(False).astype(bool) if "passed" in frame else None
    shown = frame if order is None else frame.assign(_o=order).sort_values("_o").drop(columns="_o")
    ui.table(shown.reset_index(drop=True), "check results", "check_results")


def _blocking(frame: pd.DataFrame) -> pd.Series:
    """Checks whose failure stops the refresh (older snapshots: severity ERROR)."""
    if "blocking" in frame:
        return frame["blocking"].fillna(False).astype(bool)
    if "severity" in frame:
        return frame["severity"].astype(str).str.upper().eq("ERROR")
    return pd.Series(True, index=frame.index)
