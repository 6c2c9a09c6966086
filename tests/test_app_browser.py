"""The dashboard in a real browser: every page renders without a Streamlit exception.

Serves app/main.py on a free loopback port against the hand-made fixture snapshot and drives
Debian's chromium through Playwright. Screenshots go to tests/output/screenshots/.
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from app_fixture import build_snapshot

from app import auth
from app.launch import streamlit_command, wait_for_port
from app.registry import PAGES

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "output" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium (/usr/bin/chromium) absent"),
    pytest.mark.timeout(240),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _serve(home: Path) -> Iterator[str]:
    """The app on a free loopback port against `home`, stopped on exit."""
    port = _free_port()
    env = {**os.environ, "FRICTION_HOME": str(home)}
    for name in ("FRICTION_AUTH", "FRICTION_AUTH_FILE"):
        env.pop(name, None)
    process = subprocess.Popen(
        streamlit_command(port), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        if not wait_for_port(port, timeout_s=60):
            process.kill()
            pytest.fail(f"streamlit did not listen: {process.stderr.read().decode()[-2000:]}")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("browser_home")
    build_snapshot(home)
    with _serve(home) as url:
        yield url


@pytest.fixture(scope="module")
def signed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Sign-in on: one analyst, written with a tiny scrypt cost."""
    home = tmp_path_factory.mktemp("browser_auth_home")
    build_snapshot(home)
    auth.add_user(home / "auth" / "users.toml", "ana", "analyst", "analyst-pass-1", cost=16)
    with _serve(home) as url:
        yield url


VIEWPORT = {"width": 1400, "height": 6000}


def _settle(page, name: str) -> None:  # noqa: ANN001 - playwright Page
    # The shell draws a footer keyed by the page after the page body; an exception stops
    # the script before it.
    page.wait_for_selector(f'.st-key-page_end_{name}, [data-testid="stException"]', timeout=90_000)
    # Elements of the previous page stay, marked stale, until the run ends.
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=30_000)
    page.wait_for_function(
        "() => document.querySelectorAll('.js-plotly-plot .main-svg').length >="
        " document.querySelectorAll('[data-testid=\"stPlotlyChart\"]').length",
        timeout=30_000,
    )
    page.wait_for_timeout(300)


def _screenshot(page, path: Path) -> None:  # noqa: ANN001 - playwright Page
    # Streamlit scrolls inside its main container, so the viewport is tall and the shot is
    # clipped to the content instead of a "full page" shot of one screen.
    height = page.evaluate(
        "() => Math.ceil(document.querySelector('[data-testid=\"stMainBlockContainer\"]')"
        ".getBoundingClientRect().bottom)"
    )
    clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": min(height, VIEWPORT["height"])}
    page.screenshot(path=str(path), clip=clip)


def test_every_page_renders_without_exception(server: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    failures = []
    with sync_api.sync_playwright() as playwright:
        browser = _launch(playwright)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(server)
            for spec in PAGES:
                name = Path(spec.path).stem
                if spec != PAGES[0]:
                    # In-app navigation, as a reader clicks: no reload of the frontend.
                    nav = page.locator('[data-testid="stSidebarNav"]')
                    nav.get_by_role("link", name=spec.title, exact=True).click()
                _settle(page, name)
                _screenshot(page, SCREENSHOTS / f"{name}.png")
                exceptions = page.locator('[data-testid="stException"]').count()
                title = page.locator('[data-testid="stMain"] h1').first.inner_text()
                if exceptions:
                    failures.append(f"{spec.path}: {exceptions} exception(s)")
                if not title.strip():
                    failures.append(f"{spec.path}: no page title")
        finally:
            browser.close()
    assert failures == []


def _launch(playwright):  # noqa: ANN001, ANN202 - playwright objects
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )


def _nav_titles(page) -> list[str]:  # noqa: ANN001 - playwright Page
    # Each link's text is its material icon's name, then the title.
    links = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    return [text.strip().split("\n")[-1] for text in links]


def test_anonymous_then_sign_in_then_pages(signed_server: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = _launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1400})
            # Anonymous, even asking for the SQL page by URL: the form and nothing else.
            page.goto(f"{signed_server}/sql")
            page.get_by_role("heading", name="Sign in").wait_for(timeout=90_000)
            assert page.locator('[data-testid="stSidebarNav"]').count() == 0
            assert page.locator('[data-testid="stMetric"]').count() == 0
            page.get_by_label("User name").fill("ana")
            page.get_by_label("Password", exact=True).fill("wrong-password")
            page.get_by_role("button", name="Sign in").click()
            page.get_by_text("Wrong user name or password.").wait_for(timeout=60_000)
            page.get_by_label("Password", exact=True).fill("analyst-pass-1")
            page.get_by_role("button", name="Sign in").click()
            # Signed in, the deep link asked for at first opens.
            _settle(page, "sql")
            assert page.locator('[data-testid="stException"]').count() == 0
            expected = [s.title for s in PAGES if s.needs in (None, "sql")]
            assert _nav_titles(page) == expected
            nav = page.locator('[data-testid="stSidebarNav"]')
            nav.get_by_role("link", name="Revenue cycle", exact=True).click()
            _settle(page, "revenue")
            assert page.get_by_text("Drill down: denied claims").count() == 1
            assert page.locator('[data-testid="stDownloadButton"]').count() == 0
            page.get_by_role("button", name="Sign out").click()
            page.get_by_role("heading", name="Sign in").wait_for(timeout=60_000)
            assert page.locator('[data-testid="stSidebarNav"]').count() == 0
        finally:
            browser.close()
