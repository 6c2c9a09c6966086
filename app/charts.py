"""Plotly figure builders: the title states the finding, axes carry units.

Pure functions (frame in, figure out) so pages stay thin and charts are testable. Figures are
built from plain trace dicts with plotly.graph_objects: plotly.express and named templates
deep-copy large template objects and cost ~30x more per chart; Streamlit's theme styles the
figure in the browser anyway.
"""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from app.fmt import axis_title, fmt_value, plot_scale

BLUE = "#1f6fbf"
PALETTE = ("#1f6fbf", "#e4572e", "#2a9d8f", "#8e6fd8", "#f2a541", "#6c757d")


def wrap_title(title: str, width: int = 62) -> str:
    """Plotly titles do not wrap; break long findings so half-width charts show them whole."""
    return "<br>".join(textwrap.wrap(title, width=width)) or title


def _figure(traces: list[dict], title: str, height: int, **layout: object) -> go.Figure:
    wrapped = wrap_title(title)
    lines = wrapped.count("<br>") + 1
    return go.Figure(
        data=traces,
        layout={
            "title": {"text": wrapped, "font": {"size": 16}},
            "margin": {"l": 10, "r": 10, "t": 40 + 22 * lines, "b": 10},
            "height": height + 22 * (lines - 1),
            "hoverlabel": {"font": {"size": 13}},
            **layout,
        },
    )


def _suffix(unit: str) -> str:
    return "%" if unit == "rate" else ""


def _count_dtick(unit: str, top: float) -> dict:
    # A few claims would otherwise get ticks at 0.5, 1.5, ...
    return {"dtick": 1} if unit == "count" and top <= 10 else {}


def bar(
    frame: pd.DataFrame,
    label: str,
    value: str,
    unit: str,
    title: str,
    what: str | None = None,
    order: list[str] | None = None,
) -> go.Figure:
    """Horizontal bars, largest on top (or top-down in `order`), labelled with their values."""
    data = frame.assign(_plot=frame[value] * plot_scale(unit))
    if order is None:
        data = data.sort_values("_plot", ascending=True)
    else:
        rank = {name: i for i, name in enumerate(reversed(order))}
        data = data.assign(_rank=data[label].map(rank)).sort_values("_rank")
    top = float(data["_plot"].max()) if len(data) else 0.0
    trace = {
        "type": "bar",
        "orientation": "h",
        "x": list(data["_plot"]),
        "y": [str(v) for v in data[label]],
        "text": [fmt_value(v, unit) for v in data[value]],
        "textposition": "outside",
        "cliponaxis": False,
        "customdata": [[str(v)] for v in data[label]],
        "marker": {"color": BLUE},
        "hovertemplate": "%{y}: %{text}<extra></extra>",
    }
    return _figure(
        [trace],
        title,
        max(260, 70 + 34 * len(data)),
        # Room on the right for the value labels printed outside the bars.
        xaxis={
            "title": {"text": axis_title(unit, what)},
            "ticksuffix": _suffix(unit),
            "range": [0, top * 1.2 or 1],
            **_count_dtick(unit, top),
        },
        yaxis={"type": "category", "automargin": True},
        showlegend=False,
    )


def trend(
    frame: pd.DataFrame,
    value: str,
    unit: str,
    title: str,
    series: str | None = None,
    what: str | None = None,
    target: float | None = None,
) -> go.Figure:
    """Monthly lines (one per series), optionally with a dashed target line."""
    data = frame.assign(_plot=frame[value] * plot_scale(unit)).sort_values("period_month")
    groups = data.groupby(series, sort=False) if series else [(what or "value", data)]
    traces = []
    for i, (name, rows) in enumerate(groups):
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": str(name),
                "x": [pd.Timestamp(m) for m in rows["period_month"]],
                "y": list(rows["_plot"]),
                "text": [fmt_value(v, unit) for v in rows[value]],
                "hovertemplate": "%{x|%b %Y}: %{text}<extra>" + str(name) + "</extra>",
                "line": {"color": PALETTE[i % len(PALETTE)]},
            }
        )
    shapes, annotations = [], []
    if target is not None:
        level = target * plot_scale(unit)
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": level,
                "y1": level,
                "line": {"dash": "dash", "color": "#888"},
            }
        )
        annotations.append(
            {
                "xref": "paper",
                "x": 1,
                "y": level,
                "text": f"target {fmt_value(target, unit)}",
                "showarrow": False,
                "yanchor": "bottom",
                "xanchor": "right",
            }
        )
    return _figure(
        traces,
        title,
        340,
        xaxis={"title": {"text": "Month"}, "dtick": "M1", "tickformat": "%b %Y"},
        yaxis={
            "title": {"text": axis_title(unit, what)},
            "ticksuffix": _suffix(unit),
            "rangemode": "tozero",
        },
        shapes=shapes,
        annotations=annotations,
        showlegend=series is not None,
        legend={"orientation": "h", "y": -0.25},
    )


