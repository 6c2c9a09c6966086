"""Question-sized panels: a published metric by a dimension or over time, charted with a
title that states the finding, and the numbers behind it (with a download)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from app import charts, queries, ui
from app.context import PageContext
from app.fmt import fmt_value, month_label
from app.kpis import Reading, pick_scope, target_parts

ID_DIMENSIONS = {"location", "provider", "payer"}


def pretty(value: str) -> str:
    return str(value).replace("_", " ").capitalize()


def _catalog(ctx: PageContext, metric_id: str) -> dict:
    return queries.metric_info(ctx.key, metric_id)


def labelled(frame: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Readable labels for non-id dimensions (ids already carry names from the dims)."""
    if dimension in ID_DIMENSIONS:
        return frame
    return frame.assign(label=frame["dimension_value"].map(pretty))


def restrict(frame: pd.DataFrame, dimension: str, ctx: PageContext) -> pd.DataFrame:
    """Narrow a provider breakdown to the providers the location/specialty filters keep."""
    f = ctx.filters
    if dimension != "provider" or frame.empty:
        return frame
    keep = queries.providers(ctx.key)
    if f.location_id is not None:
        keep = keep[keep["location_id"] == f.location_id]
    if f.specialty is not None:
        keep = keep[keep["specialty"] == f.specialty]
    if f.provider_id is not None:
        keep = keep[keep["provider_id"] == f.provider_id]
    return frame[frame["dimension_value"].isin(keep["provider_id"])]


def dimension_for(ctx: PageContext, metric_id: str, candidates: Sequence[str]) -> str | None:
    """The first of candidates the mart publishes the metric by (names vary by model)."""
    published = queries.metric_dimensions(ctx.key)
    have = set(published.loc[published["metric_id"] == metric_id, "dimension"])
    return next((c for c in candidates if c in have), None)


def latest_by(ctx: PageContext, metric_id: str, dimension: str) -> pd.DataFrame:
    """End-month values of one metric by a dimension (label, value, numerator, denominator)."""
    f = ctx.filters
    frame = queries.kpi_breakdown(ctx.key, (metric_id,), dimension, f.end, f.end)
    frame = labelled(restrict(frame, dimension, ctx), dimension)
    return frame[["dimension_value", "label", "value", "numerator", "denominator"]]


def bucket_order(labels: Sequence[str]) -> list[str]:
    """Age buckets in age order ('0-30', '31-60', ..., '>120'), whatever their spelling."""

    def rank(label: str) -> tuple[float, str]:
        digits = re.findall(r"\d+", label)
        start = float(digits[0]) if digits else float("inf")
        return (start + (0.5 if label.strip().startswith(">") else 0.0), label)

    return sorted(labels, key=rank)


def practice_reading(ctx: PageContext, metric_id: str) -> Reading:
    """A metric for the whole practice in the end month (for charts that are practice-wide)."""
    return ui.read(ctx, metric_id, ("practice", "all", "whole practice"))


def period_total_by(ctx: PageContext, metric_id: str, dimension: str) -> pd.DataFrame:
    """A count or sum metric added up over the period's months, by a dimension.

    Only for metrics published under the count/sum convention (denominator null): their
    monthly values add up to the period's value by construction.
    """
    f = ctx.filters
    frame = queries.kpi_breakdown(ctx.key, (metric_id,), dimension, f.start, f.end)
    frame = labelled(restrict(frame, dimension, ctx), dimension)
    if frame["denominator"].notna().any():
        raise ValueError(f"{metric_id} is a ratio; its months cannot be added up")
    totals = frame.groupby(["dimension_value", "label"], as_index=False)["value"].sum()
    return totals.sort_values("value", ascending=False).reset_index(drop=True)


def worst_title(frame: pd.DataFrame, info: dict, dimension: str, month: str) -> str:
    if frame.empty:
        return f"{info['title']} by {dimension}"
    worst = frame.loc[
        frame["value"].idxmin() if info["higher_is_better"] else frame["value"].idxmax()
    ]
    return (
        f"{worst['label']} is worst on {str(info['title']).lower()}: "
        f"{fmt_value(worst['value'], info['unit'])} in {month}"
    )


