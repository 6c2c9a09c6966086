"""X12 writer: pyx12 validation (837P X222A1, 835 X221A1), exact segments, balancing, delimiters."""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import replace
from decimal import Decimal as D

import pytest
import pyx12.params
import pyx12.x12n_document

from ingestion.simulator.x12_envelope import x12_decimal
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
    Subscriber,
)
from ingestion.simulator.x12_writer import Delimiters, write_835, write_837

PAYER = Party(
    name="Acme Health Plan",
    identifier="ACME01",
    tax_id="361234567",
    address="PO Box 5000",
    city="Chicago",
    zip="606015000",
)
PRACTICE = Party(name="Prairie Family Medicine", identifier="1234567893", tax_id="371112222")
DOCTOR = Party(name="Smith", first_name="Alan", identifier="1992753880", taxonomy="207Q00000X")
JANE = Subscriber(
    member_id="W123456789",
    last_name="Doe",
    first_name="Jane",
    birth_date=dt.date(1980, 2, 29),
    sex="F",
    address="12 Oak St",
    city="Springfield",
    state="IL",
    zip="62704",
    claim_filing_code="CI",
)
DAY = dt.date(2024, 3, 4)


# --- fixtures -------------------------------------------------------------------------------


def _claim837(
    claim_id: str, frequency: str, lines: tuple[ServiceLine837, ...], **extra
) -> Claim837:
    return Claim837(
        claim_id=claim_id,
        total_charge=sum((line.charge for line in lines), D(0)),
        place_of_service="11",
        frequency_code=frequency,
        subscriber=JANE,
        payer=PAYER,
        rendering_provider=DOCTOR,
        diagnoses=("E119", "I10"),
        lines=lines,
        encounter_id="ENC-" + claim_id,
        **extra,
    )


def make_837() -> Batch837:
    office = ServiceLine837(1, "99213", ("25",), D("125.00"), D("1"), (1, 2), DAY)
    lab = ServiceLine837(2, "81002", (), D("12.50"), D("1"), (1,), DAY)
    redo = ServiceLine837(1, "99212", (), D("80"), D("1"), (2,), dt.date(2024, 3, 5))
    return Batch837(
        interchange_control_number=42,
        group_control_number=7,
        created_at=dt.datetime(2024, 3, 6, 14, 5),
        submitter=Party(name="Prairie Family Medicine", identifier="SUB123", phone="2175550100"),
        receiver=Party(name="Clearing House", identifier="CH999"),
        billing_provider=Party(
            name="Prairie Family Medicine",
            identifier="1234567893",
            tax_id="371112222",
            taxonomy="207Q00000X",
        ),
        transactions=(
            (
                _claim837("CLM0001", "1", (office, lab), auth_number="AUTH77"),
                _claim837("CLM0002", "7", (redo,), payer_claim_control_number="PCN998877"),
            ),
            (_claim837("CLM0003", "1", (lab,)),),
        ),
    )


def _claim835(claim_id: str, status: str, charge: str, paid: str, **extra) -> Claim835:
    return Claim835(
        claim_id=claim_id,
        status_code=status,
        total_charge=D(charge),
        paid=D(paid),
        patient_responsibility=extra.pop("patient_responsibility", D(0)),
        claim_filing_code="MC",
        payer_claim_control_number="PCN-" + claim_id,
        place_of_service="11",
        frequency_code="1",
        patient_last_name="Doe",
        patient_first_name="Jane",
        member_id="W123456789",
        rendering_npi="1992753880",
        service_date=DAY,
        **extra,
    )


