"""Insurance verification before a visit, and what the front desk does with the answer.

A visit may carry a coverage problem (terminated plan, unknown member id, wrong payer, another
payer primary). A check in the week before the visit reveals most of them; the front desk then
fixes the coverage or moves the visit, unless it ignores the answer. Whatever survives to the
claim becomes an eligibility denial, labelled by the evidence (metrics.md root-cause table).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .authorization import manual_channel
from .denial_codes import CHECK_RESULT_FOR_PROBLEM, COVERAGE_PROBLEM_MIX
from .extracts import APPOINTMENT, CHECK_CHANNELS, CHECK_RESULTS, ident
from .payers import PAYERS
from .processes import Processes
from .randomness import Draws, cumulative
from .tables import NULL
from .timebase import DAY, HOUR, MINUTE, subtract_business_days

if TYPE_CHECKING:
    from .booking import Appointment
    from .world import World

_PROBLEMS = tuple(kind for kind, _ in COVERAGE_PROBLEM_MIX)
_PROBLEM_CUM = cumulative([w for _, w in COVERAGE_PROBLEM_MIX])
_DAYS_BEFORE = (0, 1, 2, 3, 5)
_DAYS_BEFORE_CUM = cumulative((0.15, 0.45, 0.25, 0.10, 0.05))
_ANSWERED = ("active", "inactive", "not_found")
WINDOW = 7 * DAY  # "checked" means a check in the 7 days before service


@dataclass(slots=True)
class Check:
    requested_ts: int
    responded_ts: int  # NULL: no answer
    channel: str
    result: str
    staff: int  # NULL: fully automated


@dataclass(slots=True)
class EligibilityPlan:
    checks: list[Check]
    problem: str | None  # coverage problem still on file when the claim goes out
    fix_ts: int  # NULL unless the front desk corrected the coverage
    cancel_ts: int  # NULL unless the visit is moved because of coverage
    corrected_member: str | None = None  # the member id on file after the fix


def evidence_label(checks: list[Check], start_ts: int) -> str:
    """Root cause of an eligibility denial, judged only from pm/eligibility_checks."""
    answered = [
        c
        for c in checks
        if start_ts - WINDOW <= c.requested_ts <= start_ts and c.result in _ANSWERED
    ]
    if not answered:
        return "eligibility_not_checked"
    return (
        "payer_data_mismatch" if answered[-1].result == "active" else "eligibility_result_ignored"
    )


def plan_eligibility(w: World, a: Appointment, r: Draws, pr: Processes) -> EligibilityPlan:
    payer = PAYERS[a.payer]
    plan = EligibilityPlan([], None, NULL, NULL)
    if not payer.bills_claims:
        return plan
    if r.chance(payer.coverage_problem_rate):
        plan.problem = r.weighted(_PROBLEMS, _PROBLEM_CUM)
    at_booking = r.chance(pr.booking_check_rate)
    before_visit = r.chance(pr.check_rate)
    if at_booking:
        t = a.booked_ts + int(r.between(5, 40) * MINUTE)
        # Far ahead of the visit the coverage still looks fine; the problem comes later.
        seen = plan.problem if a.start_ts - t < 30 * DAY else None
        _act(w, a, r, pr, plan, _check(w, a, r, plan, t, seen, _channel(r, pr)))
    if not before_visit or plan.cancel_ts != NULL:
        return plan
    channel = _channel(r, pr)
    back = r.weighted(_DAYS_BEFORE, _DAYS_BEFORE_CUM)
    if channel == "fax":
        back = max(back, 2)  # nobody faxes a payer on the morning of the visit
    day = subtract_business_days(a.day, back)
    t = day * DAY + int(r.between(7.0, 16.0) * HOUR)
    t = min(t, a.start_ts - 30 * MINUTE)
    if t < a.booked_ts + 10 * MINUTE:
        t = a.booked_ts + int(r.between(10, 40) * MINUTE)
    _act(w, a, r, pr, plan, _check(w, a, r, plan, t, plan.problem, channel))
    return plan


def _act(
    w: World, a: Appointment, r: Draws, pr: Processes, plan: EligibilityPlan, result: str
) -> None:
    """The front desk fixes the coverage or moves the visit, unless the answer came too late
    or nobody looked at it."""
    answered = plan.checks[-1].responded_ts
    in_time = answered != NULL and answered < a.start_ts - 15 * MINUTE
    if result not in ("inactive", "not_found") or not in_time:
        return
    if not r.chance(pr.act_on_failed_check):
        return
    act_at = min(answered + int(r.between(5, 30) * MINUTE), a.start_ts - 5 * MINUTE)
    if r.chance(0.72):
        plan.fix_ts = act_at
        plan.problem = None
        done = act_at + int(r.between(2, 4) * MINUTE)
        plan.checks.append(Check(act_at, done, "phone", "active", _staff(w, r, a.location)))
    else:
        plan.cancel_ts = act_at


def _channel(r: Draws, pr: Processes) -> str:
    if r.chance(pr.electronic_share):
        return "x12_270"
    return manual_channel(r, pr, ("phone", "fax", "portal"))


def _staff(w: World, r: Draws, location: int) -> int:
    team = w.practice.staff_for("eligibility", location)
    return team[min(int(r.u() * len(team)), len(team) - 1)]


def _check(
    w: World,
    a: Appointment,
    r: Draws,
    plan: EligibilityPlan,
    t: int,
    problem: str | None,
    channel: str,
) -> str:
    """Append the check (and a phone retry when the electronic one fails); return the result
    the front desk finally sees."""
    true_result = CHECK_RESULT_FOR_PROBLEM[problem] if problem else "active"
    if channel == "x12_270":
        if not r.chance(0.05):
            plan.checks.append(Check(t, t + int(r.between(2, 40)), channel, true_result, NULL))
            return true_result
        failed = "error" if r.chance(0.6) else "no_response"
        responded = t + int(r.between(2, 40)) if failed == "error" else NULL
        plan.checks.append(Check(t, responded, channel, failed, NULL))
        t += int(r.between(20, 120) * MINUTE)
        channel = "phone"
    wait = {
        "phone": r.between(6, 25) * MINUTE,
        "portal": r.between(2, 8) * MINUTE,
        "fax": r.lognormal(3, 0.6) * HOUR,
    }[channel]
    plan.checks.append(Check(t, t + int(wait), channel, true_result, _staff(w, r, a.location)))
    return true_result


def emit_checks(w: World, a: Appointment, r: Draws, plan: EligibilityPlan, until: int) -> None:
    """Write the checks made before `until` (the moment the appointment ended, if it did)."""
    payer = PAYERS[a.payer]
    copay = payer.copay_primary if a.service is None else payer.copay_specialist
    entity = ident(APPOINTMENT, a.number)
    for c in plan.checks:
        if c.requested_ts >= until:
            continue
        number = w.next_id("check")
        active = c.result == "active"
        coverage_end = NULL
        if c.result == "inactive":
            coverage_end = a.day - r.int_between(5, 60)
        w.sinks["eligibility_checks"].add(
            (
                max(c.requested_ts, c.responded_ts) // DAY,
                max(c.requested_ts, c.responded_ts),
                number,
                a.patient,
                a.payer,
                a.number,
                c.requested_ts,
                c.responded_ts,
                CHECK_CHANNELS.index(c.channel),
                c.staff,
                CHECK_RESULTS.index(c.result),
                coverage_end,
                copay * 100 if active else NULL,
            )
        )
        if c.channel != "x12_270":
            end = c.responded_ts if c.responded_ts != NULL else c.requested_ts + 30 * MINUTE
            w.work.touch(
                r,
                "eligibility",
                "eligibility",
                a.location,
                "appointment",
                entity,
                c.channel,
                c.requested_ts,
                end,
                outcome=c.result,
            )
        elif c.result in ("error", "no_response"):
            w.work.touch(
                r,
                "eligibility",
                "eligibility",
                a.location,
                "appointment",
                entity,
                "internal",
                c.requested_ts + 10 * MINUTE,
                c.requested_ts + 20 * MINUTE,
                outcome="retry",
            )
