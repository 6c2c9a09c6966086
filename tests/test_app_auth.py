"""Optional sign-in: password file, throttle, and what each role sees under AppTest.

Users are written with a tiny scrypt cost (n=16) so each sign-in costs microseconds here;
the production default (n=2**14) is checked once.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from app_fixture import app_test, build_snapshot
from streamlit.testing.v1 import AppTest

from app import auth
from app.registry import PAGES, pages_for

CHEAP = 16
PASSWORDS = {"erin": "exec-pass-1", "ana": "analyst-pass-1", "fin": "finance-pass-1"}
ROLE_OF = {"erin": "executive", "ana": "analyst", "fin": "finance"}
LEADERSHIP = {
    "overview",
    "access",
    "staff",
    "prior_auth",
    "documentation",
    "revenue",
    "locations",
    "data_health",
}
EXPECTED_PAGES = {
    "executive": LEADERSHIP,
    "analyst": LEADERSHIP | {"sql"},
    "finance": LEADERSHIP | {"sql", "exports"},
}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("auth_home")
    build_snapshot(folder)
    users = folder / "auth" / "users.toml"
    for name, password in PASSWORDS.items():
        auth.add_user(users, name, ROLE_OF[name], password, cost=CHEAP)
    return folder


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    auth.THROTTLE.clear()


def _open(home: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("FRICTION_HOME", str(home))
    monkeypatch.delenv("FRICTION_AUTH_FILE", raising=False)
    monkeypatch.delenv("FRICTION_AUTH", raising=False)
    at = app_test()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="auth_name").input(name)
    at.text_input(key="auth_password").input(password)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _pages(at: AppTest) -> set[str]:
    """The pages st.navigation registered on the last run: file stems, or the title of a
    page drawn by a function (the sign-in form)."""
    return {
        Path(info["script_path"]).stem if info["script_path"] else info["page_name"]
        for info in at._registered_pages.values()
    }


def _downloads(at: AppTest) -> int:
    return len(at.get("download_button"))


# --- the users file and passwords ---------------------------------------------------


def test_users_file_round_trip_is_private_and_salted(tmp_path: Path) -> None:
    path = tmp_path / "auth" / "users.toml"
    auth.add_user(path, "ana", "analyst", "correct horse", cost=CHEAP)
    auth.add_user(path, "bo", "analyst", "correct horse", cost=CHEAP)
    users = auth.read_users(path)
    assert {n: r.role for n, r in users.items()} == {"ana": "analyst", "bo": "analyst"}
    # Same password, different salt: different stored hashes, and no plain text on disk.
    assert users["ana"].digest != users["bo"].digest
    assert "correct horse" not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert auth.verify(users, "ana", "correct horse") == users["ana"]
    assert auth.verify(users, "ana", "correct hors") is None
    assert auth.verify(users, "nobody", "correct horse") is None


def test_default_cost_is_scrypt_2_to_14(tmp_path: Path) -> None:
    record = auth.make_record("erin", "executive", "long enough")
    assert record.cost == 2**14 and len(record.salt) == 16 and len(record.digest) == 32
    assert auth.verify({"erin": record}, "erin", "long enough") == record


def test_add_user_refuses_bad_input_and_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "users.toml"
    for name, role, password, message in (
        ('a"b', "analyst", "long enough", "user name"),
        ("ana", "admin", "long enough", "unknown role"),
        ("ana", "analyst", "short", "at least 8"),
    ):
        with pytest.raises(ValueError, match=message):
            auth.add_user(path, name, role, password, cost=CHEAP)
    auth.add_user(path, "ana", "analyst", "long enough", cost=CHEAP)
    with pytest.raises(ValueError, match="exists"):
        auth.add_user(path, "ana", "finance", "long enough", cost=CHEAP)
    auth.add_user(path, "ana", "finance", "other enough", replace=True, cost=CHEAP)
    assert auth.read_users(path)["ana"].role == "finance"
    assert auth.remove_user(path, "ana") and auth.read_users(path) == {}


def test_malformed_file_fails_closed(tmp_path: Path) -> None:
    path = tmp_path / "users.toml"
    path.write_text('[users.ana]\nrole = "root"\nsalt = "00"\nhash = "00"\n')
    with pytest.raises(auth.AuthFileError, match="unknown role"):
        auth.read_users(path)
    path.write_text("[users.ana\n")
    with pytest.raises(auth.AuthFileError, match="cannot read"):
        auth.read_users(path)


def test_cli_add_user_reads_password_without_echo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "users.toml"
    monkeypatch.setenv("FRICTION_AUTH_FILE", str(path))
    answers = iter(["s3cret-pass", "s3cret-pass"])
    monkeypatch.setattr(auth.getpass, "getpass", lambda prompt: next(answers))
    assert auth.main(["add-user", "fin", "finance"]) == 0
    assert auth.read_users(path)["fin"].role == "finance"
    mismatch = iter(["one-password", "two-password"])
    monkeypatch.setattr(auth.getpass, "getpass", lambda prompt: next(mismatch))
    assert auth.main(["add-user", "ana", "analyst"]) == 2
    assert set(auth.read_users(path)) == {"fin"}


def test_sign_in_switch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "users.toml"
    monkeypatch.delenv("FRICTION_AUTH", raising=False)
    assert not auth.sign_in_required(path)
    monkeypatch.setenv("FRICTION_AUTH", "on")
    assert auth.sign_in_required(path)
    monkeypatch.delenv("FRICTION_AUTH")
    path.write_text("")
    assert auth.sign_in_required(path)


def test_throttle_blocks_after_five_failures_for_five_minutes() -> None:
    now = [1000.0]
    throttle = auth.Throttle(per_name=5, total=8, window_s=300, clock=lambda: now[0])
    for _ in range(5):
        assert throttle.wait_s("Ana") == 0
        throttle.failed("ana")
        now[0] += 10
    # First failure at 1000, now 1050: blocked until 1300.
    assert throttle.wait_s("ANA") == pytest.approx(250)
    assert throttle.wait_s("bo") == 0  # another name is not blocked by ana's count...
    for _ in range(3):
        throttle.failed("bo")
    assert throttle.wait_s("carl") == pytest.approx(250)  # ...until the total limit
    now[0] = 1300.0
    assert throttle.wait_s("ana") == 0
    now[0] = 1400.0  # every failure so far has left the window
    throttle.failed("dee")
    throttle.succeeded("dee")
    assert throttle.wait_s("dee") == 0


def test_pages_for_each_role() -> None:
    def stems(role: str | None) -> set[str]:
        return {Path(spec.path).stem for spec in pages_for(role)}

    for role, expected in EXPECTED_PAGES.items():
        assert stems(role) == expected
    assert stems(None) == {Path(spec.path).stem for spec in PAGES}
    assert stems("anonymous") == LEADERSHIP  # never asked: the shell shows only the form


# --- the app under AppTest -----------------------------------------------------------


def test_anonymous_visitor_sees_only_the_sign_in_form(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _open(home, monkeypatch)
    assert _pages(at) == {"Sign in"}
    assert [t.value for t in at.title] == ["Sign in"]
    assert len(at.metric) == 0 and len(at.dataframe) == 0 and _downloads(at) == 0
    assert len(at.sidebar.selectbox) == 0  # no filters either
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/sql.py")


@pytest.mark.parametrize("name", sorted(PASSWORDS))
def test_each_role_sees_only_its_pages(
    home: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    role = ROLE_OF[name]
    at = _sign_in(_open(home, monkeypatch), name, PASSWORDS[name])
    assert _pages(at) == EXPECTED_PAGES[role]
    assert at.title[0].value == "Where is friction costing the practice?"
    user_line = f":material/person: Signed in as **{name}** ({role})"
    assert user_line in [c.value for c in at.sidebar.caption]
    at.switch_page("views/revenue.py").run()
    assert not at.exception
    subheaders = [s.value for s in at.subheader]
    drill = "Drill down: denied claims and one claim's journey" in subheaders
    assert drill == (role != "executive")
    assert ("drill_claim" in [s.key for s in at.selectbox]) == (role != "executive")
    # CSV downloads are an export: finance only.
    assert (_downloads(at) > 0) == (role == "finance")
    if role != "executive":
        at.switch_page("views/sql.py").run()
        assert at.title[0].value == "SQL" and not at.exception


def test_executive_cannot_reach_sql_by_url(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _sign_in(_open(home, monkeypatch), "erin", PASSWORDS["erin"])
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/sql.py")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/exports.py")


def test_wrong_password_then_throttle_then_sign_out(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _open(home, monkeypatch)
    for _ in range(5):
        _sign_in(at, "ana", "not-the-password")
        assert [e.value for e in at.error] == ["Wrong user name or password."]
        assert _pages(at) == {"Sign in"}
    # The right password no longer helps until the window has passed.
    _sign_in(at, "ana", PASSWORDS["ana"])
    assert at.error[0].value.startswith("Too many failed attempts. Try again in 5 min")
    assert _pages(at) == {"Sign in"}
    auth.THROTTLE.clear()
    _sign_in(at, "ana", PASSWORDS["ana"])
    assert _pages(at) == EXPECTED_PAGES["analyst"]
    at.sidebar.button(key="sign_out").click().run()
    assert _pages(at) == {"Sign in"} and len(at.metric) == 0


def test_sign_in_on_without_users_file_refuses_everyone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_snapshot(tmp_path)
    monkeypatch.setenv("FRICTION_AUTH", "on")
    at = app_test()
    monkeypatch.setenv("FRICTION_HOME", str(tmp_path))
    at.run()
    assert "no users file exists" in at.warning[0].value
    _sign_in(at, "ana", "anything-at-all")
    assert [e.value for e in at.error] == ["Wrong user name or password."]
    assert _pages(at) == {"Sign in"}


def test_removed_user_is_signed_out_on_next_click(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_snapshot(tmp_path)
    users = tmp_path / "auth" / "users.toml"
    auth.add_user(users, "ana", "analyst", PASSWORDS["ana"], cost=CHEAP)
    at = _sign_in(_open(tmp_path, monkeypatch), "ana", PASSWORDS["ana"])
    assert "sql" in _pages(at)
    auth.add_user(users, "ana", "executive", PASSWORDS["ana"], replace=True, cost=CHEAP)
    at.run()
    assert "sql" not in _pages(at)
    auth.remove_user(users, "ana")
    at.run()
    assert _pages(at) == {"Sign in"}
