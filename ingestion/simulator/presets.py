"""Simulation sizes and the calendar window a run covers."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

# A fixed default keeps every run reproducible byte for byte, whatever day it is run on.
DEFAULT_END_DATE = dt.date(2026, 10, 31)

# Appointments booked before the first written day still fill the schedule on day one, the
# way a practice's first extract already holds weeks of future bookings.
WARMUP_DAYS = 75


@dataclass(frozen=True)
class Preset:
    name: str
    locations: int
    providers: int
    months: int
    # Locations that open while the simulation runs (growth); the newest of them is the
    # "newer location" the dashboards compare against mature ones.
    locations_opening_in_window: int

    def window(
        self, end_date: dt.date | None = None, start_date: dt.date | None = None
    ) -> tuple[dt.date, dt.date]:
        """First and last written day: `months` whole months ending on `end_date`."""
        end = end_date or DEFAULT_END_DATE
        if start_date is not None:
            if start_date > end:
                raise ValueError(f"start_date {start_date} is after end_date {end}")
            return start_date, end
        return months_before(end, self.months) + dt.timedelta(days=1), end


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day of month `months` earlier, clamped to that month's length."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last_day))


PRESETS: dict[str, Preset] = {
    "small": Preset("small", locations=3, providers=12, months=6, locations_opening_in_window=0),
    "medium": Preset("medium", locations=8, providers=60, months=12, locations_opening_in_window=1),
    "large": Preset("large", locations=25, providers=250, months=24, locations_opening_in_window=4),
}


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}") from None
