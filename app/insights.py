"""The six leadership questions, each answered in one sentence from published values.

Pure string builders: the numbers come from kpi_monthly (via ``Reading``) or from the meta
tables, and are only formatted here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from app.fmt import fmt_age, fmt_value, is_missing
from app.kpis import Reading


@dataclass(frozen=True)
class Answer:
    question: str
    sentence: str
    page: str
    link_label: str


def _v(reading: Reading | None) -> str:
    return "n/a" if reading is None else reading.shown()


def worst(frame: pd.DataFrame, higher_is_better: bool) -> tuple[str, float] | None:
    """Label and value of the worst row of a breakdown (None when empty)."""
    rows = frame.dropna(subset=["value"])
    if rows.empty:
        return None
    row = rows.loc[rows["value"].idxmin() if higher_is_better else rows["value"].idxmax()]
    return str(row["label"]), float(row["value"])


def waiting(lead: Reading, no_show: Reading, longest: tuple[str, float] | None) -> str:
    where = f" (longest: {longest[0]}, {fmt_value(longest[1], 'days')})" if longest else ""
    return (
        f"Patients wait a median of {_v(lead)} from request to appointment{where}; "
        f"the no-show rate is {_v(no_show)}."
    )


def chasing(minutes: Reading, cost: Reading, top: tuple[str, float] | None) -> str:
    share = f"; the largest share is {top[0]} ({fmt_value(top[1], 'minutes')})" if top else ""
    return f"Staff spend {_v(minutes)} ({_v(cost)}) of administrative work per visit{share}."


def claims(by_count: Reading, by_usd: Reading, days_to_pay: Reading) -> str:
    return (
        f"{_v(by_count)} of claims ({_v(by_usd)} of charges) are denied at first "
        f"adjudication; payment takes a median of {_v(days_to_pay)}."
    )


def documentation(sign_lag: Reading, open_notes: Reading) -> str:
    return (
        f"Providers sign notes a median of {_v(sign_lag)} after the visit; "
        f"{_v(open_notes)} notes were still unsigned at month end."
    )


def visibility(freshness: pd.DataFrame, quarantined: int, failed_checks: int) -> str:
    """freshness: one row per source with columns source and hours_behind."""
    stale = ""
    rows = freshness.dropna(subset=["hours_behind"]) if not freshness.empty else freshness
    if not rows.empty:
        oldest = rows.loc[rows["hours_behind"].idxmax()]
        stale = (
            f"The least current source ({oldest['source']}) had no event newer than "
            f"{fmt_age(oldest['hours_behind'])} when the snapshot was built; "
        )
    checks = "check" if failed_checks == 1 else "checks"
    return (
        f"{stale}{quarantined:,} landed problems are quarantined and "
        f"{failed_checks} data {checks} failed."
    )


def growth(locations: pd.DataFrame) -> str:
    """locations: label, opened_on, value (admin minutes per visit), any order."""
    rows = locations.dropna(subset=["value", "opened_on"]).sort_values("opened_on")
    if len(rows) < 2:
        return "Not enough locations with an opening date to compare growth."
    oldest, newest = rows.iloc[0], rows.iloc[-1]
    verdict = (
        "growth is adding complexity"
        if newest["value"] > oldest["value"]
        else "growth is adding leverage"
    )
    return (
        f"The newest location ({newest['label']}, opened {pd.Timestamp(newest['opened_on']):%Y}) "
        f"needs {fmt_value(newest['value'], 'minutes')} of admin work per visit vs "
        f"{fmt_value(oldest['value'], 'minutes')} at the oldest ({oldest['label']}): {verdict}."
    )


def quarantined_count(quarantine: pd.DataFrame) -> int:
    if quarantine.empty:
        return 0
    return int(quarantine["problems"].sum())


def failed_count(checks: pd.DataFrame) -> int:
    if checks.empty or "passed" not in checks:
        return 0
    return int((~checks["passed"].fillna(False).astype(bool)).sum())


def hours_behind(freshness: pd.DataFrame, built_at: object) -> pd.DataFrame:
    """Per source: hours its newest event lags behind. The mart's own figure
    (hours_since_newest_event, measured to the data's as-of time) wins; older snapshots
    without it fall back to the time between the newest event and the snapshot build."""
    if freshness.empty:
        return pd.DataFrame(columns=["source", "hours_behind"])
    frame = freshness.copy()
    if "hours_since_newest_event" in frame:
        frame["hours_behind"] = frame["hours_since_newest_event"].astype(float)
        return frame
    if is_missing(built_at):
        return frame.assign(hours_behind=float("nan"))
    built = pd.Timestamp(built_at)
    if built.tzinfo is not None:
        built = built.tz_convert(None)
    newest = pd.to_datetime(frame["newest_event_at"])
    frame["hours_behind"] = (built - newest).dt.total_seconds() / 3600
    return frame
