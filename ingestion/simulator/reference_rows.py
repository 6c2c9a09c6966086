"""Rows of the reference extracts: locations, providers, payers, staff.

Each appears in the file of the day it becomes known to the practice-management system: at
the start of the window, or 30 days before a new location or provider starts seeing patients
(when their schedule opens for booking).
"""

from __future__ import annotations

from .extracts import ROLES
from .payers import PAYERS
from .practice import Practice
from .tables import NULL, Sink
from .timebase import DAY

ANNOUNCE_DAYS = 30


def emit_reference(
    practice: Practice, sinks: dict[str, Sink], start_day: int, parts: dict[int, int], part: int
) -> None:
    """Each part writes its own locations and providers; part 0 writes the shared rest."""
    for loc in practice.locations:
        if parts[loc.index] != part:
            continue
        day = max(start_day, loc.opened_day - ANNOUNCE_DAYS)
        sinks["locations"].add((day, day * DAY, loc.index, loc.name, loc.state, loc.opened_day))
    for p in practice.providers:
        if parts[p.location] != part:
            continue
        day = max(start_day, p.active_from - ANNOUNCE_DAYS)
        sinks["providers"].add(
            (
                day,
                day * DAY,
                p.index,
                p.npi,
                f"{p.last_name}, {p.first_name}",
                p.specialty,
                p.location,
                round(p.fte * 10),
                p.active_from,
                NULL,
            )
        )
    if part != 0:
        return
    for i, payer in enumerate(PAYERS):
        sinks["payers"].add(
            (
                start_day,
                start_day * DAY,
                i,
                payer.name,
                payer.payer_type,
                payer.x12_id,
                payer.timely_filing_days if payer.timely_filing_days is not None else NULL,
            )
        )
    for s in practice.staff:
        sinks["staff"].add(
            (
                start_day,
                start_day * DAY,
                s.index,
                ROLES.index(s.role),
                s.location if s.location is not None else NULL,
                round(s.fte * 10),
                s.hourly_cost_cents,
            )
        )
