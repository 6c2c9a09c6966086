"""`friction dashboard`: serve the Streamlit app on loopback against a home folder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import webbrowser
from pathlib import Path

MAIN = Path(__file__).resolve().parent / "main.py"


def streamlit_command(port: int) -> list[str]:
    """The exact `streamlit run` invocation (telemetry off, loopback only, headless)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(MAIN),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]


def wait_for_port(port: int, timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


def run_dashboard(home: Path | None, port: int = 8501, open_browser: bool = True) -> int:
    """Run the dashboard until interrupted; returns the server's exit code."""
    env = dict(os.environ)
    if home is not None:
        env["FRICTION_HOME"] = str(Path(home).resolve())
    process = subprocess.Popen(streamlit_command(port), env=env)
    try:
        # Headless keeps Streamlit from opening a browser itself before the port is ready.
        if open_browser and wait_for_port(port):
            webbrowser.open(f"http://127.0.0.1:{port}/")
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        return 0
