"""The X12 reader on small hand-written files: delimiters, whitespace, envelopes, breakage.

Files are written with '*' ':' '~' and a newline after each terminator; ``translate`` turns
them into other delimiters. Positions below count segments from 1 (ISA = 1, GS = 2, ST = 3).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from ingestion.x12.reader import X12ReadResult, read_x12_file
from ingestion.x12.tables import X12_TABLES

D = Decimal
V835, V837 = "005010X221A1", "005010X222A1"


@pytest.fixture(scope="module")
def shared() -> Path:
    """shared/ beside the repo clone (not needed by these tests; kept for the same layout)."""
    return Path(__file__).resolve().parents[2] / "shared"


def isa(control: int = 1) -> str:
    fields = ["00", " " * 10, "00", " " * 10, "ZZ", "SENDER".ljust(15), "ZZ",
              "RECEIVER".ljust(15), "240105", "1200", "^", "00501", f"{control:09d}", "0", "P",
              ":"]  # fmt: skip
    return "ISA*" + "*".join(fields)


def transaction(kind: str, control: str, body: list[str], guide: str | None = None) -> list[str]:
    """ST, body, SE with the right count."""
    head = f"ST*{kind}*{control}" + (f"*{guide}" if guide else "")
    return [head, *body, f"SE*{len(body) + 2}*{control}"]


def interchange(*transactions: list[str], control: int = 1, guide: str = V835) -> list[str]:
    functional = "HP" if guide.startswith("005010X221") else "HC"
    return [
        isa(control),
        f"GS*{functional}*SENDER*RECEIVER*20240105*1200*{control}*X*{guide}",
        *(segment for tx in transactions for segment in tx),
        f"GE*{len(transactions)}*{control}",
        f"IEA*1*{control:09d}",
    ]


def text(segments: list[str], terminator: str = "~", suffix: str = "\n") -> str:
    return "".join(segment + terminator + suffix for segment in segments)


def remit(control: str = "0001", paid: str = "90", claims: list[str] | None = None) -> list[str]:
    body = [
        f"BPR*I*{paid}*C*CHK" + "*" * 12 + "20240105",
        f"TRN*1*TRACE{control}*1999999999",
        "DTM*405*20240104",
        "N1*PR*ACME HEALTH PLAN",
        "REF*2U*PAYER01",
        "N1*PE*CLINIC*XX*1234567893",
        "LX*1",
        *(claims if claims is not None else CLAIM_C1),
    ]
    return transaction("835", control, body)


CLAIM_C1 = [
    "CLP*C1*1*100*90**12*PCN1",
    "NM1*QC*1*DOE*JANE****MI*M123",
    "SVC*HC:99213:25*100*90**1",
    "DTM*472*20240102",
    "CAS*CO*45*10",
]  # a 14-segment transaction with remit(): ST + 7 header + 5 claim + SE


def read(content: str | bytes, expected: str = "835") -> X12ReadResult:
    data = content.encode() if isinstance(content, str) else content
    result = read_x12_file(data, source_file="remits/a.835", file_hash="abc", expected=expected)
    assert result.units_loaded + result.units_quarantined == result.units_total
    assert sum(issue.units for issue in result.issues) == result.units_quarantined
    assert list(result.tables) == list(X12_TABLES)
    return result


def codes(result: X12ReadResult) -> list[tuple[str, str, int | None, int]]:
    return [(i.reason_code, i.disposition, i.position, i.units) for i in result.issues]


def column(result: X12ReadResult, table: str, name: str) -> list:
    return result.tables[table].column(name).to_pylist()


def summary(result: X12ReadResult) -> tuple:
    """What a well-formed one-claim remit should read as, whatever its spelling."""
    return (
        result.units_total,
        result.units_loaded,
        column(result, "x12_835_claims", "claim_id"),
        column(result, "x12_835_service_lines", "procedure_code"),
        column(result, "x12_835_service_lines", "modifiers"),
        column(result, "x12_835_adjustments", "amount"),
        column(result, "x12_transactions", "is_balanced"),
    )


PLAIN = (18, 18, ["C1"], ["99213"], ["25"], [D("10.00")], [True])


# -- delimiters and whitespace ---------------------------------------------------------------


def test_plain_file_reads_with_lineage() -> None:
    result = read(text(interchange(remit())))
    assert summary(result) == PLAIN
    assert result.issues == [] and result.transaction_type == "835"
    (claim,) = result.tables["x12_835_claims"].to_pylist()
    assert {key: claim[key] for key in (
        "_file_hash", "_source_file", "_interchange_control", "_group_control", "_st_control",
        "_segment_position", "st_position", "claim_position",
    )} == {
        "_file_hash": "abc", "_source_file": "remits/a.835", "_interchange_control": "000000001",
        "_group_control": "1", "_st_control": "0001", "_segment_position": 11, "st_position": 3,
        "claim_position": 1,
    }  # fmt: skip
    (row,) = result.tables["x12_interchanges"].to_pylist()
    assert (row["sender_id"], row["interchange_date"], row["group_version"]) == (
        "SENDER",
        dt.date(2024, 1, 5),
        V835,
    )


@pytest.mark.parametrize(
    "delimiters",
    [{"*": "|", ":": ">", "~": "!"}, {"*": "^", ":": "\\", "~": "'"}, {"~": "\n"}],
)
def test_delimiters_come_from_the_isa(delimiters: dict[str, str]) -> None:
    plain = text(interchange(remit()), suffix="" if delimiters.get("~") == "\n" else "\n")
    if "^" in delimiters.values():
        plain = plain.replace("*^*", "*U*")  # keep ISA11 apart from the new element separator
    result = read(plain.translate(str.maketrans(delimiters)))
    assert summary(result) == PLAIN
    (row,) = result.tables["x12_interchanges"].to_pylist()
    assert row["segment_terminator"] == delimiters["~"]
    assert row["element_separator"] == delimiters.get("*", "*")


def test_bom_crlf_indentation_and_trailing_whitespace() -> None:
    segments = interchange(remit())
    crlf = "\ufeff" + text(segments, suffix="\r\n") + "\r\n\r\n   \n"
    assert summary(read(crlf)) == PLAIN
    indented = text(segments[:1]) + "".join(
        f"  {' ' * (i % 3)}{s}~\n" for i, s in enumerate(segments[1:])
    )
    assert summary(read(indented)) == PLAIN
    no_newlines = text(segments, suffix="")
    assert summary(read(no_newlines)) == PLAIN


def test_latin1_bytes_are_read_as_text() -> None:
    claims = [*CLAIM_C1[:1], "NM1*QC*1*MUÑOZ*JOSÉ****MI*M123", *CLAIM_C1[2:]]
    result = read(text(interchange(remit(claims=claims))).encode("latin-1"))
    assert column(result, "x12_835_claims", "patient_last_name") == ["MUÑOZ"]
    assert summary(result) == PLAIN


def test_several_interchanges_with_their_own_delimiters() -> None:
    first = text(interchange(remit("0001"), control=1))
    second = text(interchange(remit("0002"), control=2)).translate(str.maketrans("*:~", "|>!"))
    result = read(first + second)
    assert result.units_total == 36 and result.issues == []
    assert column(result, "x12_interchanges", "interchange_control_number") == [
        "000000001",
        "000000002",
    ]
    assert column(result, "x12_interchanges", "element_separator") == ["*", "|"]
    assert column(result, "x12_835_claims", "_segment_position") == [11, 29]
    assert column(result, "x12_transactions", "trace_number") == ["TRACE0001", "TRACE0002"]
    assert column(result, "x12_835_service_lines", "modifiers") == ["25", "25"]


def test_several_groups_and_transactions() -> None:
    group_b = interchange(remit("0003"), control=2)[1:-1]  # its GS .. GE
    segments = interchange(remit("0001"), remit("0002"))
    result = read(text([*segments[:-1], *group_b, "IEA*2*000000001"]))
    assert result.issues == []
    assert column(result, "x12_transactions", "st_position") == [3, 17, 33]
    assert column(result, "x12_transactions", "gs_position") == [2, 2, 32]
    assert column(result, "x12_interchanges", "transaction_count") == [2, 1]


# -- whole-file and envelope problems --------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "code", "units"),
    [(b"hello, this is not X12\n", "no_isa", 1), (b"%PDF-1.4\x00\x01", "no_isa", 1),
     (b"", "empty_file", 0), (b" \r\n\t", "empty_file", 0),
     (b"ISA*00*short~", "no_isa", 1)],
)  # fmt: skip
def test_unreadable_files(content: bytes, code: str, units: int) -> None:
    result = read(content)
    assert codes(result) == [(code, "quarantined", None, units)]
    assert (result.units_total, result.units_loaded, result.transaction_type) == (units, 0, None)
    assert result.issues[0].position_kind == "file"


def test_truncated_file_keeps_complete_transactions() -> None:
    segments = interchange(remit("0001"), remit("0002"))
    cut = text(segments[:22]) + "CLP*C1*1*10"  # in the middle of the 2nd transaction's CLP
    result = read(cut)
    assert codes(result) == [("truncated", "quarantined", 17, 7)]
    assert "ST*835*0002 at segment 17" in result.issues[0].reason
    assert (result.units_total, result.units_loaded) == (23, 16)
    assert column(result, "x12_transactions", "trace_number") == ["TRACE0001"]


def test_missing_gs_trailers_are_flagged_when_transactions_are_complete() -> None:
    segments = interchange(remit())
    result = read(text(segments[:-2]))  # no GE, no IEA
    assert codes(result) == [("truncated", "flagged", 16, 0)]
    assert result.units_loaded == 16


def test_se_count_mismatch_quarantines_only_that_transaction() -> None:
    body = text(interchange(remit("0001"), remit("0002")))
    result = read(body.replace("SE*14*0001", "SE*15*0001"))
    assert codes(result) == [("se_count_mismatch", "quarantined", 3, 14)]
    assert "SE01 at segment 16 says '15'" in result.issues[0].reason
    assert column(result, "x12_transactions", "_st_control") == ["0002"]


def test_st_se_control_mismatch() -> None:
    result = read(text(interchange(remit())).replace("SE*14*0001", "SE*14*0009"))
    assert codes(result) == [("st_se_control_mismatch", "quarantined", 3, 18)]
    assert result.transaction_type is None


def test_missing_se_before_next_st() -> None:
    segments = interchange(remit("0001"), remit("0002"))
    segments.remove("SE*14*0001")
    result = read(text(segments))
    assert codes(result) == [("missing_se", "quarantined", 3, 13)]
    assert "before the ST at segment 16" in result.issues[0].reason
    assert column(result, "x12_transactions", "_st_control") == ["0002"]


@pytest.mark.parametrize(
    ("old", "new", "code", "position"),
    [("GE*1*1", "GE*2*1", "ge_count_mismatch", 17), ("GE*1*1", "GE*1*7", "ge_control_mismatch", 17),
     ("IEA*1*000000001", "IEA*2*000000001", "iea_count_mismatch", 18),
     ("IEA*1*000000001", "IEA*1*000000002", "iea_control_mismatch", 18)],
)  # fmt: skip
def test_trailer_mismatch_quarantines_only_the_trailer(
    old: str, new: str, code: str, position: int
) -> None:
    result = read(text(interchange(remit())).replace(old, new))
    assert codes(result) == [(code, "quarantined", position, 1)]
    assert result.issues[0].value == new
    assert column(result, "x12_835_claims", "claim_id") == ["C1"]


def test_stray_segments_outside_envelopes() -> None:
    segments = interchange(remit("0001"), remit("0002"))
    segments.insert(16, "REF*EV*STRAY")  # between SE (16) and the next ST
    result = read(text([*segments, "NTE*ADD*AFTER THE IEA"]))
    assert codes(result) == [
        ("outside_transaction", "quarantined", 17, 1),
        ("outside_interchange", "quarantined", 34, 1),
    ]
    assert column(result, "x12_transactions", "st_position") == [3, 18]


def test_transaction_outside_a_group() -> None:
    segments = interchange(remit())
    result = read(text([segments[0], *segments[2:-2], segments[-1]]))  # no GS, no GE
    assert codes(result) == [  # the ISA folds into the first issue; IEA01 says 1 group
        ("st_outside_group", "quarantined", 2, 15),
        ("iea_count_mismatch", "quarantined", 16, 1),
    ]


def test_bad_second_isa_rejects_only_its_interchange() -> None:
    first = text(interchange(remit("0001"), control=1))
    second = text(interchange(remit("0002"), control=2)).replace("*240105*", "*240199*", 1)
    result = read(first + second)
    assert codes(result) == [("invalid_isa", "quarantined", 19, 18)]
    assert "ISA09 '240199' is not a YYMMDD date" in result.issues[0].reason
    assert column(result, "x12_transactions", "trace_number") == ["TRACE0001"]


def test_squeezed_isa_is_read_by_its_separators_and_flagged() -> None:
    first = text(interchange(remit("0001"), control=1))
    second = text(interchange(remit("0002"), control=2)).replace("SENDER         *", "SENDER*", 1)
    # Squeezed and with other delimiters: still the 4th character, ISA16 and the one after.
    second = second.replace("*", "|").replace(":", "^").replace("~", "!")
    result = read(first + second)
    assert codes(result) == [("isa_not_fixed_width", "flagged", 19, 0)]
    assert (
        "ISA at segment 19 is not fixed-width (106 chars): it is 97 characters long, first "
        "ISA06 with 6 character(s) ('SENDER') where the fixed width is 15. It was read by its "
        "separators (element '|' = 4th character, component '^' = ISA16, segment terminator "
        "'!' = the character after ISA16)"
    ) in result.issues[0].reason
    assert result.issues[0].value == "ISA|00|" + " " * 10 + "|00|" + " " * 10 + (
        "|ZZ|SENDER|ZZ|RECEIVER       |240105|1200|^|00501|000000002|0|P|^"
    )
    assert column(result, "x12_transactions", "trace_number") == ["TRACE0001", "TRACE0002"]
    assert column(result, "x12_interchanges", "sender_id") == ["SENDER", "SENDER"]
    assert column(result, "x12_interchanges", "segment_terminator") == ["~", "!"]
    assert result.units_loaded == result.units_total == 36


# -- wrong transaction types and versions ----------------------------------------------------


def test_837_landed_in_remits_is_unexpected() -> None:
    claim = transaction("837", "0001", ["BHT*0019*00*1*20240105*1200*CH"], V837)
    result = read(text(interchange(claim, guide=V837)), expected="835")
    assert codes(result) == [("unexpected_transaction", "quarantined", 3, 7)]
    assert "is a 837 (005010X222A1, 837 Professional)" in result.issues[0].reason
    assert "must hold 835" in result.issues[0].reason


def test_unexpected_transactions_next_to_good_ones() -> None:
    ack = transaction("999", "0002", ["AK1*HC*1*005010X222A1", "AK9*A*1*1*1"], "005010X231A1")
    institutional = transaction("837", "0003", ["BHT*0019*00*1*20240105*1200*CH"], "005010X223A2")
    good = transaction("837", "0004", ["BHT*0019*00*9*20240105*1200*CH"], V837)
    result = read(text(interchange(ack, institutional, good, guide=V837)), expected="837")
    assert codes(result) == [
        ("unexpected_transaction", "quarantined", 3, 4),
        ("unexpected_transaction", "quarantined", 7, 3),
    ]
    assert "is a 999" in result.issues[0].reason
    assert "837 Institutional" in result.issues[1].reason and "claims/" in result.issues[1].reason
    assert column(result, "x12_transactions", "originator_reference") == ["9"]


@pytest.mark.parametrize("guide", ["004010X091A1", "005010X999"])
def test_unknown_or_old_version(guide: str) -> None:
    body = text(interchange(remit())).replace(f"*X*{V835}", f"*X*{guide}")
    result = read(body)
    assert codes(result) == [("unsupported_version", "quarantined", 3, 18)]
    assert guide in result.issues[0].reason


# -- 835 content -----------------------------------------------------------------------------


def test_unbalanced_835_is_loaded_and_flagged() -> None:
    claims = [*CLAIM_C1[:4], "CAS*CO*45*5"]  # 100 - 5 != 90
    result = read(text(interchange(remit(paid="95", claims=claims))))
    assert codes(result) == [("unbalanced_835", "flagged", 3, 0)]
    reason = result.issues[0].reason
    assert "BPR02 95.00" in reason and "sum(CLP04) 90.00" in reason and "difference 5.00" in reason
    assert "CLP01 'C1' at segment 11: 100.00 - 5.00 vs 90.00 (off by 5.00)" in reason
    assert result.units_loaded == 18
    assert column(result, "x12_835_claims", "is_balanced") == [False]
    assert column(result, "x12_transactions", "unbalanced_claim_count") == [1]


def test_reversal_and_correction_balance() -> None:
    claims = [
        "CLP*C1*22*-100*-90**12*PCN1",
        "SVC*HC:99213*-100*-90**-1",
        "CAS*CO*45*-10",
        "CLP*C1*1*100*90**12*PCN2",
        "SVC*HC:99213*100*90**1",
        "CAS*CO*45*5*1*253*5",
    ]
    result = read(text(interchange(remit(paid="0", claims=claims))).replace("*I*0*C*", "*H*0*C*"))
    assert result.issues == []
    rows = result.tables["x12_835_claims"].to_pylist()
    assert [
        (r["claim_status_code"], r["paid_amount"], r["payer_claim_control_number"]) for r in rows
    ] == [("22", D("-90.00"), "PCN1"), ("1", D("90.00"), "PCN2")]
    assert column(result, "x12_835_service_lines", "units_paid") == [D("-1"), D("1")]
    adjustments = [
        (a["claim_position"], a["triplet_position"], a["reason_code"], a["amount"], a["quantity"])
        for a in result.tables["x12_835_adjustments"].to_pylist()
    ]
    assert adjustments == [
        (1, 1, "45", D("-10"), None),
        (2, 1, "45", D("5"), D("1")),
        (2, 2, "253", D("5"), None),
    ]
    (tx,) = result.tables["x12_transactions"].to_pylist()
    assert (tx["total_claim_paid"], tx["balance_difference"], tx["is_balanced"]) == (
        D("0.00"),
        D("0.00"),
        True,
    )


def test_claim_split_keeps_both_rows_and_debit_payment_balances() -> None:
    claims = [
        "CLP*C7*1*60*50**12*PCN7A", "SVC*HC:99213*60*50**1", "CAS*CO*45*10",
        "CLP*C7*1*40*30**12*PCN7B", "SVC*HC:99214*40*30**1", "CAS*CO*45*10",
    ]  # fmt: skip
    plb = ["PLB*1234567893*20241231*WO:INV-77*100*L6*-5"]
    body = remit(paid="15", claims=claims + plb)
    result = read(text(interchange(body)).replace("*I*15*C*", "*I*15*D*"))
    assert result.issues == []  # 80 - (100 - 5) = -15, paid by the provider (D)
    assert column(result, "x12_835_claims", "claim_id") == ["C7", "C7"]
    assert column(result, "x12_835_claims", "claim_position") == [1, 2]
    assert column(result, "x12_835_service_lines", "claim_position") == [1, 2]
    plb_rows = [
        (p["reason_code"], p["reference_id"], p["amount"])
        for p in result.tables["x12_835_provider_adjustments"].to_pylist()
    ]
    assert plb_rows == [("WO", "INV-77", D("100.00")), ("L6", None, D("-5.00"))]


def test_invalid_value_quarantines_its_transaction() -> None:
    good, bad = remit("0001"), remit("0002")
    bad[8] = "CLP*C1*1*100*9O**12*PCN1"  # letter O in CLP04
    result = read(text(interchange(good, bad)))
    assert codes(result) == [("invalid_value", "quarantined", 17, 14)]
    issue = result.issues[0]
    assert (issue.value, issue.position_kind) == ("9O", "transaction")
    assert "CLP04" in issue.reason and "segment 25" in issue.reason
    assert column(result, "x12_835_claims", "_st_control") == ["0001"]
    assert column(result, "x12_transactions", "total_claim_paid") == [D("90.00")]


# -- 837 content -----------------------------------------------------------------------------


def claims_837() -> list[str]:
    body = [
        "BHT*0019*00*B1*20240105*1200*CH",
        "NM1*41*2*CLINIC*****46*S1",
        "NM1*40*2*PAYER*****46*R1",
        "HL*1**20*1",
        "NM1*85*2*CLINIC*****XX*1234567893",
        "REF*EI*123456789",
        "HL*2*1*22*0",
        "SBR*P*18*******CI",
        "NM1*IL*1*DOE*JANE****MI*M123",
        "DMG*D8*19800101*F",
        "NM1*PR*2*ACME*****PI*P1",
    ]
    for number, (frequency, extra) in enumerate([("1", []), ("7", ["REF*F8*PCN1"]),
                                                 ("8", ["REF*F8*PCN2"])], start=1):  # fmt: skip
        body += [
            f"CLM*E{number}*150***11:B:{frequency}*Y*A*Y*Y",
            *extra,
            "REF*G1*AUTH9",
            f"REF*EA*ENC{number}",
            "HI*ABK:J449*ABF:R05",
            "NM1*82*1*SMITH*ANN****XX*1999999984",
            "LX*1",
            "SV1*HC:99214:25:59*100*UN*1***1:2",
            "DTP*472*D8*20240102",
            "REF*6R*L1",
            "LX*2",
            "SV1*HC:36415*50*UN*2***1",
            "DTP*472*RD8*20240102-20240103",
        ]
    return transaction("837", "0001", body, V837)


def test_837_replacements_voids_and_loops() -> None:
    result = read(text(interchange(claims_837(), guide=V837)), expected="837")
    assert result.issues == [] and result.transaction_type == "837"
    claims = result.tables["x12_837_claims"].to_pylist()
    assert [
        (c["claim_id"], c["frequency_code"], c["payer_claim_control_number"]) for c in claims
    ] == [
        ("E1", "1", None),
        ("E2", "7", "PCN1"),
        ("E3", "8", "PCN2"),
    ]
    first = claims[0]
    assert (first["prior_auth_number"], first["encounter_id"], first["rendering_provider_npi"]) == (
        "AUTH9",
        "ENC1",
        "1999999984",
    )
    assert (first["principal_diagnosis"], first["diagnosis_codes"]) == ("J449", "J449:R05")
    assert (
        first["billing_provider_tin"],
        first["subscriber_birth_date"],
        first["subscriber_sex"],
    ) == (
        "123456789",
        dt.date(1980, 1, 1),
        "F",
    )
    # The patient is the subscriber (no HL 23): no patient columns, relationship from SBR02.
    assert (first["patient_last_name"], first["relationship_code"]) == (None, "18")
    assert [c["service_line_count"] for c in claims] == [2, 2, 2]
    lines = result.tables["x12_837_service_lines"].to_pylist()
    assert [
        (ln["claim_position"], ln["line_position"], ln["procedure_code"], ln["modifiers"])
        for ln in lines[:2]
    ] == [(1, 1, "99214", "25:59"), (1, 2, "36415", None)]
    assert (lines[0]["diagnosis_pointers"], lines[0]["line_item_control_number"]) == ("1:2", "L1")
    assert (lines[1]["units"], lines[1]["service_date_to"]) == (D("2"), dt.date(2024, 1, 3))
    (tx,) = result.tables["x12_transactions"].to_pylist()
    assert (tx["creation_date"], tx["claim_count"], tx["submitter_id"]) == (
        dt.date(2024, 1, 5),
        3,
        "S1",
    )


def test_unknown_expected_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="expected must be one of"):
        read_x12_file(b"", source_file="x", file_hash="h", expected="277")


def test_table_definitions() -> None:
    for name, columns in X12_TABLES.items():
        assert [c for c, _ in columns[:6]] == [
            "_file_hash", "_source_file", "_interchange_control", "_group_control",
            "_st_control", "_segment_position",
        ], name  # fmt: skip
        assert len({c for c, _ in columns}) == len(columns), name
    types = dict(X12_TABLES["x12_835_adjustments"])
    assert (types["amount"], types["quantity"], types["level"]) == (
        "DECIMAL(18,2)",
        "DECIMAL(18,4)",
        "VARCHAR",
    )
    assert dict(X12_TABLES["x12_transactions"])["payment_date"] == "DATE"
