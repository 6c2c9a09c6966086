"""Same seed, same bytes; a next-day run equals a longer full run and only adds to it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import polars as pl
import pytest
from test_simulator_support import SHORT_END, _scratch, short_run, tree_digest

from ingestion.simulator import PRESETS, simulate, simulate_next_day


@cache
def seed_five() -> Path:
    return short_run(5)


def test_same_seed_same_tree_whatever_the_worker_count() -> None:
    one = short_run(3, workers=1)
    assert tree_digest(one) == tree_digest(short_run(3, workers=2))
    assert tree_digest(one) != tree_digest(seed_five())


NEXT_DAY = SHORT_END + dt.timedelta(days=1)


@cache
def stepped_run() -> tuple[Path, dict[Path, str]]:
    """seed_five() copied and stepped one day; with each earlier file's digest before the step."""
    stepped = _scratch("stepped") / "run"
    shutil.copytree(seed_five(), stepped)
    before = _file_digests(stepped)
    summary = simulate_next_day(stepped, workers=1)
    assert summary.days == 1 and summary.end_date == NEXT_DAY
    assert "small seed=5" in summary.one_line() and "1 day(s)" in summary.one_line()
    return stepped, before


def _file_digests(root: Path) -> dict[Path, str]:
    return {
        p.relative_to(root): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def test_next_day_equals_a_full_run_one_day_longer() -> None:
    stepped, _ = stepped_run()
    assert tree_digest(stepped) == tree_digest(short_run(5, end=NEXT_DAY))
    state = json.loads((stepped / "truth" / "state.json").read_text())
    assert state["end_date"] == NEXT_DAY.isoformat()


def test_next_day_only_adds_files_of_that_day() -> None:
    stepped, before = stepped_run()
    after = _file_digests(stepped)
    landing = {path: digest for path, digest in before.items() if path.parts[0] == "landing"}
    # Earlier landed files keep their bytes (a warehouse never sees a landed file rewritten);
    # only truth/ is refreshed in place.
    assert {path: after[path] for path in landing} == landing
    added = set(after) - set(before)
    assert added and all(NEXT_DAY.isoformat() in p.name for p in added)
    assert {p.parts[1] for p in added} == {"pm", "ehr", "claims", "remits"}


def _rows(stepped: Path, extract: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows landed before the new day, rows of the new day) of one extract, as text."""
    files = sorted((stepped / "landing" / extract).glob("*.csv"))
    new = [f for f in files if NEXT_DAY.isoformat() in f.name]
    old = [f for f in files if f not in new]
    read = [pl.concat([pl.read_csv(f, infer_schema=False) for f in group]) for group in (old, new)]
    return read[0], read[1]


def test_next_day_has_new_and_changed_rows() -> None:
    stepped, _ = stepped_run()
    old, new = _rows(stepped, "pm/appointments")
    changed = new.filter(pl.col("appointment_id").is_in(old["appointment_id"].implode()))
    # Earlier bookings change status on their visit day; new bookings are made that day.
    assert {"completed", "no_show"} <= set(changed["status"])
    assert "scheduled" not in set(changed["status"])
    assert 0 < changed.height < new.height
    old, new = _rows(stepped, "pm/prior_auths")
    decided = new.filter(pl.col("auth_id").is_in(old["auth_id"].implode()))
    assert decided.height and decided["decided_at"].str.starts_with(NEXT_DAY.isoformat()).all()
    assert decided["decision"].is_not_null().all()
    # The day's 835s answer claims that earlier 837s submitted.
    day = NEXT_DAY.isoformat()
    claims = [f for f in (stepped / "landing" / "claims").glob("*.837") if day not in f.name]
    answered = _claim_ids((stepped / "landing" / "remits").glob(f"*{day}*.835"), "CLP")
    assert answered and answered <= _claim_ids(claims, "CLM")


def _claim_ids(files: Iterable[Path], segment: str) -> set[str]:
    """First element of every `segment` (CLM in an 837, CLP in an 835): the claim id."""
    head = segment + "*"
    return {
        seg.split("*")[1]
        for f in files
        for seg in f.read_text().split("~\n")
        if seg.startswith(head)
    }


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
