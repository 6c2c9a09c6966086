"""polars' allocator setting is in the environment before polars loads, from every entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingestion.allocator import KEEP_FREED_MEMORY, SETTING

ROOT = Path(__file__).resolve().parents[1]
# Records the setting at the moment polars is first imported.
PROBE = """
import os, sys
class Probe:
    def find_spec(self, name, path=None, target=None):
        if name == "polars":
            print("AT_POLARS_IMPORT=" + os.environ.get("{setting}", "<unset>"))
            sys.meta_path.remove(self)
        return None
sys.meta_path.insert(0, Probe())
import {module}
import polars
"""


def _setting_at_polars_import(module: str, env: dict[str, str]) -> str:
    code = PROBE.format(setting=SETTING, module=module)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("AT_POLARS_IMPORT="))
    return line.split("=", 1)[1]


@pytest.mark.parametrize(
    "module", ["ingestion.load", "ingestion.x12.reader", "dagster_project.definitions"]
)
def test_entry_points_configure_the_allocator_before_polars(module: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != SETTING}
    assert _setting_at_polars_import(module, env) == KEEP_FREED_MEMORY


def test_a_setting_from_the_environment_wins() -> None:
    env = {**os.environ, SETTING: "dirty_decay_ms:0"}
    assert _setting_at_polars_import("ingestion.load", env) == "dirty_decay_ms:0"
