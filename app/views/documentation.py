"""Documentation and coding: where are providers losing time to documentation?"""

import streamlit as st

from app import panels, ui
from app.context import page_context

ctx = page_context()
st.title("Documentation and coding")
st.caption("Where are providers losing time to documentation, and how long until a claim goes out?")
ui.kpi_row(
    ctx,
    (
        "docs.note_sign_lag_hours_median",
        "docs.notes_signed_24h_rate",
        "docs.notes_signed_72h_rate",
        "docs.open_notes",
        "rcm.charge_lag_days_mean",
        "rcm.charge_lag_days_median",
        "rcm.submission_lag_days_median",
    ),
)

st.subheader("Who signs notes late, and who has notes open?")
left, right = st.columns(2)
with left:
    panels.by_dimension(ctx, "docs.note_sign_lag_hours_median", "provider", "sign_lag_provider")
with right:
    panels.by_dimension(ctx, "docs.open_notes", "provider", "open_notes_provider")
panels.by_dimension(ctx, "docs.open_notes", "age_bucket", "open_notes_age")

st.subheader("From visit to claim: charge lag and submission lag")
panels.by_dimension(ctx, "rcm.charge_lag_days_mean", "provider", "charge_lag_provider")
panels.over_time(
    ctx,
    ("rcm.charge_lag_days_median", "rcm.submission_lag_days_median"),
    "lags",
    title="Days from service to coding and to claim submission, by month",
)
