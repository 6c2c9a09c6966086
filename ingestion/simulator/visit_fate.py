"""An appointment's whole future, decided the day it is booked.

Several things can end it before the visit: a late-announced closure, the patient, a coverage
problem or an undecided or denied prior auth. The earliest wins; otherwise the patient shows
up (or not) and the clinic visit follows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .authorization import AuthPlan, auth_request_time, needs_auth, request_auth
from .booking import Appointment, Request, appointment_row
from .clinic_visit import complete_visit
from .eligibility import EligibilityPlan, emit_checks, plan_eligibility
from .extracts import APPOINTMENT, CANCEL_REASONS, CANCELLED_BY, PATIENT, ident
from .payers import PAYERS
from .randomness import Draws
from .specialties import NEW, PROCEDURE, TELEHEALTH
from .tables import NULL
from .timebase import DAY, HOUR, MINUTE, subtract_business_days

if TYPE_CHECKING:
    from .world import World

_FOREVER = 2**62


@dataclass(slots=True)
class End:
    ts: int
    status: str  # cancelled or rescheduled
    reason: str
    by: str
    rebook_from_day: int  # earliest day for the replacement visit


def live(w: World, a: Appointment, r: Draws) -> None:
    loc = w.practice.locations[a.location - 1]
    pr = loc.processes(a.booked_ts // DAY)
    w.sinks["appointments"].add(appointment_row(a, "scheduled", a.booked_ts))
    _booking_work(w, a, r)
    ends = _ends_before_visit(w, a, r)
    elig = plan_eligibility(w, a, r, pr)
    if elig.cancel_ts != NULL:
        status = "rescheduled" if r.chance(0.5) else "cancelled"
        ends.append(End(elig.cancel_ts, status, "eligibility_issue", "practice", a.day + 3))
    auth, auth_missing = _authorize(w, a, r, pr, ends)
    end = _earliest(a, ends)
    if end is not None:
        _end_early(w, a, r, elig, auth, end)
        return
    emit_checks(w, a, r, elig, a.start_ts)
    _fix_coverage(w, a, r, elig, a.start_ts)
    if auth is not None:
        auth.emit(w, _FOREVER)
    if r.chance(_no_show_rate(a)):
        t = a.start_ts + int(r.between(15, 45) * MINUTE)
        w.sinks["appointments"].add(appointment_row(a, "no_show", t))
        return
    complete_visit(w, a, r, pr, elig, auth, auth_missing)


def _no_show_rate(a: Appointment) -> float:
    # Long waits are the strongest driver of no-shows; Medicaid and new patients add to it.
    rate = 0.02 + 0.021 * math.log1p(max(a.lead_days, 0))
    rate += 0.04 if PAYERS[a.payer].payer_type == "medicaid" else 0.0
    rate += 0.02 if a.kind == NEW else -0.015 if a.kind == PROCEDURE else 0.0
    rate -= 0.01 if a.kind == TELEHEALTH else 0.0
    return min(max(rate, 0.005), 0.4)


def _ends_before_visit(w: World, a: Appointment, r: Draws) -> list[End]:
    ends = []
    closure = w.calendar.by_provider[a.provider].get(a.day)
    if closure is not None and closure.announce_day > a.booked_ts // DAY:
        hour = r.between(16, 19) if closure.reason == "weather" else r.between(9, 16)
        status = "rescheduled" if r.chance(0.85) else "cancelled"
        ends.append(
            End(
                closure.announce_day * DAY + int(hour * HOUR),
                status,
                closure.reason,
                "practice",
                a.day + 1,
            )
        )
    if r.chance(0.06 + 0.012 * math.log1p(max(a.lead_days, 0))):
        # Cancellations bunch up close to the visit.
        t = a.booked_ts + int((a.start_ts - a.booked_ts) * r.u() ** 0.6)
        status = "rescheduled" if r.chance(0.55) else "cancelled"
        reason = "patient_request" if r.chance(0.9) else "other"
        ends.append(End(t, status, reason, "patient", t // DAY + 1 + int(r.lognormal(4, 0.8))))
    return ends


def _authorize(
    w: World, a: Appointment, r: Draws, pr, ends: list[End]
) -> tuple[AuthPlan | None, bool]:
    if a.service is None or not needs_auth(a.payer, a.service.cpt):
        return None, False
    auth = a.auth
    if auth is None:
        if r.chance(pr.auth_miss_rate):
            return None, True
        t = auth_request_time(a, r)
        if t >= min([e.ts for e in ends] + [a.start_ts]):
            return None, True
        auth = request_auth(w, a, r, pr, t, a.service.cpt)
    review = subtract_business_days(a.day, 1) * DAY + 15 * HOUR
    if auth.decided_ts > review and r.chance(pr.auth_reschedule_rate):
        ends.append(End(review, "rescheduled", "auth_pending", "payer", auth.decided_ts // DAY + 1))
    elif auth.decision == "denied" and auth.decided_ts < review and r.chance(0.85):
        ends.append(
            End(auth.decided_ts + int(r.between(1, 4) * HOUR), "cancelled", "other", "payer", 0)
        )
    return auth, False


def _earliest(a: Appointment, ends: list[End]) -> End | None:
    """The first end that can still happen: after the booking day, before the visit."""
    first_allowed = (a.booked_ts // DAY + 1) * DAY + 7 * HOUR
    valid = []
    for e in ends:
        e.ts = max(e.ts, first_allowed)
        if e.ts < a.start_ts - 10 * MINUTE:
            valid.append(e)
    return min(valid, key=lambda e: e.ts) if valid else None


def _end_early(
    w: World, a: Appointment, r: Draws, elig: EligibilityPlan, auth: AuthPlan | None, end: End
) -> None:
    emit_checks(w, a, r, elig, end.ts)
    _fix_coverage(w, a, r, elig, end.ts)
    rebook = end.status == "rescheduled"
    if auth is not None:
        auth.emit(w, end.ts, withdraw_at=None if rebook else end.ts)
    w.sinks["appointments"].add(
        appointment_row(
            a,
            end.status,
            end.ts,
            reason=CANCEL_REASONS.index(end.reason),
            by=CANCELLED_BY.index(end.by),
        )
    )
    w.release_slot(end.ts // DAY, a.provider, a.day, a.slot, a.n_slots)
    channel = "portal" if end.by == "patient" and r.chance(0.2) else "phone"
    role = "scheduler" if end.by != "patient" or channel == "phone" else "front_desk"
    w.work.touch(
        r,
        "scheduling",
        role,
        None if role == "scheduler" else a.location,
        "appointment",
        ident(APPOINTMENT, a.number),
        channel,
        end.ts,
        end.ts + int(r.between(3, 12) * MINUTE),
        outcome=end.status,
    )
    if rebook:
        w.rebook(
            end.ts // DAY,
            Request(
                a.provider,
                a.patient,
                a.kind,
                a.service,
                max(end.rebook_from_day, end.ts // DAY + 1),
                a.requested_ts,
                end.ts + int(r.between(1, 20) * MINUTE),
                a.number,
                auth if auth is not None and auth.decision != "denied" else None,
            ),
        )


def _fix_coverage(w: World, a: Appointment, r: Draws, elig: EligibilityPlan, until: int) -> None:
    if elig.fix_ts != NULL and elig.fix_ts < until:
        elig.corrected_member = w.patients.correct_member_id(
            a.patient, int(r.u() * 2**52), elig.fix_ts // DAY, elig.fix_ts
        )


def _booking_work(w: World, a: Appointment, r: Draws) -> None:
    entity = ident(APPOINTMENT, a.number)
    x = r.u()
    channel = "phone" if x < 0.65 else "portal" if x < 0.85 else "internal"
    role = "front_desk" if channel == "internal" else "scheduler"
    location = a.location if role == "front_desk" else None
    start = a.booked_ts - int(r.between(2, 9) * MINUTE)
    w.work.touch(
        r,
        "scheduling",
        role,
        location,
        "appointment",
        entity,
        channel,
        start,
        a.booked_ts,
        outcome="booked",
    )
    if a.registered:
        w.work.touch(
            r,
            "registration",
            "front_desk",
            a.location,
            "patient",
            ident(PATIENT, a.patient),
            "portal" if channel == "portal" else "phone",
            a.booked_ts,
            a.booked_ts + int(r.between(5, 15) * MINUTE),
            outcome="registered",
        )
