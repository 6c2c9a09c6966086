"""Locations and growth: side by side, and does a new location add leverage or complexity?"""

import streamlit as st

from app import panels, ui
from app.context import page_context
from app.growth import location_comparison, minutes_vs_age

ctx = page_context()
st.title("Locations and growth")
st.caption("Does the next location add leverage or complexity?")

st.subheader("Locations side by side")
comparison = location_comparison(ctx)
if comparison.empty:
    ui.no_data("location figures")
else:
    ui.table(comparison, "locations side by side", "locations_side_by_side")
    st.caption(
        "Per-visit and per-provider columns divide a location's published monthly total by its "
        "visits (the denominator of staff minutes per visit) or by its providers in dim_provider."
    )

st.subheader("Admin minutes per visit vs location age")
minutes_vs_age(ctx)
left, right = st.columns(2)
with left:
    panels.over_time_by(
        ctx, "growth.admin_minutes_per_visit_by_location", "location", "admin_trend"
    )
with right:
    panels.by_dimension(
        ctx, "growth.admin_minutes_per_visit_by_location", "location_age", "admin_by_age"
    )
