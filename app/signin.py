"""The sign-in form, the signed-in user's sidebar box, and what the current role may do.

Only the user name lives in st.session_state; the role is read from the users file on every
rerun, so removing a user or changing a role takes effect on their next click.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from app import auth

USER_KEY = "_auth_user"
ROLE_KEY = "_auth_role"
# Not a role in auth.ROLES, so it has no capability at all.
ANONYMOUS = "anonymous"


def current_user() -> auth.UserRecord | None:
    """The signed-in user, or None (also when the user was removed from the file since)."""
    name = st.session_state.get(USER_KEY)
    if name is None:
        return None
    try:
        record = auth.read_users(auth.auth_file()).get(name)
    except auth.AuthFileError:
        record = None
    if record is None:
        st.session_state.pop(USER_KEY, None)
    return record


def set_role(role: str | None) -> None:
    """Remember this rerun's role for allowed(); None means sign-in is off."""
    st.session_state[ROLE_KEY] = role


def allowed(capability: str) -> bool:
    """Whether the reader may use a capability (drill_down, sql, export) on this rerun."""
    return auth.can(st.session_state.get(ROLE_KEY), capability)


def _sign_out() -> None:
    # Filters and query results belong to the person who signed out, so they go too.
    st.session_state.clear()


def user_box(user: auth.UserRecord) -> None:
    with st.sidebar:
        st.caption(f":material/person: Signed in as **{user.name}** ({user.role})")
        st.button("Sign out", on_click=_sign_out, key="sign_out", icon=":material/logout:")


def _attempt(name: str, password: str) -> str | None:
    """Check one attempt; None on success, else the message to show."""
    wait = auth.THROTTLE.wait_s(name)
    if wait > 0:
        return f"Too many failed attempts. Try again in {max(1, round(wait / 60))} min."
    try:
        users = auth.read_users(auth.auth_file())
    except auth.AuthFileError as exc:
        return f"Sign-in is unavailable: {exc}"
    record = auth.verify(users, name, password)
    if record is None:
        auth.THROTTLE.failed(name)
        return "Wrong user name or password."
    auth.THROTTLE.succeeded(name)
    st.session_state[USER_KEY] = record.name
    return None


def sign_in_form() -> None:
    st.title("Sign in")
    st.caption("The practice's dashboard needs a user name and password.")
    path = auth.auth_file()
    if not path.exists():
        st.warning(
            f"Sign-in is on but no users file exists at `{path}`. Add a user with "
            "`python -m app.auth add-user NAME ROLE`.",
            icon=":material/person_off:",
        )
    with st.form("sign_in", enter_to_submit=True):
        name = st.text_input("User name", key="auth_name")
        password = st.text_input("Password", type="password", key="auth_password")
        submitted = st.form_submit_button("Sign in", icon=":material/login:")
    if submitted:
        problem = _attempt(name.strip(), password)
        if problem is None:
            st.rerun()
        st.error(problem, icon=":material/lock:")


def sign_in_page(url_paths: Sequence[str] = ()) -> None:
    """The only page an anonymous visitor gets: whatever URL was asked for, the form.

    The form is registered under every page's URL too, so a bookmarked deep link shows it
    (rather than Streamlit's "page not found" dialog) and, once signed in, opens that page.
    """
    pages = [st.Page(sign_in_form, title="Sign in", icon=":material/login:", default=True)]
    pages += [
        st.Page(sign_in_form, title="Sign in", icon=":material/login:", url_path=path)
        for path in url_paths
    ]
    st.navigation(pages, position="hidden").run()