def make_835(plb_count: int = 7) -> Batch835:
    """Three remits: ACH with a reversal, CHK with ``plb_count`` PLB pairs, zero-pay NON."""
    paid_line = ServiceLine835(
        "99213",
        ("25",),
        D("125"),
        D("80"),
        D("1"),
        DAY,
        (Adjustment("CO", "45", D("20")), Adjustment("PR", "2", D("25"), D("1"))),
        ("N130",),
        "CLM0001-1",
    )
    # Seven CO triplets: the writer must split them into CAS segments of six and one.
    split_cas = tuple(Adjustment("CO", r, D("1.5")) for r in ("45", "16", "97", "96", "204", "109"))
    denied_line = ServiceLine835(
        "81002", (), D("12.50"), D("0"), D("1"), DAY, (*split_cas, Adjustment("CO", "18", D("3.5")))
    )
    paid = _claim835(
        "CLM0001",
        "1",
        "137.50",
        "80",
        patient_responsibility=D("25"),
        received_date=dt.date(2024, 3, 7),
        lines=(paid_line, denied_line),
        remark_codes=("MA01",),
    )
    reversal_line = ServiceLine835(
        "99212",
        (),
        D("-100"),
        D("-70"),
        D("-1"),
        DAY,
        (Adjustment("CO", "45", D("-20")), Adjustment("PR", "2", D("-10"))),
    )
    reversal = _claim835(
        "CLM0009", "22", "-100", "-70", patient_responsibility=D("-10"), lines=(reversal_line,)
    )
    ach = Remit835(
        payer=PAYER,
        payee=PRACTICE,
        payment_method="ACH",
        payment_amount=D("5"),  # 80 - 70 - 5 (PLB WO)
        payment_date=dt.date(2024, 3, 20),
        trace_number="EFT000123",
        production_date=dt.date(2024, 3, 18),
        claims=(paid, reversal),
        provider_adjustments=(ProviderAdjustment("WO", "CLM0007", D("5")),),
    )
    untimely = _claim835(
        "CLM0003", "4", "200", "0", adjustments=(Adjustment("CO", "29", D("200")),)
    )
    plb = [("L6", "CLM0001", "-2.15"), ("FB", "ACCT77", "-10"), ("WO", "CLM0005", "1")]
    plb += [("72", "", "-3"), ("L6", "CLM0002", "-0.85"), ("FB", "ACCT78", "-4")]
    plb = (plb + [("WO", "CLM0006", "2")])[:plb_count]
    check = Remit835(
        payer=PAYER,
        payee=PRACTICE,
        payment_method="CHK",
        payment_amount=-sum(D(amount) for _, _, amount in plb),  # no paid claims: only PLB
        payment_date=dt.date(2024, 3, 21),
        trace_number="CHK55501",
        production_date=dt.date(2024, 3, 18),
        claims=(untimely,),
        provider_adjustments=tuple(ProviderAdjustment(r, ref, D(a)) for r, ref, a in plb),
    )
    denied = _claim835(
        "CLM0004",
        "4",
        "150",
        "0",
        lines=(
            ServiceLine835(
                "99214", (), D("150"), D("0"), D("1"), DAY, (Adjustment("CO", "50", D("150")),)
            ),
        ),
    )
    notice = Remit835(
        payer=PAYER,
        payee=PRACTICE,
        payment_method="NON",
        payment_amount=D("0"),
        payment_date=dt.date(2024, 3, 21),
        trace_number="NOPAY0001",
        production_date=dt.date(2024, 3, 18),
        claims=(denied,),
    )
    return Batch835(
        interchange_control_number=43,
        group_control_number=8,
        created_at=dt.datetime(2024, 3, 18, 9, 30),
        remits=(ach, check, notice),
    )


# --- pyx12 ----------------------------------------------------------------------------------


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def pyx12_errors(text: str) -> list[str]:
    """Every error pyx12 reports for ``text`` (map chosen from GS08).

    pyx12 logs each ISA/GS/ST/segment/element error on the "pyx12" logger; its JSON and 999
    outputs skip ST element errors, so the log is the complete record. The boolean result is
    kept as a second signal in case an error is ever raised without a log line.
    """
    collector = _ErrorCollector()
    logger = logging.getLogger("pyx12")
    logger.addHandler(collector)
    try:
        valid = pyx12.x12n_document.x12n_document(
            pyx12.params.params(), io.StringIO(text), None, None, None
        )
    finally:
        logger.removeHandler(collector)
    if not valid and not collector.messages:
        return ["pyx12 returned invalid without a logged error"]
    return collector.messages


def segments(text: str) -> list[str]:
    return [line for line in text.split("~\n") if line]


def test_837_is_valid_x222a1() -> None:
    assert pyx12_errors(write_837(make_837())) == []


def test_835_is_valid_x221a1() -> None:
    assert pyx12_errors(write_835(make_835(plb_count=6))) == []


def test_835_second_plb_only_trips_pyx12_loop_counter() -> None:
    # PLB repeats (>1) in the 835 footer, but pyx12 treats a repeated first segment of a loop
    # as a new loop instance; this is the only complaint for a split PLB.
    assert pyx12_errors(write_835(make_835())) == [
        "Line:71 SEG:4 - Loop FOOTER exceeded max count.  Found 2, should have 1"
    ]


