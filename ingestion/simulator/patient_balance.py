"""What the patient still owes after the payer (or as self-pay): statements, payments, refunds
of over-collected copays, collections and bad debt."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .extracts import CLAIM, PATIENT, ident
from .randomness import Draws, cumulative
from .tables import NULL
from .timebase import DAY, HOUR, next_business_day

if TYPE_CHECKING:
    from .processes import Processes
    from .world import World

_METHODS = ("portal", "mail", "card_on_file")
_METHOD_CUM = cumulative((0.5, 0.25, 0.25))


def settle_patient(
    w: World,
    r: Draws,
    pr: Processes,
    patient: int,
    claim: int,
    owed: int,
    collected: int,
    from_day: int,
    location: int,
    pay_rate: float,
) -> None:
    """Everything the patient pays (or gets back) for one visit after `from_day`."""
    balance = owed - collected
    if balance < -100:
        if r.chance(0.75):
            day = next_business_day(from_day + r.int_between(10, 35), inclusive=True)
            method = "card_on_file" if r.chance(0.5) else "mail"
            w.patient_payment(patient, claim, _at(day, r), balance, method)
        return
    if balance <= 0:
        return
    statement = from_day + max(1, round(pr.statement_days))
    if balance >= 20_000 or r.chance(0.2):
        entity = ident(CLAIM, claim) if claim != NULL else ident(PATIENT, patient)
        start = _at(next_business_day(statement + 30, inclusive=True), r)
        w.work.touch(
            r,
            "patient_billing",
            "collector",
            None,
            "claim" if claim != NULL else "patient",
            entity,
            "phone" if r.chance(0.7) else "email",
            start,
            start + 15 * 60,
            outcome="balance_call",
        )
    if not r.chance(pay_rate if balance < 50_000 else pay_rate - 0.2):
        recovered = round(balance * r.between(0.2, 0.5)) if r.chance(0.3) else 0
        w.claims.bad_debt.append((statement + 120, balance - recovered, location))
        if recovered:
            w.patient_payment(
                patient,
                claim,
                _at(statement + r.int_between(130, 200), r),
                recovered,
                "collections",
            )
        return
    wait = int(r.lognormal(20, 0.7))
    day = statement + wait
    method = "collections" if wait > 100 else r.weighted(_METHODS, _METHOD_CUM)
    if r.chance(0.12):
        half = balance // 2
        w.patient_payment(patient, claim, _at(day, r), half, method)
        w.patient_payment(
            patient, claim, _at(day + r.int_between(25, 40), r), balance - half, method
        )
    else:
        w.patient_payment(patient, claim, _at(day, r), balance, method)


def _at(day: int, r: Draws) -> int:
    return day * DAY + int(r.between(8, 20) * HOUR)
