"""The envelope model of a file: interchanges, groups, transactions and problems.

Every segment position ends up owned by exactly one of: a transaction, an interchange or
group envelope, or a ``Problem``; ``Envelope.settle`` turns that ownership into loaded and
quarantined units and LoadIssues, so ``units_loaded + units_quarantined == units_total`` holds
by construction. ``envelope_walk`` builds it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ingestion.issues import Disposition, LoadIssue, PositionKind
from ingestion.x12.tokenizer import IsaHeader


@dataclass(eq=False)
class Problem:
    reason_code: str
    reason: str
    position_kind: PositionKind
    position: int | None
    interchange: int | None = None
    group: Group | None = None
    value: str | None = None
    disposition: Disposition = "quarantined"
    units: int = 0

    def issue(self) -> LoadIssue:
        base = LoadIssue(
            self.reason_code,
            self.reason,
            self.position_kind,
            self.position,
            disposition=self.disposition,
            units=self.units,
        )
        return base.with_value(self.value) if self.value is not None else base


@dataclass(eq=False, slots=True)
class Transaction:
    st_position: int
    elements: list[str]
    interchange: int | None
    group: Group | None
    guide: str | None
    end_position: int = 0
    segment_count: int | None = None  # SE01 as sent
    problem: Problem | None = None

    @property
    def transaction_set(self) -> str:
        return element(self.elements, 1)

    @property
    def control(self) -> str:
        return element(self.elements, 2)

    @property
    def label(self) -> str:
        return f"ST*{self.transaction_set}*{self.control} at segment {self.st_position}"

    @property
    def units(self) -> int:
        return self.end_position - self.st_position + 1


@dataclass(eq=False)
class Group:
    gs_position: int
    elements: list[str]
    interchange: int
    date: dt.date | None
    transactions: list[Transaction] = field(default_factory=list)
    trailer_ok: bool = False
    rejected: Problem | None = None

    @property
    def control(self) -> str:
        return element(self.elements, 6)


@dataclass(eq=False)
class Interchange:
    isa_position: int
    header: IsaHeader | None
    date: dt.date | None
    groups: list[Group] = field(default_factory=list)
    trailer_ok: bool = False
    rejected: Problem | None = None

    @property
    def control(self) -> str:
        return self.header.elements[12] if self.header else ""


@dataclass
class Envelope:
    interchanges: list[Interchange]
    transactions: list[Transaction]
    problems: list[Problem]
    total_units: int

    def loadable(self) -> list[Transaction]:
        return [tx for tx in self.transactions if tx.problem is None]

    def reject(self, tx: Transaction, reason_code: str, reason: str, value: str | None) -> None:
        """Quarantine a transaction the envelope check had let through (e.g. a bad value)."""
        tx.problem = self.add_problem(
            reason_code, reason, "transaction", tx.st_position, tx.interchange, tx.group, value
        )

    def add_problem(
        self,
        reason_code: str,
        reason: str,
        kind: PositionKind,
        position: int | None,
        interchange: int | None,
        group: Group | None,
        value: str | None = None,
        units: int = 0,
        disposition: Disposition = "quarantined",
    ) -> Problem:
        problem = Problem(
            reason_code, reason, kind, position, interchange, group, value, disposition, units
        )
        self.problems.append(problem)
        return problem

    def settle(self) -> tuple[int, list[LoadIssue]]:
        """Units loaded and the issues (with units) once every transaction's fate is known."""
        loaded = 0
        for tx in self.transactions:
            if tx.problem is None:
                loaded += tx.units
            else:
                tx.problem.units += tx.units
        for index, interchange in enumerate(self.interchanges):
            if interchange.rejected is not None:
                continue
            for group in interchange.groups:
                units = 1 + group.trailer_ok
                if any(tx.problem is None for tx in group.transactions):
                    loaded += units
                else:
                    self._owner(index, group).units += units
            units = 1 + interchange.trailer_ok
            if any(tx.problem is None for g in interchange.groups for tx in g.transactions):
                loaded += units
            else:
                self._owner(index, None).units += units
        quarantined = sum(problem.units for problem in self.problems)
        if loaded + quarantined != self.total_units:
            raise AssertionError(
                f"x12 unit accounting: {loaded} + {quarantined} != {self.total_units}"
            )
        return loaded, [problem.issue() for problem in self.problems]

    def _owner(self, interchange: int, group: Group | None) -> Problem:
        """The first problem inside an envelope that loads nothing, or a new one saying so."""
        for problem in self.problems:
            if problem.disposition == "quarantined" and problem.interchange == interchange:
                if group is None or problem.group is group:
                    return problem
        holder = self.interchanges[interchange]
        if group is None:
            return self.add_problem(
                "no_transactions",
                f"interchange ISA13 {holder.control!r} at segment {holder.isa_position} holds "
                "no transaction that could be loaded",
                "segment",
                holder.isa_position,
                interchange,
                None,
            )
        return self.add_problem(
            "no_transactions",
            f"functional group GS06 {group.control!r} at segment {group.gs_position} holds no "
            "transaction set (GS followed by GE)",
            "segment",
            group.gs_position,
            interchange,
            group,
        )


def element(elements: list[str], index: int) -> str:
    return elements[index].strip() if index < len(elements) else ""
