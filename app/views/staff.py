"""Staff effort and front office: where are staff chasing information?"""

import streamlit as st

from app import panels, queries, ui
from app.context import page_context

TRANSACTION = ("transaction_type", "work_type")

ctx = page_context()
st.title("Staff effort and front office")
st.caption("Where are staff chasing information?")
ui.kpi_row(
    ctx,
    (
        "staff.minutes_per_visit",
        "staff.cost_per_visit",
        "staff.manual_share",
        "staff.automation_savings_usd",
        "frontdesk.eligibility_verified_rate",
        "frontdesk.eligibility_electronic_rate",
        "frontdesk.eligibility_failure_rate",
        "frontdesk.pos_collection_rate",
        "staff.open_backlog",
    ),
)

st.subheader("Where does administrative time go?")
left, right = st.columns(2)
with left:
    panels.by_dimension(ctx, "staff.minutes_per_visit", "work_type", "minutes_work_type")
with right:
    panels.by_dimension(ctx, "staff.minutes_per_visit", "channel", "minutes_channel")
panels.by_dimension(ctx, "staff.cost_per_visit", "work_type", "cost_work_type")

st.subheader("How much is still manual, and what would automation save?")
left, right = st.columns(2)
with left:
    dim = panels.dimension_for(ctx, "staff.manual_share", TRANSACTION)
    if dim:
        panels.by_dimension(ctx, "staff.manual_share", dim, "manual_share")
with right:
    dim = panels.dimension_for(ctx, "staff.automation_savings_usd", TRANSACTION)
    if dim:
        panels.by_dimension(ctx, "staff.automation_savings_usd", dim, "automation_savings")
reference = queries.caqh_reference(ctx.key)
if reference.empty:
    st.caption("No CAQH Index reference cost is filled in the caqh_reference_costs seed.")
else:
    st.markdown("**CAQH Index reference: provider cost per transaction**")
    ui.table(reference, "CAQH reference costs", "caqh_reference")

st.subheader("Front office: eligibility and point-of-service collection")
panels.over_time(
    ctx,
    (
        "frontdesk.eligibility_verified_rate",
        "frontdesk.eligibility_electronic_rate",
        "frontdesk.eligibility_failure_rate",
        "frontdesk.pos_collection_rate",
    ),
    "frontdesk",
    title="Front-office rates by month",
)

st.subheader("Open work backlog at month end")
left, right = st.columns(2)
with left:
    panels.by_dimension(ctx, "staff.open_backlog", "work_type", "backlog_work_type")
with right:
    panels.by_dimension(ctx, "staff.open_backlog", "age_bucket", "backlog_age")
