"""Revenue-cycle panels: denial categories with drill-down, CARC pareto, friction chain."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import charts, panels, queries, signin, ui
from app.context import PageContext
from app.fmt import fmt_value, month_label

CATEGORY = {"claims": "rcm.denials_by_category", "dollars": "rcm.denials_by_category_usd"}
UNIT = {"claims": "count", "dollars": "usd"}
FLOW = {"claims": "claims", "dollars": "denied_usd"}
ALL_CLAIMS = "All denied claims"


def measure() -> str:
    """Whether the denial charts count claims or add up denied dollars (reader's choice)."""
    choice = st.segmented_control(
        "Weigh denials by",
        ["claims", "dollars"],
        default="claims",
        key="denial_measure",
        format_func=lambda m: "Denied claims" if m == "claims" else "Denied dollars",
    )
    return choice or "claims"


def _selected_label(selection: dict | None) -> str | None:
    """The bar label a reader clicked in a horizontal bar chart, if any."""
    points = (selection or {}).get("points") or []
    if not points:
        return None
    point = points[0]
    custom = point.get("customdata")
    if custom:
        return str(custom[0])
    return str(point.get("y")) if point.get("y") is not None else None


def categories(ctx: PageContext, weigh: str) -> pd.DataFrame:
    """Denial categories over the period as a clickable bar chart; returns the frame shown,
    with attrs["selected"] set to the clicked category value (or None)."""
    period = ctx.filters.period_label()
    frame = panels.period_total_by(ctx, CATEGORY[weigh], "category")
    frame.attrs["selected"] = None
    if frame.empty:
        ui.no_data("denials by category")
        return frame
    top = frame.iloc[0]
    what = "Denied claims" if weigh == "claims" else "Denied dollars"
    # Roles without claim drill-down (executive) get the aggregate chart only.
    drill = signin.allowed("drill_down")
    title = (
        f"{top['label']} causes the most denials: {fmt_value(top['value'], UNIT[weigh])} "
        f"({period}{'; click a bar to list its claims' if drill else ''})"
    )
    fig = charts.bar(frame, "label", "value", UNIT[weigh], title, what=what)
    selection = ui.chart_with_data(
        fig, frame, f"denials by category, {period}", "denial_categories", selectable=drill
    )
    label = _selected_label(selection)
    hit = frame[frame["label"] == label]
    frame.attrs["selected"] = None if hit.empty else str(hit["dimension_value"].iloc[0])
    return frame


def carc_pareto(ctx: PageContext, weigh: str) -> None:
    frame = panels.period_total_by(ctx, CATEGORY[weigh], "carc")
    if frame.empty or not frame["value"].sum():
        ui.no_data("denials by adjustment reason code")
        return
    share = frame["value"].cumsum() / frame["value"].sum()
    needed = int((share < 0.8).sum()) + 1
    what = "Denied claims" if weigh == "claims" else "Denied dollars"
    title = (
        f"{needed} of {len(frame)} adjustment reason codes explain 80% of "
        f"{what.lower()}, {ctx.filters.period_label()}"
    )
    fig = charts.pareto(frame, "dimension_value", "value", title, what)
    ui.chart_with_data(fig, frame, "denials by CARC", "carc_pareto")


def friction_chain(ctx: PageContext, weigh: str) -> None:
    """Sankey: upstream step that failed -> denial category -> outcome, over the period."""
    flow = queries.denial_flow(ctx.key, ctx.filters.facts())
    if flow.empty:
        ui.no_data("denied claims")
        return
    column = FLOW[weigh]
    top = flow.groupby("root_cause")[column].sum().sort_values(ascending=False)
    share = top.iloc[0] / top.sum() if top.sum() else 0
    title = (
        f"{panels.pretty(top.index[0])} starts {share:.0%} of denied {weigh} "
        f"({ctx.filters.period_label()})"
    )
    fig = charts.sankey(flow, ["root_cause", "denial_category", "outcome"], column, title)
    ui.chart_with_data(fig, flow, "friction chain", "friction_chain")


def _chosen_category(options: list[str], clicked: str | None) -> str | None:
    # A click selects the category once; afterwards the selectbox is the reader's again.
    if clicked is not None and clicked != st.session_state.get("_drill_clicked"):
        st.session_state["drill_category"] = clicked
    st.session_state["_drill_clicked"] = clicked
    if st.session_state.get("drill_category") not in options:
        st.session_state["drill_category"] = ALL_CLAIMS
    chosen = st.selectbox(
        "Denial category",
        options,
        key="drill_category",
        format_func=lambda v: v if v == ALL_CLAIMS else panels.pretty(v),
    )
    return None if chosen == ALL_CLAIMS else chosen


def drill_down(ctx: PageContext, frame: pd.DataFrame) -> None:
    """Claims behind a category (from the chart click or the selectbox), then one claim's
    journey from request to payment."""
    values = list(frame["dimension_value"].astype(str)) if "dimension_value" in frame else []
    category = _chosen_category([ALL_CLAIMS, *values], frame.attrs.get("selected"))
    claims = queries.denied_claims(ctx.key, ctx.filters.facts(), category)
    if claims.empty:
        ui.no_data("denied claims")
        return
    st.caption(
        f"{len(claims):,} denied claims, {fmt_value(claims['denied_amount'].sum(), 'usd')} "
        f"denied, denial dates in {ctx.filters.period_label()}; every filter applies. "
        "Patients are not shown."
    )
    ui.table(claims, "denied claims", "denied_claims")
    claim_id = st.selectbox(
        "Follow one claim through its visit", claims["claim_id"], key="drill_claim"
    )
    journey = queries.claim_journey(ctx.key, str(claim_id))
    if journey.empty:
        ui.no_data(f"journey milestones for claim {claim_id}")
        return
    span = (journey["at"].iloc[-1] - journey["at"].iloc[0]).days
    title = f"Claim {claim_id}: {len(journey)} milestones over {span} days"
    ui.chart_with_data(
        charts.timeline(journey, title), journey, f"journey of {claim_id}", "claim_journey"
    )


def ar_aging(ctx: PageContext) -> None:
    """A/R by age bucket (practice-wide), titled with the published share over 90 days."""
    frame = panels.latest_by(ctx, "rcm.ar_aging", "age_bucket").dropna(subset=["value"])
    if frame.empty:
        ui.no_data("A/R aging")
        return
    over_90 = panels.practice_reading(ctx, "rcm.ar_over_90_rate")
    title = (
        f"{over_90.shown()} of A/R is older than 90 days, {month_label(ctx.filters.end)}"
        if over_90.value is not None
        else f"A/R by age, {month_label(ctx.filters.end)}"
    )
    order = panels.bucket_order(list(frame["label"]))
    fig = charts.bar(frame, "label", "value", "usd", title, what="A/R", order=order)
    ui.chart_with_data(fig, frame, "A/R aging", "ar_aging")
