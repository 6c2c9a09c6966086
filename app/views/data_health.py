"""Data health: can leaders trust what they see, and how current is it?"""

import streamlit as st

from app import health
from app.context import page_context

ctx = page_context()
st.title("Data health")
st.caption("Where do leaders lack visibility? Last refresh, freshness, what loaded, what did not.")
st.subheader("Last refresh")
health.snapshot_facts(ctx)
st.subheader("Freshness per source")
health.freshness(ctx)
st.subheader("Load manifest")
health.manifest(ctx)
st.subheader("Quarantine")
health.quarantine(ctx)
st.subheader("Data checks")
health.checks(ctx)
