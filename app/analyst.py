"""SQL page pieces: schema browser and the guarded, capped, time-limited query runner."""

from __future__ import annotations

import streamlit as st

from app import queries, ui
from app.context import PageContext
from app.sql_guard import check_sql

ROW_CAP = 10_000
TIME_LIMIT_S = 20.0
EXAMPLE = (
    "select metric_id, period_month, value\n"
    "from marts.kpi_monthly\n"
    "where dimension = 'practice' and metric_id = 'access.no_show_rate'\n"
    "order by period_month"
)


def schema_browser(ctx: PageContext) -> None:
    columns = queries.schema_columns(ctx.key)
    columns = columns.assign(table=columns["table_schema"] + "." + columns["table_name"])
    tables = list(dict.fromkeys(columns["table"]))
    start = tables.index("marts.kpi_monthly") if "marts.kpi_monthly" in tables else 0
    chosen = st.selectbox(f"Browse {len(tables)} tables", tables, index=start, key="sql_table")
    shown = columns[columns["table"] == chosen][["column_name", "data_type"]]
    ui.table(shown.reset_index(drop=True), f"columns of {chosen}", "schema_columns", height=260)
    catalog = ctx.catalog[["metric_id", "title", "unit", "definition"]]
    with st.expander("Metric catalog (metric_id values of marts.kpi_monthly)"):
        ui.table(catalog, "metric catalog", "metric_catalog")


def query_form(ctx: PageContext) -> None:
    with st.form("sql_form"):
        sql = st.text_area("One SELECT or WITH statement", EXAMPLE, height=180, key="sql_text")
        submitted = st.form_submit_button("Run", icon=":material/play_arrow:")
    if submitted:
        verdict = check_sql(sql)
        if not verdict.allowed:
            st.session_state["sql_result"] = ("refused", verdict.reason)
        else:
            result = queries.run_analyst_sql(ctx.key, verdict.statement, ROW_CAP, TIME_LIMIT_S)
            st.session_state["sql_result"] = ("ran", result)
    show_result(st.session_state.get("sql_result"))


def show_result(outcome: tuple | None) -> None:
    if outcome is None:
        st.caption(
            f"Read-only: one statement at a time, at most {ROW_CAP:,} rows, "
            f"{TIME_LIMIT_S:.0f} s per query. Files, extensions and settings are out of reach."
        )
        return
    kind, payload = outcome
    if kind == "refused":
        st.error(f"Not run: {payload}", icon=":material/block:")
        return
    if payload.error:
        st.error(f"The query failed: {payload.error}", icon=":material/error:")
        return
    note = f"{len(payload.frame):,} rows in {payload.seconds:.2f} s"
    if payload.truncated:
        note += f" (stopped at the {ROW_CAP:,}-row cap; add a LIMIT or aggregate)"
    st.caption(note)
    ui.table(payload.frame, "query result", "query_result")
