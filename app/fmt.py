"""How numbers read on screen, by the catalog's unit (rate, days, hours, minutes, usd, count).

Marts store rates as fractions; people read percentages and percentage points.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

_SUFFIX = {"days": " days", "hours": " h", "minutes": " min"}
_AXIS = {
    "rate": "%",
    "days": "days",
    "hours": "hours",
    "minutes": "minutes",
    "usd": "US$",
    "count": "count",
    "years": "years",
}


def is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _money(value: float, signed: bool = False) -> str:
    sign = (
        ("+" if value > 0 else "-" if value < 0 else "") if signed else ("-" if value < 0 else "")
    )
    amount = abs(value)
    # Cents matter for per-visit costs, not for monthly totals.
    body = f"${amount:,.2f}" if amount < 100 else f"${amount:,.0f}"
    return sign + body


def fmt_value(value: object, unit: str) -> str:
    """A metric value as a leader reads it, e.g. 0.25 rate -> '25.0%'."""
    if is_missing(value):
        return "n/a"
    number = float(value)  # type: ignore[arg-type]
    if unit == "rate":
        return f"{number * 100:.1f}%"
    if unit == "usd":
        return _money(number)
    if unit == "count":
        return f"{number:,.0f}"
    if unit in _SUFFIX:
        return f"{number:,.1f}{_SUFFIX[unit]}"
    return f"{number:,.2f}"


def is_unchanged(delta: float, unit: str) -> bool:
    """True when the change rounds to zero at the precision it is shown with."""
    shown = delta * 100 if unit == "rate" else delta
    places = {"count": 0, "usd": 2}.get(unit, 1)
    return round(shown, places) == 0


def fmt_delta(delta: object, unit: str) -> str | None:
    """A change between two values of one metric; rates change in percentage points."""
    if is_missing(delta):
        return None
    number = float(delta)  # type: ignore[arg-type]
    if is_unchanged(number, unit):
        number = 0.0
    sign = "" if number == 0 else "+"
    if unit == "rate":
        return f"{number * 100:{sign}.1f} pts"
    if unit == "usd":
        return _money(number, signed=True)
    if unit == "count":
        return f"{number:{sign},.0f}"
    if unit in _SUFFIX:
        return f"{number:{sign},.1f}{_SUFFIX[unit]}"
    return f"{number:{sign},.2f}"


def axis_title(unit: str, what: str | None = None) -> str:
    """'No-show rate (%)', or the unit alone when the axis carries several metrics."""
    base = _AXIS.get(unit)
    if what:
        # Catalog titles such as "Lead time (median days)" already carry their unit.
        return f"{what} ({base})" if base and not what.rstrip().endswith(")") else what
    return (base or "value").capitalize() if base != "%" else "Percent"


def plot_scale(unit: str) -> float:
    """Factor that turns a stored value into the plotted one (fractions -> percent)."""
    return 100.0 if unit == "rate" else 1.0


def month_label(month: date) -> str:
    return pd.Timestamp(month).strftime("%b %Y")


def fmt_age(hours: float) -> str:
    """An age for a sentence: minutes, hours, or days once past two days."""
    if hours < 1:
        return f"{hours * 60:.0f} minutes"
    if hours < 48:
        return f"{hours:.1f} hours"
    return f"{hours / 24:.1f} days"
