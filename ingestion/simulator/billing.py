"""From coded visit to claim: submission timing and the one failure the payer will act on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .adjudication import ClaimRecord
from .authorization import needs_auth
from .claim_book import ClaimTruth, Submission
from .coding import CodedVisit, claim_diagnoses
from .denial_codes import (
    AUTH_DENIALS,
    CLINICAL_DOCUMENTATION,
    CODING_ERRORS,
    COVERAGE_PROBLEMS,
    NOT_COVERED,
    TIMELY_FILING,
)
from .denial_followup import follow_denial
from .eligibility import evidence_label
from .fee_schedule import SELF_PAY_DISCOUNT
from .patient_balance import settle_patient
from .payer_answers import Denial, first_answer, reverse_and_reprice
from .payers import PAYERS, Payer
from .randomness import Draws
from .specialties import SPECIALTIES
from .tables import NULL
from .timebase import DAY, HOUR, add_business_days, next_business_day

if TYPE_CHECKING:
    from .authorization import AuthPlan
    from .booking import Appointment
    from .eligibility import EligibilityPlan
    from .processes import Processes
    from .world import World


def bill_visit(
    w: World,
    a: Appointment,
    r: Draws,
    pr: Processes,
    visit: CodedVisit,
    encounter: int,
    elig: EligibilityPlan,
    auth: AuthPlan | None,
    auth_missing: bool,
    signed: int,
    coded: int,
    pos: str,
    checked_in: int,
    collected: int,
) -> None:
    payer = PAYERS[a.payer]
    if collected > 0:
        w.patient_payment(
            a.patient,
            encounter if payer.bills_claims else NULL,
            checked_in,
            collected,
            "point_of_service",
        )
    if not payer.bills_claims:
        owed = round(visit.total * (1 - SELF_PAY_DISCOUNT))
        settle_patient(w, r, pr, a.patient, NULL, owed, collected, a.day, a.location, 0.55)
        return
    submitted = next_business_day(coded // DAY)
    if r.chance(0.04):  # held by the claim scrubber until someone fixes an edit
        submitted = add_business_days(submitted, r.int_between(2, 10))
        w.work.on_claim(
            r,
            "charge_entry",
            "biller",
            encounter,  # the claim takes the encounter's number
            "internal",
            submitted * DAY + 9 * HOUR,
            submitted * DAY + 10 * HOUR,
            "scrubber_edit",
        )
    if r.chance(0.005):  # stuck in a rejection queue nobody works
        submitted = next_business_day(submitted + r.int_between(60, 200), inclusive=True)
    in_hand = auth is not None and auth.auth_number and auth.decided_ts // DAY <= submitted
    claim = ClaimRecord(
        encounter,
        a.patient,
        a.provider,
        a.location,
        a.payer,
        pos,
        a.day,
        elig.corrected_member or w.patients.member[a.patient] or "",
        tuple(visit.lines),
        claim_diagnoses(visit.lines),
        auth.auth_number if in_hand and auth is not None else None,
    )
    truth = ClaimTruth(claim, first_submitted_day=submitted)
    w.claims.truths.append(truth)
    denial = _decide_denial(
        w, a, r, payer, visit, elig, auth, auth_missing, submitted, signed, coded
    )
    if denial is not None:
        truth.root_cause, truth.category = denial.label, denial.code.category
        truth.carc = denial.code.carc
        truth.denial_level = "line" if denial.line is not None else "claim"
    w.claims.submit(submitted, Submission(claim, "1", claim.lines, claim.auth_number))
    specialist = not SPECIALTIES[w.practice.providers[a.provider - 1].specialty].primary_care
    answers, pay = first_answer(w, a, r, pr, claim, truth, denial, submitted, specialist)
    if denial is not None:
        follow_denial(
            w, a, r, pr, claim, truth, denial.label, answers, pay, collected, specialist, auth
        )
        return
    if r.chance(0.012):
        answers, pay = reverse_and_reprice(w, r, claim, truth, answers, pay)
    owed = sum(x.patient_share for x in answers)
    settle_patient(w, r, pr, a.patient, claim.number, owed, collected, pay, a.location, 0.85)


def _decide_denial(
    w: World,
    a: Appointment,
    r: Draws,
    payer: Payer,
    visit: CodedVisit,
    elig: EligibilityPlan,
    auth: AuthPlan | None,
    auth_missing: bool,
    submitted: int,
    signed: int,
    coded: int,
) -> Denial | None:
    """The one failure the payer acts on, checked in the order payers check claims."""
    if elig.problem is not None:
        return Denial(
            evidence_label(elig.checks, a.start_ts), COVERAGE_PROBLEMS[elig.problem], None
        )
    if payer.timely_filing_days and submitted - a.day > payer.timely_filing_days:
        delays = {
            "documentation_delay": (signed - a.start_ts) / DAY,
            "coding_delay": (coded - signed) / DAY,
            "submission_delay": submitted - coded // DAY,
        }
        return Denial(max(delays, key=lambda k: delays[k]), TIMELY_FILING, None)
    if a.service is not None and needs_auth(a.payer, a.service.cpt):
        label = _auth_problem(a, visit, auth, auth_missing, r)
        if label is not None:
            return Denial(label, AUTH_DENIALS[label], None)
    flawed = [i for i, line in enumerate(visit.lines) if line.flaw]
    if (flawed or visit.claim_flaw) and r.chance(min(1.0, 0.85 * payer.coding_scrutiny)):
        if flawed:
            return Denial("coding_error", CODING_ERRORS[visit.lines[flawed[0]].flaw], flawed[0])
        return Denial("coding_error", CODING_ERRORS[visit.claim_flaw], None)
    doctor = w.practice.providers[a.provider - 1]
    if r.chance(payer.necessity_rate * doctor.documentation_factor):
        kind = r.weighted(
            ("medical_necessity", "records_required", "records_not_sent"), (0.5, 0.8, 1.0)
        )
        code = CLINICAL_DOCUMENTATION[kind]
        services = [i for i, line in enumerate(visit.lines) if not line.cpt.startswith("99")]
        line = (services[0] if services else 0) if code.line_level else None
        return Denial("clinical_documentation", code, line)
    if r.chance(0.004):
        return Denial("other", NOT_COVERED, len(visit.lines) - 1)
    return None


def _auth_problem(
    a: Appointment, visit: CodedVisit, auth: AuthPlan | None, missing: bool, r: Draws
) -> str | None:
    if missing or auth is None:
        return "auth_not_requested"
    if auth.decided_ts > a.start_ts:
        return "auth_pending_at_service"
    if auth.decision == "denied":
        return "auth_denied_service_rendered"
    expired = a.day > auth.valid_to_day
    if expired or (visit.performed is not None and r.chance(0.8)):
        return "auth_mismatch"
    return None
