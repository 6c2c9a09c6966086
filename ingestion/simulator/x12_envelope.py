"""ASC X12 5010 spelling shared by the 837P and 835 writers: delimiters, value formats, envelopes.

A transaction body is built as a list of ``Segment`` tuples (segment id first, then elements;
a tuple element is a composite). Only ``render_interchange`` turns them into text, so the
delimiters are chosen in one place and the ST/SE, GS/GE and ISA/IEA counts cannot drift from
what is actually written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, lru_cache

Element = str | tuple[str, ...]
Segment = tuple[Element, ...]

ISA_LENGTH = 106  # fixed by the standard, terminator included


@dataclass(frozen=True)
class Delimiters:
    """The four X12 separators plus text written after each segment terminator.

    ``segment_suffix`` is not part of X12; a newline after ``~`` only makes files readable.
    """

    element: str = "*"
    component: str = ":"
    repetition: str = "^"
    segment: str = "~"
    segment_suffix: str = "\n"

    def __post_init__(self) -> None:
        separators = (self.element, self.component, self.repetition, self.segment)
        if any(len(sep) != 1 for sep in separators):
            raise ValueError(f"X12 separators must be single characters: {separators!r}")
        if len(set(separators)) != len(separators):
            raise ValueError(f"X12 separators must be distinct: {separators!r}")
        if any(sep.isalnum() or sep == " " for sep in separators):
            raise ValueError(f"X12 separators cannot be letters, digits or space: {separators!r}")
        if self.segment_suffix.strip("\r\n"):
            raise ValueError("segment_suffix may only hold CR/LF characters")

    @cached_property
    def reserved(self) -> frozenset[str]:
        return frozenset((self.element, self.component, self.repetition, self.segment))

    @cached_property
    def terminator(self) -> str:
        """What follows every segment: the terminator and the readability suffix."""
        return self.segment + self.segment_suffix


DEFAULT_DELIMITERS = Delimiters()


@dataclass(frozen=True)
class Envelope:
    """Everything ISA/GS need besides the transactions themselves."""

    functional_id: str  # GS01: HC (837) or HP (835)
    transaction_set_id: str  # ST01
    version: str  # GS08 / ST03 implementation guide
    sender_id: str
    receiver_id: str
    created_at: dt.datetime
    interchange_control_number: int
    group_control_number: int
    usage_indicator: str
    # ST03 is required by the 837P guide but marked Not Used by the 835 guide (X221A1).
    version_in_st03: bool = True


# Amounts and dates repeat a lot (fee schedule, one service date per claim): spell each once.
@lru_cache(maxsize=65_536)
def x12_decimal(value: Decimal) -> str:
    """X12 type R: no exponent, no trailing fractional zeros, no negative zero."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@lru_cache(maxsize=8_192)
