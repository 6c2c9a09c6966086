"""835 files: one per payer per payment date, with provider-level adjustments (PLB).

PLB entries: L6 interest paid on late claims, WO recovery of an earlier overpayment, and FB
forwarding balance when recoveries exceed the day's payments (BPR02 cannot go negative, so the
shortfall is carried into the payer's next remittance). BPR02 = sum(CLP04) - sum(PLB) always.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from .adjudication import Adjudication
from .claim_files import group_party, money, payer_party
from .extracts import CLAIM, ident
from .payers import PAYERS
from .randomness import Draws, Stream, draw_rows, rng_for
from .timebase import DAY, HOUR, date_of
from .world import World
from .x12_model import (
    Adjustment,
    Batch835,
    Claim835,
    ProviderAdjustment,
    Remit835,
    ServiceLine835,
)

_RECOVERY_RATE = 0.05  # remits that claw back an earlier overpayment
POSTING_IDS = 900_000_000  # work_item ids of payment posting: one per remit


@dataclass(slots=True)
class Remit:
    day: int
    payer: int
    part: int
    answers: list[Adjudication]
    plb: list[tuple[str, str, int]]  # reason, reference, cents (positive reduces the payment)

    @property
    def payment(self) -> int:
        return sum(a.paid for a in self.answers) - sum(cents for _, _, cents in self.plb)


@dataclass
class RemitLedger:
    """Payer-level state carried from one remittance to the next."""

    carried: dict[int, int] = field(default_factory=dict)  # FB owed to the payer, cents
    paid_history: dict[int, list[tuple[str, int]]] = field(default_factory=dict)


def plan_remits(w: World, day: int, ledger: RemitLedger) -> list[Remit]:
    by_payer = w.claims.remits.get(day)
    if not by_payer:
        return []
    out = []
    for payer in sorted(by_payer):
        answers = by_payer[payer]
        r = draw_rows(rng_for(w.seed, Stream.REMITS, day * 16 + payer, w.part), 1, 8, w.spare)[0]
        plb: list[tuple[str, str, int]] = []
        interest = sum(a.interest for a in answers)
        if interest:
            plb.append(("L6", f"INT{date_of(day):%Y%m%d}", -interest))
        history = ledger.paid_history.setdefault(payer, [])
        if history and r.chance(_RECOVERY_RATE):
            ccn, paid = history[min(int(r.u() * len(history)), len(history) - 1)]
            plb.append(("WO", ccn, max(500, round(paid * r.between(0.1, 0.4)))))
        owed = ledger.carried.pop(payer, 0)
        if owed:
            plb.append(("FB", f"FB{payer:02d}", owed))
        remit = Remit(day, payer, w.part, answers, plb)
        if remit.payment < 0:
            ledger.carried[payer] = -remit.payment
            plb.append(("FB", f"FB{payer:02d}", remit.payment))
        history.extend((a.ccn, a.paid) for a in answers if a.paid > 0)
        del history[:-500]
        _posting_work(w, r, remit)
        out.append(remit)
    return out


def trace_number(remit: Remit) -> str:
    return f"{PAYERS[remit.payer].x12_id}{remit.day:06d}{remit.part + 1}"


def _posting_work(w: World, r: Draws, remit: Remit) -> None:
    """Posting: auto-posted EFT needs a few minutes plus exceptions; paper checks much more."""
    paper = PAYERS[remit.payer].payment_method == "CHK"
    exceptions = sum(1 for a in remit.answers if a.status != "1" or a.denied)
    minutes = (6 + 2.5 * len(remit.answers) if paper else 4) + 1.5 * exceptions
    start = (remit.day + 1) * DAY + int(r.between(8.5, 11) * HOUR)
    # Remits are assembled after the day loop, so their ids come from the remit itself rather
    # than the running counter (a longer run must not renumber earlier days).
    number = POSTING_IDS + remit.day % 100_000 * 20 + remit.payer * 2 + remit.part
    w.work.touch(
        r,
        "payment_posting",
        "biller",
        None,
        "remit",
        trace_number(remit),
        "internal",
        start,
        start + int(minutes * 60),
        outcome="posted",
        minutes=minutes,
        number=number,
    )


def remit_batch(w: World, remit: Remit) -> Batch835:
    payer = PAYERS[remit.payer]
    amount = remit.payment
    created = dt.datetime.combine(date_of(remit.day), dt.time(6, 0))
    control = 500_000_000 + remit.day % 100_000 * 100 + remit.payer * 2 + remit.part
    body = Remit835(
        payer=payer_party(remit.payer),
        payee=group_party(w),
        payment_method=payer.payment_method if amount > 0 else "NON",
        payment_amount=money(amount),
        payment_date=date_of(remit.day),
        trace_number=trace_number(remit),
        production_date=date_of(remit.day - 1),
        claims=tuple(_claim(w, a) for a in remit.answers),
        provider_adjustments=tuple(
            ProviderAdjustment(reason, ref, money(cents)) for reason, ref, cents in remit.plb
        ),
    )
    return Batch835(
        interchange_control_number=control,
        group_control_number=control,
        created_at=created,
        remits=(body,),
    )


@cache
def _adjustment(group: str, carc: str, cents: int) -> Adjustment:
    return Adjustment(group, carc, money(cents))


@cache
def _units(n: int) -> Decimal:
    return Decimal(n)


def _claim(w: World, a: Adjudication) -> Claim835:
    claim = a.claim
    service_date = date_of(claim.service_day)
    lines = tuple(
        ServiceLine835(
            cpt_code=x.line.cpt,
            modifiers=x.line.modifiers,
            charge=money(x.line.charge),
            paid=money(x.paid),
            units=_units(x.line.units),
            service_date=service_date,
            adjustments=tuple(_adjustment(*adj) for adj in x.adjustments),
            remark_codes=x.remarks,
            line_control_number=str(x.line.number),
        )
        for x in a.lines
    )
    return Claim835(
        claim_id=ident(CLAIM, claim.number),
        status_code=a.status,
        total_charge=money(a.charge),
        paid=money(a.paid),
        patient_responsibility=money(a.patient_share),
        claim_filing_code=PAYERS[claim.payer].filing_code,
        payer_claim_control_number=a.ccn,
        place_of_service=claim.place_of_service,
        frequency_code=a.frequency,
        patient_last_name=w.patients.last[claim.patient],
        patient_first_name=w.patients.first[claim.patient],
        member_id=claim.member_id,
        rendering_npi=w.practice.providers[claim.provider - 1].npi,
        service_date=service_date,
        received_date=date_of(a.received_day),
        lines=lines,
    )