def by_dimension(
    ctx: PageContext, metric_id: str, dimension: str, key: str, title: str | None = None
) -> pd.DataFrame:
    """Bar chart of a metric by a dimension for the end month; returns the frame shown."""
    info = _catalog(ctx, metric_id)
    frame = latest_by(ctx, metric_id, dimension)
    month = month_label(ctx.filters.end)
    if frame.dropna(subset=["value"]).empty:
        ui.no_data(f"{str(info['title']).lower()} by {dimension}")
        return frame
    frame = frame.dropna(subset=["value"])
    order = bucket_order(list(frame["label"])) if dimension.endswith("bucket") else None
    if order and title is None:
        oldest = frame[frame["label"] == order[-1]].iloc[0]
        title = (
            f"{info['title']} by age, {month}: {fmt_value(oldest['value'], info['unit'])} "
            f"in the oldest bucket ({oldest['label']})"
        )
    fig = charts.bar(
        frame,
        "label",
        "value",
        info["unit"],
        title or worst_title(frame, info, dimension, month),
        what=str(info["title"]),
        order=order,
    )
    shown = frame.rename(columns={"label": dimension, "value": info["title"]})
    ui.chart_with_data(fig, shown, f"{info['title']} by {dimension}, {month}", key)
    return frame


def series(ctx: PageContext, metric_ids: Sequence[str]) -> pd.DataFrame:
    """Monthly values over the period in the filtered scope, one column 'metric' per title."""
    f = ctx.filters
    dimension, value, _ = f.scope()
    rows = []
    for metric_id in metric_ids:
        points, _ = pick_scope(queries.kpi_series(ctx.key, metric_id), dimension, value)
        title = _catalog(ctx, metric_id)["title"]
        rows.extend((title, *p) for p in points if f.start <= p[0] <= f.end)
    columns = ["metric", "period_month", "numerator", "denominator", "value"]
    return pd.DataFrame(rows, columns=columns)


def change_title(frame: pd.DataFrame, info: dict) -> str:
    rows = frame.dropna(subset=["value"]).sort_values("period_month")
    if len(rows) < 2:
        return str(info["title"])
    first, last = rows.iloc[0], rows.iloc[-1]
    verb = "rose" if last["value"] > first["value"] else "fell"
    if last["value"] == first["value"]:
        verb = "held"
    return (
        f"{info['title']} {verb} from {fmt_value(first['value'], info['unit'])} in "
        f"{month_label(first['period_month'])} to {fmt_value(last['value'], info['unit'])} "
        f"in {month_label(last['period_month'])}"
    )


def over_time(
    ctx: PageContext, metric_ids: Sequence[str], key: str, title: str | None = None
) -> pd.DataFrame:
    """Line chart of one or more same-unit metrics over the period in the filtered scope."""
    frame = series(ctx, metric_ids)
    info = _catalog(ctx, metric_ids[0])
    if frame.dropna(subset=["value"]).empty:
        ui.no_data(str(info["title"]).lower())
        return frame
    target = None
    if len(metric_ids) == 1:
        target = target_parts(queries.metric_target(ctx.key, metric_ids[0]))[0]
    fig = charts.trend(
        frame,
        "value",
        info["unit"],
        title or change_title(frame, info),
        series="metric" if len(metric_ids) > 1 else None,
        what=None if len(metric_ids) > 1 else str(info["title"]),
        target=target,
    )
    shown = frame[["metric", "period_month", "numerator", "denominator", "value"]]
    name = f"{info['title']} by month" if len(metric_ids) == 1 else "these metrics by month"
    ui.chart_with_data(fig, shown, name, key)
    return frame