def ccyymmdd(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def hhmm(moment: dt.datetime) -> str:
    return moment.strftime("%H%M")


def render_interchange(
    envelope: Envelope, bodies: Sequence[Sequence[Segment]], delimiters: Delimiters
) -> str:
    """Wrap transaction bodies (segments between ST and SE) in ST/SE, one GS/GE and ISA/IEA."""
    segments: list[Segment] = [_gs(envelope)]
    for index, body in enumerate(bodies, start=1):
        control = f"{index:04d}"
        st03 = envelope.version if envelope.version_in_st03 else ""
        segments.append(("ST", envelope.transaction_set_id, control, st03))
        segments.extend(body)
        segments.append(("SE", str(len(body) + 2), control))
    segments.append(("GE", str(len(bodies)), str(envelope.group_control_number)))
    segments.append(("IEA", "1", f"{envelope.interchange_control_number:09d}"))
    return _isa(envelope, delimiters) + _render_all(segments, delimiters)


def _render_all(segments: Sequence[Segment], delimiters: Delimiters) -> str:
    """Every segment as render_segment spells it, with its checks made once over the whole
    text: a file has hundreds of thousands of segments, and summed separator counts match
    only if each segment's do."""
    element = delimiters.element
    texts, joins = [], 0
    for segment in segments:
        try:
            text = element.join(segment)  # TypeError on a composite, a few segments in five
        except TypeError:
            text, n = _joined(segment, delimiters)
            joins += n
        texts.append(text)
    raw = "".join(texts)
    if (
        raw.count(element) != sum(map(len, segments)) - len(segments)
        or delimiters.repetition in raw
        or delimiters.segment in raw
        or raw.count(delimiters.component) != joins
    ):
        for segment in segments:
            render_segment(segment, delimiters)  # raises, naming the first offending value
    terminator = delimiters.terminator
    return terminator.join([text.rstrip(element) for text in texts]) + terminator


def render_segment(segment: Segment, delimiters: Delimiters) -> str:
    element = delimiters.element
    text, joins = _joined(segment, delimiters)
    # A value holding a separator shows as one separator more than were put in: counting them
    # checks every value in one pass over the text (this runs for millions of segments).
    if (
        text.count(element) != len(segment) - 1
        or delimiters.repetition in text
        or delimiters.segment in text
        or text.count(delimiters.component) != joins
    ):
        _refuse_delimiters(segment, delimiters)
    # X12 forbids trailing separators, so optional elements at the end are dropped; no value
    # ends with a separator (checked above), so stripping them drops exactly the empty ones.
    return text.rstrip(element) + delimiters.terminator


def _joined(segment: Segment, delimiters: Delimiters) -> tuple[str, int]:
    """The segment's elements joined, composites without their trailing empty components;
    and how many component separators that put in."""
    if tuple not in map(type, segment):
        return delimiters.element.join(segment), 0
    component = delimiters.component
    texts, joins = [], 0
    for value in segment:
        if value.__class__ is str:
            texts.append(value)
            continue
        n = len(value)
        while n and value[n - 1] == "":
            n -= 1
        joins += max(n - 1, 0)
        texts.append(component.join(value[:n]))
    return delimiters.element.join(texts), joins


def _refuse_delimiters(segment: Segment, delimiters: Delimiters) -> None:
    """Raise naming the first value that holds a separator."""
    for value in segment:
        for component in (value,) if isinstance(value, str) else value:
            clash = delimiters.reserved.intersection(component)
            if clash:
                # Escaping does not exist in X12; writing it would shift every later element.
                raise ValueError(f"value {component!r} contains X12 delimiter(s) {sorted(clash)}")
    raise AssertionError("separator count mismatch without a separator in any value")


def _gs(envelope: Envelope) -> Segment:
    return (
        "GS",
        envelope.functional_id,
        envelope.sender_id,
        envelope.receiver_id,
        ccyymmdd(envelope.created_at),
        hhmm(envelope.created_at),
        str(envelope.group_control_number),
        "X",
        envelope.version,
    )


def _isa(envelope: Envelope, delimiters: Delimiters) -> str:
    control = envelope.interchange_control_number
    if not 0 < control <= 999_999_999:
        raise ValueError(f"ISA13 must fit in 9 digits, got {control}")
    fields = (
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        "ZZ",
        _fixed(envelope.sender_id, 15),
        "ZZ",
        _fixed(envelope.receiver_id, 15),
        envelope.created_at.strftime("%y%m%d"),
        hhmm(envelope.created_at),
        delimiters.repetition,
        "00501",
        f"{control:09d}",
        "0",
        envelope.usage_indicator,
        delimiters.component,
    )
    text = delimiters.element.join(fields) + delimiters.segment
    if len(text) != ISA_LENGTH:
        raise ValueError(f"ISA must be {ISA_LENGTH} characters, built {len(text)}")
    return text + delimiters.segment_suffix


def _fixed(value: str, width: int) -> str:
    if len(value) > width:
        raise ValueError(f"ISA id {value!r} is longer than {width} characters")
    return value.ljust(width)
