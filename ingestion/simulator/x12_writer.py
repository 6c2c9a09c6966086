"""Spell simulator batches as ASC X12 5010 837P (005010X222A1) and 835 (005010X221A1) text.

The writer refuses (ValueError) rather than repairs: an 835 that does not balance or an 837
whose CLM02 differs from its lines would otherwise reach the warehouse looking legitimate,
and the simulator must only inject friction on purpose.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TypeVar

from ingestion.simulator.x12_envelope import (
    DEFAULT_DELIMITERS,
    Delimiters,
    Envelope,
    Segment,
    ccyymmdd,
    hhmm,
    render_interchange,
    x12_decimal,
)
from ingestion.simulator.x12_model import (
    Adjustment,
    Batch835,
    Batch837,
    Claim835,
    Claim837,
    Party,
    ProviderAdjustment,
    Remit835,
    ServiceLine835,
    ServiceLine837,
)

__all__ = ["DEFAULT_DELIMITERS", "Delimiters", "check_balanced", "write_835", "write_837"]

VERSION_837P = "005010X222A1"
VERSION_835 = "005010X221A1"
_DEFAULT_PHONE = "8005550100"
_MAX_CAS_TRIPLETS = 6  # CAS02..CAS19
_MAX_PLB_PAIRS = 6  # PLB03..PLB14
_MAX_DIAGNOSES = 12  # HI01..HI12
_MAX_REMARKS_MOA = 5  # MOA03..MOA07

# CLP06 has no code for these 837 SBR09 values; the nearest 835 code keeps the file valid.
_CLP06_FOR_837_ONLY_CODES = {"CI": "12", "BL": "12", "FI": "OF", "11": "ZZ"}

T = TypeVar("T")


def write_837(batch: Batch837, *, delimiters: Delimiters = DEFAULT_DELIMITERS) -> str:
    """One interchange / one GS*HC group / one ST*837 per entry of ``batch.transactions``."""
    envelope = Envelope(
        functional_id="HC",
        transaction_set_id="837",
        version=VERSION_837P,
        sender_id=batch.sender_id,
        receiver_id=batch.receiver_id,
        created_at=batch.created_at,
        interchange_control_number=batch.interchange_control_number,
        group_control_number=batch.group_control_number,
        usage_indicator=batch.usage_indicator,
    )
    bodies = [
        _837_body(batch, claims, index) for index, claims in enumerate(batch.transactions, start=1)
    ]
    return render_interchange(envelope, bodies, delimiters)


def write_835(batch: Batch835, *, delimiters: Delimiters = DEFAULT_DELIMITERS) -> str:
    """One interchange / one GS*HP group / one ST*835 per remit; raises if a remit is unbalanced."""
    for remit in batch.remits:
        check_balanced(remit)
    envelope = Envelope(
        functional_id="HP",
        transaction_set_id="835",
        version=VERSION_835,
        sender_id=batch.sender_id,
        receiver_id=batch.receiver_id,
        created_at=batch.created_at,
        interchange_control_number=batch.interchange_control_number,
        group_control_number=batch.group_control_number,
        usage_indicator=batch.usage_indicator,
        version_in_st03=False,
    )
    bodies = [_835_body(batch, remit) for remit in batch.remits]
    return render_interchange(envelope, bodies, delimiters)


def check_balanced(remit: Remit835) -> None:
    """Raise ValueError naming the claim (or trace number) whose 835 balancing fails."""
    for claim in remit.claims:
        for line in claim.lines:
            if line.charge - _total(line.adjustments) != line.paid:
                raise ValueError(
                    f"claim {claim.claim_id}: line {line.cpt_code} SVC02 {line.charge} - CAS "
                    f"{_total(line.adjustments)} != SVC03 {line.paid}"
                )
        if claim.lines:
            adjusted = _total(claim.adjustments) + sum(
                (_total(line.adjustments) for line in claim.lines), Decimal(0)
            )
            if claim.total_charge - adjusted != claim.paid:
                raise ValueError(
                    f"claim {claim.claim_id}: CLP03 {claim.total_charge} - CAS {adjusted} "
                    f"!= CLP04 {claim.paid}"
                )
    if remit.payment_amount < 0:
        raise ValueError(f"trace {remit.trace_number}: BPR02 cannot be negative, use BPR03 D")
    signed_payment = remit.payment_amount if remit.credit_debit == "C" else -remit.payment_amount
    net = sum((claim.paid for claim in remit.claims), Decimal(0)) - sum(
        (plb.amount for plb in remit.provider_adjustments), Decimal(0)
    )
    if signed_payment != net:
        raise ValueError(
            f"trace {remit.trace_number}: BPR02 {signed_payment} != sum(CLP04) - sum(PLB) {net}"
        )


# --- 837P -----------------------------------------------------------------------------------


def _837_body(batch: Batch837, claims: Sequence[Claim837], st_index: int) -> list[Segment]:
    created = batch.created_at
    reference = f"{batch.interchange_control_number:09d}{st_index:04d}"
    submitter = batch.submitter
    billing = batch.billing_provider
    if not billing.tax_id:
        raise ValueError(f"billing provider {billing.name!r} needs a tax_id for REF*EI")
    segments: list[Segment] = [
        ("BHT", "0019", "00", reference, ccyymmdd(created), hhmm(created), "CH"),
        _nm1("41", submitter, "46"),
        ("PER", "IC", _contact(submitter), "TE", submitter.phone or _DEFAULT_PHONE),
        _nm1("40", batch.receiver, "46"),
        ("HL", "1", "", "20", "1"),
    ]
    if billing.taxonomy:
        segments.append(("PRV", "BI", "PXC", billing.taxonomy))
    segments += [_nm1("85", billing, "XX"), *_address(billing), ("REF", "EI", billing.tax_id)]
    # One subscriber HL per claim keeps SBR/payer per claim without grouping logic.
    for hl_number, claim in enumerate(claims, start=2):
        segments.append(("HL", str(hl_number), "1", "22", "0"))
        segments += _837_subscriber(claim)
        segments += _837_claim(claim)
    return segments


def _837_subscriber(claim: Claim837) -> list[Segment]:
    sub = claim.subscriber
    return [
        ("SBR", "P", "18", "", "", "", "", "", "", sub.claim_filing_code),
        _name_segment("IL", sub.last_name, sub.first_name, "MI", sub.member_id),
        ("N3", sub.address.upper()),
        ("N4", sub.city.upper(), sub.state, sub.zip),
        ("DMG", "D8", ccyymmdd(sub.birth_date), sub.sex),
        _nm1("PR", claim.payer, "PI"),
    ]


def _837_claim(claim: Claim837) -> list[Segment]:
    line_total = sum((line.charge for line in claim.lines), Decimal(0))
    if line_total != claim.total_charge:
        raise ValueError(
            f"claim {claim.claim_id}: CLM02 {claim.total_charge} != sum of lines {line_total}"
        )
    if not 1 <= len(claim.diagnoses) <= _MAX_DIAGNOSES:
        raise ValueError(f"claim {claim.claim_id}: needs 1-{_MAX_DIAGNOSES} diagnoses")
    clm05 = (claim.place_of_service, "B", claim.frequency_code)
    segments: list[Segment] = [
        ("CLM", claim.claim_id, x12_decimal(claim.total_charge), "", "", clm05, "Y", "A", "Y", "Y")
    ]
    # 2300 REF order follows the guide: G1 (prior auth), F8 (payer claim number), EA.
    if claim.auth_number:
        segments.append(("REF", "G1", claim.auth_number))
    if claim.frequency_code in ("7", "8"):
        if not claim.payer_claim_control_number:
            raise ValueError(f"claim {claim.claim_id}: frequency 7/8 needs REF*F8")
        segments.append(("REF", "F8", claim.payer_claim_control_number))
    segments.append(("REF", "EA", claim.encounter_id))
    qualifiers = ["ABK"] + ["ABF"] * (len(claim.diagnoses) - 1)
    segments.append(("HI", *zip(qualifiers, claim.diagnoses, strict=True)))
    rendering = claim.rendering_provider
    segments.append(_nm1("82", rendering, "XX"))
    if rendering.taxonomy:
        segments.append(("PRV", "PE", "PXC", rendering.taxonomy))
    for position, line in enumerate(claim.lines, start=1):
        segments += _837_line(claim, line, position)
    return segments


def _837_line(claim: Claim837, line: ServiceLine837, position: int) -> list[Segment]:
    pointers = line.diagnosis_pointers
    if not 1 <= len(pointers) <= 4 or not all(1 <= p <= len(claim.diagnoses) for p in pointers):
        raise ValueError(f"claim {claim.claim_id}: bad diagnosis pointers {pointers}")
    sv1 = (
        "SV1",
        _procedure(line.cpt_code, line.modifiers, claim.claim_id),
        x12_decimal(line.charge),
        "UN",
        x12_decimal(line.units),
        "",  # SV105: the claim-level place of service applies
        "",
        tuple(str(p) for p in pointers),
    )
    return [("LX", str(position)), sv1, ("DTP", "472", "D8", ccyymmdd(line.service_date))]


# --- 835 ------------------------------------------------------------------------------------


def _835_body(batch: Batch835, remit: Remit835) -> list[Segment]:
    payer, payee = remit.payer, remit.payee
    segments: list[Segment] = [
        _bpr(remit),
        ("TRN", "1", remit.trace_number, _payer_tin(payer)),
        ("REF", "EV", batch.receiver_id),
        ("DTM", "405", ccyymmdd(remit.production_date)),
        # N104 is left out: the guide sends REF*2U only when no National Plan ID is in N104.
        ("N1", "PR", payer.name.upper()),
        *_address(payer),
        ("REF", "2U", payer.identifier),
        ("PER", "BL", _contact(payer), "TE", payer.phone or _DEFAULT_PHONE),
        ("N1", "PE", payee.name.upper(), "XX", payee.identifier),
        *_address(payee),
    ]
    if payee.tax_id:
        segments.append(("REF", "TJ", payee.tax_id))
    if remit.claims:
        segments.append(("LX", "1"))
    for claim in remit.claims:
        segments += _835_claim(claim)
    fiscal_year_end = dt.date(remit.production_date.year, 12, 31)
    for chunk in _chunks(remit.provider_adjustments, _MAX_PLB_PAIRS):
        pairs = [element for plb in chunk for element in _plb_pair(plb)]
        segments.append(("PLB", payee.identifier, ccyymmdd(fiscal_year_end), *pairs))
    return segments


def _bpr(remit: Remit835) -> Segment:
    handling = "H" if remit.payment_amount == 0 else "I"
    head = (
        "BPR",
        handling,
        x12_decimal(remit.payment_amount),
        remit.credit_debit,
        remit.payment_method,
    )
    if remit.payment_method != "ACH":
        return (*head, *([""] * 11), ccyymmdd(remit.payment_date))
    payer, payee = remit.payer, remit.payee
    return (
        *head,
        "CCP",
        "01",
        _routing_number(payer),
        "DA",
        _account_number(payer),
        _payer_tin(payer),
        "",
        "01",
        _routing_number(payee),
        "DA",
        _account_number(payee),
        ccyymmdd(remit.payment_date),
    )


def _835_claim(claim: Claim835) -> list[Segment]:
    segments: list[Segment] = [
        (
            "CLP",
            claim.claim_id,
            claim.status_code,
            x12_decimal(claim.total_charge),
            x12_decimal(claim.paid),
            x12_decimal(claim.patient_responsibility),
            _CLP06_FOR_837_ONLY_CODES.get(claim.claim_filing_code, claim.claim_filing_code),
            claim.payer_claim_control_number,
            claim.place_of_service,
            claim.frequency_code,
        ),
        *_cas_segments(claim.adjustments),
        _name_segment(
            "QC", claim.patient_last_name, claim.patient_first_name, "MI", claim.member_id
        ),
        ("NM1", "82", "1", "", "", "", "", "", "XX", claim.rendering_npi),
    ]
    if len(claim.remark_codes) > _MAX_REMARKS_MOA:
        raise ValueError(f"claim {claim.claim_id}: MOA holds at most {_MAX_REMARKS_MOA} remarks")
    if claim.remark_codes:
        segments.append(("MOA", "", "", *claim.remark_codes))
    service_day = ccyymmdd(claim.service_date)
    segments += [("DTM", "232", service_day), ("DTM", "233", service_day)]
    if claim.received_date:
        segments.append(("DTM", "050", ccyymmdd(claim.received_date)))
    for line in claim.lines:
        segments += _835_line(line, claim.claim_id)
    return segments


def _835_line(line: ServiceLine835, claim_id: str) -> list[Segment]:
    segments: list[Segment] = [
        (
            "SVC",
            _procedure(line.cpt_code, line.modifiers, claim_id),
            x12_decimal(line.charge),
            x12_decimal(line.paid),
            "",  # SVC04 revenue code is institutional only
            x12_decimal(line.units),
        ),
        ("DTM", "472", ccyymmdd(line.service_date)),
        *_cas_segments(line.adjustments),
    ]
    if line.line_control_number:
        segments.append(("REF", "6R", line.line_control_number))
    if line.adjustments:
        # Allowed = what the payer paid plus what it left to the patient.
        patient_share = _total(a for a in line.adjustments if a.group_code == "PR")
        segments.append(("AMT", "B6", x12_decimal(line.paid + patient_share)))
    segments += [("LQ", "HE", code) for code in line.remark_codes]
    return segments


def _cas_segments(adjustments: Sequence[Adjustment]) -> list[Segment]:
    by_group: dict[str, list[Adjustment]] = {}
    for adjustment in adjustments:
        by_group.setdefault(adjustment.group_code, []).append(adjustment)
    segments: list[Segment] = []
    for group, members in by_group.items():
        for chunk in _chunks(members, _MAX_CAS_TRIPLETS):
            triplets = [
                element
                for adj in chunk
                for element in (
                    adj.reason_code,
                    x12_decimal(adj.amount),
                    "" if adj.quantity is None else x12_decimal(adj.quantity),
                )
            ]
            segments.append(("CAS", group, *triplets))
    return segments


def _plb_pair(plb: ProviderAdjustment) -> tuple[tuple[str, ...], str]:
    return (plb.reason_code, plb.reference_id), x12_decimal(plb.amount)


# --- shared pieces --------------------------------------------------------------------------


def _nm1(entity: str, party: Party, qualifier: str) -> Segment:
    return _name_segment(entity, party.name, party.first_name, qualifier, party.identifier)


def _name_segment(entity: str, last: str, first: str, qualifier: str, identifier: str) -> Segment:
    kind = "1" if first else "2"  # NM102: person or non-person entity
    return ("NM1", entity, kind, last.upper(), first.upper(), "", "", "", qualifier, identifier)


def _address(party: Party) -> list[Segment]:
    return [("N3", party.address.upper()), ("N4", party.city.upper(), party.state, party.zip)]


def _contact(party: Party) -> str:
    return (party.contact_name or party.name).upper()


def _procedure(cpt: str, modifiers: Sequence[str], claim_id: str) -> tuple[str, ...]:
    if len(modifiers) > 4:
        raise ValueError(f"claim {claim_id}: {cpt} has more than 4 modifiers")
    return ("HC", cpt, *modifiers)


def _total(adjustments: Iterable[Adjustment]) -> Decimal:
    return sum((adj.amount for adj in adjustments), Decimal(0))


def _chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _payer_tin(payer: Party) -> str:
    """TRN03 / BPR10: '1' followed by the payer's 9-digit EIN."""
    ein = "".join(ch for ch in payer.tax_id if ch.isdigit())
    return "1" + (ein if len(ein) == 9 else _digits("ein:" + payer.identifier, 9))


def _routing_number(party: Party) -> str:
    if party.bank_routing_number:
        return party.bank_routing_number
    # Derived from the party id so files are stable; the ABA check digit keeps it plausible.
    body = _digits("aba:" + party.identifier, 8)
    weights = (3, 7, 1, 3, 7, 1, 3, 7)
    check = -sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 10
    return body + str(check)


def _account_number(party: Party) -> str:
    return party.bank_account_number or _digits("acct:" + party.identifier, 10)


def _digits(seed: str, count: int) -> str:
    return str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[:count]
