"""Interchange control numbers used twice: ISA13 must be unique per sender (X12.5).

Identical bytes never get here (the loader loads them once); a second file carrying an
interchange number its sender already used is a resend with changes or a sender that recycles
numbers. Either way its transactions may double what the first file said, so it is loaded as
sent and flagged for someone to check: dropping it could hide money just as well.
"""

from __future__ import annotations

from ingestion.x12.envelope import Envelope

# (ISA05 sender qualifier, ISA06 sender id, ISA13 control number), blanks trimmed, as
# raw.x12_interchanges has them in sender_id_qualifier, sender_id, interchange_control_number.
InterchangeKey = tuple[str, str, str]


def flag_reused_controls(
    envelope: Envelope, source_file: str, seen: dict[InterchangeKey, str]
) -> None:
    """Flag each readable interchange of ``envelope`` whose key is in ``seen`` (key -> where it
    was used first); record the others in ``seen``."""
    for index, interchange in enumerate(envelope.interchanges):
        header = interchange.header
        if interchange.rejected is not None or header is None:
            continue
        elements = header.elements
        key = (elements[4].strip(), elements[5].strip(), elements[12].strip())
        here = f"{source_file} (segment {interchange.isa_position})"
        first = seen.setdefault(key, here)
        if first == here:
            continue
        envelope.add_problem(
            "reused_interchange_control",
            f"ISA13 {key[2]!r} of sender {key[0]}/{key[1]!r} at segment "
            f"{interchange.isa_position} was already used by {first}: a sender numbers each "
            "interchange uniquely, so this is a changed resend or a recycled number. Loaded as "
            "sent; if it repeats the earlier interchange its claims and payments now count "
            "twice: ask the sender which one stands",
            "segment",
            interchange.isa_position,
            index,
            None,
            value=key[2],
            disposition="flagged",
        )
