"""Pure helpers of the dashboard: formatting, scope fallback, targets, ordering, exports."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from app.charts import wrap_title
from app.exports import export_dates, export_files
from app.fmt import axis_title, fmt_age, fmt_delta, fmt_value
from app.insights import growth
from app.kpis import pick_scope, read_metric
from app.panels import bucket_order

MAR, FEB = date(2025, 3, 1), date(2025, 2, 1)
INFO = {
    "title": "No-show rate",
    "unit": "rate",
    "higher_is_better": False,
    "definition": "no_show / (completed + no_show)",
    "source": "common",
}


def test_values_read_the_way_leaders_read_them() -> None:
    assert fmt_value(0.25, "rate") == "25.0%"
    assert fmt_value(8.4, "usd") == "$8.40" and fmt_value(4850, "usd") == "$4,850"
    assert fmt_value(9, "days") == "9.0 days" and fmt_value(30, "hours") == "30.0 h"
    assert fmt_value(None, "rate") == "n/a" and fmt_value(float("nan"), "count") == "n/a"
    assert fmt_delta(0.05, "rate") == "+5.0 pts" and fmt_delta(-1.5, "days") == "-1.5 days"
    assert fmt_delta(-650, "usd") == "-$650" and fmt_delta(0.0004, "rate") == "0.0 pts"
    assert fmt_delta(0.001, "usd") == "$0.00" and fmt_delta(0.05, "usd") == "+$0.05"
    assert fmt_age(36) == "36.0 hours" and fmt_age(72) == "3.0 days"


def test_axis_titles_do_not_repeat_units() -> None:
    assert axis_title("rate", "No-show rate") == "No-show rate (%)"
    assert axis_title("days", "Lead time (median days)") == "Lead time (median days)"


def test_scope_falls_back_to_practice_and_says_so() -> None:
    series = {
        ("practice", "all"): [(FEB, 10.0, 50.0, 0.20), (MAR, 15.0, 60.0, 0.25)],
        ("location", "L1"): [(MAR, 8.0, 40.0, 0.20)],
    }
    assert pick_scope(series, "location", "L1") == ([(MAR, 8.0, 40.0, 0.20)], False)
    assert pick_scope(series, "payer", "Y9") == (series[("practice", "all")], True)
    tile = read_metric(
        "access.no_show_rate",
        INFO,
        {"target_value": 0.10, "direction": "at_most", "source_label": "practice default"},
        series,
        ("payer", "Y9", "payer Y9"),
        MAR,
        FEB,
    )
    assert (tile.shown(), tile.change, tile.fell_back) == ("25.0%", 0.25 - 0.20, True)
    assert tile.meets_target is False
    assert tile.target_text() == "Target 10.0%: misses it by 15.0 pts. Source: practice default"
    assert "numerator 15.00, denominator 60.00" in tile.how_computed()


def test_age_buckets_in_age_order() -> None:
    assert bucket_order(["120+", "0-30", "91-120", "31-60", "61-90"]) == [
        "0-30",
        "31-60",
        "61-90",
        "91-120",
        "120+",
    ]
    assert bucket_order(["31+ days", "8-30 days", "0-7 days"]) == [
        "0-7 days",
        "8-30 days",
        "31+ days",
    ]


def test_long_titles_wrap() -> None:
    assert "<br>" in wrap_title("x " * 60) and "<br>" not in wrap_title("short")


def test_growth_verdict() -> None:
    frame = pd.DataFrame(
        {
            "label": ["Main", "North"],
            "opened_on": [date(2015, 1, 1), date(2024, 1, 1)],
            "value": [10.0, 17.5],
        }
    )
    assert growth(frame).endswith("growth is adding complexity.")
    assert growth(frame.assign(value=[17.5, 10.0])).endswith("growth is adding leverage.")


def test_exports_skip_sets_still_being_written(tmp_path: Path) -> None:
    for name in ("2025-03-31", "2025-02-28", ".building-1234"):
        (tmp_path / "finance" / name).mkdir(parents=True)
        (tmp_path / "finance" / name / "a.csv").write_text("x\n1\n2\n")
    assert export_dates(tmp_path) == ["2025-03-31", "2025-02-28"]
    assert export_files(tmp_path, "2025-03-31").to_dict("records") == [
        {"file": "a.csv", "rows": 2, "kilobytes": 0.0}
    ]
    assert export_dates(tmp_path / "missing") == []
