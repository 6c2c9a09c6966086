"""Location comparison for the Locations and growth page."""

from __future__ import annotations

import pandas as pd

from app import charts, insights, queries, ui
from app.context import PageContext
from app.fmt import month_label

COMPARED = (
    "staff.minutes_per_visit",
    "staff.cost_per_visit",
    "access.lead_time_days_median",
    "access.no_show_rate",
    "rcm.initial_denial_rate_count",
    "ops.friction_cost_usd",
)
VISITS = "staff.minutes_per_visit"  # its denominator is the location's visits in the month


def _ratio(numerator: float | None, denominator: float | None, digits: int) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, digits)


def location_comparison(ctx: PageContext) -> pd.DataFrame:
    """One row per location of dim_location: volumes, the published per-visit metrics of
    the end month, and the location's friction cost divided by its visits and providers."""
    f = ctx.filters
    frame = queries.kpi_breakdown(ctx.key, COMPARED, "location", f.end, f.end)
    published = {(r.metric_id, r.dimension_value): r for r in frame.itertuples()}
    locs = queries.locations(ctx.key)
    if f.location_id is not None:
        locs = locs[locs["location_id"] == f.location_id]
    staffed = queries.providers(ctx.key).groupby("location_id")["provider_id"].count()
    rows = []
    for loc in locs.to_dict("records"):
        ident = str(loc["location_id"])
        providers = int(loc.get("provider_count", staffed.get(ident, 0)) or 0)
        visits_row = published.get((VISITS, ident))
        visits = None if visits_row is None else visits_row.denominator
        row = {
            "Location": loc["location_name"],
            "Opened": pd.Timestamp(loc["opened_on"]).date() if loc.get("opened_on") else None,
            "Providers": providers,
            "Visits": visits,
            "Visits per provider": _ratio(visits, providers, 1),
        }
        for metric_id in COMPARED:
            info = queries.metric_info(ctx.key, metric_id)
            hit = published.get((metric_id, ident))
            scale = 100 if info["unit"] == "rate" else 1
            suffix = {"rate": " (%)", "usd": " ($)"}.get(info["unit"], "")
            value = None if hit is None or pd.isna(hit.value) else round(hit.value * scale, 2)
            row[f"{info['title']}{suffix}"] = value
        friction = published.get(("ops.friction_cost_usd", ident))
        cost = None if friction is None else friction.value
        row["Friction cost per visit ($)"] = _ratio(cost, visits, 2)
        row["Friction cost per provider ($)"] = _ratio(cost, providers, 0)
        rows.append(row)
    return pd.DataFrame(rows)


def minutes_vs_age(ctx: PageContext) -> pd.DataFrame:
    """Scatter: admin minutes per visit against years since the location opened."""
    f = ctx.filters
    frame = queries.kpi_breakdown(
        ctx.key, ("growth.admin_minutes_per_visit_by_location",), "location", f.end, f.end
    ).merge(queries.locations(ctx.key), left_on="dimension_value", right_on="location_id")
    frame = frame.dropna(subset=["value", "opened_on"])
    if frame.empty:
        ui.no_data("admin minutes per visit by location")
        return frame
    opened = pd.to_datetime(frame["opened_on"])
    frame["age_years"] = ((pd.Timestamp(f.end) - opened).dt.days / 365.25).round(1)
    title = insights.growth(frame)
    fig = charts.scatter(
        frame,
        "age_years",
        "value",
        "years",
        "minutes",
        "label",
        title,
        "Location age",
        "Admin minutes per visit",
    )
    shown = frame[["label", "opened_on", "age_years", "numerator", "denominator", "value"]]
    ui.chart_with_data(
        fig, shown, f"admin minutes per visit by location age, {month_label(f.end)}", "age"
    )
    return frame
