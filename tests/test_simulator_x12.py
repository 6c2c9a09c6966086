"""Generated 837P and 835 files: balancing, cross-references to the CSV extracts, the friction
they are meant to carry (reversals, PLB, splits, replacement claims) and pyx12 validity."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from functools import cache
from types import SimpleNamespace

import pytest
from test_simulator_support import read_extract, small_run, split_x12, x12_files
from test_x12_writer import pyx12_errors

from ingestion.simulator.adjudication import Adjudication, ClaimRecord, LineResult
from ingestion.simulator.claim_book import ClaimBook
from ingestion.simulator.coding import Line
from ingestion.simulator.payers import MCR
from ingestion.simulator.randomness import Spare
from ingestion.simulator.remit_files import RemitLedger, plan_remits
from ingestion.simulator.x12_envelope import DEFAULT_DELIMITERS, render_segment


@cache
def remits() -> list[dict]:
    """One dict per 835 transaction: BPR amount/date, PLB amounts, and its claims."""
    out = []
    for path in x12_files(small_run(), "remits"):
        ix = split_x12(path.read_text())
        current = None
        for seg in ix.segments:
            tag = seg[0]
            if tag == "ST":
                current = {"file": path.name, "claims": [], "plb": []}
                out.append(current)
            elif tag == "BPR":
                current["bpr"] = Decimal(seg[2])
                current["paid_on"] = seg[-1]
            elif tag == "CLP":
                claim = {
                    "id": seg[1],
                    "status": seg[2],
                    "charge": Decimal(seg[3]),
                    "paid": Decimal(seg[4]),
                    "ccn": seg[7],
                    "cas": [],
                    "lines": [],
                }
                current["claims"].append(claim)
            elif tag == "SVC":
                claim["lines"].append(
                    {
                        "code": seg[1].split(ix.component)[1],
                        "charge": Decimal(seg[2]),
                        "paid": Decimal(seg[3]),
                        "cas": [],
                    }
                )
            elif tag == "CAS":
                target = claim["lines"][-1] if claim["lines"] else claim
                for i in range(2, len(seg), 3):
                    target["cas"].append((seg[1], seg[i], Decimal(seg[i + 1])))
            elif tag == "PLB":
                for i in range(3, len(seg), 2):
                    current["plb"].append((seg[i].split(ix.component)[0], Decimal(seg[i + 1])))
    return out


@cache
def claims_837() -> list[dict]:
    out = []
    for path in x12_files(small_run(), "claims"):
        ix = split_x12(path.read_text())
        for seg in ix.segments:
            tag = seg[0]
            if tag == "BHT":
                created = seg[4]
            elif tag == "NM1" and seg[1] == "IL":
                member = seg[9]
            elif tag == "NM1" and seg[1] == "PR":
                payer = seg[9]
            elif tag == "CLM":
                claim = {
                    "id": seg[1],
                    "charge": Decimal(seg[2]),
                    "frequency": seg[5].split(ix.component)[2],
                    "created": created,
                    "file": path.name,
                    "member": member,
                    "payer": payer,
                    "refs": {},
                    "lines": Decimal(0),
                }
                out.append(claim)
            elif tag == "REF" and claim is not None:
                claim["refs"][seg[1]] = seg[2]
            elif tag == "NM1" and seg[1] == "82":
                claim["npi"] = seg[9]
            elif tag == "SV1":
                claim["lines"] += Decimal(seg[2])
            elif tag == "ST":
                claim = None
    return out


def test_every_835_balances() -> None:
    assert remits()
    for remit in remits():
        clp = sum(c["paid"] for c in remit["claims"])
        assert remit["bpr"] == clp - sum(amount for _, amount in remit["plb"]), remit["file"]
        assert remit["bpr"] >= 0
        for claim in remit["claims"]:
            adjusted = sum(a for _, _, a in claim["cas"]) + sum(
                a for line in claim["lines"] for _, _, a in line["cas"]
            )
            assert claim["charge"] - adjusted == claim["paid"], claim["id"]
            for line in claim["lines"]:
                assert line["charge"] - sum(a for _, _, a in line["cas"]) == line["paid"]


def test_remits_carry_the_injected_payment_events() -> None:
    claims = [c for r in remits() for c in r["claims"]]
    reversals = [c for c in claims if c["status"] == "22"]
    assert reversals and all(c["paid"] <= 0 and c["charge"] < 0 for c in reversals)
    plb_reasons = {reason for r in remits() for reason, _ in r["plb"]}
    assert {"L6", "WO"} <= plb_reasons
    # A split claim: one claim id answered in two parts (different CLP07) that both pay.
    paid_parts = defaultdict(set)
    for c in claims:
        if c["status"] == "1" and c["paid"] > 0:
            paid_parts[c["id"]].add(c["ccn"])
    assert any(len(ccns) >= 2 for ccns in paid_parts.values())
    groups = {group for c in claims for line in c["lines"] for group, _, _ in line["cas"]}
    assert {"CO", "PR", "OA"} <= groups


def test_837_claims_match_the_extracts() -> None:
    run = small_run()
    claims = claims_837()
    encounters = set(read_extract(run, "ehr/encounters")["encounter_id"])
    npis = set(read_extract(run, "pm/providers")["npi"])
    payer_ids = set(read_extract(run, "pm/payers")["payer_x12_id"].drop_nulls())
    members = set(read_extract(run, "pm/patients")["member_id"].drop_nulls())
    auth_numbers = set(read_extract(run, "pm/prior_auths")["auth_number"].drop_nulls())
    for claim in claims:
        assert claim["id"] == "C" + claim["refs"]["EA"][1:]
        assert claim["refs"]["EA"] in encounters
        assert claim["npi"] in npis and claim["payer"] in payer_ids
        assert claim["member"] in members
        assert claim["charge"] == claim["lines"]
        assert claim["created"] == claim["file"][7:17].replace("-", "")  # BHT04 = file day
        if "G1" in claim["refs"]:
            assert claim["refs"]["G1"] in auth_numbers
    assert any("G1" in c["refs"] for c in claims)


def test_replacement_claims_point_at_an_earlier_denial() -> None:
    answered = {(c["id"], c["ccn"]) for r in remits() for c in r["claims"]}
    replacements = [c for c in claims_837() if c["frequency"] == "7"]
    assert replacements
    for claim in replacements:
        assert (claim["id"], claim["refs"]["F8"]) in answered


def test_self_pay_visits_are_not_billed() -> None:
    run = small_run()
    patients = read_extract(run, "pm/patients")
    self_pay = set(patients.filter(patients["primary_payer_id"] == "SELF")["patient_id"])
    encounters = read_extract(run, "ehr/encounters")
    self_pay_visits = set(
        encounters.filter(encounters["patient_id"].is_in(self_pay))["encounter_id"]
    )
    billed = {c["refs"]["EA"] for c in claims_837()}
    assert self_pay_visits and not (self_pay_visits & billed)


def test_generated_files_pass_pyx12() -> None:
    remit_file = next(
        p
        for p in x12_files(small_run(), "remits")
        if "*22*-" in p.read_text() or "PLB" in p.read_text()
    )
    claim_file = x12_files(small_run(), "claims")[0]
    assert pyx12_errors(claim_file.read_text()) == []
    errors = pyx12_errors(remit_file.read_text())
    # pyx12 miscounts a second PLB segment as a loop repeat (see tests/test_x12_writer.py).
    assert all("PLB" in e or "loop" in e.lower() for e in errors), errors


def test_a_negative_remit_forwards_its_balance() -> None:
    """A takeback bigger than the day's payments: BPR02 stays at zero with PLB FB, and the
    payer's next remittance recovers the rest (FB with the opposite sign)."""
    day = 20_400
    line = Line(1, "99213", (), ("I10",), 1, 19_500)
    claim = ClaimRecord(1, 1, 1, 1, MCR, "11", day - 30, "1EG4TE5MK73", (line,), ("I10",), None)
    paid = Adjudication(
        claim, "1", "CCN1", "1", day - 20, (LineResult(line, 9_000, (("CO", "45", 10_500),)),)
    )
    world = SimpleNamespace(
        seed=1,
        part=0,
        claims=ClaimBook(),
        spare=Spare(1, 0),
        work=SimpleNamespace(touch=lambda *a, **k: None),
    )
    world.claims.answer(day, paid.reversal("CCN1"))
    world.claims.answer(day + 7, paid)
    ledger = RemitLedger()
    (takeback,) = plan_remits(world, day, ledger)
    assert takeback.payment == 0 and ("FB", "FB00", -9_000) in takeback.plb
    (next_run,) = plan_remits(world, day + 7, ledger)
    assert ("FB", "FB00", 9_000) in next_run.plb and next_run.payment == 0


@pytest.mark.parametrize(
    "segment, value",
    [
        (("REF", "EA", "ENC:1"), "ENC:1"),  # component separator in a plain value
        (("NM1", "IL", "1", "DOE^X"), "DOE^X"),  # repetition separator
        (("SV1", ("HC", "99213", "2*5"), "125"), "2*5"),  # element separator in a composite
        (("SV1", ("HC", "992:13"), "125"), "992:13"),  # component separator in a composite
        (("LX", "1~"), "1~"),  # segment terminator
    ],
)
def test_renderer_refuses_values_holding_a_separator(segment: tuple, value: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"value {value!r} contains X12 delimiter")):
        render_segment(segment, DEFAULT_DELIMITERS)


def test_renderer_drops_trailing_empty_values_only() -> None:
    segment = ("SV1", ("HC", "99213", "", ""), "125", "", "1", "", ("1", ""), "", "")
    assert render_segment(segment, DEFAULT_DELIMITERS) == "SV1*HC:99213*125**1**1~\n"
