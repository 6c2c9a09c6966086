"""The command-line names are a public interface: scripts and schedulers call them."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.cli import build_parser, main


def test_subcommands_are_stable() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert {"simulate", "refresh", "demo", "dashboard", "ui", "export", "user"} <= set(
        sub.choices
    )


def test_simulate_arguments() -> None:
    args = build_parser().parse_args(
        ["simulate", "--preset", "medium", "--seed", "3", "--out", "/tmp/x"]
    )
    assert (args.preset, args.seed, args.out, args.next_day) == ("medium", 3, "/tmp/x", False)
    nxt = build_parser().parse_args(["simulate", "--next-day", "--out", "/tmp/x"])
    assert nxt.next_day is True


def test_unknown_preset_is_refused() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["simulate", "--preset", "huge", "--out", "/tmp/x"])


def test_refresh_arguments() -> None:
    args = build_parser().parse_args(["refresh", "--home", "/h", "--landing", "/l"])
    assert (args.command, args.home, args.landing) == ("refresh", "/h", "/l")
    defaults = build_parser().parse_args(["refresh"])
    assert (defaults.home, defaults.landing) == (None, None)  # FRICTION_HOME / <home>/landing


def test_user_add_list_remove_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from app import auth

    monkeypatch.delenv("FRICTION_AUTH_FILE", raising=False)
    monkeypatch.setattr(auth.getpass, "getpass", lambda prompt="": "correct horse 42")
    assert main(["user", "add", "ana", "analyst", "--home", str(tmp_path)]) == 0
    users_file = tmp_path / "auth" / "users.toml"
    assert "ana" in auth.read_users(users_file)
    assert auth.read_users(users_file)["ana"].role == "analyst"
    assert main(["user", "list", "--home", str(tmp_path)]) == 0
    assert "ana\tanalyst" in capsys.readouterr().out
    assert main(["user", "remove", "ana", "--home", str(tmp_path)]) == 0
    assert auth.read_users(users_file) == {}
    assert main(["user", "remove", "ana", "--home", str(tmp_path)]) == 1  # already gone


def test_user_roles_are_the_dashboards() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["user", "add", "bob", "admin"])