def scatter(
    frame: pd.DataFrame,
    x: str,
    y: str,
    x_unit: str,
    y_unit: str,
    label: str,
    title: str,
    x_what: str,
    y_what: str,
) -> go.Figure:
    trace = {
        "type": "scatter",
        "mode": "markers+text",
        "x": list(frame[x] * plot_scale(x_unit)),
        "y": list(frame[y] * plot_scale(y_unit)),
        "text": [str(v) for v in frame[label]],
        "textposition": "top center",
        "marker": {"size": 12, "color": BLUE},
        "hovertemplate": "%{text}: %{x} / %{y}<extra></extra>",
    }
    return _figure(
        [trace],
        title,
        380,
        xaxis={"title": {"text": axis_title(x_unit, x_what)}, "ticksuffix": _suffix(x_unit)},
        yaxis={"title": {"text": axis_title(y_unit, y_what)}, "ticksuffix": _suffix(y_unit)},
        showlegend=False,
    )


def pareto(frame: pd.DataFrame, label: str, value: str, title: str, what: str) -> go.Figure:
    """Bars sorted descending with the cumulative share on a second axis."""
    data = frame.sort_values(value, ascending=False).reset_index(drop=True)
    total = float(data[value].sum())
    cumulative = list(data[value].cumsum() / total * 100) if total else [0.0] * len(data)
    names = [str(v) for v in data[label]]
    return _figure(
        [
            {
                "type": "bar",
                "x": names,
                "y": list(data[value]),
                "name": what,
                "marker": {"color": BLUE},
            },
            {
                "type": "scatter",
                "x": names,
                "y": cumulative,
                "name": "cumulative share",
                "yaxis": "y2",
                "mode": "lines+markers",
                "line": {"color": PALETTE[1]},
            },
        ],
        title,
        380,
        xaxis={"title": {"text": ""}, "type": "category"},
        yaxis={"title": {"text": what}, **_count_dtick("count", float(data[value].max() or 0))},
        yaxis2={
            "title": {"text": "Cumulative share (%)"},
            "overlaying": "y",
            "side": "right",
            "range": [0, 105],
            "dtick": 20,
            "ticksuffix": "%",
        },
        legend={"orientation": "h", "y": -0.2},
    )


def sankey(frame: pd.DataFrame, stages: list[str], value: str, title: str) -> go.Figure:
    """Flows through the stage columns in order (e.g. root cause -> category -> outcome)."""
    nodes: list[str] = []
    index: dict[tuple[int, str], int] = {}
    for level, column in enumerate(stages):
        for name in frame[column].astype(str).unique():
            index[(level, name)] = len(nodes)
            nodes.append(name.replace("_", " "))
    sources, targets, values = [], [], []
    for level in range(len(stages) - 1):
        pairs = frame.groupby([stages[level], stages[level + 1]], as_index=False)[value].sum()
        for row in pairs.itertuples(index=False):
            sources.append(index[(level, str(row[0]))])
            targets.append(index[(level + 1, str(row[1]))])
            values.append(float(row[2]))
    trace = {
        "type": "sankey",
        "node": {"label": nodes, "pad": 18, "thickness": 16},
        "link": {
            "source": sources,
            "target": targets,
            "value": values,
            "color": "rgba(31, 111, 191, 0.25)",
        },
        "textfont": {"size": 13, "color": "#1f2430"},
    }
    return _figure([trace], title, 460)


def timeline(frame: pd.DataFrame, title: str) -> go.Figure:
    """Milestones of one visit on a time axis, labelled, in order."""
    stamps = [pd.Timestamp(t) for t in frame["at"]]
    first, last = min(stamps), max(stamps)
    trace = {
        "type": "scatter",
        "mode": "markers+lines+text",
        "x": stamps,
        "y": list(range(len(stamps), 0, -1)),
        "text": [str(m).replace("_", " ") for m in frame["milestone"]],
        "textposition": "middle right",
        "marker": {"size": 11, "color": BLUE},
        "hovertemplate": "%{text}: %{x|%Y-%m-%d %H:%M}<extra></extra>",
    }
    return _figure(
        [trace],
        title,
        max(300, 40 * len(stamps)),
        # Labels sit right of their marker: leave a quarter of the span free on the right.
        xaxis={"title": {"text": "Date and time"}, "range": [first, last + (last - first) * 0.25]},
        yaxis={"visible": False},
        showlegend=False,
    )
