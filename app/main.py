"""Entry point: `streamlit run app/main.py` (or `friction dashboard`).

Runs on every rerun of every page: navigation, the snapshot check, the global filters in the
sidebar and the freshness banner; then the selected page.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Streamlit puts app/ on sys.path, not the repository root that holds the `app` package;
# this makes `streamlit run app/main.py` work from a checkout without an editable install.
_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402

from app.shell import run  # noqa: E402

st.set_page_config(
    page_title="Friction warehouse", page_icon=":material/monitoring:", layout="wide"
)
run()
