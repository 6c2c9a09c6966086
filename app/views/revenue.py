"""Revenue cycle and denials: where are claims delayed or denied?"""

import streamlit as st

from app import denials, panels, signin, ui
from app.context import page_context

ctx = page_context()
st.title("Revenue cycle and denials")
st.caption("Where are claims delayed or denied, and what upstream step caused it?")
ui.kpi_row(
    ctx,
    (
        "rcm.initial_denial_rate_count",
        "rcm.initial_denial_rate_usd",
        "rcm.line_denial_rate",
        "rcm.first_pass_resolution_rate",
        "rcm.denial_overturn_rate",
        "rcm.denial_writeoff_usd",
        "rcm.days_to_payment_median",
        "rcm.net_days_in_ar",
        "rcm.ar_over_90_rate",
        "rcm.ar_over_120_rate",
        "rcm.net_collection_rate",
    ),
)
panels.over_time(
    ctx,
    ("rcm.initial_denial_rate_count", "rcm.initial_denial_rate_usd"),
    "denial_trend",
    title="Initial denial rate by claims and by dollars, by month",
)

st.subheader("Why are claims denied?")
weigh = denials.measure()
frame = denials.categories(ctx, weigh)
denials.carc_pareto(ctx, weigh)

st.subheader("The friction chain: upstream step, denial category, outcome")
denials.friction_chain(ctx, weigh)

if signin.allowed("drill_down"):
    st.subheader("Drill down: denied claims and one claim's journey")
    denials.drill_down(ctx, frame)

st.subheader("Accounts receivable and payment speed")
left, right = st.columns(2)
with left:
    denials.ar_aging(ctx)
with right:
    panels.by_dimension(ctx, "rcm.days_to_payment_median", "payer", "days_to_pay_payer")
panels.over_time(ctx, ("rcm.net_days_in_ar",), "days_in_ar")
panels.over_time(ctx, ("rcm.net_collection_rate",), "net_collection")
