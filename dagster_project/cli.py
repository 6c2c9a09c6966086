"""``friction``: the one command-line entry point (stable names; schedulers call them).

Heavy imports happen inside each subcommand so ``friction --help`` stays instant.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rich.markup import escape

from app.auth import ROLES
from dagster_project.progress import console, progress_bar
from dagster_project.settings import load_settings
from dagster_project.stages.preflight import PreflightError

DEMO_PRESET = "small"
DEMO_SEED = 7
# Exit codes schedulers can tell apart: 1 the refresh ran and failed, 2 it could not start.
EXIT_FAILED, EXIT_REFUSED = 1, 2


def _cmd_simulate(args: argparse.Namespace) -> int:
    from ingestion.simulator import simulate, simulate_next_day

    out = Path(args.out)
    with progress_bar("simulate") as progress:
        if args.next_day:
            summary = simulate_next_day(out, progress=progress)
        else:
            summary = simulate(args.preset, args.seed, out, progress=progress)
    console.print(summary.one_line())
    return 0


def _cmd_refresh(args: argparse.Namespace) -> int:
    from dagster_project.refresh import run_refresh

    settings = load_settings(home=args.home, landing=args.landing)
    result = run_refresh(settings, full_rebuild=args.full_rebuild)
    console.print(result.one_line())
    return 0 if result.ok else EXIT_FAILED


def _cmd_demo(args: argparse.Namespace) -> int:
    from dagster_project.demo import run_demo

    settings = load_settings(home=args.home)
    return run_demo(settings, preset=args.preset, seed=args.seed, open_dashboard=not args.no_open)


def _cmd_dashboard(args: argparse.Namespace) -> int:
    from app.launch import run_dashboard

    home = Path(args.home).resolve() if args.home else None
    return run_dashboard(home, port=args.port, open_browser=not args.no_browser)


def _cmd_ui(args: argparse.Namespace) -> int:
    from dagster_project.ui import run_ui

    return run_ui(load_settings(home=args.home), port=args.port)


def _cmd_export(args: argparse.Namespace) -> int:
    from dagster_project.finance_exports import export_month

    folder = export_month(load_settings(home=args.home), args.month)
    console.print(f"finance export for {args.month} written to {folder}")
    return 0


def _cmd_user(args: argparse.Namespace) -> int:
    from app.auth import main as auth_main

    if args.home:  # the users file lives in the home unless FRICTION_AUTH_FILE says otherwise
        os.environ["FRICTION_HOME"] = str(Path(args.home).resolve())
    command = {"add": "add-user", "remove": "remove-user", "list": "list"}[args.action]
    names = [args.name] if args.name and args.action != "list" else []
    roles = [args.role] if args.role and args.action == "add" else []
    return auth_main([command, *names, *roles, *(["--replace"] if args.replace else [])])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="friction", description="Operational-intelligence warehouse for medical practices."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    sim = sub.add_parser("simulate", help="write a simulated practice's landing files")
    sim.add_argument("--preset", choices=["small", "medium", "large"], default="small")
    sim.add_argument("--seed", type=int, default=DEMO_SEED)
    sim.add_argument("--out", required=True, help="folder that receives landing/ and truth/")
    sim.add_argument(
        "--next-day", action="store_true", help="append the day after the last simulated one"
    )
    sim.set_defaults(func=_cmd_simulate)

    ref = sub.add_parser("refresh", help="load new landing files and rebuild the warehouse")
    ref.add_argument("--landing", help="landing folder (default <home>/landing)")
    ref.add_argument("--home", help="runtime data folder (default ./data or FRICTION_HOME)")
    ref.add_argument(
        "--full-rebuild",
        action="store_true",
        help="rebuild every dbt model from raw, not only what new files touched",
    )
    ref.set_defaults(func=_cmd_refresh)

    demo = sub.add_parser("demo", help="simulate the demo practice, refresh, open the dashboard")
    demo.add_argument("--home", help="runtime data folder (default ./data or FRICTION_HOME)")
    demo.add_argument("--preset", choices=["small", "medium", "large"], default=DEMO_PRESET)
    demo.add_argument("--seed", type=int, default=DEMO_SEED)
    demo.add_argument("--no-open", action="store_true", help="refresh only; do not serve")
    demo.set_defaults(func=_cmd_demo)

    dash = sub.add_parser("dashboard", help="serve the Streamlit dashboard on 127.0.0.1")
    dash.add_argument("--home", help="runtime data folder (default ./data or FRICTION_HOME)")
    dash.add_argument("--port", type=int, default=8501)
    dash.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    dash.set_defaults(func=_cmd_dashboard)

    ui = sub.add_parser("ui", help="Dagster's UI (dagster dev) on 127.0.0.1")
    ui.add_argument("--home", help="runtime data folder (default ./data or FRICTION_HOME)")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=_cmd_ui)

    exp = sub.add_parser("export", help="rebuild one month's finance CSV export set")
    exp.add_argument("--month", required=True, help="YYYY-MM")
    exp.add_argument("--home", help="runtime data folder (default ./data or FRICTION_HOME)")
    exp.set_defaults(func=_cmd_export)

    user = sub.add_parser("user", help="dashboard sign-in users: add, remove, list")
    user.add_argument("action", choices=["add", "remove", "list"])
    user.add_argument("name", nargs="?", help="user name (add, remove)")
    user.add_argument("role", nargs="?", choices=sorted(ROLES))
    user.add_argument("--replace", action="store_true", help="reset an existing user")
    user.add_argument("--home", help="runtime data folder (default ./data or FRICTION_HOME)")
    user.set_defaults(func=_cmd_user)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except PreflightError as error:
        # One paragraph, no traceback: the message already says what, where and how to fix.
        console.print(
            f"[red]friction {args.command}: cannot start.[/red] {escape(str(error))}",
            soft_wrap=True,  # paths stay whole for copy and paste
        )
        return EXIT_REFUSED
    except KeyboardInterrupt:
        console.print("[red]interrupted[/red]")
        return 130


if __name__ == "__main__":
    sys.exit(main())
