"""A refresh that cannot work refuses to start: clear message, exit 2, nothing touched.

Each case runs ``friction refresh`` in-process against a small home holding a "last good"
snapshot (a tiny DuckDB file) and checks the snapshot's bytes afterwards. The full-disk and
read-only cases use a real tiny filesystem (tmpfs), which needs root: CI runs as root.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from dagster_project.cli import EXIT_REFUSED, main
from dagster_project.settings import DEMO_PHI_KEY_FILE, load_settings
from dagster_project.stages.preflight import MIN_FREE_BYTES, PreflightError, preflight
from dagster_project.stages.publish import publish_snapshot

IS_ROOT = os.geteuid() == 0


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_snapshot(path: Path, rows: int = 1000) -> str:
    """A small DuckDB file standing in for the last good serving snapshot; its sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(f"create table marts.fct_visits as select range as visit_id from range({rows})")
        con.execute("checkpoint")
    return sha256(path)


@contextmanager
def tmpfs(mount_point: Path, size: str) -> Iterator[Path]:
    """A fresh tmpfs of ``size`` at ``mount_point`` (root only), unmounted afterwards."""
    if not IS_ROOT:
        pytest.skip("a tiny filesystem needs root (CI runs as root)")
    mount_point.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


def refresh(home: Path, landing: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["refresh", "--home", str(home), "--landing", str(landing)])
    captured = capsys.readouterr()
    # rich wraps the paragraph to the terminal width; join it back for the assertions.
    return code, " ".join((captured.out + captured.err).split())


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A home with a last good snapshot and an (empty) landing folder."""
    home = tmp_path / "home"
    make_snapshot(home / "serving" / "warehouse.duckdb")
    (home / "landing").mkdir()
    return home


def test_missing_phi_key_is_refused(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("FRICTION_PHI_KEY", raising=False)
    before = sha256(home / "serving" / "warehouse.duckdb")
    code, out = refresh(home, home / "landing", capsys)
    assert code == EXIT_REFUSED == 2
    assert "FRICTION_PHI_KEY is not set" in out
    assert "friction demo` generates its own" in out
    assert sha256(home / "serving" / "warehouse.duckdb") == before
    assert not (home / "warehouse").exists()  # nothing was started
    status = (home / "serving" / "last_refresh.json").read_text()
    assert '"ok": false' in status and "FRICTION_PHI_KEY" in status


def test_missing_landing_is_refused(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    landing = home / "no-such-landing"
    before = sha256(home / "serving" / "warehouse.duckdb")
    code, out = refresh(home, landing, capsys)
    assert code == EXIT_REFUSED
    assert f"The landing folder {landing} does not exist" in out
    assert "--landing PATH" in out
    assert not landing.exists()  # not silently created empty
    assert not (home / "warehouse").exists()
    assert sha256(home / "serving" / "warehouse.duckdb") == before


def test_unwritable_home_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    if IS_ROOT:
        # Root ignores permission bits: only a read-only filesystem refuses it.
        with tmpfs(tmp_path / "mnt", "4m") as mnt:
            home = mnt / "home"
            before = make_snapshot(home / "serving" / "warehouse.duckdb")
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
            code, out = refresh(home, landing, capsys)
            after = sha256(home / "serving" / "warehouse.duckdb")
            created = sorted(p.name for p in home.iterdir())
    else:
        home = tmp_path / "home"
        before = make_snapshot(home / "serving" / "warehouse.duckdb")
        home.chmod(0o555)
        (home / "serving").chmod(0o555)
        try:
            code, out = refresh(home, landing, capsys)
        finally:
            (home / "serving").chmod(0o755)
            home.chmod(0o755)
        after = sha256(home / "serving" / "warehouse.duckdb")
        created = sorted(p.name for p in home.iterdir())
    assert code == EXIT_REFUSED
    assert f"The home folder {home} is not writable" in out
    assert "--home PATH" in out
    assert after == before
    assert created == ["serving"]


def test_full_disk_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    with tmpfs(tmp_path / "mnt", "4m") as mnt:
        home = mnt / "home"
        before = make_snapshot(home / "serving" / "warehouse.duckdb")
        code, out = refresh(home, landing, capsys)
        assert code == EXIT_REFUSED
        assert "Not enough free disk space for a refresh" in out
        need = MIN_FREE_BYTES + (home / "serving" / "warehouse.duckdb").stat().st_size
        assert f"needs at least {need / 1024 / 1024:,.1f} MiB" in out
        assert sha256(home / "serving" / "warehouse.duckdb") == before
        assert sorted(p.name for p in home.iterdir()) == ["serving"]


def test_disk_filling_up_during_publish_keeps_the_previous_snapshot(tmp_path: Path) -> None:
    """Past preflight, the disk can still fill: publish fails and leaves no half file."""
    work = tmp_path / "work.duckdb"
    with duckdb.connect(str(work)) as con:
        con.execute("create schema marts")
        # Random doubles do not compress: some 16 MB, far more than the 2 MB filesystem.
        con.execute("create table marts.fct_big as select random() as x from range(2000000)")
        con.execute("create schema raw")
        con.execute("create table raw._load_manifest (units_loaded bigint)")
        con.execute("create table raw._quarantine (value varchar, reason varchar)")
    with tmpfs(tmp_path / "mnt", "2m") as mnt:
        serving = mnt / "serving" / "warehouse.duckdb"
        before = make_snapshot(serving, rows=10)
        with pytest.raises((duckdb.Error, OSError)):
            publish_snapshot(work, serving, keep=3)
        assert sha256(serving) == before
        assert sorted(p.name for p in serving.parent.iterdir()) == ["warehouse.duckdb"]


def test_demo_generates_its_key_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from dagster_project.demo import ensure_demo_phi_key

    monkeypatch.delenv("FRICTION_PHI_KEY", raising=False)
    settings = load_settings(home=tmp_path / "home")
    settings.ensure_dirs()
    with pytest.raises(PreflightError, match="FRICTION_PHI_KEY is not set"):
        preflight(settings)
    demo = ensure_demo_phi_key(settings)
    key_file = settings.home / DEMO_PHI_KEY_FILE
    assert "generated a patient-identity hash key" in capsys.readouterr().err
    assert demo.phi_key == key_file.read_text().strip() and len(demo.phi_key) == 64
    assert key_file.stat().st_mode & 0o777 == 0o600
    preflight(demo)  # the demo's refresh passes the key rule
    assert ensure_demo_phi_key(settings).phi_key == demo.phi_key  # generated once, then reused
