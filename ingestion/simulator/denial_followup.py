"""After a denial: staff work it, and it is either overturned (a replacement claim with
CLM05-3 = 7 and REF*F8, or an appeal the payer reprocesses) or written off."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .adjudication import Adjudication, ClaimRecord, ccn, price
from .authorization import manual_channel, retro_auth
from .claim_book import ClaimTruth, Submission, payment_day
from .coding import claim_diagnoses
from .patient_balance import settle_patient
from .payers import PAYERS
from .randomness import Draws
from .timebase import DAY, HOUR, MINUTE, add_business_days

if TYPE_CHECKING:
    from .authorization import AuthPlan
    from .booking import Appointment
    from .processes import Processes
    from .world import World

# Share of denials recovered, by root cause: fixable mistakes are usually won back, missed
# filing deadlines and services rendered against a denied auth rarely are.
OVERTURN_RATE = {
    "eligibility_not_checked": 0.45,
    "eligibility_result_ignored": 0.35,
    "payer_data_mismatch": 0.60,
    "auth_not_requested": 0.25,
    "auth_pending_at_service": 0.70,
    "auth_mismatch": 0.60,
    "auth_denied_service_rendered": 0.08,
    "documentation_delay": 0.12,
    "coding_delay": 0.12,
    "submission_delay": 0.20,
    "coding_error": 0.85,
    "clinical_documentation": 0.50,
    "other": 0.15,
}
# Causes fixed by sending a corrected claim; the rest go through a written appeal.
_CORRECTED = {
    "coding_error",
    "eligibility_not_checked",
    "eligibility_result_ignored",
    "payer_data_mismatch",
    "auth_not_requested",
    "auth_pending_at_service",
    "auth_mismatch",
}


def follow_denial(
    w: World,
    a: Appointment,
    r: Draws,
    pr: Processes,
    claim: ClaimRecord,
    truth: ClaimTruth,
    label: str,
    answers: list[Adjudication],
    pay: int,
    collected: int,
    specialist: bool,
    auth: AuthPlan | None,
) -> None:
    payer = PAYERS[claim.payer]
    start_day = add_business_days(pay, r.int_between(1, 8))
    start = start_day * DAY + int(r.between(8.5, 15.5) * HOUR)
    corrected = label in _CORRECTED
    rate = OVERTURN_RATE[label]
    auth_number = claim.auth_number
    if label == "auth_pending_at_service":
        approved = auth is not None and auth.auth_number is not None
        rate, auth_number = (rate, auth.auth_number) if approved and auth else (0.0, None)
    won = r.chance(rate)
    ready = start
    if won and label in ("auth_not_requested", "auth_mismatch"):
        service_line = claim.lines[0]
        retro = retro_auth(w, a, r, pr, service_line.repaired().cpt, start)
        auth_number, ready = retro.auth_number, retro.decided_ts
    work_type = "claim_followup" if corrected else "denial_appeal"
    channel = "internal" if corrected else manual_channel(r, pr, ("phone", "fax", "portal"))
    role = "collector" if corrected else "biller"
    if won:
        sent_day = add_business_days(max(ready, start) // DAY, r.int_between(0, 4))
        sent = sent_day * DAY + int(r.between(9, 16) * HOUR)
        done = max(sent, start + 30 * MINUTE)
        outcome = "corrected_claim" if corrected else "appeal_sent"
    else:
        done, outcome = start + int(r.between(1, 10) * DAY), "written_off"
    w.work.on_claim(r, work_type, role, claim.number, channel, start, done, outcome)
    if not won:
        truth.resolution, truth.writeoff_cents = "written_off", truth.denied_cents
        truth.resolved_day = pay + r.int_between(90, 150)
        owed = sum(x.patient_share for x in answers)
        # A copay collected toward a claim the practice writes off is kept, not refunded.
        kept = min(collected, owed)
        settle_patient(w, r, pr, claim.patient, claim.number, owed, kept, pay, claim.location, 0.8)
        return
    lines = tuple(line.repaired() for line in claim.lines)
    fixed = ClaimRecord(
        claim.number,
        claim.patient,
        claim.provider,
        claim.location,
        claim.payer,
        claim.place_of_service,
        claim.service_day,
        claim.member_id,
        lines,
        claim_diagnoses(lines),
        auth_number,
    )
    if corrected:
        w.claims.submit(sent_day, Submission(fixed, "7", lines, auth_number, answers[0].ccn))
        received = sent_day + 1
        adjudicated = received + int(r.lognormal(payer.pay_lag_median_days, 0.3))
    else:
        received = sent_day + 2
        adjudicated = received + int(r.lognormal(35, 0.3))
    day = payment_day(payer, adjudicated)
    for previous in answers:
        if previous.paid:  # a part-paid claim is taken back before it is paid in full
            w.claims.answer(day, previous.reversal(previous.ccn))
    results = price(payer, lines, claim.service_day, specialist, r)
    final = Adjudication(
        fixed,
        "1",
        ccn(payer, claim.number, w.claims.next_attempt(claim.number)),
        "7" if corrected else "1",
        received,
        tuple(results),
    )
    w.claims.answer(day, final)
    truth.resolution, truth.resolved_day = "overturned", day
    settle_patient(
        w,
        r,
        pr,
        claim.patient,
        claim.number,
        final.patient_share,
        collected,
        day,
        claim.location,
        0.85,
    )
