"""Patient access: where are patients waiting unnecessarily?"""

import streamlit as st

from app import panels, ui
from app.context import page_context

ctx = page_context()
st.title("Patient access")
st.caption("Where are patients waiting unnecessarily?")
ui.kpi_row(
    ctx,
    (
        "access.lead_time_days_median",
        "access.lead_time_days_p90",
        "access.booking_lag_days_median",
        "access.new_patient_within_threshold_rate",
        "access.third_next_available_days",
        "access.schedule_fill_rate",
        "access.no_show_rate",
        "access.late_cancel_rate",
        "access.bump_rate",
        "access.auth_pending_reschedule_rate",
        "access.door_to_room_min_median",
        "access.cycle_time_min_median",
    ),
)

st.subheader("Who waits longest for an appointment?")
left, right = st.columns(2)
with left:
    panels.by_dimension(ctx, "access.lead_time_days_median", "specialty", "lead_specialty")
    panels.by_dimension(ctx, "access.booking_lag_days_median", "specialty", "lag_specialty")
with right:
    panels.by_dimension(ctx, "access.lead_time_days_median", "location", "lead_location")
    panels.by_dimension(ctx, "access.booking_lag_days_median", "location", "lag_location")

st.subheader("Is capacity opening up?")
panels.over_time(ctx, ("access.third_next_available_days",), "third_next")

st.subheader("Do longer waits lose patients?")
panels.relation(
    ctx, "access.lead_time_days_median", "access.no_show_rate", "provider", "wait_noshow"
)

st.subheader("Bumps, late cancellations and reschedules for pending auths")
panels.over_time(
    ctx,
    ("access.bump_rate", "access.late_cancel_rate", "access.auth_pending_reschedule_rate"),
    "cancellations",
    title=(
        "Bumps and late cancellations (of all appointments) and reschedules for a pending "
        "auth (of appointments needing one), by month"
    ),
)

st.subheader("Clinic flow")
left, right = st.columns(2)
with left:
    panels.by_dimension(ctx, "access.door_to_room_min_median", "location", "door_room")
with right:
    panels.by_dimension(ctx, "access.cycle_time_min_median", "location", "cycle_time")
