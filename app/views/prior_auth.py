"""Prior authorization: turnaround, the CMS-0057-F payer scorecard, auths pending at service."""

import streamlit as st

from app import panels, queries, ui
from app.context import page_context
from app.fmt import month_label

SCORECARD = (
    "auth.approval_rate",
    "auth.partial_approval_rate",
    "auth.denial_rate",
    "auth.turnaround_hours_mean",
    "auth.turnaround_hours_median",
    "auth.within_cms_timeframe_rate",
    "auth.peer_to_peer_rate",
)

ctx = page_context()
st.title("Prior authorization")
st.caption("How long do payers take to decide, and do visits go ahead without a decision?")
ui.kpi_row(
    ctx,
    (
        "auth.turnaround_hours_median",
        "auth.turnaround_hours_mean",
        "auth.turnaround_hours_p90",
        "auth.within_cms_timeframe_rate",
        "auth.approval_rate",
        "auth.partial_approval_rate",
        "auth.denial_rate",
        "auth.peer_to_peer_rate",
        "auth.pending_at_service_count",
        "auth.required_rate",
    ),
)

st.subheader("Turnaround by payer, urgency and channel")
panels.by_dimension(ctx, "auth.turnaround_hours_median", "payer", "tat_payer")
left, right = st.columns(2)
with left:
    panels.by_dimension(ctx, "auth.turnaround_hours_median", "urgency", "tat_urgency")
with right:
    panels.by_dimension(ctx, "auth.turnaround_hours_median", "channel", "tat_channel")

st.subheader(f"Payer scorecard, {month_label(ctx.filters.end)} (CMS-0057-F public metrics layout)")
timeframes = queries.cms_timeframes(ctx.key)
if not timeframes.empty:
    rules = ", ".join(f"{r.urgency} within {r.timeframe_label}" for r in timeframes.itertuples())
    st.caption(
        f"CMS-0057-F requires impacted payers to decide {rules} and to publish approval, "
        "denial and decision-time figures by standard and expedited requests."
    )
for dimension in ("payer", "urgency"):
    panels.scorecard(ctx, SCORECARD, dimension, "auth.approval_rate", f"scorecard_{dimension}")

st.subheader("Visits seen while their prior auth was still pending")
panels.over_time(ctx, ("auth.pending_at_service_count",), "pending_trend")
visits = queries.auth_pending_visits(ctx.key, ctx.filters.facts())
if visits.empty:
    ui.no_data("visits with an auth pending at service")
else:
    ui.table(visits, "visits with auth pending at service", "auth_pending_visits")