def test_validator_reports_corrupted_documents() -> None:
    text_837 = write_837(make_837()).replace("CLM*CLM0001*137.5", "CLM*CLM0001*X137.5")
    errors_837 = pyx12_errors(text_837)
    assert len(errors_837) == 1 and "(CLM02) is type R" in errors_837[0]
    text_835 = write_835(make_835()).replace("SE*46*0001", "SE*45*0001")
    errors_835 = pyx12_errors(text_835.replace("NM1*QC*1*DOE*JANE****MI*W123456789", "NM1*QQ*1"))
    assert any("SE count of 45 for SE02=0001 is wrong. I count 46" in e for e in errors_835)
    assert any('Mandatory segment "Patient Name" (NM1) missing' in e for e in errors_835)


# --- exact segments -------------------------------------------------------------------------


def test_837_key_segments() -> None:
    lines = segments(write_837(make_837()))
    isa = write_837(make_837()).split("\n")[0]
    assert len(isa) == 106
    assert isa == (
        "ISA*00*          *00*          *ZZ*FRICTIONSIM    *ZZ*CLEARINGHOUSE  "
        "*240306*1405*^*00501*000000042*0*P*:~"
    )
    assert lines[1] == "GS*HC*FRICTIONSIM*CLEARINGHOUSE*20240306*1405*7*X*005010X222A1"
    assert lines[2] == "ST*837*0001*005010X222A1"
    assert lines[3] == "BHT*0019*00*0000000420001*20240306*1405*CH"
    assert "CLM*CLM0001*137.5***11:B:1*Y*A*Y*Y" in lines
    assert "HI*ABK:E119*ABF:I10" in lines
    assert "SV1*HC:99213:25*125*UN*1***1:2" in lines
    assert "DTP*472*D8*20240304" in lines
    replacement = lines.index("CLM*CLM0002*80***11:B:7*Y*A*Y*Y")
    assert lines[replacement + 1 : replacement + 3] == ["REF*F8*PCN998877", "REF*EA*ENC-CLM0002"]
    assert [s for s in lines if s.startswith("HL*")] == [
        "HL*1**20*1",
        "HL*2*1*22*0",
        "HL*3*1*22*0",
        "HL*1**20*1",  # numbering restarts in the second ST
        "HL*2*1*22*0",
    ]
    # 11 header + 19 (claim with 2 lines) + 16 (replacement) + SE
    assert "SE*47*0001" in lines
    assert lines[-3:] == ["SE*27*0002", "GE*2*7", "IEA*1*000000042"]


def test_835_key_segments() -> None:
    lines = segments(write_835(make_835()))
    assert lines[2] == "ST*835*0001"
    assert lines[3] == (
        "BPR*I*5*C*ACH*CCP*01*540605606*DA*1017485397*1361234567**01*416945898*DA*3078891033"
        "*20240320"
    )
    assert lines[4] == "TRN*1*EFT000123*1361234567"
    assert "CLP*CLM0001*1*137.5*80*25*MC*PCN-CLM0001*11*1" in lines
    assert "CLP*CLM0009*22*-100*-70*-10*MC*PCN-CLM0009*11*1" in lines
    assert "SVC*HC:99212*-100*-70**-1" in lines
    split = lines.index("CAS*CO*45*1.5**16*1.5**97*1.5**96*1.5**204*1.5**109*1.5")
    assert lines[split + 1 : split + 3] == ["CAS*CO*18*3.5", "AMT*B6*0"]
    assert "CAS*PR*2*25*1" in lines and "AMT*B6*105" in lines
    assert "PLB*1234567893*20241231*WO:CLM0007*5" in lines
    assert "SE*46*0001" in lines
    assert "BPR*I*17*C*CHK************20240321" in lines
    assert [s for s in lines if s.startswith("PLB*")] == [
        "PLB*1234567893*20241231*WO:CLM0007*5",
        "PLB*1234567893*20241231*L6:CLM0001*-2.15*FB:ACCT77*-10*WO:CLM0005*1*72*-3"
        "*L6:CLM0002*-0.85*FB:ACCT78*-4",
        "PLB*1234567893*20241231*WO:CLM0006*2",
    ]
    assert "BPR*H*0*C*NON************20240321" in lines
    assert "SE*24*0002" in lines  # 14 header + LX + 6 (claim without lines) + 2 PLB + SE
    assert lines[-3:] == ["SE*25*0003", "GE*3*8", "IEA*1*000000043"]


