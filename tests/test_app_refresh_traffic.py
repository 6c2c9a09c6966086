"""Steady dashboard traffic while `friction refresh` rebuilds and republishes the snapshot.

A copy of the shared small home is refreshed again in a subprocess (it publishes a new
snapshot by rename); meanwhile every page is rendered in turn, each load a fresh AppTest
session against the serving snapshot, until the refresh has ended and at least 300 loads
are done. Zero loads may fail, and some must show the new snapshot without a restart.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from app_fixture import app_test

from app.registry import PAGES

MIN_LOADS = 300
# Loads after the refresh has ended, at most (the brief: the refresh plus under 60 s).
EXTRA_S = 60.0
HARD_LIMIT_S = 900.0  # the loop ends here whatever happens
# Pause between loads while the refresh runs: steady traffic, not a flood that takes half of
# two cores from the refresh (unpaced: 1,607 loads and the refresh 40% slower).
PACE_S = 0.3
REFRESH_ID = re.compile(r"Snapshot built [^(]+\(refresh ([\w-]+)\)")

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


def _load(page: str) -> tuple[str | None, str | None]:
    """Render one page in a new session: (refresh id on its banner, failure or None)."""
    at = app_test(page, timeout=120)
    try:
        at.run()
    except Exception as exc:  # noqa: BLE001 - a timeout or crash is a failed load
        return None, f"{page}: {type(exc).__name__}: {exc}"
    if at.exception:
        return None, f"{page}: {at.exception[0].value}"
    texts = [c.value for c in at.caption] + [w.value for w in at.warning]
    texts += [e.value for e in at.error]
    shown = next((m.group(1) for t in texts if (m := REFRESH_ID.search(t))), None)
    if not at.title or shown is None:
        return None, f"{page}: no title or no snapshot banner (first-run message?)"
    return shown, None


def test_page_loads_during_refresh(
    refreshed_small_home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    shutil.copytree(refreshed_small_home.home, home, symlinks=True)
    monkeypatch.setenv("FRICTION_HOME", str(home))
    for name in ("FRICTION_AUTH", "FRICTION_AUTH_FILE", "FRICTION_LANDING"):
        monkeypatch.delenv(name, raising=False)
    old_id, failure = _load(PAGES[0].path)
    assert failure is None, failure

    log = tmp_path / "refresh.log"
    started = time.monotonic()
    # Output to a file, not a pipe: nobody reads a pipe during the loop, and a full pipe
    # would stall the refresh on its next write.
    with log.open("wb") as sink:
        refresh = subprocess.Popen(
            [sys.executable, "-m", "dagster_project.cli", "refresh", "--home", str(home)],
            env=dict(os.environ),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    loads: list[tuple[float, str, str | None]] = []  # (time, page, refresh id shown)
    failures: list[str] = []
    refresh_s: float | None = None
    try:
        while True:
            if refresh_s is None and refresh.poll() is not None:
                refresh_s = time.monotonic() - started
            new_loads = sum(1 for _, _, shown in loads if shown not in (None, old_id))
            if refresh_s is not None and len(loads) >= MIN_LOADS and new_loads:
                break
            if refresh_s is not None and time.monotonic() - started > refresh_s + EXTRA_S:
                break
            if time.monotonic() - started > HARD_LIMIT_S:
                break
            page = PAGES[len(loads) % len(PAGES)].path
            shown, failure = _load(page)
            loads.append((time.monotonic() - started, page, shown))
            if failure:
                failures.append(failure)
            if refresh_s is None:
                time.sleep(PACE_S)
    finally:
        if refresh.poll() is None:
            refresh.kill()
        refresh.wait()
    total_s = time.monotonic() - started
    assert refresh_s is not None, f"the refresh did not end within {HARD_LIMIT_S:.0f} s"
    assert refresh.returncode == 0, log.read_text(errors="replace")[-3000:]
    new_ids = {shown for _, _, shown in loads} - {old_id, None}
    during = sum(1 for at_s, _, _ in loads if at_s <= refresh_s)
    print(
        f"\n{len(loads)} page loads ({during} while the refresh ran), {len(failures)} failed; "
        f"refresh {refresh_s:.1f} s, whole loop {total_s:.1f} s "
        f"(+{total_s - refresh_s:.1f} s); new snapshot shown by "
        f"{sum(1 for _, _, s in loads if s in new_ids)} loads"
    )
    assert failures == []
    assert len(loads) >= MIN_LOADS
    assert during >= 10, "the traffic did not overlap the refresh"
    assert len(new_ids) == 1, "no page load showed the snapshot the refresh published"
    assert total_s - refresh_s < EXTRA_S + 15  # one load may start just before the limit
