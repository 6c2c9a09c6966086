"""Demand for visits and the booking of each request into a provider's schedule."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .extracts import APPOINTMENT_STATUSES
from .randomness import Draws, cumulative, draw_rows
from .specialties import (
    ESTABLISHED,
    FOLLOW_UP,
    NEW,
    PROCEDURE,
    SPECIALTIES,
    TELEHEALTH,
    Service,
    Specialty,
)
from .tables import NULL
from .timebase import DAY, HOUR, MINUTE, date_of, is_business_day, weekday

if TYPE_CHECKING:
    from .authorization import AuthPlan
    from .world import World

_STATUS = {name: i for i, name in enumerate(APPOINTMENT_STATUSES)}
_WEEKDAY_DEMAND = (1.25, 1.0, 0.97, 0.95, 0.83)
_SKIP_CUM = (0.6, 0.85, 1.0)
# Requests run a little above what the book holds once holidays, vacations and cancellations
# are counted; the surplus shows up as longer waits rather than idle slots.
_UTILISATION = 0.97
# Median days ahead a patient first asks to be seen, (primary care, specialty), by visit type.
_DESIRED_LEAD_DAYS = {NEW: (2, 5), ESTABLISHED: (3, 7), PROCEDURE: (12, 12), TELEHEALTH: (1.5, 2)}
MAX_LEAD_DAYS = 366  # the furthest a patient asks to be seen (a yearly follow-up)
_BALK_AFTER_DAYS, _BALK_SPAN_DAYS = 21, 150  # beyond 3 weeks, ever more patients decline


@dataclass(slots=True)
class Request:
    provider: int
    patient: int  # 0: a new patient, registered when the slot is booked
    kind: int
    service: Service | None
    earliest_day: int
    requested_ts: int
    booked_ts: int
    rescheduled_from: int = NULL
    auth: AuthPlan | None = None


@dataclass(slots=True)
class Appointment:
    number: int
    patient: int
    provider: int
    location: int
    kind: int
    requested_ts: int
    booked_ts: int
    day: int
    slot: int
    n_slots: int
    start_ts: int
    duration: int
    rescheduled_from: int
    payer: int
    service: Service | None
    auth: AuthPlan | None
    registered: bool = False  # the patient was registered with this booking

    @property
    def lead_days(self) -> int:
        return self.day - self.requested_ts // DAY


def slots_needed(spec: Specialty, kind: int, service: Service | None) -> int:
    if kind == PROCEDURE and service is not None:
        return service.slots
    return 2 if kind == NEW else 1


def _average_slots(spec: Specialty) -> float:
    proc = sum(s.slots * w for s, w in spec.procedures) / sum(w for _, w in spec.procedures)
    mix = spec.visit_mix
    return (
        2 * mix[NEW] + mix[ESTABLISHED] + mix[FOLLOW_UP] + mix[TELEHEALTH] + proc * mix[PROCEDURE]
    ) / sum(mix)


def daily_requests(w: World, day: int, rng: np.random.Generator) -> list[Request]:
    """New requests that reach the practice on `day` (business days only)."""
    if not is_business_day(day):
        return []
    doy = date_of(day).timetuple().tm_yday
    out: list[Request] = []
    for p in w.providers:
        if day < p.active_from - 30:
            continue
        spec = SPECIALTIES[p.specialty]
        weekly = w.grid.slots_per_day[p.index] * len(p.clinic_weekdays) / _average_slots(spec)
        season = 1.0 + (0.12 if spec.primary_care else 0.05) * math.cos(
            2 * math.pi * (doy - 20) / 365
        )
        ramp = min(1.0, 0.35 + 0.65 * max(day - p.active_from, 0) / 150)
        rate = weekly / 5 * spec.demand_load * _UTILISATION * season * ramp
        rate *= _WEEKDAY_DEMAND[weekday(day)]
        n = int(rng.poisson(rate))
        if n == 0:
            continue
        for r in draw_rows(rng, n, 8, w.spare):
            out.append(_request(p.index, spec, day, r, 1.0 - ramp))
    return out


def _request(provider: int, spec: Specialty, day: int, r: Draws, newness: float) -> Request:
    if newness > 0:
        mix = list(spec.visit_mix)
        mix[NEW] += 0.5 * newness  # a young practice's panel is still filling
        kind = r.weighted(range(5), cumulative(mix))
    else:
        kind = r.weighted(range(5), spec.visit_mix_cum)
    service = r.weighted(*spec.procedure_table) if kind == PROCEDURE else None
    booked = day * DAY + 8 * HOUR + int(r.u() * 9 * HOUR)
    z = r.normal()
    if kind == FOLLOW_UP:
        lo, hi = spec.follow_up_weeks
        earliest = day + int(7 * r.between(lo, hi))
    else:
        median = _DESIRED_LEAD_DAYS[kind][0 if spec.primary_care else 1]
        earliest = day + 1 + int(median * math.exp(0.8 * z))
    requested = booked - int(r.between(2, 30)) * MINUTE
    if kind == NEW and not spec.primary_care:
        requested = booked - int(spec.referral_wait_days * math.exp(0.6 * z) * DAY)
    return Request(provider, 0, kind, service, earliest, requested, booked)


def book(w: World, req: Request, r: Draws) -> Appointment | None:
    """Put a request into the grid; None when nothing is open within the booking horizon."""
    prov = w.practice.providers[req.provider - 1]
    spec = SPECIALTIES[prov.specialty]
    patient, kind = req.patient, req.kind
    panel = w.patients.panels.get(req.provider)
    if patient == 0 and kind != NEW:
        if panel:
            patient = panel[min(int(r.u() * len(panel)), len(panel) - 1)]
        else:
            kind = NEW
    n = slots_needed(spec, kind, req.service)
    skip = r.weighted((0, 1, 2), _SKIP_CUM)
    number = w.next_id("appointment")
    today = req.booked_ts // DAY
    earliest = min(max(req.earliest_day, today + 1), today + MAX_LEAD_DAYS)
    found = w.grid.book(req.provider, earliest, n, number, skip, r.u())
    if found is None:
        return None
    wait = found[0] - req.requested_ts // DAY
    if req.rescheduled_from == NULL and r.u() < (wait - _BALK_AFTER_DAYS) / _BALK_SPAN_DAYS:
        # Offered a long wait, some patients go elsewhere; this keeps full books from growing
        # without bound and is where a practice loses demand it never sees.
        w.grid.release(req.provider, found[0], found[1], n)
        return None
    if patient == 0:
        loc = w.practice.locations[prov.location - 1]
        patient = w.patients.register(
            r, req.provider, prov.specialty, loc.zip3, req.booked_ts // DAY, req.booked_ts
        )
    day, slot = found
    return Appointment(
        number=number,
        patient=patient,
        provider=req.provider,
        location=prov.location,
        kind=kind,
        requested_ts=req.requested_ts,
        booked_ts=req.booked_ts,
        day=day,
        slot=slot,
        n_slots=n,
        start_ts=w.grid.slot_start(req.provider, day, slot),
        duration=n * int(w.grid.slot_minutes[req.provider]),
        rescheduled_from=req.rescheduled_from,
        payer=w.patients.payer[patient],
        service=req.service if kind == PROCEDURE else None,
        auth=req.auth,
        registered=req.patient == 0 and kind == NEW,
    )


def appointment_row(a: Appointment, status: str, changed: int, **extra: int) -> tuple:
    """One version of the pm/appointments row, as of `changed`."""
    return (
        changed // DAY,
        changed,
        a.number,
        a.patient,
        a.provider,
        a.location,
        a.kind,
        a.requested_ts,
        a.booked_ts,
        a.start_ts,
        a.duration,
        _STATUS[status],
        changed,
        extra.get("reason", NULL),
        extra.get("by", NULL),
        a.rescheduled_from,
        extra.get("checked_in", NULL),
        extra.get("copay_due", NULL),
        extra.get("copay_collected", NULL),
    )
