"""The X12 reader on every real sample in shared/samples/x12 (see its PROVENANCE.md).

Expected values were read by hand from the files. Several samples are broken on purpose or by
accident (SE01 counts that do not match, an invalid BPR16 date): for those the exact quarantine
is asserted, and a repaired copy (the one defect fixed in the test) is read to check the values
behind it. An ISA that is not fixed-width is read by its separators and flagged.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from pathlib import Path

import pytest

from ingestion.x12.reader import X12ReadResult, read_x12_file
from ingestion.x12.tables import X12_TABLES

D = Decimal


@pytest.fixture(scope="module")
def samples() -> Path:
    folder = Path(__file__).resolve().parents[2] / "shared" / "samples" / "x12"
    if not folder.is_dir():
        pytest.skip(f"shared samples not found at {folder}")
    return folder


def read(
    samples: Path, name: str, expected: str, fixes: dict[bytes, bytes] | None = None
) -> X12ReadResult:
    return _read(samples, name, expected, tuple((fixes or {}).items()))


@functools.cache
def _read(
    samples: Path, name: str, expected: str, fixes: tuple[tuple[bytes, bytes], ...]
) -> X12ReadResult:
    # Cached: several tests look at the same file; results are only read, never changed.
    data = (samples / name).read_bytes()
    for old, new in fixes:
        assert old in data, f"fix {old!r} does not apply to {name}"
        data = data.replace(old, new)
    result = read_x12_file(data, source_file=f"x/{name}", file_hash="hash", expected=expected)
    check_result_shape(result)
    return result


def check_result_shape(result: X12ReadResult) -> None:
    """Invariants every read keeps: unit accounting and the declared table columns."""
    assert result.units_loaded + result.units_quarantined == result.units_total
    assert sum(issue.units for issue in result.issues) == result.units_quarantined
    assert all(i.units == 0 for i in result.issues if i.disposition == "flagged")
    assert list(result.tables) == list(X12_TABLES)
    for table, columns in X12_TABLES.items():
        assert result.tables[table].column_names == [name for name, _ in columns]


def rows(result: X12ReadResult, table: str) -> list[dict]:
    return result.tables[table].to_pylist()


def column(result: X12ReadResult, table: str, name: str) -> list:
    return result.tables[table].column(name).to_pylist()


def codes(result: X12ReadResult) -> list[tuple[str, str, int | None, int]]:
    return [(i.reason_code, i.disposition, i.position, i.units) for i in result.issues]


SAMPLE_FILES = [
    ("LinuxForHealth__x12/cob-contractural-adjustment.835", "835", 29, 29),
    ("LinuxForHealth__x12/demo.example1.837", "837", 44, 44),
    ("LinuxForHealth__x12/managed-care.835", "835", 30, 0),
    ("LinuxForHealth__x12/medicare-part-a.835", "835", 32, 32),
    ("LinuxForHealth__x12/secondary-payment.835", "835", 42, 42),
    ("LinuxForHealth__x12/subscriber-health-benefit-check.271", "835", 26, 0),
    ("Query-farm__vgi-x12/truncated.edi", "837", 5, 0),
    ("affect-therapeutics__edi-835-parser/nevada_medicaid.txt", "835", 67, 66),
    ("azoner__pyx12/835_mult_loops.txt", "835", 35, 35),
    ("imsweb__x12-parser/x12_277CA_accepted.txt", "835", 27, 0),
    ("imsweb__x12-parser/x12_277CA_rejected.txt", "835", 28, 0),
    ("imsweb__x12-parser/x12_bad_first_line.txt", "837", 38, 0),
    ("imsweb__x12-parser/x12_complex.txt", "837", 298, 0),
    ("imsweb__x12-parser/x12_multiple_isa.txt", "837", 76, 0),
    ("imsweb__x12-parser/x12_valid_different_separators.txt", "837", 38, 0),
    ("keironstoddart__edi-835-parser/emedny_sample.txt", "835", 69, 69),
    ("kputnam__stupidedi/multiple-claims-single-check.edi", "835", 194, 194),
    ("tastypackets__x12-parser/multi-line-not-delimited.edi", "835", 69, 69),
    ("xlate__staedi/sample837-original.edi", "837", 43, 0),
]


def test_every_sample_is_listed(samples: Path) -> None:
    found = {
        str(path.relative_to(samples))
        for path in samples.rglob("*")
        if path.is_file() and path.name not in ("LICENSE", "LICENSE.txt", "PROVENANCE.md")
    }
    assert found == {name for name, *_ in SAMPLE_FILES}


@pytest.mark.parametrize(("name", "expected", "total", "loaded"), SAMPLE_FILES)
def test_sample_unit_accounting(
    samples: Path, name: str, expected: str, total: int, loaded: int
) -> None:
    result = read(samples, name, expected)
    assert (result.units_total, result.units_loaded) == (total, loaded)
    assert result.transaction_type == (expected if loaded else None)
    if not loaded:
        assert all(table.num_rows == 0 for table in result.tables.values())


# -- 835 -------------------------------------------------------------------------------------


def test_emedny_835(samples: Path) -> None:
    result = read(samples, "keironstoddart__edi-835-parser/emedny_sample.txt", "835")
    assert result.issues == []
    (tx,) = rows(result, "x12_transactions")
    assert (tx["handling_code"], tx["payment_amount"], tx["payment_method"]) == (
        "I",
        D("45.75"),
        "ACH",
    )
    assert (tx["trace_number"], tx["trace_originator_id"]) == ("10100000000", "1000000000")
    assert (tx["payment_date"], tx["production_date"]) == (dt.date(2010, 1, 1),) * 2
    assert (tx["payer_name"], tx["payee_npi"], tx["payee_tin"]) == (
        "NYSDOH",
        "9999999995",
        "000000000",
    )
    assert (tx["claim_count"], tx["total_claim_paid"], tx["is_balanced"]) == (3, D("45.75"), True)
    claims = rows(result, "x12_835_claims")
    assert [c["claim_status_code"] for c in claims] == ["1", "2", "2"]
    assert [c["paid_amount"] for c in claims] == [D("34.25"), D("0.00"), D("11.50")]
    assert [c["patient_member_id"] for c in claims] == ["LL99999L", "LL88888L", "LL77777L"]
    assert [c["service_line_count"] for c in claims] == [4, 2, 4]
    assert [c["is_balanced"] for c in claims] == [True, True, True]
    lines = rows(result, "x12_835_service_lines")
    assert len(lines) == 10
    assert (lines[0]["procedure_code"], lines[0]["modifiers"], lines[0]["units_paid"]) == (
        "V2020",
        "RB",
        D("1.0000"),
    )
    assert lines[7]["service_date"] == dt.date(2013, 9, 17)  # DTM*472*20130917
    assert [ln["allowed_amount"] for ln in lines[:4]] == [D("6"), D("2.75"), D("5.5"), D("20")]
    adjustments = [
        (
            a["claim_position"],
            a["line_position"],
            a["level"],
            a["group_code"],
            a["reason_code"],
            a["amount"],
        )
        for a in rows(result, "x12_835_adjustments")
    ]
    assert adjustments == [
        (2, 1, "line", "CO", "29", D("12.00")),
        (2, 2, "line", "CO", "29", D("22.00")),
        (3, 3, "line", "CO", "251", D("2.75")),
        (3, 4, "line", "CO", "251", D("20.00")),
    ]
    remarks = [
        (r["line_position"], r["source_element"], r["remark_code"])
        for r in rows(result, "x12_835_remarks")
    ]
    assert remarks == [(3, "LQ02", "N206"), (4, "LQ02", "N206")]


def test_newline_terminated_copy_reads_like_the_tilde_original(samples: Path) -> None:
    tilde = read(samples, "keironstoddart__edi-835-parser/emedny_sample.txt", "835")
    newline = read(samples, "tastypackets__x12-parser/multi-line-not-delimited.edi", "835")
    assert column(newline, "x12_interchanges", "segment_terminator") == ["\n"]
    for table in X12_TABLES:
        if table == "x12_interchanges":
            continue
        assert newline.tables[table].drop(["_source_file"]) == tilde.tables[table].drop(
            ["_source_file"]
        ), table


def test_stupidedi_nine_claims_share_one_claim_id(samples: Path) -> None:
    result = read(samples, "kputnam__stupidedi/multiple-claims-single-check.edi", "835")
    assert result.issues == []
    claims = rows(result, "x12_835_claims")
    assert [c["claim_id"] for c in claims] == ["7722337"] * 9
    assert [c["claim_position"] for c in claims] == list(range(1, 10))
    assert [c["paid_amount"] for c in claims] == [
        D(v) for v in ("132", "74", "108", "14", "16.8", "132", "108", "82", "144")
    ]
    assert claims[1]["subscriber_member_id"] == "123456"  # NM1*IL of claim 2
    assert claims[4]["line_adjustment_amount"] == D("331.20")  # 125 + 33 + 10 + 11.2 + 152
    lines = rows(result, "x12_835_service_lines")
    assert len(lines) == 33
    assert {ln["procedure_qualifier"] for ln in lines} == {"AD"}
    assert [ln["line_position"] for ln in lines if ln["claim_position"] == 4] == [1, 2, 3]
    pr3 = [a["amount"] for a in rows(result, "x12_835_adjustments") if a["group_code"] == "PR"]
    assert pr3 == [D(v) for v in ("14", "10", "756", "146", "33", "11.2")]
    (tx,) = rows(result, "x12_transactions")
    assert (tx["payment_amount"], tx["trace_number"], tx["is_balanced"]) == (
        D("810.80"),
        "12345",
        True,
    )


def test_medicare_part_a_plb_and_moa(samples: Path) -> None:
    result = read(samples, "LinuxForHealth__x12/medicare-part-a.835", "835")
    (tx,) = rows(result, "x12_transactions")
    assert (tx["handling_code"], tx["payment_amount"], tx["payment_format"]) == (
        "C",
        D("150000.00"),
        "CTX",
    )
    assert (tx["payer_additional_id"], tx["payee_npi"]) == ("999", "6543210903")
    assert (tx["total_claim_paid"], tx["total_provider_adjustments"]) == (
        D("149998.73"),
        D("-1.27"),
    )
    assert (tx["balance_difference"], tx["is_balanced"]) == (D("0.00"), True)
    (plb,) = rows(result, "x12_835_provider_adjustments")
    assert (
        plb["provider_id"],
        plb["fiscal_period_date"],
        plb["reason_code"],
        plb["reference_id"],
        plb["amount"],
    ) == (
        "6543210903",
        dt.date(2002, 12, 31),
        "CV",
        "CP",
        D("-1.27"),
    )
    claims = rows(result, "x12_835_claims")
    assert [c["claim_id"] for c in claims] == ["666123", "777777"]
    assert [c["moa_remark_codes"] for c in claims] == [None, "MA02"]
    assert [c["is_balanced"] for c in claims] == [None, None]  # no service lines to check
    assert claims[0]["service_date_to"] == dt.date(2002, 8, 24)
    (remark,) = rows(result, "x12_835_remarks")
    assert (
        remark["claim_position"],
        remark["level"],
        remark["source_element"],
        remark["remark_code"],
    ) == (2, "claim", "MOA03", "MA02")


def test_secondary_payment_two_triplet_cas_and_component_mismatch(samples: Path) -> None:
    result = read(samples, "LinuxForHealth__x12/secondary-payment.835", "835")
    # SVC01 'HC>12345>26' while ISA16 is ':': loaded, flagged, codes left empty.
    assert codes(result) == [("malformed_composite", "flagged", 29, 0)]
    assert result.issues[0].value == "HC>12345>26"
    lines = rows(result, "x12_835_service_lines")
    assert [(ln["procedure_composite"], ln["procedure_code"]) for ln in lines] == [
        ("HC>12345>26", None),
        ("HC>66543>26", None),
    ]
    assert [ln["revenue_code"] for ln in lines] == [None, "220"]
    cas = [
        (
            a["_segment_position"],
            a["triplet_position"],
            a["group_code"],
            a["reason_code"],
            a["amount"],
            a["level"],
        )
        for a in rows(result, "x12_835_adjustments")
    ]
    assert cas == [
        (17, 1, "OA", "23", D("9411.64"), "claim"),
        (31, 1, "OA", "23", D("136.50"), "line"),
        (36, 1, "PR", "1", D("150.00"), "line"),
        (36, 2, "PR", "2", D("70.00"), "line"),
        (37, 1, "CO", "42", D("85.00"), "line"),
    ]
    claims = rows(result, "x12_835_claims")
    assert [(c["rendering_provider_id_qualifier"], c["rendering_provider_id"]) for c in claims] == [
        ("BD", "987"),
        ("BS", "34426"),
    ]
    assert [c["balance_difference"] for c in claims] == [None, D("0.00")]


def test_cob_negative_adjustment(samples: Path) -> None:
    result = read(samples, "LinuxForHealth__x12/cob-contractural-adjustment.835", "835")
    assert codes(result) == [("malformed_composite", "flagged", 21, 0)]
    (claim,) = rows(result, "x12_835_claims")
    assert (claim["claim_id"], claim["total_charge"], claim["paid_amount"]) == (
        "0001000055",
        D("541.00"),
        D("34.00"),
    )
    assert (claim["line_adjustment_amount"], claim["is_balanced"]) == (D("507.00"), True)
    amounts = column(result, "x12_835_adjustments", "amount")
    assert amounts == [D("516.00"), D("-9.00")]
    (line,) = rows(result, "x12_835_service_lines")
    assert (line["allowed_amount"], line["service_date"]) == (D("550.00"), dt.date(2005, 2, 2))


def test_managed_care_invalid_bpr16_quarantines_the_transaction(samples: Path) -> None:
    name = "LinuxForHealth__x12/managed-care.835"
    result = read(samples, name, "835")
    assert codes(result) == [("invalid_value", "quarantined", 3, 30)]
    assert result.issues[0].value == "20002316"
    assert "BPR16" in result.issues[0].reason and "CCYYMMDD" in result.issues[0].reason

    fixed = read(samples, name, "835", {b"*20002316~": b"*20020316~"})
    assert fixed.issues == []
    (tx,) = rows(fixed, "x12_transactions")
    assert (tx["payment_date"], tx["payee_tin"], tx["is_balanced"]) == (
        dt.date(2002, 3, 16),
        "777667755",
        True,
    )
    cas = [
        (a["claim_position"], a["level"], a["group_code"], a["reason_code"], a["amount"])
        for a in rows(fixed, "x12_835_adjustments")
    ]
    assert cas == [
        (1, "claim", "CO", "A2", D("50.00")),
        (1, "line", "PR", "1", D("300.00")),
        (2, "claim", "CO", "A2", D("55.00")),
        (2, "line", "PR", "1", D("600.00")),
        (2, "line", "CO", "45", D("50.00")),
    ]
    assert column(fixed, "x12_835_claims", "patient_responsibility") == [D("300.00"), D("600.00")]
    assert column(fixed, "x12_835_service_lines", "service_date_from") == [
        dt.date(2002, 3, 1),
        dt.date(2002, 3, 10),
    ]


def test_pyx12_denied_claim_with_lq(samples: Path) -> None:
    result = read(samples, "azoner__pyx12/835_mult_loops.txt", "835")
    (claim,) = rows(result, "x12_835_claims")
    assert (claim["claim_status_code"], claim["total_charge"], claim["paid_amount"]) == (
        "4",
        D("915.39"),
        D("0.00"),
    )
    assert (claim["rendering_provider_id"], claim["rendering_provider_npi"]) == ("44452736", None)
    assert column(result, "x12_835_service_lines", "units_paid") == [
        D("68"),
        D("16"),
        D("36"),
    ]
    assert [(a["group_code"], a["reason_code"]) for a in rows(result, "x12_835_adjustments")] == [
        ("CO", "16"),
        ("OA", "A7"),
        ("OA", "A7"),
    ]
    assert column(result, "x12_835_remarks", "remark_code") == ["N14"] * 3
    (tx,) = rows(result, "x12_transactions")
    assert (tx["handling_code"], tx["payment_method"], tx["is_balanced"]) == ("H", "NON", True)


def test_nevada_squeezed_isa_is_read_and_flagged(samples: Path) -> None:
    name = "affect-therapeutics__edi-835-parser/nevada_medicaid.txt"
    result = read(samples, name, "835")
    # IEA02 100000301 != ISA13 100000300: only the IEA is quarantined.
    assert codes(result) == [
        ("isa_not_fixed_width", "flagged", 1, 0),
        ("iea_control_mismatch", "quarantined", 67, 1),
    ]
    assert result.issues[0].reason.startswith(
        "ISA at segment 1 is not fixed-width (106 chars): it is 72 characters long, first "
        "ISA02 with 1 character(s) (' ') where the fixed width is 10. It was read by its "
        "separators (element '*' = 4th character, component ':' = ISA16, segment terminator "
        "'~' = the character after ISA16)"
    )
    assert result.issues[0].value.startswith("ISA*00* *00* *ZZ*NVMED *ZZ*99999999*180613*")

    # Padded to the fixed width, the file reads the same, without the flag.
    padded = b"ISA*00*          *00*          *ZZ*NVMED          *ZZ*99999999       *"
    repaired = read(samples, name, "835", {b"ISA*00* *00* *ZZ*NVMED *ZZ*99999999*": padded})
    assert codes(repaired) == codes(result)[1:]
    for table in X12_TABLES:
        if table != "x12_interchanges":  # it quotes the ISA's (padded) sender/receiver ids
            assert rows(repaired, table) == rows(result, table), table
    assert column(result, "x12_interchanges", "sender_id") == ["NVMED"]
    txs = rows(result, "x12_transactions")
    assert [t["trace_number"] for t in txs] == ["100004762", "100004765", "000012382"]
    assert [t["claim_count"] for t in txs] == [1, 2, 0]
    assert [t["is_balanced"] for t in txs] == [True, True, True]
    plb = [
        (p["reason_code"], p["reference_id"], p["amount"])
        for p in rows(result, "x12_835_provider_adjustments")
    ]
    assert plb == [
        ("CT", "888888888", D("-1092.46")),
        ("CT", "888888888", D("-719.81")),
        ("CS", "8888888888887", D("-181.55")),
        ("CS", "8888888888887", D("181.55")),
        ("CS", "8888888888888", D("-130.00")),
        ("CS", "8888888888888", D("130.00")),
    ]
    assert txs[2]["total_provider_adjustments"] == D("-1812.27")
    claims = rows(result, "x12_835_claims")
    assert [(c["claim_id"], c["claim_status_code"]) for c in claims] == [
        ("77777777", "4"),
        ("77777778", "2"),
        ("77777779", "4"),
    ]
    quantities = column(result, "x12_835_adjustments", "quantity")
    assert quantities == [D("0")] * 5


@pytest.mark.parametrize(
    ("name", "position", "units"),
    [
        ("LinuxForHealth__x12/subscriber-health-benefit-check.271", 3, 26),
        ("imsweb__x12-parser/x12_277CA_accepted.txt", 3, 27),
        ("imsweb__x12-parser/x12_277CA_rejected.txt", 3, 28),
    ],
)
def test_non_835_in_remits_is_an_unexpected_transaction(
    samples: Path, name: str, position: int, units: int
) -> None:
    result = read(samples, name, "835")
    assert codes(result) == [("unexpected_transaction", "quarantined", position, units)]
    assert result.issues[0].position_kind == "transaction"
    found = "271" if "271" in name else "277"
    assert f"is a {found}" in result.issues[0].reason and "remits/" in result.issues[0].reason


# -- 837 -------------------------------------------------------------------------------------


def test_demo_837_professional_claim(samples: Path) -> None:
    result = read(samples, "LinuxForHealth__x12/demo.example1.837", "837")
    assert result.issues == []
    (tx,) = rows(result, "x12_transactions")
    assert (tx["creation_date"], tx["implementation_reference"], tx["submitter_id"]) == (
        dt.date(2006, 10, 15),
        "005010X222A2",
        "TGJ23",
    )
    (claim,) = rows(result, "x12_837_claims")
    assert (
        claim["claim_id"],
        claim["total_charge"],
        claim["place_of_service"],
        claim["frequency_code"],
    ) == ("26463774", D("100.00"), "11", "1")
    assert (claim["billing_provider_npi"], claim["billing_provider_tin"]) == (
        "1912301953",
        "587654321",
    )
    assert (claim["subscriber_member_id"], claim["subscriber_last_name"], claim["payer_id"]) == (
        "JS00111223333",
        "SMITH",
        "999996666",
    )
    assert (
        claim["patient_first_name"],
        claim["patient_birth_date"],
        claim["patient_sex"],
        claim["relationship_code"],
    ) == ("TED", dt.date(1973, 5, 1), "M", "19")
    assert (
        claim["principal_diagnosis"],
        claim["principal_diagnosis_qualifier"],
        claim["diagnosis_codes"],
    ) == ("0340", "BK", "0340:V7389")
    lines = rows(result, "x12_837_service_lines")
    assert [ln["procedure_code"] for ln in lines] == ["99213", "87070", "99214", "86663"]
    assert [ln["charge_amount"] for ln in lines] == [D("40"), D("15"), D("35"), D("10")]
    assert [ln["diagnosis_pointers"] for ln in lines] == ["1", "1", "2", "2"]
    assert [ln["service_date_from"] for ln in lines] == [
        dt.date(2006, 10, d) for d in (3, 3, 10, 10)
    ]


def test_truncated_837(samples: Path) -> None:
    result = read(samples, "Query-farm__vgi-x12/truncated.edi", "837")
    assert codes(result) == [("truncated", "quarantined", 3, 5)]
    assert result.issues[0].position_kind == "transaction"
    assert "SE/GE/IEA" in result.issues[0].reason


def test_bad_first_line_isa_is_flagged_and_its_se_count_quarantines(samples: Path) -> None:
    result = read(samples, "imsweb__x12-parser/x12_bad_first_line.txt", "837")
    assert codes(result) == [
        ("isa_not_fixed_width", "flagged", 1, 0),
        ("se_count_mismatch", "quarantined", 3, 38),
    ]
    assert "it is 105 characters long, first ISA02 with 9 character(s)" in result.issues[0].reason


def test_x12_complex_se_counts_then_repaired(samples: Path) -> None:
    name = "imsweb__x12-parser/x12_complex.txt"
    result = read(samples, name, "837")
    assert codes(result) == [
        ("se_count_mismatch", "quarantined", 3, 150),  # ISA and GS fold into the first issue
        ("se_count_mismatch", "quarantined", 150, 147),
        ("ge_count_mismatch", "quarantined", 297, 1),
    ]
    fixes = {b"SE*25*987654~": b"SE*147*987654~", b"SE*26*987655~": b"SE*147*987655~"}
    fixed = read(samples, name, "837", fixes)
    assert [(i.reason_code, i.position) for i in fixed.issues] == [
        ("malformed_composite", 28),  # HI*BK*8901*...: qualifier and code in separate elements
        ("malformed_composite", 175),
        ("ge_count_mismatch", 297),
    ]
    claims = rows(fixed, "x12_837_claims")
    assert [c["claim_id"] for c in claims] == ["A37YH556", "A37YH667", "A37YH668"] * 2
    assert [c["service_line_count"] for c in claims] == [2, 1, 2] * 2
    assert [c["diagnosis_codes"] for c in claims] == ["5559"] * 6
    assert [c["patient_last_name"] for c in claims[:3]] == [None, "JONES", "JONES"]
    assert [c["payer_name"] for c in claims[:2]] == [
        "HEALTH INSURANCE COMPANY",
        "HEALTH INSURANCE COMPANY TWO",
    ]
    # NM1*82 of 2310B has qualifier 'X', not XX: no NPI; NM1*82 in 2330D (other payer) ignored.
    assert [c["rendering_provider_npi"] for c in claims] == [None] * 6
    lines = rows(fixed, "x12_837_service_lines")[:5]
    assert [ln["line_number"] for ln in lines] == [1, 2, 3, 4, 5]
    assert [ln["ndc_code"] for ln in lines] == ["3920293", None, "3920293", None, None]
    assert [ln["rendering_provider_npi"] for ln in lines] == [None, None, "303304", None, None]
    assert [ln["modifiers"] for ln in lines] == ["25"] * 5
    assert lines[2]["diagnosis_pointers"] == "1:2:3"


def test_multiple_isa_then_repaired(samples: Path) -> None:
    name = "imsweb__x12-parser/x12_multiple_isa.txt"
    result = read(samples, name, "837")
    assert codes(result) == [
        ("se_count_mismatch", "quarantined", 3, 38),
        ("se_count_mismatch", "quarantined", 41, 38),
    ]
    fixed = read(samples, name, "837", {b"SE*25*987654~": b"SE*34*987654~"})
    # HI*BK*8901*BF*87200*BF:5559 sends qualifiers and codes as separate elements.
    assert codes(fixed) == [
        ("malformed_composite", "flagged", 23, 0),
        ("malformed_composite", "flagged", 61, 0),
    ]
    assert column(fixed, "x12_interchanges", "interchange_control_number") == [
        "000000905",
        "000000906",
    ]
    assert column(fixed, "x12_837_claims", "claim_id") == [
        "A37YH556",
        "A37YH667",
        "A37YH5561",
        "A37YH6672",
    ]
    assert column(fixed, "x12_837_claims", "_interchange_control") == [
        "000000905",
        "000000905",
        "000000906",
        "000000906",
    ]
    assert column(fixed, "x12_837_claims", "subscriber_member_id") == [
        "123456",
        "123456",
        "673431",
        "85391",
    ]


def test_different_separators_then_repaired(samples: Path) -> None:
    name = "imsweb__x12-parser/x12_valid_different_separators.txt"
    result = read(samples, name, "837")
    assert codes(result) == [("se_count_mismatch", "quarantined", 3, 38)]
    fixed = read(samples, name, "837", {b"SE~25~987654_": b"SE~34~987654_"})
    (interchange,) = rows(fixed, "x12_interchanges")
    assert (
        interchange["element_separator"],
        interchange["component_separator"],
        interchange["segment_terminator"],
        interchange["repetition_separator"],
    ) == (
        "~",
        "^",
        "_",
        "U",
    )
    claims = rows(fixed, "x12_837_claims")
    assert [
        (c["claim_id"], c["place_of_service"], c["facility_code_qualifier"]) for c in claims
    ] == [
        ("A37YH556", "11", "B"),
        ("A37YH667", "11", "B"),
    ]
    lines = rows(fixed, "x12_837_service_lines")
    assert [(ln["procedure_code"], ln["modifiers"], ln["diagnosis_pointers"]) for ln in lines] == [
        ("99211", "25", "1"),
        ("478331", "25", "1:2:3"),
    ]
    assert (lines[0]["service_date_from"], lines[0]["service_date_to"]) == (
        dt.date(2005, 3, 14),
        dt.date(2005, 3, 25),
    )


def test_staedi_pre_addenda_version_then_repaired(samples: Path) -> None:
    name = "xlate__staedi/sample837-original.edi"
    result = read(samples, name, "837")
    assert codes(result) == [("unsupported_version", "quarantined", 3, 43)]
    assert "005010X222" in result.issues[0].reason

    fixed = read(samples, name, "837", {b"005010X222\n": b"005010X222A1\n"})
    assert fixed.issues == []
    (interchange,) = rows(fixed, "x12_interchanges")
    assert (
        interchange["segment_terminator"],
        interchange["component_separator"],
        interchange["repetition_separator"],
    ) == ("\n", ">", "`")
    (claim,) = rows(fixed, "x12_837_claims")
    assert (
        claim["claim_id"],
        claim["total_charge"],
        claim["place_of_service"],
        claim["principal_diagnosis"],
    ) == ("945405", D("5332.54"), "12", "2533")
    assert (claim["patient_last_name"], claim["subscriber_birth_date"]) == (
        "CUSTOMER",
        dt.date(1963, 6, 25),
    )
    (line,) = rows(fixed, "x12_837_service_lines")
    assert (
        line["procedure_code"],
        line["units"],
        line["line_item_control_number"],
        line["ndc_code"],
        line["service_date_from"],
    ) == (
        "J2941",
        D("84"),
        "1099999731",
        "00013264681",
        dt.date(2011, 5, 11),
    )
