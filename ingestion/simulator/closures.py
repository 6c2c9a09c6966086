"""Days a provider cannot see patients, and when the practice learns about them.

Vacations announced late and weather closures bump appointments that were already booked: the
practice reschedules them (cancelled_by practice), which is what the bump rate measures.
Each year is drawn from its own stream so that the calendar never depends on the run length.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .practice import Practice
from .randomness import Stream, rng_for
from .timebase import date_of, day_of, is_business_day, weekday


@dataclass(frozen=True)
class Closure:
    announce_day: int
    reason: str  # cancel_reason given to the bumped appointments


class ClosureCalendar:
    def __init__(self, practice: Practice, seed: int, first_day: int, last_day: int) -> None:
        self.by_provider: list[dict[int, Closure]] = [
            {} for _ in range(len(practice.providers) + 1)
        ]
        self.announced_on: dict[int, list[tuple[int, int]]] = {}  # day -> [(provider, closed day)]
        for year in range(date_of(first_day).year, date_of(last_day).year + 1):
            for p in practice.providers:
                for day, closure in _vacations(seed, year, p.index):
                    self._add(p.index, day, closure)
            for loc in practice.locations:
                for day, closure in _weather(seed, year, loc.index):
                    for p in practice.providers:
                        if p.location == loc.index:
                            self._add(p.index, day, closure)

    def _add(self, provider: int, day: int, closure: Closure) -> None:
        if day in self.by_provider[provider]:
            return
        self.by_provider[provider][day] = closure
        self.announced_on.setdefault(closure.announce_day, []).append((provider, day))


def _vacations(seed: int, year: int, provider: int) -> list[tuple[int, Closure]]:
    rng = rng_for(seed, Stream.CALENDAR, year * 10_000 + provider)
    out = []
    jan1 = day_of(dt.date(year, 1, 1))
    first_monday = jan1 + (7 - weekday(jan1)) % 7
    for week in sorted(rng.choice(50, size=4, replace=False).tolist()):
        monday = first_monday + 7 * week
        late = rng.random() < 0.3
        notice = int(rng.integers(7, 22)) if late else int(rng.integers(60, 121))
        closure = Closure(monday - notice, "provider_unavailable")
        length = 5 if rng.random() < 0.7 else 3
        out += [(monday + k, closure) for k in range(length) if is_business_day(monday + k)]
    return out


def _weather(seed: int, year: int, location: int) -> list[tuple[int, Closure]]:
    rng = rng_for(seed, Stream.CALENDAR, year * 10_000 + 5_000 + location)
    out = []
    winter = list(range(day_of(dt.date(year, 1, 1)), day_of(dt.date(year, 3, 1))))
    winter += range(day_of(dt.date(year, 12, 1)), day_of(dt.date(year, 12, 31)))
    for _ in range(int(rng.poisson(1.3))):
        day = winter[int(rng.integers(0, len(winter)))]
        if is_business_day(day):
            out.append((day, Closure(day - 1, "weather")))
    return out
