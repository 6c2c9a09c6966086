"""Overview: headline KPIs, the monthly cost of friction, six questions answered."""

import streamlit as st

from app import panels, ui
from app.answers import six_answers
from app.context import page_context
from app.fmt import month_label

HEADLINE = (
    "access.no_show_rate",
    "access.lead_time_days_median",
    "staff.minutes_per_visit",
    "rcm.initial_denial_rate_count",
    "docs.note_sign_lag_hours_median",
    "rcm.net_days_in_ar",
)

ctx = page_context()
f = ctx.filters
st.title("Where is friction costing the practice?")
st.caption(f"{f.period_label()} · {f.scope()[2]}")
ui.kpi_row(ctx, HEADLINE, per_row=3)

st.subheader(f"Monthly cost of friction, {month_label(f.end)}")
friction = [m for m in ctx.catalog["metric_id"] if str(m).startswith("ops.friction")]
left, right = st.columns([len(friction) or 1, 1])
with left:
    ui.kpi_row(ctx, friction, per_row=max(1, len(friction)), note=False)
with right:
    ui.staff_hours_tile(ctx)
panels.over_time(ctx, friction[:1], key="overview_friction")

st.subheader("Six questions leaders ask")
for number, answer in enumerate(six_answers(ctx), start=1):
    with st.container(border=True):
        st.markdown(f"**{number}. {answer.question}**  \n{answer.sentence}")
        st.page_link(
            answer.page, label=f"Open {answer.link_label}", icon=":material/arrow_forward:"
        )
