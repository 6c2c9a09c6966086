"""What every page shares: navigation, first-run guard, filters, banner."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from app import auth, queries, signin, ui
from app.context import PageContext, publish
from app.filters import render_sidebar
from app.registry import PAGES, pages_for
from app.snapshot import last_refresh, serving_path, snapshot_key, stale_after_hours


def navigation(role: str | None = None) -> StreamlitPage:
    """The pages this role may open; any other URL lands on the default page."""
    sections: dict[str, list] = {}
    for spec in pages_for(role):
        page = st.Page(spec.path, title=spec.title, icon=spec.icon, default=spec == PAGES[0])
        sections.setdefault(spec.section, []).append(page)
    return st.navigation(sections)


def run() -> None:
    """Show the selected page, or the first-run message when there is nothing to show.

    With sign-in on, an anonymous visitor gets the sign-in form and nothing else (not even
    the snapshot check, which would tell whether data exists).
    """
    role = None
    if auth.sign_in_required():
        user = signin.current_user()
        if user is None:
            signin.set_role(signin.ANONYMOUS)
            signin.sign_in_page([Path(spec.path).stem for spec in PAGES[1:]])
            return
        role = user.role
        signin.user_box(user)
    signin.set_role(role)
    page = navigation(role)
    key = snapshot_key()
    if key is None:
        ui.first_run(str(serving_path()), "no snapshot has been published there yet")
        return
    problem = queries.snapshot_problem(key)
    if problem is not None:
        ui.first_run(key.path, problem)
        return
    filters = render_sidebar(key)
    ui.banner(
        queries.snapshot_meta(key),
        stale_after_hours(),
        datetime.fromtimestamp(key.mtime_ns / 1e9),
        last_refresh(key.path),
    )
    publish(PageContext(key, filters))
    page.run()
    footer(key.path, page.url_path or "overview")


def footer(path: str, page_name: str) -> None:
    """Where every number comes from; its key also tells browser tests which page has
    finished rendering."""
    with st.container(key=f"page_end_{page_name}"):
        st.divider()
        st.caption(
            f"Every figure is read from the serving snapshot `{path}` (marts and meta "
            "schemas); definitions are in marts.metric_catalog and on each tile's ? icon."
        )
