"""Exports: the finance CSV sets each refresh publishes, for download."""

import streamlit as st

from app import ui
from app.exports import export_dates, export_files
from app.snapshot import exports_dir

root = exports_dir()
st.title("Exports")
st.caption(f"Finance CSV sets published by each refresh, from `{root / 'finance'}`.")
dates = export_dates(root)
if not dates:
    ui.no_data("finance exports (a refresh writes them)")
else:
    day = st.selectbox("Export date", dates, key="export_date")
    files = export_files(root, day)
    ui.table(files, f"file list {day}", "export_files")
    for name in files["file"]:
        path = root / "finance" / day / name
        st.download_button(
            f"Download {name}",
            data=path.read_bytes,
            file_name=f"{day}_{name}",
            mime="text/csv",
            key=f"export_{day}_{name}",
            on_click="ignore",
            icon=":material/download:",
        )
