"""Integer time: days since 1970-01-01 and seconds since 1970-01-01 00:00 (practice local).

The simulator keeps every timestamp as an int so that rows stay cheap to hold and format; the
CSV writer turns them into ISO text only at the end.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

DAY = 86_400
HOUR = 3_600
MINUTE = 60
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def day_of(date: dt.date) -> int:
    return date.toordinal() - _EPOCH_ORDINAL


@lru_cache(maxsize=4096)
def date_of(day: int) -> dt.date:
    return dt.date.fromordinal(day + _EPOCH_ORDINAL)


def weekday(day: int) -> int:
    """Monday = 0 ... Sunday = 6 (1970-01-01 was a Thursday)."""
    return (day + 3) % 7


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[int]:
    """Days the clinics close: the federal holidays practices commonly observe."""

    def nth_weekday(month: int, wd: int, n: int) -> int:
        first = day_of(dt.date(year, month, 1))
        offset = (wd - weekday(first)) % 7
        return first + offset + 7 * (n - 1)

    def last_weekday(month: int, wd: int) -> int:
        nxt = day_of(dt.date(year + month // 12, month % 12 + 1, 1))
        return nxt - 1 - (weekday(nxt - 1) - wd) % 7

    def observed(date: dt.date) -> int:
        d = day_of(date)
        return d - 1 if weekday(d) == 5 else d + 1 if weekday(d) == 6 else d

    return frozenset(
        {
            observed(dt.date(year, 1, 1)),
            last_weekday(5, 0),  # Memorial Day
            observed(dt.date(year, 7, 4)),
            nth_weekday(9, 0, 1),  # Labor Day
            nth_weekday(11, 3, 4),  # Thanksgiving
            observed(dt.date(year, 12, 25)),
        }
    )


@lru_cache(maxsize=8192)
def is_business_day(day: int) -> bool:
    return weekday(day) < 5 and day not in _holidays(date_of(day).year)


def next_business_day(day: int, *, inclusive: bool = False) -> int:
    """The first business day after `day` (or `day` itself when inclusive and open)."""
    d = day if inclusive else day + 1
    while not is_business_day(d):
        d += 1
    return d


def add_business_days(day: int, n: int) -> int:
    d = day
    for _ in range(n):
        d = next_business_day(d)
    return d


def subtract_business_days(day: int, n: int) -> int:
    """`day` itself when n == 0, else the n-th business day before it."""
    d = day
    for _ in range(n):
        d -= 1
        while not is_business_day(d):
            d -= 1
    return d


@lru_cache(maxsize=8192)
def month_key(day: int) -> str:
    return date_of(day).strftime("%Y-%m")
