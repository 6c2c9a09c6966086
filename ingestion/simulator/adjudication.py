"""What a payer does with a claim: price it, share cost with the patient, or deny it.

Everything is in cents and balances by construction: per line, charge - adjustments = paid.
"""

from __future__ import annotations

from dataclasses import dataclass

from .coding import Line
from .denial_codes import (
    COINSURANCE,
    CONTRACTUAL,
    COPAY,
    DEDUCTIBLE,
    SEQUESTRATION,
    DenialCode,
)
from .fee_schedule import reference_cents
from .payers import Payer
from .randomness import Draws
from .timebase import date_of

# Chance that a claim still meets the annual deductible, by month of service.
_DEDUCTIBLE_BY_MONTH = (0.6, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.12, 0.1, 0.08, 0.06, 0.05)

Adj = tuple[str, str, int]  # CAS group, CARC, cents


@dataclass(slots=True)
class ClaimRecord:
    """A claim as billed: what the 837 and the 835 need to know about it."""

    number: int  # CLM01 = "C" + number; the encounter has the same number
    patient: int
    provider: int
    location: int
    payer: int
    place_of_service: str
    service_day: int
    member_id: str
    lines: tuple[Line, ...]
    diagnoses: tuple[str, ...]
    auth_number: str | None

    @property
    def total(self) -> int:
        return sum(line.charge for line in self.lines)


@dataclass(slots=True)
class LineResult:
    line: Line
    paid: int
    adjustments: tuple[Adj, ...]
    remarks: tuple[str, ...] = ()

    def negated(self) -> LineResult:
        adjs = tuple((g, c, -v) for g, c, v in self.adjustments)
        neg = Line(
            self.line.number,
            self.line.cpt,
            self.line.modifiers,
            self.line.diagnoses,
            self.line.units,
            -self.line.charge,
        )
        return LineResult(neg, -self.paid, adjs, ())


@dataclass(slots=True)
class Adjudication:
    """One CLP loop: the payer's answer for (part of) a claim on one payment date."""

    claim: ClaimRecord
    status: str  # CLP02
    ccn: str  # CLP07
    frequency: str  # CLP09
    received_day: int
    lines: tuple[LineResult, ...]
    interest: int = 0  # cents paid as PLB L6 alongside this claim

    @property
    def charge(self) -> int:
        return sum(x.line.charge for x in self.lines)

    @property
    def paid(self) -> int:
        return sum(x.paid for x in self.lines)

    @property
    def patient_share(self) -> int:
        return sum(v for x in self.lines for g, _, v in x.adjustments if g == "PR")

    @property
    def denied(self) -> bool:
        return any(_is_denial(a) for x in self.lines for a in x.adjustments)

    def reversal(self, ccn: str) -> Adjudication:
        return Adjudication(
            self.claim,
            "22",
            ccn,
            self.frequency,
            self.received_day,
            tuple(x.negated() for x in self.lines),
        )


_NOT_DENIAL = {"45", "1", "2", "3", "23", "253", "59", "94", "131", "44"}


def _is_denial(adj: Adj) -> bool:
    group, carc, _ = adj
    return group in ("CO", "OA", "PI") and carc not in _NOT_DENIAL


def price(
    payer: Payer, lines: tuple[Line, ...], service_day: int, specialist: bool, r: Draws
) -> list[LineResult]:
    """Pay every line at the payer's contracted rate, less the patient's share."""
    month = date_of(service_day).month
    deductible_left = 0
    if payer.deductible and r.chance(_DEDUCTIBLE_BY_MONTH[month - 1]):
        deductible_left = int(payer.deductible * 100 * r.between(0.1, 1.0))
    copay_left = (payer.copay_specialist if specialist else payer.copay_primary) * 100
    out = []
    for line in lines:
        allowed = min(
            round(reference_cents(line.cpt, line.units) * payer.allowed_multiplier), line.charge
        )
        is_em = line.cpt.startswith("99")
        copay = min(copay_left, allowed) if is_em else 0
        copay_left -= copay
        deductible = min(deductible_left, allowed - copay)
        deductible_left -= deductible
        # Medicare coinsures everything; plans with copays coinsure procedures only.
        coinsured = payer.payer_type == "medicare" or not is_em
        coinsurance = round((allowed - copay - deductible) * payer.coinsurance) if coinsured else 0
        paid = allowed - copay - deductible - coinsurance
        sequestration = round(paid * 0.02) if payer.sequestration else 0
        paid -= sequestration
        adjs = [
            (*CONTRACTUAL, line.charge - allowed),
            (*DEDUCTIBLE, deductible),
            (*COINSURANCE, coinsurance),
            (*COPAY, copay),
            (*SEQUESTRATION, sequestration),
        ]
        out.append(LineResult(line, paid, tuple(a for a in adjs if a[2] != 0)))
    return out


def deny_line(line: Line, code: DenialCode) -> LineResult:
    remarks = (code.rarc,) if code.rarc else ()
    return LineResult(line, 0, ((code.group, code.carc, line.charge),), remarks)


def ccn(payer: Payer, claim: int, attempt: int) -> str:
    """Payer claim control number (CLP07), unique per adjudication."""
    return f"{payer.x12_id}{claim:09d}{attempt:02d}"
