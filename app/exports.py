"""Finance CSV sets published by the refresh under <home>/exports/finance/<date>/."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def export_dates(root: Path) -> list[str]:
    """Date folders with at least one CSV, newest first."""
    finance = root / "finance"
    if not finance.is_dir():
        return []
    # Sets are built in hidden folders and renamed into place: skip those in flight.
    dated = [
        p
        for p in finance.iterdir()
        if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.csv"))
    ]
    return sorted((p.name for p in dated), reverse=True)


def export_files(root: Path, day: str) -> pd.DataFrame:
    """The CSV files of one date folder: name, size and data rows."""
    folder = root / "finance" / day
    rows = []
    for path in sorted(folder.glob("*.csv")):
        with path.open("rb") as handle:
            lines = sum(1 for _ in handle)
        rows.append(
            {
                "file": path.name,
                "rows": max(0, lines - 1),
                "kilobytes": round(path.stat().st_size / 1024, 1),
            }
        )
    return pd.DataFrame(rows, columns=["file", "rows", "kilobytes"])
