"""Reusable page pieces: banner, first-run message, KPI row, chart, table with download.

Pages compose these so that each page file is a short list of questions and answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import queries, signin
from app.context import PageContext
from app.fmt import fmt_age, fmt_delta, is_unchanged, month_label
from app.kpis import Reading, read_metric

FIRST_RUN = (
    "**No data to show yet.** The dashboard reads the serving snapshot at `{path}`, and "
    "{problem}.\n\nRun `friction refresh` (or `friction demo` for the simulated practice) "
    "to load the landing files and publish a snapshot, then reload this page."
)


def first_run(path: str, problem: str) -> None:
    st.title("Friction warehouse")
    st.info(FIRST_RUN.format(path=path, problem=problem), icon=":material/hourglass_empty:")


def snapshot_age_hours(built_at: object, now: datetime | None = None) -> float | None:
    """Hours since the snapshot was built; naive timestamps are the machine's local time."""
    if built_at is None or pd.isna(built_at):
        return None
    stamp = pd.Timestamp(built_at)
    if stamp.tzinfo is None:
        reference = pd.Timestamp(now or datetime.now())
    else:
        reference = pd.Timestamp(now or datetime.now().astimezone())
        if reference.tzinfo is None:
            reference = reference.tz_localize(stamp.tzinfo)
    return max(0.0, (reference - stamp).total_seconds() / 3600)


def banner(
    meta: dict, stale_after: float, fallback_built_at: datetime, refresh: dict | None = None
) -> None:
    """Snapshot age on every page; a warning once it is older than stale_after hours or
    when the last refresh failed (the snapshot shown is then the last good one)."""
    built_at = meta.get("built_at", fallback_built_at)
    hours = snapshot_age_hours(built_at)
    refresh_id = meta.get("refresh_id")
    stamp = pd.Timestamp(built_at).strftime("%Y-%m-%d %H:%M")
    detail = f"Snapshot built {stamp}" + (f" (refresh {refresh_id})" if refresh_id else "")
    if refresh and refresh.get("ok") is False:
        st.error(
            f"The last refresh ({refresh.get('finished_at', 'time unknown')}) failed: "
            f"{refresh.get('reason', 'no reason recorded')}. The figures below are from the "
            f"last good snapshot, built {stamp}.",
            icon=":material/sync_problem:",
        )
    if hours is not None and hours > stale_after:
        st.warning(
            f"{detail}: the data is {fmt_age(hours)} old, older than the "
            f"{stale_after:g} h freshness limit. Run `friction refresh` or check the "
            "Data health page.",
            icon=":material/schedule:",
        )
    else:
        age = f", {fmt_age(hours)} ago" if hours is not None else ""
        st.caption(f":material/database: {detail}{age}.")


def readings(ctx: PageContext, metric_ids: Sequence[str]) -> list[Reading]:
    """Tiles' data for the end month of the period in the filtered scope."""
    f = ctx.filters
    return [read(ctx, m, f.scope()) for m in metric_ids]


def read(ctx: PageContext, metric_id: str, scope: tuple[str, str, str]) -> Reading:
    f = ctx.filters
    return read_metric(
        metric_id,
        queries.metric_info(ctx.key, metric_id),
        queries.metric_target(ctx.key, metric_id),
        queries.kpi_series(ctx.key, metric_id),
        scope,
        f.end,
        f.previous_month,
    )


def kpi_row(
    ctx: PageContext, metric_ids: Sequence[str], per_row: int = 4, note: bool = True
) -> list[Reading]:
    """Metric tiles with change vs the previous month, target and how each is computed."""
    tiles = readings(ctx, metric_ids)
    for offset in range(0, len(tiles), per_row):
        columns = st.columns(per_row)
        for column, tile in zip(columns, tiles[offset : offset + per_row], strict=False):
            with column:
                flat = tile.change is not None and is_unchanged(tile.change, tile.unit)
                st.metric(
                    tile.title,
                    tile.shown(),
                    delta=fmt_delta(tile.change, tile.unit),
                    # No change is neither good nor bad: grey, no arrow.
                    delta_color="off" if flat else "normal" if tile.higher_is_better else "inverse",
                    delta_arrow="off" if flat else "auto",
                    delta_description=f"vs {month_label(ctx.filters.previous_month)}",
                    help=tile.how_computed(),
                    border=True,
                )
                notes = [tile.target_text()] if tile.target_text() else []
                if tile.fell_back:
                    notes.append("whole practice: not published for this filter")
                if notes:
                    st.caption(" · ".join(notes))
    if note:
        st.caption(f"Tiles show {month_label(ctx.filters.end)}, the last month of the period.")
    return tiles


def staff_hours_tile(ctx: PageContext) -> None:
    """Staff hours of administrative work in the month: the published numerator of
    staff.minutes_per_visit (touch minutes) shown in hours."""
    tile = read(ctx, "staff.minutes_per_visit", ctx.filters.scope())
    hours = None if tile.numerator is None else tile.numerator / 60
    st.metric(
        "Staff hours on administrative work",
        "n/a" if hours is None else f"{hours:,.1f} h" if hours < 100 else f"{hours:,.0f} h",
        help=(
            "Touch minutes of every work item started in the month / 60: the numerator of "
            f"`staff.minutes_per_visit` ({tile.scope_label}). Rework hours alone are not "
            "published yet."
        ),
        border=True,
    )


def chart(fig: go.Figure, key: str, selectable: bool = False) -> dict | None:
    """A plotly chart; with selectable=True returns the reader's click/box selection."""
    config = {"displaylogo": False}
    if not selectable:
        st.plotly_chart(fig, key=key, config=config)
        return None
    event = st.plotly_chart(
        fig, key=key, config=config, on_select="rerun", selection_mode=("points",)
    )
    return event.get("selection") if event else None


def table(frame: pd.DataFrame, name: str, key: str, height: int | str = "auto") -> None:
    """A table and its CSV download (every table in the app can be taken away, by roles
    allowed to export when sign-in is on)."""
    st.dataframe(frame, hide_index=True, height=height)
    if not signin.allowed("export"):
        return
    st.download_button(
        f"Download {name} (CSV)",
        # Encoded only when clicked: most tables are never downloaded.
        data=lambda: frame.to_csv(index=False).encode("utf-8"),
        file_name=f"{key}.csv",
        mime="text/csv",
        key=f"dl_{key}",
        on_click="ignore",
        icon=":material/download:",
    )


def chart_with_data(
    fig: go.Figure, frame: pd.DataFrame, name: str, key: str, selectable: bool = False
) -> dict | None:
    """A chart and, folded underneath, the numbers behind it with a download."""
    selection = chart(fig, key=f"chart_{key}", selectable=selectable)
    with st.expander(f"Data behind this chart: {name}"):
        table(frame, name, key)
    return selection


def is_blank(value: object) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def no_data(what: str) -> None:
    st.info(f"No {what} for the selected filters and period.", icon=":material/info:")
