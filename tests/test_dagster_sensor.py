"""The landing sensor: a run for new file contents, never twice for the same content."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path

import duckdb
from dagster import RunRequest, SensorResult, SkipReason, build_sensor_context

from dagster_project.defs.sensors import LandingMemory, build_landing_sensor, scan_landing
from dagster_project.settings import load_settings


def _land(landing: Path, relative: str, text: str) -> Path:
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _tick(sensor, cursor: str | None) -> SensorResult:
    result = sensor(build_sensor_context(cursor=cursor))
    assert isinstance(result, SensorResult)
    return result


def test_sensor_requests_a_run_only_for_unseen_contents(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path / "home")
    landing = settings.landing
    _land(landing, "pm/appointments/2025-01-01.csv", "appointment_id\nA1\n")
    _land(landing, "remits/era-1.835", "ISA*00~")
    _land(landing, ".incoming.tmp", "half written")  # hidden: a writer still at work
    sensor = build_landing_sensor(settings)

    first = _tick(sensor, None)
    assert len(first.run_requests) == 1
    request = first.run_requests[0]
    assert isinstance(request, RunRequest)
    assert request.tags["friction/new_files"] == "2"
    assert request.run_key.startswith("landing-")

    again = _tick(sensor, first.cursor)
    assert again.run_requests == []

    # The same bytes under another name are not new (the loader records, not reloads, them).
    _land(landing, "pm/appointments/copy.csv", "appointment_id\nA1\n")
    copied = _tick(sensor, again.cursor)
    assert copied.run_requests == []

    _land(landing, "pm/appointments/2025-01-02.csv", "appointment_id\nA2\n")
    new = _tick(sensor, copied.cursor)
    assert len(new.run_requests) == 1
    assert new.run_requests[0].tags["friction/new_files"] == "1"
    assert new.run_requests[0].tags["friction/first_new_file"] == "pm/appointments/2025-01-02.csv"
    assert new.run_requests[0].run_key != request.run_key


def test_changed_content_at_a_known_path_triggers_and_deleted_files_stay_known(
    tmp_path: Path,
) -> None:
    landing = tmp_path / "landing"
    path = _land(landing, "ehr/charges/day1.csv", "encounter_id\nE1\n")
    first = scan_landing(landing, LandingMemory())
    assert list(first.new_files.values()) == ["ehr/charges/day1.csv"]

    path.write_text("encounter_id\nE1\nE2\n")
    os.utime(path, ns=(1, 1))  # a different mtime even on coarse-clock filesystems
    changed = scan_landing(landing, first.memory)
    assert list(changed.new_files.values()) == ["ehr/charges/day1.csv"]
    assert changed.run_key != first.run_key

    # Deleted, then landed again with the first content: seen before, no run.
    path.unlink()
    gone = scan_landing(landing, changed.memory)
    _land(landing, "ehr/charges/again.csv", "encounter_id\nE1\n")
    back = scan_landing(landing, gone.memory)
    assert back.new_files == {}


def test_unchanged_files_are_not_read_again(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    path = _land(landing, "pm/payers/p.csv", "payer_id\nP1\n")
    first = scan_landing(landing, LandingMemory())
    # A cursor entry with the file's size and mtime but a different hash: if the scan trusted
    # (size, mtime) it keeps the cursor's hash instead of reading the file.
    stat = path.stat()
    known = LandingMemory({"pm/payers/p.csv": [stat.st_size, stat.st_mtime_ns, "not-a-hash"]})
    second = scan_landing(landing, known)
    assert second.memory.files["pm/payers/p.csv"][2] == "not-a-hash"
    assert second.new_files == {}
    assert first.memory.files["pm/payers/p.csv"][2] != "not-a-hash"


def test_missing_landing_folder_is_a_skip(tmp_path: Path) -> None:
    settings = dataclasses.replace(
        load_settings(home=tmp_path / "home"), landing=tmp_path / "absent"
    )
    result = build_landing_sensor(settings)(build_sensor_context())
    assert isinstance(result, SkipReason)
    assert result.skip_message == f"no landing folder at {tmp_path / 'absent'}"


def test_contents_already_in_the_published_warehouse_do_not_trigger(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path / "home")
    loaded = _land(settings.landing, "pm/payers/2025-01-01.csv", "payer_id\nP1\n")
    _land(settings.landing, "pm/payers/2025-01-02.csv", "payer_id\nP2\n")
    settings.serving_db.parent.mkdir(parents=True)
    with duckdb.connect(str(settings.serving_db)) as con:
        con.execute("create schema meta")
        con.execute(
            "create table meta.load_manifest as select ? as file_hash",
            [hashlib.sha256(loaded.read_bytes()).hexdigest()],
        )
    result = _tick(build_landing_sensor(settings), None)
    assert len(result.run_requests) == 1
    assert result.run_requests[0].tags["friction/new_files"] == "1"
    assert result.run_requests[0].tags["friction/first_new_file"] == "pm/payers/2025-01-02.csv"
    # Both are remembered: the next tick starts nothing.
    assert _tick(build_landing_sensor(settings), result.cursor).run_requests == []
