"""`friction dashboard` launcher: loopback, headless, telemetry off, FRICTION_HOME passed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app import launch


def test_command_binds_loopback_without_telemetry() -> None:
    command = launch.streamlit_command(8555)
    assert command[1:4] == ["-m", "streamlit", "run"]
    assert command[4].endswith("app/main.py")
    flags = dict(zip(command[5::2], command[6::2], strict=True))
    assert flags == {
        "--server.address": "127.0.0.1",
        "--server.port": "8555",
        "--server.headless": "true",
        "--browser.gatherUsageStats": "false",
    }


def test_run_dashboard_passes_home_and_returns_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict = {}

    class FakeServer:
        def __init__(self, command: list[str], env: dict[str, str]) -> None:
            seen["command"], seen["env"] = command, env

        def wait(self, timeout: float | None = None) -> int:
            return 3

    opened: list[str] = []
    monkeypatch.setattr(subprocess, "Popen", FakeServer)
    monkeypatch.setattr(launch, "wait_for_port", lambda port, timeout_s=30.0: True)
    monkeypatch.setattr(launch.webbrowser, "open", opened.append)
    assert launch.run_dashboard(tmp_path, port=8556, open_browser=True) == 3
    assert seen["env"]["FRICTION_HOME"] == str(tmp_path.resolve())
    assert "8556" in seen["command"]
    assert opened == ["http://127.0.0.1:8556/"]
    opened.clear()
    launch.run_dashboard(None, port=8557, open_browser=False)
    assert opened == []
