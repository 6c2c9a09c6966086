"""Everything that happens to claims, filed by day: submissions (837), payer answers (835),
and the ground truth about each claim."""

from __future__ import annotations

from dataclasses import dataclass, field

from .adjudication import Adjudication, ClaimRecord
from .coding import Line
from .payers import PAYERS, Payer
from .tables import NULL
from .timebase import is_business_day, weekday


@dataclass(slots=True)
class Submission:
    claim: ClaimRecord
    frequency: str  # CLM05-3: 1 original, 7 replacement
    lines: tuple[Line, ...]
    auth_number: str | None
    replaces_ccn: str | None = None  # REF*F8


@dataclass(slots=True)
class ClaimTruth:
    claim: ClaimRecord
    root_cause: str = "none"
    category: str | None = None
    carc: str | None = None
    denial_level: str | None = None  # claim or line
    first_submitted_day: int = NULL
    first_adjudicated_day: int = NULL
    denial_day: int = NULL  # remit day of the injected denial
    denied_cents: int = 0
    resolution: str = "paid"  # paid, overturned, written_off
    resolved_day: int = NULL
    writeoff_cents: int = 0
    reversed: bool = False
    split: bool = False
    duplicate_submitted: bool = False
    lost: bool = False


@dataclass
class ClaimBook:
    submissions: dict[int, list[Submission]] = field(default_factory=dict)
    remits: dict[int, dict[int, list[Adjudication]]] = field(default_factory=dict)
    truths: list[ClaimTruth] = field(default_factory=list)
    bad_debt: list[tuple[int, int, int]] = field(default_factory=list)  # day, cents, location
    _attempts: dict[int, int] = field(default_factory=dict)

    def submit(self, day: int, submission: Submission) -> None:
        self.submissions.setdefault(day, []).append(submission)

    def answer(self, day: int, adjudication: Adjudication) -> None:
        payer = adjudication.claim.payer
        self.remits.setdefault(day, {}).setdefault(payer, []).append(adjudication)

    def next_attempt(self, claim: int) -> int:
        n = self._attempts.get(claim, 0) + 1
        self._attempts[claim] = n
        return n


def payment_day(payer: Payer | int, day: int) -> int:
    """The payer's next payment run on or after `day`."""
    p = PAYERS[payer] if isinstance(payer, int) else payer
    d = day
    while weekday(d) not in p.pay_weekdays or not is_business_day(d):
        d += 1
    return d
