"""SQL: read-only queries on the serving snapshot for analysts."""

import streamlit as st

from app import analyst
from app.context import page_context

ctx = page_context()
st.title("SQL")
st.caption("Query the same marts the dashboard reads. Patients appear only as patient_key.")
browser, editor = st.columns([1, 2])
with browser:
    analyst.schema_browser(ctx)
with editor:
    analyst.query_form(ctx)
