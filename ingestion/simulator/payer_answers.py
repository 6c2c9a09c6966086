"""The payer's answers to a claim: the first adjudication (with slow, lost, duplicate and split
claims), and later reversals that take a payment back and pay it again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .adjudication import Adjudication, ClaimRecord, LineResult, ccn, deny_line, price
from .claim_book import ClaimTruth, Submission, payment_day
from .denial_codes import DUPLICATE, DenialCode
from .payers import PAYERS
from .randomness import Draws
from .timebase import DAY, HOUR, MINUTE, next_business_day

if TYPE_CHECKING:
    from .booking import Appointment
    from .processes import Processes
    from .world import World


@dataclass(slots=True)
class Denial:
    label: str  # root cause (denial_codes.ROOT_CAUSES)
    code: DenialCode
    line: int | None  # index of the denied line for line-level denials


def first_answer(
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
        w.work.on_claim(
            r,
            "claim_followup",
            "collector",
            claim.number,
            channel,
            start,
            start + int(r.between(8, 25) * MINUTE),
            "resubmitted" if lost else "in_process",
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
    w.work.on_claim(
        r,
        "claim_followup",
        "collector",
        claim.number,
        "internal",
        (day + 2) * DAY + 10 * HOUR,
        (day + 2) * DAY + 11 * HOUR,
        "duplicate_original_paid",
    )


def reverse_and_reprice(
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
