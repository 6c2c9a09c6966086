"""The command-line names are a public interface: scripts and schedulers call them."""

from __future__ import annotations

import pytest

from dagster_project.cli import build_parser


def test_subcommands_are_stable() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert {"simulate", "refresh", "demo", "dashboard", "ui", "export"} <= set(sub.choices)


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
