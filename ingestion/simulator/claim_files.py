"""837P files: one per submission day, one ST set per payer, built from the claim book."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache

from .adjudication import ClaimRecord
from .claim_book import Submission
from .coding import claim_diagnoses
from .extracts import CLAIM, ENCOUNTER, ident
from .payers import PAYERS
from .timebase import date_of
from .world import World
from .x12_model import Batch837, Claim837, Party, ServiceLine837, Subscriber

_CLEARINGHOUSE = Party(name="SIM CLEARINGHOUSE", identifier="CLEARINGHOUSE")
_GROUP_TAXONOMY = "193200000X"  # multi-specialty group


_MONEY: dict[int, Decimal] = {}


def money(cents: int) -> Decimal:
    """Cents as a two-place Decimal; amounts repeat a lot (fee schedule), so they are cached."""
    value = _MONEY.get(cents)
    if value is None:
        value = _MONEY[cents] = Decimal(cents).scaleb(-2)
    return value


@cache
def _group_party(npi: str, tax_id: str) -> Party:
    return Party(
        name="Lakeshore Physicians Group",
        identifier=npi,
        tax_id=tax_id.replace("-", ""),
        taxonomy=_GROUP_TAXONOMY,
        address="200 LAKE ST",
        city="CHICAGO",
        zip="606010000",
    )


def group_party(w: World) -> Party:
    return _group_party(w.practice.group_npi, w.practice.tax_id)


@cache
def payer_party(index: int) -> Party:
    payer = PAYERS[index]
    return Party(
        name=payer.name,
        identifier=payer.x12_id or "",
        tax_id="",
        address="PO BOX 1000",
        city="CHICAGO",
        zip="606800000",
    )


def rendering_party(w: World, provider: int) -> Party:
    doc = w.practice.providers[provider - 1]
    return _person(doc.last_name, doc.first_name, doc.npi)


@cache
def _person(last: str, first: str, npi: str) -> Party:
    return Party(name=last, first_name=first, identifier=npi)


def claims_batch(w: World, day: int) -> Batch837 | None:
    submissions = w.claims.submissions.get(day)
    if not submissions:
        return None
    by_payer: dict[int, list[Claim837]] = {}
    for sub in submissions:
        by_payer.setdefault(sub.claim.payer, []).append(_claim(w, sub))
    created = dt.datetime.combine(date_of(day), dt.time(18, 30))
    group = group_party(w)
    control = day % 100_000 * 10 + w.part + 1
    return Batch837(
        interchange_control_number=control,
        group_control_number=control,
        created_at=created,
        submitter=Party(name=group.name, identifier="SIMSUBMIT01", phone="3125550100"),
        receiver=_CLEARINGHOUSE,
        billing_provider=group,
        transactions=tuple(tuple(by_payer[p]) for p in sorted(by_payer)),
    )


def subscriber(w: World, claim: ClaimRecord) -> Subscriber:
    key = (claim.patient, claim.member_id, claim.payer)
    found = w.subscribers.get(key)
    if found is None:
        found = w.subscribers[key] = _subscriber(w, claim)
    return found


def _subscriber(w: World, claim: ClaimRecord) -> Subscriber:
    reg = w.patients
    n = claim.patient
    loc = w.practice.locations[claim.location - 1]
    return Subscriber(
        member_id=claim.member_id,
        last_name=reg.last[n],
        first_name=reg.first[n],
        birth_date=date_of(reg.birth_day[n]),
        sex="FMU"[reg.sex[n]],
        address=reg.address(n),
        city=loc.name.split()[0].upper(),
        state=loc.state,
        zip=reg.zip[n],
        claim_filing_code=PAYERS[claim.payer].filing_code,
    )


def _claim(w: World, sub: Submission) -> Claim837:
    claim = sub.claim
    diagnoses = claim_diagnoses(sub.lines)
    service_date = date_of(claim.service_day)
    lines = []
    for i, line in enumerate(sub.lines, start=1):
        pointers = tuple(
            diagnoses.index(dx.replace(".", "")) + 1
            for dx in line.diagnoses
            if dx.replace(".", "") in diagnoses
        )[:4] or (1,)
        lines.append(
            ServiceLine837(
                i,
                line.cpt,
                line.modifiers,
                money(line.charge),
                Decimal(line.units),
                pointers,
                service_date,
            )
        )
    return Claim837(
        claim_id=ident(CLAIM, claim.number),
        total_charge=money(sum(line.charge for line in sub.lines)),
        place_of_service=claim.place_of_service,
        frequency_code=sub.frequency,
        subscriber=subscriber(w, claim),
        payer=payer_party(claim.payer),
        rendering_provider=rendering_party(w, claim.provider),
        diagnoses=diagnoses,
        lines=tuple(lines),
        encounter_id=ident(ENCOUNTER, claim.number),
        auth_number=sub.auth_number,
        payer_claim_control_number=sub.replaces_ccn,
    )
