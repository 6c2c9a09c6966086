"""Same seed, same bytes; a next-day run equals a longer full run."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from functools import cache
from pathlib import Path

import pytest
from test_simulator_support import SHORT_END, short_run, tree_digest

from ingestion.simulator import PRESETS, simulate, simulate_next_day


@cache
def seed_five() -> Path:
    return short_run(5)


def test_same_seed_same_tree_whatever_the_worker_count() -> None:
    one = short_run(3, workers=1)
    assert tree_digest(one) == tree_digest(short_run(3, workers=2))
    assert tree_digest(one) != tree_digest(seed_five())


def test_next_day_equals_a_full_run_one_day_longer(tmp_path: Path) -> None:
    stepped = tmp_path / "stepped"
    shutil.copytree(seed_five(), stepped)
    summary = simulate_next_day(stepped, workers=1)
    next_day = SHORT_END + dt.timedelta(days=1)
    assert summary.days == 1 and summary.end_date == next_day
    assert "small seed=5" in summary.one_line() and "1 day(s)" in summary.one_line()
    assert tree_digest(stepped) == tree_digest(short_run(5, end=next_day))
    state = json.loads((stepped / "truth" / "state.json").read_text())
    assert state["end_date"] == next_day.isoformat()
    added = {p.relative_to(stepped) for p in stepped.rglob("*")} - {
        p.relative_to(seed_five()) for p in seed_five().rglob("*")
    }
    assert added and all(next_day.isoformat() in p.name for p in added if p.is_file())
    assert any(p.suffix == ".csv" for p in added)


def test_next_day_needs_a_previous_run(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        simulate_next_day(tmp_path)


def test_foreign_landing_is_refused(tmp_path: Path) -> None:
    (tmp_path / "landing" / "pm").mkdir(parents=True)
    (tmp_path / "landing" / "pm" / "mine.csv").write_text("x\n")
    with pytest.raises(FileExistsError):
        simulate("small", 1, tmp_path, start_date=dt.date(2026, 10, 1))


def test_presets() -> None:
    assert set(PRESETS) == {"small", "medium", "large"}
    assert (PRESETS["small"].providers, PRESETS["medium"].providers) == (12, 60)
    assert PRESETS["large"].locations == 25 and PRESETS["large"].months == 24
