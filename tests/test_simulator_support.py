"""Shared runs and readers for the simulator tests (no tests here).

The full small-preset run is made once per session and shared by every simulator test module;
short windows keep the determinism and next-day tests fast.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from ingestion.simulator import simulate

SEED = 11
SHORT_START = dt.date(2026, 9, 21)
SHORT_END = dt.date(2026, 10, 4)


def _scratch(name: str) -> Path:
    root = Path(tempfile.mkdtemp(prefix=f"sim_{name}_"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


SMALL_START = dt.date(2026, 7, 1)


@cache
def small_run() -> Path:
    """The small preset's last four months up to the default end date, simulated once per
    test session (enough volume for the causal tests, a third cheaper than all six)."""
    out = _scratch("small")
    simulate("small", SEED, out, start_date=SMALL_START)
    return out


def short_run(seed: int, end: dt.date = SHORT_END, workers: int = 1) -> Path:
    """Two weeks of the small preset; in-process by default (spawning workers costs more
    than it saves on a run this short)."""
    out = _scratch(f"short{seed}")
    simulate("small", seed, out, start_date=SHORT_START, end_date=end, workers=workers)
    return out


def tree_digest(root: Path) -> str:
    """One hash over every file's relative path and bytes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@cache
def read_extract(run: Path, extract: str) -> pl.DataFrame:
    """Every row of an extract as text, with its file name and row position, in landing
    order (files by name, rows in file order)."""
    files = sorted(str(p) for p in (run / "landing" / extract).glob("*.csv"))
    frame = pl.scan_csv(files, infer_schema=False, include_file_paths="filename").collect()
    return frame.with_row_index("_row")


def sql(query: str, **frames: pl.DataFrame) -> list[tuple]:
    """Run DuckDB SQL over named polars frames."""
    con = duckdb.connect()
    for name, frame in frames.items():
        con.register(name, frame)
    return con.sql(query).fetchall()


def rows_of(run: Path, extract: str) -> list[dict]:
    return read_extract(run, extract).to_dicts()


def latest(run: Path, extract: str, key: str) -> list[dict]:
    """Latest version of each key (last file by name, then last row)."""
    by_key: dict[str, dict] = {}
    for record in rows_of(run, extract):
        by_key[record[key]] = record
    return list(by_key.values())


@dataclass
class Interchange:
    """A test-local X12 split: segments as element lists, components left joined."""

    segments: list[list[str]]
    component: str


def split_x12(text: str) -> Interchange:
    element, component, terminator = text[3], text[104], text[105]
    segments = []
    for raw in text.split(terminator):
        raw = raw.strip("\r\n")
        if raw:
            segments.append(raw.split(element))
    return Interchange(segments, component)


def x12_files(run: Path, folder: str) -> list[Path]:
    return sorted((run / "landing" / folder).glob("*"))
