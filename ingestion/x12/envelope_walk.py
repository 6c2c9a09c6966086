"""Check ISA/GS/ST envelopes and decide, per transaction, whether it may load.

Only envelope segments (ISA, GS, ST, SE, GE, IEA) are looked at, in Python: a handful per
transaction, so this stays cheap however large the file.

Granularity: a transaction with broken structure (missing SE, SE count or control mismatch,
wrong type or guide) is quarantined alone; a GE/IEA trailer that disagrees with what it closes
is quarantined alone (the transactions it closes are complete, each checked by its own SE);
an unreadable ISA or GS takes its whole interchange or group with it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ingestion.x12.envelope import Envelope, Group, Interchange, Transaction, element
from ingestion.x12.tokenizer import IsaHeader, Segments, segment_code
from ingestion.x12.versions import transaction_problem

ENVELOPE_SEGMENTS = ("ISA", "IEA", "GS", "GE", "ST", "SE")


def walk_envelope(segments: Segments, expected: str) -> Envelope:
    codes = {segment_code(name): name for name in ENVELOPE_SEGMENTS}
    # A few equality tests beat np.isin on the small files a practice sends many of.
    found = np.zeros(segments.count, dtype=bool)
    for code in codes:
        found |= segments.code == code
    rows = np.flatnonzero(found)
    walker = _Walker(segments, expected)
    separators = [delimiters.element for delimiters in segments.delimiters]
    for row, code, regime in zip(
        rows.tolist(), segments.code[rows].tolist(), segments.regime[rows].tolist(), strict=True
    ):
        walker.gap_until(row + 1)
        walker.separator = separators[regime]
        walker.handle(row + 1, codes[code], segments.text(row).split(walker.separator))
    walker.gap_until(segments.count + 1)
    walker.finish()
    return walker.envelope


class _Walker:
    def __init__(self, segments: Segments, expected: str) -> None:
        self.segments = segments
        self.isa_headers = segments.isa_headers
        self.expected = expected
        self.total = segments.count
        self.envelope = Envelope([], [], [], self.total)
        self.isa: int | None = None
        self.group: Group | None = None
        self.tx: Transaction | None = None
        self.last = 0  # last position handled
        self.separator = "*"  # element separator of the segment being handled (for values)

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
        unreadable = np.flatnonzero(self.segments.code[first - 1 : last] < 0)
        if len(unreadable) and self.isa is not None:
            # Likely the reason they are strays: the GS/ST/SE ids among them are not seen.
            code = "unreadable_segment_id"
            sample = self.segments.text(first - 1 + int(unreadable[0]))[:24]
            where += (
                f"; {len(unreadable)} of them have no segment id readable with the element "
                f"separator {self.separator!r} the ISA declares (segment "
                f"{first + int(unreadable[0])} starts {sample!r}): a file must use the "
                "delimiters its ISA declares"
            )
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
        self.envelope.add_problem(
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
            interchange.rejected = self.envelope.add_problem(
                "invalid_isa",
                f"ISA at segment {position}: {why}; the whole interchange was quarantined",
                "segment",
                position,
                self.isa,
                None,
            )
        elif header is not None and header.width_problem:
            self.envelope.add_problem(
                "isa_not_fixed_width",
                _squeezed_reason(position, header),
                "segment",
                position,
                self.isa,
                None,
                value=header.text,
                disposition="flagged",
            )

    def _gs(self, position: int, elements: list[str]) -> None:
        self._interrupt(position, "GS")
        if self.group is not None:
            self._missing_trailer("GE", position)
        date = _date(element(elements, 4), "%Y%m%d")
        group = Group(position, elements, self.isa or 0, date)
        self.envelope.interchanges[group.interchange].groups.append(group)
        self.group = group
        if date is None or not element(elements, 6):
            group.rejected = self.envelope.add_problem(
                "invalid_gs",
                f"GS at segment {position} needs a CCYYMMDD date in GS04 (found "
                f"{element(elements, 4)!r}) and a control number in GS06 (found "
                f"{element(elements, 6)!r}); its transactions were quarantined",
                "segment",
                position,
                self.isa,
                group,
                value=self.separator.join(elements),
            )

    def _st(self, position: int, elements: list[str]) -> None:
        self._interrupt(position, "ST")
        group = self.group
        guide = element(elements, 3) or (element(group.elements, 8) if group else "")
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
        tx.segment_count = _int(element(elements, 1))
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
                f"SE01 at segment {position} says {element(elements, 1)!r} segments but "
                f"{tx.label} holds {found} (ST and SE included): segments were lost or added",
                elements,
            )
        elif element(elements, 2) != tx.control:
            self._quarantine(
                tx,
                "st_se_control_mismatch",
                f"SE02 {element(elements, 2)!r} at segment {position} does not match ST02 "
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
        if _int(element(elements, 1)) != count:
            problems.append(
                (
                    "ge_count_mismatch",
                    f"GE01 says {element(elements, 1)!r} "
                    f"transaction sets but the group holds {count}",
                )
            )
        if element(elements, 2) != group.control:
            problems.append(
                (
                    "ge_control_mismatch",
                    f"GE02 {element(elements, 2)!r} does "
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
        if _int(element(elements, 1)) != count:
            problems.append(
                (
                    "iea_count_mismatch",
                    f"IEA01 says {element(elements, 1)!r} "
                    f"functional groups but the interchange holds {count}",
                )
            )
        if element(elements, 2) != interchange.control:
            problems.append(
                (
                    "iea_control_mismatch",
                    f"IEA02 {element(elements, 2)!r} does "
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
        self.envelope.add_problem(
            problems[0][0],
            f"{name} at segment {position}: "
            + "; ".join(why for _, why in problems)
            + f". Only this {name} was quarantined: the transactions it closes passed their "
            "own SE checks and were loaded; ask the sender whether a transaction is missing",
            "segment",
            position,
            interchange,
            holder if isinstance(holder, Group) else None,
            value=self.separator.join(elements),
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
        if not missing or self._ends_unreadable():
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
            self.envelope.add_problem(
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

    def _ends_unreadable(self) -> bool:
        """The file ends in segments without a readable id: its trailers may be among them,
        and the issue quarantining them says so already."""
        problems = self.envelope.problems
        last = problems[-1] if problems else None
        return (
            last is not None
            and last.reason_code == "unreadable_segment_id"
            and (last.position or 0) + last.units - 1 == self.total
        )

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
        self.envelope.add_problem(
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
        tx.problem = self.envelope.add_problem(
            code,
            reason,
            "transaction",
            tx.st_position,
            tx.interchange,
            tx.group,
            value=self.separator.join(elements) if elements else None,
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
    if date is None:
        return f"ISA09 {header.elements[8]!r} is not a YYMMDD date"
    if not header.elements[12].isdigit():
        return f"ISA13 {header.elements[12]!r} is not a 9-digit control number"
    return None


def _squeezed_reason(position: int, header: IsaHeader) -> str:
    delimiters = header.delimiters
    return (
        f"ISA at segment {position} {header.width_problem}. It was read by its separators "
        f"(element {delimiters.element!r} = 4th character, component {delimiters.component!r} "
        f"= ISA16, segment terminator {delimiters.segment!r} = the character after ISA16) and "
        "its transactions were read as usual; ask the sender to pad ISA02/04 and the "
        "sender/receiver ids with spaces as the standard requires"
    )


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _date(text: str, pattern: str) -> dt.date | None:
    # strptime costs ~20 us a call, a lot for many small files; exactly the expected number of
    # digits can only be read one way, so that case is parsed directly, the rest by strptime.
    digits = 8 if pattern == "%Y%m%d" else 6 if pattern == "%y%m%d" else 0
    try:
        if len(text) == digits and text.isascii() and text.isdigit():
            year = int(text[:-4])
            if digits == 6:  # strptime's %y: 69-99 are 1969-1999, 00-68 are 2000-2068
                year += 1900 if year >= 69 else 2000
            return dt.date(year, int(text[-4:-2]), int(text[-2:]))
        return dt.datetime.strptime(text, pattern).date()
    except ValueError:
        return None
