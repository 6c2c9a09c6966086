"""From coded visit to the payer's first answer: submission, the injected denial cause, slow and
lost claims, duplicates, split and reversed payments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .adjudication import Adjudication, ClaimRecord, LineResult, ccn, deny_line, price
from .authorization import needs_auth
from .claim_book import ClaimTruth, Submission, payment_day
from .coding import CodedVisit, claim_diagnoses
from .denial_codes import (
    AUTH_DENIALS,
    CLINICAL_DOCUMENTATION,
    CODING_ERRORS,
    COVERAGE_PROBLEMS,
    DUPLICATE,
    NOT_COVERED,
    TIMELY_FILING,
    DenialCode,
)
from .denial_followup import follow_denial
from .eligibility import evidence_label
from .extracts import CLAIM, ident
from .fee_schedule import SELF_PAY_DISCOUNT
from .patient_balance import settle_patient
from .payers import PAYERS, Payer
from .randomness import Draws
from .specialties import SPECIALTIES
from .tables import NULL
from .timebase import DAY, HOUR, MINUTE, add_business_days, next_business_day

if TYPE_CHECKING:
    from .authorization import AuthPlan
    from .booking import Appointment
    from .eligibility import EligibilityPlan
    from .processes import Processes
    from .world import World


@dataclass(slots=True)
class Denial:
    label: str  # root cause (denial_codes.ROOT_CAUSES)
    code: DenialCode
    line: int | None  # index of the denied line for line-level denials


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
        w.work.touch(
            r,
            "charge_entry",
            "biller",
            None,
            "claim",
            ident(CLAIM, encounter),
            "internal",
            submitted * DAY + 9 * HOUR,
            submitted * DAY + 10 * HOUR,
            outcome="scrubber_edit",
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
    answers, pay = _first_answer(w, a, r, pr, claim, truth, denial, submitted, specialist)
    if denial is not None:
        follow_denial(
            w, a, r, pr, claim, truth, denial.label, answers, pay, collected, specialist, auth
        )
        return
    if r.chance(0.012):
        answers, pay = _reverse_and_reprice(w, r, claim, truth, answers, pay)
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


def _first_answer(
    w: World,
    a: Appointment,
    r: Draws,
    pr: Processes,
    claim: ClaimRecord,
    truth: ClaimTruth,
    denial: Denial | None,
    submitted: int,
    specialist: bool,
) -> tuple[list[Adjudication], int]:
    payer = PAYERS[claim.payer]
    received = submitted + 1
    adjudicated = received + int(r.lognormal(payer.pay_lag_median_days, payer.pay_lag_sigma))
    lost = r.chance(payer.lost_claim_rate)
    follow_up = next_business_day(submitted + r.int_between(30, 45), inclusive=True)
    if lost or adjudicated > follow_up:
        channel = "portal" if r.chance(0.5) else "phone"
        start = follow_up * DAY + int(r.between(8.5, 16) * HOUR)
        w.work.touch(
            r,
            "claim_followup",
            "collector",
            None,
            "claim",
            ident(CLAIM, claim.number),
            channel,
            start,
            start + int(r.between(8, 25) * MINUTE),
            outcome="resubmitted" if lost else "in_process",
        )
        resend = next_business_day(follow_up)
        if lost:
            truth.lost = True
            w.claims.submit(resend, Submission(claim, "1", claim.lines, claim.auth_number))
            received = resend + 1
            adjudicated = received + int(r.lognormal(payer.pay_lag_median_days, 0.2))
        elif r.chance(pr.blind_resubmit_rate):
            truth.duplicate_submitted = True
            w.claims.submit(resend, Submission(claim, "1", claim.lines, claim.auth_number))
            _duplicate_answer(w, r, claim, truth, resend, adjudicated, denial is None)
    pay = payment_day(payer, adjudicated)
    truth.first_adjudicated_day = pay
    if denial is None:
        results = price(payer, claim.lines, claim.service_day, specialist, r)
    elif denial.line is None:
        results = [deny_line(line, denial.code) for line in claim.lines]
    else:
        results = price(payer, claim.lines, claim.service_day, specialist, r)
        results[denial.line] = deny_line(claim.lines[denial.line], denial.code)
    if denial is not None:
        truth.denial_day = pay
        truth.denied_cents = sum(
            x.line.charge
            for x in results
            if x.paid == 0 and any(adj[1] == denial.code.carc for adj in x.adjustments)
        )
    parts = [results]
    if denial is None and len(results) >= 2 and r.chance(0.03):
        truth.split = True
        parts = [results[:1], results[1:]]
    answers, days = [], [pay]
    for i, part in enumerate(parts):
        day = pay if i == 0 else payment_day(payer, pay + r.int_between(5, 14))
        status = "4" if all(x.paid == 0 for x in part) and denial is not None else "1"
        answer = Adjudication(
            claim,
            status,
            ccn(payer, claim.number, w.claims.next_attempt(claim.number)),
            "1",
            received,
            tuple(part),
        )
        late = day - received - 30
        if payer.prompt_pay_interest and late > 0 and answer.paid > 0:
            interest = round(answer.paid * 0.10 * late / 365)
            answer.interest = interest if interest >= 50 else 0
        w.claims.answer(day, answer)
        answers.append(answer)
        days.append(day)
    return answers, max(days)


def _duplicate_answer(
    w: World,
    r: Draws,
    claim: ClaimRecord,
    truth: ClaimTruth,
    resent: int,
    original_adjudicated: int,
    only_failure: bool,
) -> None:
    payer = PAYERS[claim.payer]
    day = payment_day(payer, max(original_adjudicated, resent + 1) + r.int_between(2, 12))
    answer = Adjudication(
        claim,
        "4",
        ccn(payer, claim.number, w.claims.next_attempt(claim.number)),
        "1",
        resent + 1,
        tuple(deny_line(x, DUPLICATE) for x in claim.lines),
    )
    w.claims.answer(day, answer)
    if only_failure:
        truth.root_cause, truth.category, truth.carc = "duplicate", "duplicate", DUPLICATE.carc
        truth.denial_level, truth.denial_day, truth.denied_cents = "claim", day, claim.total
    w.work.touch(
        r,
        "claim_followup",
        "collector",
        None,
        "claim",
        ident(CLAIM, claim.number),
        "internal",
        (day + 2) * DAY + 10 * HOUR,
        (day + 2) * DAY + 11 * HOUR,
        outcome="duplicate_original_paid",
    )


def _reverse_and_reprice(
    w: World, r: Draws, claim: ClaimRecord, truth: ClaimTruth, answers: list[Adjudication], pay: int
) -> tuple[list[Adjudication], int]:
    """The payer takes a payment back and pays again at a corrected (lower) amount."""
    payer = PAYERS[claim.payer]
    day = payment_day(payer, pay + r.int_between(25, 90))
    # Some payers take the money back in one run and pay the corrected amount in a later one.
    repay = day if r.chance(0.65) else payment_day(payer, day + r.int_between(5, 14))
    truth.reversed = True
    repaid = []
    for answer in answers:
        w.claims.answer(day, answer.reversal(answer.ccn))
        lines = []
        for x in answer.lines:
            cut = round(x.paid * r.between(0.1, 0.3))
            adjs = tuple(
                (g, c, v + cut) if (g, c) == ("CO", "45") else (g, c, v)
                for g, c, v in x.adjustments
            )
            if cut and not any((g, c) == ("CO", "45") for g, c, _ in x.adjustments):
                adjs = (("CO", "45", cut), *adjs)
            lines.append(LineResult(x.line, x.paid - cut, adjs, x.remarks))
        again = Adjudication(
            claim,
            "1",
            ccn(payer, claim.number, w.claims.next_attempt(claim.number)),
            answer.frequency,
            answer.received_day,
            tuple(lines),
        )
        w.claims.answer(repay, again)
        repaid.append(again)
    return repaid, repay
