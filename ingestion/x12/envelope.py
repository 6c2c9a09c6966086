"""Check ISA/GS/ST envelopes and decide, per transaction, whether it may load.

Only envelope segments (ISA, GS, ST, SE, GE, IEA) are looked at, in Python: a handful per
transaction, so this stays cheap however large the file. Every segment position ends up owned
by exactly one of: a transaction, an interchange or group envelope, or a ``Problem``;
``Envelope.settle`` turns that ownership into loaded/quarantined units and LoadIssues, so
``units_loaded + units_quarantined == units_total`` holds by construction.

Granularity: a transaction with broken structure (missing SE, SE count or control mismatch,
wrong type or guide) is quarantined alone; a GE/IEA trailer that disagrees with what it closes
is quarantined alone (the transactions it closes are complete, each checked by its own SE);
an unreadable ISA or GS takes its whole interchange or group with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from ingestion.issues import Disposition, LoadIssue, PositionKind
from ingestion.x12.tokenizer import IsaHeader, Segments, segment_code
from ingestion.x12.versions import transaction_problem

ENVELOPE_SEGMENTS = ("ISA", "IEA", "GS", "GE", "ST", "SE")


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
        return _element(self.elements, 1)

    @property
    def control(self) -> str:
        return _element(self.elements, 2)

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
        return _element(self.elements, 6)


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
        tx.problem = self._add(
            reason_code, reason, "transaction", tx.st_position, tx.interchange, tx.group, value
        )

    def _add(
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
            return self._add(
                "no_transactions",
                f"interchange ISA13 {holder.control!r} at segment {holder.isa_position} holds "
                "no transaction that could be loaded",
                "segment",
                holder.isa_position,
                interchange,
                None,
            )
        return self._add(
            "no_transactions",
            f"functional group GS06 {group.control!r} at segment {group.gs_position} holds no "
            "transaction set (GS followed by GE)",
            "segment",
            group.gs_position,
            interchange,
            group,
        )


def walk_envelope(segments: Segments, expected: str) -> Envelope:
    codes = {segment_code(name): name for name in ENVELOPE_SEGMENTS}
    rows = np.flatnonzero(np.isin(segments.code, list(codes)))
    walker = _Walker(segments, expected)
    separators = [delimiters.element for delimiters in segments.delimiters]
    for row, code, regime in zip(
        rows.tolist(), segments.code[rows].tolist(), segments.regime[rows].tolist(), strict=True
    ):
        walker.gap_until(row + 1)
        walker.handle(row + 1, codes[code], segments.text(row).split(separators[regime]))
    walker.gap_until(segments.count + 1)
    walker.finish()
    return walker.envelope


class _Walker:
    def __init__(self, segments: Segments, expected: str) -> None:
        self.isa_headers = segments.isa_headers
        self.expected = expected
        self.total = segments.count
        self.envelope = Envelope([], [], [], self.total)
        self.isa: int | None = None
        self.group: Group | None = None
        self.tx: Transaction | None = None
        self.last = 0  # last position handled

    # -- segments between envelope segments ------------------------------------------------

    def gap_until(self, position: int) -> None:
        first, last = self.last + 1, position - 1
        self.last = position
        if first > last or self.tx is not None or self._rejecting():
            return
        if self.isa is None:
            code, where = "outside_interchange", "after the IEA that closed the interchange"
        elif self.group is None:
            code, where = "outside_group", "inside an interchange but outside any GS/GE group"
        else:
            code, where = "outside_transaction", "inside a group but outside any ST/SE"
        self._stray(code, first, last, f"{where}; expected only ST..SE sets there")

    def _stray(self, code: str, first: int, last: int, why: str) -> None:
        problems = self.envelope.problems
        previous = problems[-1] if problems else None
        if (
            previous is not None
            and previous.reason_code == code
            and previous.position is not None
            and previous.position + previous.units == first
        ):
            previous.units += last - first + 1
            previous.reason = _stray_reason(previous.position, previous.units, why)
            return
        self.envelope._add(
            code,
            _stray_reason(first, last - first + 1, why),
            "segment",
            first,
            self.isa,
            self.group,
            units=last - first + 1,
        )

    # -- envelope segments -----------------------------------------------------------------

    def handle(self, position: int, segment_id: str, elements: list[str]) -> None:
        if segment_id == "ISA":
            self._isa(position)
        elif self._rejecting():
            if segment_id == "IEA":
                self._close_rejected(position)
        elif self.isa is None:
            self._stray("outside_interchange", position, position, "no ISA is open there")
        elif segment_id == "GS":
            self._gs(position, elements)
        elif segment_id == "ST":
            self._st(position, elements)
        elif segment_id == "SE":
            self._se(position, elements)
        elif segment_id == "GE":
            self._ge(position, elements)
        else:
            self._iea(position, elements)

    def _isa(self, position: int) -> None:
        self._interrupt(position, "ISA")
        if self._rejecting():
            self._close_rejected(position - 1)
        elif self.isa is not None:
            if self.group is not None:
                self._missing_trailer("GE", position)
            self._missing_trailer("IEA", position)
        header = self.isa_headers.get(position)
        date = _date(header.elements[8], "%y%m%d") if header else None
        interchange = Interchange(position, header, date)
        self.envelope.interchanges.append(interchange)
        self.isa = len(self.envelope.interchanges) - 1
        why = _isa_problem(header, date)
        if why:
            interchange.rejected = self.envelope._add(
                "invalid_isa",
                f"ISA at segment {position}: {why}; the whole interchange was quarantined",
                "segment",
                position,
                self.isa,
                None,
            )

    def _gs(self, position: int, elements: list[str]) -> None:
        self._interrupt(position, "GS")
        if self.group is not None:
            self._missing_trailer("GE", position)
        date = _date(_element(elements, 4), "%Y%m%d")
        group = Group(position, elements, self.isa or 0, date)
        self.envelope.interchanges[group.interchange].groups.append(group)
        self.group = group
        if date is None or not _element(elements, 6):
            group.rejected = self.envelope._add(
                "invalid_gs",
                f"GS at segment {position} needs a CCYYMMDD date in GS04 (found "
                f"{_element(elements, 4)!r}) and a control number in GS06 (found "
                f"{_element(elements, 6)!r}); its transactions were quarantined",
                "segment",
                position,
                self.isa,
                group,
                value="*".join(elements),
            )

    def _st(self, position: int, elements: list[str]) -> None:
        self._interrupt(position, "ST")
        group = self.group
        guide = _element(elements, 3) or (_element(group.elements, 8) if group else "")
        tx = Transaction(position, elements, self.isa, group, guide or None)
        self.envelope.transactions.append(tx)
        if group is not None:
            group.transactions.append(tx)
        self.tx = tx

    def _se(self, position: int, elements: list[str]) -> None:
        tx = self.tx
        if tx is None:
            self._stray("unmatched_trailer", position, position, "SE without an open ST")
            return
        tx.end_position = position
        tx.segment_count = _int(_element(elements, 1))
        self.tx = None
        found = tx.units
        if self.group is None:
            self._quarantine(tx, "st_outside_group", f"{tx.label} is not inside a GS/GE group")
        elif self.group.rejected is not None:
            tx.problem = self.group.rejected
        elif tx.segment_count != found:
            self._quarantine(
                tx,
                "se_count_mismatch",
                f"SE01 at segment {position} says {_element(elements, 1)!r} segments but "
                f"{tx.label} holds {found} (ST and SE included): segments were lost or added",
                elements,
            )
        elif _element(elements, 2) != tx.control:
            self._quarantine(
                tx,
                "st_se_control_mismatch",
                f"SE02 {_element(elements, 2)!r} at segment {position} does not match ST02 "
                f"{tx.control!r} of {tx.label}",
                elements,
            )
        else:
            wrong = transaction_problem(tx.transaction_set, tx.guide, self.expected)
            if wrong:
                self._quarantine(tx, wrong[0], f"{tx.label} {wrong[1]}", tx.elements)

    def _ge(self, position: int, elements: list[str]) -> None:
        if self.group is None:
            self._stray("unmatched_trailer", position, position, "GE without an open GS")
            return
        self._interrupt(position, "GE")
        group, self.group = self.group, None
        count = len(group.transactions)
        problems = []
        if _int(_element(elements, 1)) != count:
            problems.append(
                (
                    "ge_count_mismatch",
                    f"GE01 says {_element(elements, 1)!r} "
                    f"transaction sets but the group holds {count}",
                )
            )
        if _element(elements, 2) != group.control:
            problems.append(
                (
                    "ge_control_mismatch",
                    f"GE02 {_element(elements, 2)!r} does "
                    f"not match GS06 {group.control!r} at segment {group.gs_position}",
                )
            )
        self._check_trailer(group, self.isa, position, "GE", problems, elements)

    def _iea(self, position: int, elements: list[str]) -> None:
        self._interrupt(position, "IEA")
        if self.group is not None:
            self._missing_trailer("GE", position)
        index = self.isa or 0
        interchange = self.envelope.interchanges[index]
        self.isa = None
        count = len(interchange.groups)
        problems = []
        if _int(_element(elements, 1)) != count:
            problems.append(
                (
                    "iea_count_mismatch",
                    f"IEA01 says {_element(elements, 1)!r} "
                    f"functional groups but the interchange holds {count}",
                )
            )
        if _element(elements, 2) != interchange.control:
            problems.append(
                (
                    "iea_control_mismatch",
                    f"IEA02 {_element(elements, 2)!r} does "
                    f"not match ISA13 {interchange.control!r} at segment "
                    f"{interchange.isa_position}",
                )
            )
        self._check_trailer(interchange, index, position, "IEA", problems, elements)

    def _check_trailer(
        self,
        holder: Group | Interchange,
        interchange: int | None,
        position: int,
        name: str,
        problems: list[tuple[str, str]],
        elements: list[str],
    ) -> None:
        if not problems:
            holder.trailer_ok = True
            return
        self.envelope._add(
            problems[0][0],
            f"{name} at segment {position}: "
            + "; ".join(why for _, why in problems)
            + f". Only this {name} was quarantined: the transactions it closes passed their "
            "own SE checks and were loaded; ask the sender whether a transaction is missing",
            "segment",
            position,
            interchange,
            holder if isinstance(holder, Group) else None,
            value="*".join(elements),
            units=1,
        )

    def finish(self) -> None:
        if self._rejecting():
            self._close_rejected(self.total)
            return
        missing = [
            name
            for name, open_ in (("SE", self.tx), ("GE", self.group), ("IEA", self.isa is not None))
            if open_
        ]
        if not missing:
            return
        trailers = "/".join(missing)
        if self.tx is not None:
            tx, self.tx = self.tx, None
            tx.end_position = self.total
            self._quarantine(
                tx,
                "truncated",
                f"{tx.label} runs to the end of the file (segment {self.total}) without its "
                f"{trailers} trailer(s): the file looks cut short; it was quarantined and the "
                "complete transactions before it were loaded",
            )
        else:
            self.envelope._add(
                "truncated",
                f"the file ends after segment {self.total} without {trailers}: the complete "
                "transactions were loaded, but check that the file was not cut short",
                "segment",
                self.total,
                self.isa,
                self.group,
                disposition="flagged",
            )

    # -- helpers ---------------------------------------------------------------------------

    def _interrupt(self, position: int, by: str) -> None:
        """An envelope segment arrived while a transaction was still open."""
        if self.tx is None:
            return
        tx, self.tx = self.tx, None
        tx.end_position = position - 1
        self._quarantine(
            tx,
            "missing_se",
            f"{tx.label} has no SE before the {by} at segment {position}; expected "
            f"SE*{tx.units + 1}*{tx.control} (or the SE was lost)",
        )

    def _missing_trailer(self, name: str, position: int) -> None:
        self.envelope._add(
            f"missing_{name.lower()}",
            f"no {name} before the segment at {position}: the envelope was not closed, "
            "its complete transactions were loaded",
            "segment",
            position,
            self.isa,
            self.group,
            disposition="flagged",
        )
        if name == "GE":
            self.group = None

    def _quarantine(
        self, tx: Transaction, code: str, reason: str, elements: list[str] | None = None
    ) -> None:
        tx.problem = self.envelope._add(
            code,
            reason,
            "transaction",
            tx.st_position,
            tx.interchange,
            tx.group,
            value="*".join(elements) if elements else None,
        )

    def _rejecting(self) -> bool:
        return self.isa is not None and self.envelope.interchanges[self.isa].rejected is not None

    def _close_rejected(self, last: int) -> None:
        interchange = self.envelope.interchanges[self.isa or 0]
        if interchange.rejected is not None:
            interchange.rejected.units = last - interchange.isa_position + 1
        self.isa, self.group, self.tx = None, None, None


def _stray_reason(first: int, units: int, why: str) -> str:
    where = f"segment {first}" if units == 1 else f"segments {first}-{first + units - 1}"
    return f"{where} {'is' if units == 1 else 'are'} {why}"


def _isa_problem(header: IsaHeader | None, date: dt.date | None) -> str | None:
    if header is None:
        return (
            "its delimiters cannot be read (expected 'ISA', an element separator and 16 elements)"
        )
    if header.width_problem:
        return header.width_problem
    if date is None:
        return f"ISA09 {header.elements[8]!r} is not a YYMMDD date"
    if not header.elements[12].isdigit():
        return f"ISA13 {header.elements[12]!r} is not a 9-digit control number"
    return None


def _element(elements: list[str], index: int) -> str:
    return elements[index].strip() if index < len(elements) else ""


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _date(text: str, pattern: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, pattern).date()
    except ValueError:
        return None