def test_money_is_x12_decimal() -> None:
    values = ["125.00", "125.50", "0.00", "-12.50", "-0.00", "1E+2", "0.05"]
    assert [x12_decimal(D(v)) for v in values] == ["125", "125.5", "0", "-12.5", "0", "100", "0.05"]


def test_output_is_deterministic() -> None:
    assert write_835(make_835()) == write_835(make_835())
    assert write_837(make_837()) == write_837(make_837())


# --- refusals -------------------------------------------------------------------------------


def _with_first_claim(batch: Batch835, **changes) -> Batch835:
    remit = batch.remits[0]
    claims = (replace(remit.claims[0], **changes), *remit.claims[1:])
    return replace(batch, remits=(replace(remit, claims=claims),))


def test_unbalanced_line_raises_with_claim_id() -> None:
    claim = make_835().remits[0].claims[0]
    bad_line = replace(claim.lines[0], paid=D("81"))
    with pytest.raises(ValueError, match=r"claim CLM0001: line 99213 SVC02 125 - CAS 45"):
        write_835(_with_first_claim(make_835(), lines=(bad_line, claim.lines[1])))


def test_unbalanced_claim_raises_with_claim_id() -> None:
    extra_cas = (Adjustment("OA", "23", D("1")),)
    with pytest.raises(ValueError, match=r"claim CLM0001: CLP03 137.50 - CAS 58.5 != CLP04 80"):
        write_835(_with_first_claim(make_835(), adjustments=extra_cas))


def test_unbalanced_payment_raises() -> None:
    remit = make_835().remits[0]
    batch = replace(make_835(), remits=(replace(remit, payment_amount=D("10")),))
    with pytest.raises(
        ValueError, match=r"trace EFT000123: BPR02 10 != sum\(CLP04\) - sum\(PLB\) 5"
    ):
        write_835(batch)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"frequency_code": "8"}, r"claim CLM0001: frequency 7/8 needs REF\*F8"),
        ({"total_charge": D("100")}, r"claim CLM0001: CLM02 100 != sum of lines 137.50"),
        ({"encounter_id": "ENC*1"}, r"value 'ENC\*1' contains X12 delimiter"),
        # The separator checks run once over the whole file: each kind must still be caught.
        ({"encounter_id": "ENC:1"}, r"value 'ENC:1' contains X12 delimiter"),
        ({"encounter_id": "ENC^1"}, r"value 'ENC\^1' contains X12 delimiter"),
        ({"encounter_id": "ENC~1"}, r"value 'ENC~1' contains X12 delimiter"),
        ({"place_of_service": "1:1"}, r"value '1:1' contains X12 delimiter"),  # in CLM05
    ],
)
def test_837_refusals(changes: dict, message: str) -> None:
    batch = make_837()
    claim = replace(batch.transactions[0][0], **changes)
    with pytest.raises(ValueError, match=message):
        write_837(replace(batch, transactions=((claim,),)))


# --- delimiters -----------------------------------------------------------------------------

CUSTOM = Delimiters(element="|", component=">", repetition="!", segment="\n", segment_suffix="")


def _parse(text: str) -> list[list[list[str]]]:
    """Split with the delimiters the ISA declares, as a receiver must."""
    element, repetition, component, terminator = text[3], text[82], text[104], text[105]
    assert repetition not in text[106:]
    parsed = []
    for raw in text.split(terminator):
        raw = raw.strip("\r\n")
        if raw:
            parsed.append([value.split(component) for value in raw.split(element)])
    return parsed


@pytest.mark.parametrize(
    "writer, batch", [(write_837, make_837()), (write_835, make_835(plb_count=6))]
)
def test_custom_delimiters_round_trip(writer, batch) -> None:
    custom = writer(batch, delimiters=CUSTOM)
    assert custom[:4] == "ISA|" and custom[82] == "!" and custom[104:106] == ">\n"
    assert "*" not in custom and "~" not in custom
    default_tree, custom_tree = _parse(writer(batch)), _parse(custom)
    default_tree[0][11] = custom_tree[0][11] = []  # ISA11 is the repetition separator itself
    assert custom_tree == default_tree
    assert pyx12_errors(custom) == []


def test_delimiters_must_be_distinct_single_characters() -> None:
    with pytest.raises(ValueError, match="distinct"):
        Delimiters(element="*", component="*")
    with pytest.raises(ValueError, match="single characters"):
        Delimiters(segment="~~")