def relation(
    ctx: PageContext, x_metric: str, y_metric: str, dimension: str, key: str
) -> pd.DataFrame:
    """Scatter of two metrics across the values of a dimension (end month)."""
    x_info, y_info = _catalog(ctx, x_metric), _catalog(ctx, y_metric)
    x = latest_by(ctx, x_metric, dimension)[["dimension_value", "label", "value"]]
    y = latest_by(ctx, y_metric, dimension)[["dimension_value", "value"]]
    frame = x.merge(y, on="dimension_value", suffixes=("_x", "_y")).dropna()
    if len(frame) < 2:
        ui.no_data(f"{x_info['title'].lower()} and {y_info['title'].lower()} by {dimension}")
        return frame
    corr = frame["value_x"].corr(frame["value_y"])
    if corr >= 0.3:
        finding = f"Higher {x_info['title'].lower()} goes with higher {y_info['title'].lower()}"
    elif corr <= -0.3:
        finding = f"Higher {x_info['title'].lower()} goes with lower {y_info['title'].lower()}"
    else:
        finding = f"No clear link between {x_info['title'].lower()} and {y_info['title'].lower()}"
    fig = charts.scatter(
        frame,
        "value_x",
        "value_y",
        x_info["unit"],
        y_info["unit"],
        "label",
        f"{finding} ({dimension}s, {month_label(ctx.filters.end)})",
        x_info["title"],
        y_info["title"],
    )
    shown = frame.rename(
        columns={"label": dimension, "value_x": x_info["title"], "value_y": y_info["title"]}
    ).drop(columns=["dimension_value"])
    ui.chart_with_data(fig, shown, f"{x_info['title']} vs {y_info['title']}", key)
    return frame


def _column_name(info: dict) -> str:
    unit = {"rate": "%", "hours": "h", "days": "days", "minutes": "min", "usd": "$"}
    suffix = unit.get(str(info["unit"]))
    title = str(info["title"])
    return f"{title} ({suffix})" if suffix and not title.endswith(")") else title


def scorecard(
    ctx: PageContext, metric_ids: Sequence[str], dimension: str, volume: str, key: str
) -> pd.DataFrame:
    """One row per dimension value, one column per metric (end month), plus a volume column
    (the denominator of the `volume` metric)."""
    f = ctx.filters
    frame = queries.kpi_breakdown(ctx.key, tuple(metric_ids), dimension, f.end, f.end)
    frame = labelled(restrict(frame, dimension, ctx), dimension)
    if frame.empty:
        ui.no_data(f"scorecard by {dimension}")
        return frame
    wide = frame.pivot_table(index="label", columns="metric_id", values="value", aggfunc="first")
    counts = frame[frame["metric_id"] == volume].set_index("label")["denominator"]
    table = pd.DataFrame({dimension.replace("_", " ").capitalize(): wide.index})
    table["Decided requests"] = table.iloc[:, 0].map(counts).astype("Float64")
    for metric_id in metric_ids:
        info = _catalog(ctx, metric_id)
        if metric_id in wide:
            values = table.iloc[:, 0].map(wide[metric_id]) * (100 if info["unit"] == "rate" else 1)
            table[_column_name(info)] = values.astype("Float64").round(1)
    ui.table(table, f"scorecard by {dimension}, {month_label(f.end)}", key)
    return table


def over_time_by(ctx: PageContext, metric_id: str, dimension: str, key: str) -> pd.DataFrame:
    """One line per value of a dimension over the period (e.g. each location by month)."""
    f = ctx.filters
    info = _catalog(ctx, metric_id)
    frame = queries.kpi_breakdown(ctx.key, (metric_id,), dimension, f.start, f.end)
    frame = labelled(restrict(frame, dimension, ctx), dimension).dropna(subset=["value"])
    if frame.empty:
        ui.no_data(f"{str(info['title']).lower()} by {dimension} over time")
        return frame
    latest = frame[frame["period_month"] == frame["period_month"].max()]
    month = month_label(latest["period_month"].iloc[0])
    title = f"{info['title']} by {dimension} and month. " + worst_title(
        latest, info, dimension, month
    )
    fig = charts.trend(frame, "value", info["unit"], title, series="label")
    shown = frame[["label", "period_month", "numerator", "denominator", "value"]]
    ui.chart_with_data(fig, shown, f"{info['title']} by {dimension} and month", key)
    return frame
