"""A completed visit: clinic flow, the note and its signature, coding, copay, then the claim."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .billing import bill_visit
from .booking import appointment_row
from .coding import code_visit
from .extracts import APPOINTMENT, ident
from .payers import PAYERS
from .processes import Processes
from .randomness import Draws
from .specialties import PROCEDURE, SPECIALTIES, TELEHEALTH
from .tables import NULL
from .timebase import DAY, HOUR, MINUTE, is_business_day, next_business_day

if TYPE_CHECKING:
    from .authorization import AuthPlan
    from .booking import Appointment
    from .eligibility import EligibilityPlan
    from .world import World

# Deposits asked of self-pay patients at check-in, dollars.
_SELF_PAY_DEPOSIT = {True: 90, False: 150}


def complete_visit(
    w: World,
    a: Appointment,
    r: Draws,
    pr: Processes,
    elig: EligibilityPlan,
    auth: AuthPlan | None,
    auth_missing: bool,
) -> None:
    prov = w.practice.providers[a.provider - 1]
    spec = SPECIALTIES[prov.specialty]
    payer = PAYERS[a.payer]
    tele = a.kind == TELEHEALTH
    late = r.between(10, 25) if r.chance(0.08) else 0.0
    arrived = a.start_ts + int((r.normal() * 6 - 8 + late) * MINUTE)
    checked_in = arrived + int(r.between(1, 4) * MINUTE)
    roomed = NULL if tele else arrived + int(r.lognormal(pr.door_to_room_min, 0.45) * MINUTE)
    seen = arrived + int(r.between(1, 6) * MINUTE) if tele else roomed
    provider_start = seen + int(r.lognormal(6, 0.5) * MINUTE)
    provider_end = provider_start + int(a.duration * r.lognormal(0.8, 0.25) * MINUTE)
    departed = provider_end + int((r.between(0.5, 2) if tele else r.lognormal(7, 0.4)) * MINUTE)
    if a.kind == PROCEDURE and a.service is not None:
        pos = a.service.place_of_service
    else:
        pos = "10" if tele else "11"
    encounter = w.next_id("encounter")
    w.sinks["encounters"].add(
        (
            a.day,
            departed,
            encounter,
            a.number,
            a.patient,
            a.provider,
            a.location,
            a.day,
            arrived,
            roomed,
            provider_start,
            provider_end,
            departed,
            pos,
        )
    )
    signed = _note(w, r, prov, encounter, provider_start, provider_end)
    coded = _coding_time(w, r, pr, a, signed)
    visit = code_visit(spec, a.kind, a.service, r, pr.coding_error_rate)
    for line in visit.lines:
        w.sinks["charges"].add(
            (
                coded // DAY,
                coded,
                encounter,
                line.number,
                line.cpt,
                ":".join(line.modifiers) or None,
                ":".join(line.diagnoses),
                line.units * 10,
                line.charge,
                coded,
            )
        )
    # Coding work belongs to the visit: self-pay visits have no claim to point at.
    entity = ident(APPOINTMENT, a.number)
    if pr.manual_charge_entry:
        w.work.touch(
            r,
            "charge_entry",
            "biller",
            None,
            "appointment",
            entity,
            "internal",
            coded - 20 * MINUTE,
            coded,
            outcome="keyed",
        )
    if a.kind == PROCEDURE or r.chance(0.35):
        w.work.touch(
            r,
            "coding",
            "coder",
            None,
            "appointment",
            entity,
            "internal",
            coded - 15 * MINUTE,
            coded,
            outcome="coded",
        )
    if payer.bills_claims:
        due = (payer.copay_primary if spec.primary_care else payer.copay_specialist) * 100
        due = 0 if a.kind == PROCEDURE else due
    else:
        due = _SELF_PAY_DEPOSIT[spec.primary_care] * 100
    x = r.u()
    collected = (
        due if x < pr.pos_collection_rate else due // 2 if x < pr.pos_collection_rate + 0.05 else 0
    )
    w.sinks["appointments"].add(
        appointment_row(
            a,
            "completed",
            departed,
            checked_in=checked_in,
            copay_due=due,
            copay_collected=collected,
        )
    )
    bill_visit(
        w,
        a,
        r,
        pr,
        visit,
        encounter,
        elig,
        auth,
        auth_missing,
        signed,
        coded,
        pos,
        checked_in,
        collected,
    )


def _note(w: World, r: Draws, prov, encounter: int, start: int, end: int) -> int:
    """Write the note's versions; returns when it is signed."""
    note = w.next_id("note")
    created = start + int(r.between(1, 3) * MINUTE)
    hours = r.lognormal(prov.sign_median_hours, 0.9)
    if r.chance(prov.sign_tail_rate):
        hours = r.between(25, 150) * 24  # forgotten for weeks: the chart stays open
    signed = end + int(hours * HOUR)
    sink = w.sinks["clinical_notes"]
    if signed // DAY != created // DAY:
        sink.add((created // DAY, created, note, encounter, prov.index, created, NULL))
    sink.add((signed // DAY, signed, note, encounter, prov.index, created, signed))
    return signed


def _coding_time(w: World, r: Draws, pr: Processes, a: Appointment, signed: int) -> int:
    ready = signed
    if r.chance(0.03):
        # The coder needs the provider to clarify the note before coding it.
        asked = signed + int(r.between(2, 30) * HOUR)
        ready = asked + int(r.lognormal(3, 0.8) * DAY)
        w.work.touch(
            r,
            "documentation_query",
            "coder",
            None,
            "appointment",
            ident(APPOINTMENT, a.number),
            "email" if r.chance(0.4) else "internal",
            asked,
            ready,
            outcome="answered",
        )
    lag = r.lognormal(pr.coding_lag_days, 0.7)
    if r.chance(0.007):
        lag = r.between(30, 120)  # a coding backlog nobody noticed
    coded = ready + int(lag * DAY)
    day = coded // DAY
    if not is_business_day(day):
        coded = next_business_day(day) * DAY + int(r.between(8.5, 16) * HOUR)
    return coded
