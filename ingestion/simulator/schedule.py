"""Each provider's bookable slots: what is open, booked or closed on every clinic day.

Lead times are not drawn from a distribution: they emerge from demand meeting this grid, so
a provider whose book is full shows long waits, a poor third-next-available and more no-shows.
"""

from __future__ import annotations

import numpy as np

from .closures import ClosureCalendar
from .practice import Practice, Provider
from .specialties import SPECIALTIES
from .timebase import DAY, MINUTE, is_business_day, weekday

FREE, CLOSED = -1, -2
SESSION_MINUTES = 240  # two four-hour sessions: 08:00-12:00 and 13:00-17:00
BOOKING_HORIZON_DAYS = 180


class ScheduleGrid:
    def __init__(
        self,
        practice: Practice,
        providers: list[Provider],
        calendar: ClosureCalendar,
        first_day: int,
        last_day: int,
    ) -> None:
        self.first_day = first_day
        self.n_days = last_day - first_day + 1
        n_providers = len(practice.providers) + 1
        self.slot_minutes = np.zeros(n_providers, dtype=np.int64)
        self.slots_per_day = np.zeros(n_providers, dtype=np.int64)
        for p in practice.providers:
            self.slot_minutes[p.index] = SPECIALTIES[p.specialty].slot_minutes
            self.slots_per_day[p.index] = 2 * SESSION_MINUTES // self.slot_minutes[p.index]
        # Plain lists for the per-request lookups: numpy scalar indexing costs more than a list's.
        self._width = self.slots_per_day.tolist()
        self._per_session = [SESSION_MINUTES // m if m else 0 for m in self.slot_minutes.tolist()]
        width = int(self.slots_per_day.max())
        self.cell = np.full((n_providers, self.n_days, width), CLOSED, dtype=np.int32)
        self.free = np.zeros((n_providers, self.n_days), dtype=np.int32)
        self.closed = np.zeros((n_providers, self.n_days), dtype=bool)
        open_day = np.array(
            [is_business_day(first_day + i) for i in range(self.n_days)], dtype=bool
        )
        dow = np.array([weekday(first_day + i) for i in range(self.n_days)])
        for p in providers:  # the other part's providers stay closed here
            days = open_day & np.isin(dow, p.clinic_weekdays)
            days &= np.arange(first_day, first_day + self.n_days) >= p.active_from
            n = int(self.slots_per_day[p.index])
            self.cell[p.index, days, :n] = FREE
            self.free[p.index, days] = n
        # Closures announced before the grid starts are simply never bookable.
        for provider, closed in enumerate(calendar.by_provider):
            for day, closure in closed.items():
                if closure.announce_day <= first_day:
                    self.close(provider, day)

    def slot_start(self, provider: int, day: int, slot: int) -> int:
        minute = int(slot * self.slot_minutes[provider])
        minute += 8 * 60 if minute < SESSION_MINUTES else 9 * 60
        return day * DAY + minute * MINUTE

    def close(self, provider: int, day: int) -> None:
        i = day - self.first_day
        if 0 <= i < self.n_days:
            row = self.cell[provider, i]
            row[row == FREE] = CLOSED
            self.free[provider, i] = 0
            self.closed[provider, i] = True

    def release(self, provider: int, day: int, slot: int, n: int) -> None:
        """A cancelled visit frees its slots, unless the day has been closed meanwhile."""
        i = day - self.first_day
        if self.closed[provider, i]:
            self.cell[provider, i, slot : slot + n] = CLOSED
            return
        self.cell[provider, i, slot : slot + n] = FREE
        self.free[provider, i] += n

    def book(
        self, provider: int, earliest: int, n: int, number: int, skip: int, pick: float
    ) -> tuple[int, int] | None:
        """Book `n` adjacent slots on the first open day >= `earliest` (after skipping `skip`
        acceptable days, as patients do when a day does not suit them). Returns (day, slot)."""
        lo = max(earliest - self.first_day, 0)
        hi = min(lo + BOOKING_HORIZON_DAYS, self.n_days)
        width = self._width[provider]
        per_session = self._per_session[provider]
        cells = self.cell[provider]
        seen = 0
        for c in np.flatnonzero(self.free[provider, lo:hi] >= n).tolist():
            i = lo + c
            row = cells[i, :width].tolist()
            if n == 1:
                starts = [k for k, v in enumerate(row) if v == FREE]
            else:
                starts = _runs(row, n, per_session)
            if not starts:
                continue
            if seen < skip:
                seen += 1
                continue
            slot = starts[min(int(pick * len(starts)), len(starts) - 1)]
            cells[i, slot : slot + n] = number
            self.free[provider, i] -= n
            return self.first_day + i, slot
        return None

    def open_slots(self, day: int, weeks: int = 8) -> tuple[np.ndarray, ...]:
        """(provider, slot_start ts, slot_minutes) of every open slot in the next `weeks`."""
        lo = day - self.first_day
        hi = min(lo + 7 * weeks, self.n_days)
        provider, d, slot = np.nonzero(self.cell[:, lo:hi, :] == FREE)
        minutes = slot * self.slot_minutes[provider]
        minutes = minutes + np.where(minutes < SESSION_MINUTES, 8 * 60, 9 * 60)
        starts = (day + d) * DAY + minutes * MINUTE
        return provider, starts, self.slot_minutes[provider]


def _runs(row: list[int], n: int, per_session: int) -> list[int]:
    """Start indexes of `n` free slots in a row, never spanning the lunch break."""
    starts, run = [], 0
    for k, v in enumerate(row):
        if k % per_session == 0:
            run = 0
        run = run + 1 if v == FREE else 0
        if run >= n:
            starts.append(k - n + 1)
    return starts
