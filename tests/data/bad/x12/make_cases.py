"""Write the broken X12 corpus of this folder from two small valid files (run from anywhere).

    python tests/data/bad/x12/make_cases.py

The folder is laid out like a landing folder: ``valid/remits/valid.835`` and
``valid/claims/valid.837`` are clean; ``remits/`` and ``claims/`` hold one broken variant each,
and ``expected.json`` says what loading each one must do. Every case changes one thing in a
valid file (or wraps a small valid transaction of another kind), so its reason is unambiguous.
tests/test_bad_inputs_x12.py checks that this script reproduces the committed files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
V835, V837 = "005010X221A1", "005010X222A1"


def isa(control: int, sender: str = "ACMEPAYER", version: str = "00501") -> str:
    fields = ["00", " " * 10, "00", " " * 10, "ZZ", sender.ljust(15), "ZZ", "MAINCLINIC".ljust(15),
              "260105", "1200", "^", version, f"{control:09d}", "0", "P", ":"]  # fmt: skip
    return "ISA*" + "*".join(fields)


def envelope(
    transactions: list[list[str]], *, control: int, functional: str, guide: str, **isa_args: str
) -> list[str]:
    sender = isa_args.get("sender", "ACMEPAYER")
    return [
        isa(control, **isa_args),
        f"GS*{functional}*{sender}*MAINCLINIC*20260105*1200*{control}*X*{guide}",
        *(segment for tx in transactions for segment in tx),
        f"GE*{len(transactions)}*{control}",
        f"IEA*1*{control:09d}",
    ]


def transaction(kind: str, control: str, body: list[str], guide: str | None) -> list[str]:
    head = f"ST*{kind}*{control}" + (f"*{guide}" if guide else "")
    return [head, *body, f"SE*{len(body) + 2}*{control}"]


def text(segments: list[str], terminator: str = "~", newline: str = "\n") -> str:
    return "".join(segment + terminator + newline for segment in segments)


# -- 835 -------------------------------------------------------------------------------------

CLAIM_1001 = [
    "CLP*CLM1001*1*150*100*20*12*PAYER1001",
    "NM1*QC*1*DOE*JANE****MI*M1001",
    "DTM*232*20251220",
    "SVC*HC:99213*150*100**1",
    "DTM*472*20251220",
    "CAS*CO*45*30",
    "CAS*PR*2*20",
]
CLAIM_1002 = [
    "CLP*CLM1002*1*80*70*10*12*PAYER1002",
    "NM1*QC*1*ROE*RICHARD****MI*M1002",
    "SVC*HC:99212*80*70**1",
    "DTM*472*20251221",
    "CAS*PR*3*10",
]
CLAIM_1003 = [
    "CLP*CLM1003*1*200*160*40*12*PAYER1003",
    "NM1*QC*1*POE*ANNA****MI*M1003",
    "SVC*HC:99214*200*160**1",
    "DTM*472*20251222",
    "CAS*PR*1*40",
]


def remit(control: str, trace: str, paid: str, claims: list[str], guide: str | None = V835):
    body = [
        f"BPR*I*{paid}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999999999*DA*654321*20260105",
        f"TRN*1*{trace}*1512345678",
        "DTM*405*20260104",
        "N1*PR*ACME HEALTH PLAN",
        "REF*2U*ACME01",
        "N1*PE*MAIN STREET CLINIC*XX*1234567893",
        "LX*1",
        *claims,
    ]
    return transaction("835", control, body, guide)


def valid_835(control: int) -> str:
    """Two checks: 170.00 for claims CLM1001 and CLM1002, 160.00 for CLM1003 (both balance)."""
    checks = [
        remit("0001", "EFT0001", "170", [*CLAIM_1001, *CLAIM_1002]),
        remit("0002", "EFT0002", "160", CLAIM_1003),
    ]
    return text(envelope(checks, control=control, functional="HP", guide=V835))


def replace_once(source: str, old: str, new: str) -> str:
    assert source.count(old) == 1, f"{old!r} is not unique"
    return source.replace(old, new)


def truncated_last_segment(base: str) -> str:
    # Cut inside the second check's CAS: no SE, GE or IEA after it.
    return base[: base.index("CAS*PR*1*40") + len("CAS*PR*1")]


def version_4010(control: int) -> str:
    old = [
        remit("0001", "EFT0001", "170", [*CLAIM_1001, *CLAIM_1002], guide=None),
        remit("0002", "EFT0002", "160", CLAIM_1003, guide=None),
    ]
    return text(
        envelope(old, control=control, functional="HP", guide="004010X091A1", version="00401")
    )


def ack_999(control: int) -> str:
    body = ["AK1*HC*1*005010X222A1", "AK2*837*0001*005010X222A1", "IK5*A", "AK9*A*1*1*1"]
    tx = transaction("999", "0001", body, "005010X231A1")
    return text(envelope([tx], control=control, functional="FA", guide="005010X231A1"))


def with_delimiters(source: str, element: str, component: str, terminator: str) -> str:
    """The file with other delimiters (the sample data holds none of them)."""
    table = str.maketrans({"*": element, ":": component, "~": terminator})
    return source.translate(table)


def body_delimiters_differ(base: str) -> str:
    """The ISA declares '*' but every later segment uses '|' (an export template bug)."""
    head, rest = base.split("\n", 1)
    return head + "\n" + rest.replace("*", "|")


def reused_control() -> str:
    # Another check under the valid file's interchange number (ISA13 000000101).
    tx = remit("0003", "EFT0003", "70", CLAIM_1002)
    return text(envelope([tx], control=VALID_CONTROLS["835"], functional="HP", guide=V835))


def negative_paid(base: str) -> str:
    # CLM1003 paid -10 while not a reversal (CLP02 1); CAS and BPR02 keep it balanced.
    source = replace_once(base, "CLP*CLM1003*1*200*160*40", "CLP*CLM1003*1*200*-10*40")
    source = replace_once(source, "SVC*HC:99214*200*160**1", "SVC*HC:99214*200*-10**1")
    source = replace_once(source, "CAS*PR*1*40", "CAS*PR*1*40~\nCAS*CO*45*170")
    source = replace_once(source, "SE*14*0002", "SE*15*0002")
    return replace_once(source, "BPR*I*160*C*", "BPR*I*10*D*")


def reversal(base: str) -> str:
    """A correct reversal: CLP02 22 with every amount negated (a debit of 160)."""
    source = replace_once(base, "CLP*CLM1003*1*200*160*40", "CLP*CLM1003*22*-200*-160*-40")
    source = replace_once(source, "SVC*HC:99214*200*160**1", "SVC*HC:99214*-200*-160**-1")
    source = replace_once(source, "CAS*PR*1*40", "CAS*PR*1*-40")
    return replace_once(source, "BPR*I*160*C*", "BPR*I*160*D*")


def orphan_remit(base: str) -> str:
    return base.replace("CLM100", "CLM900").replace("EFT000", "EFT900")


def garbage() -> bytes:
    # Fixed pseudo-random bytes (a linear congruential sequence: no dependence on random).
    value, out = 7, bytearray()
    for _ in range(300):
        value = (value * 1103515245 + 12345) % 2**31
        out.append(value >> 16 & 0xFF)
    return bytes(out)


# -- 837 -------------------------------------------------------------------------------------


def claim_837(guide: str, claim: list[str]) -> list[str]:
    body = [
        "BHT*0019*00*BATCH1*20260103*1015*CH",
        "NM1*41*2*MAIN STREET CLINIC*****46*TGJ23",
        "PER*IC*BILLING*TE*5555550100",
        "NM1*40*2*ACME HEALTH PLAN*****46*ACME01",
        "HL*1**20*1",
        "NM1*85*2*MAIN STREET CLINIC*****XX*1234567893",
        "N3*1 MAIN STREET",
        "N4*SPRINGFIELD*IL*62701",
        "REF*EI*123456789",
        "HL*2*1*22*0",
        "SBR*P*18*******CI",
        "NM1*IL*1*DOE*JANE****MI*M1001",
        "DMG*D8*19800101*F",
        "NM1*PR*2*ACME HEALTH PLAN*****PI*ACME01",
        *claim,
    ]
    return transaction("837", "0001", body, guide)


PROFESSIONAL = [
    "CLM*CLM1001*150***11:B:1*Y*A*Y*Y",
    "REF*EA*ENC1001",
    "HI*ABK:J449",
    "LX*1",
    "SV1*HC:99213*150*UN*1***1",
    "DTP*472*D8*20251220",
]
INSTITUTIONAL = [
    "CLM*CLM1001*1500***11:A:1**A*Y*Y",
    "DTP*434*RD8*20251218-20251220",
    "CL1*1*7*01",
    "HI*ABK:J449",
    "LX*1",
    "SV2*0120*HC:99221*1500*UN*3",
    "DTP*472*D8*20251218",
]


def valid_837(control: int, guide: str = V837, claim: list[str] = PROFESSIONAL) -> str:
    return text(envelope([claim_837(guide, claim)], control=control, functional="HC", guide=guide))


def negative_charge(base: str) -> str:
    source = replace_once(base, "CLM*CLM1001*150*", "CLM*CLM1001*-150*")
    return replace_once(source, "SV1*HC:99213*150*", "SV1*HC:99213*-150*")


# -- the corpus --------------------------------------------------------------------------------

VALID_CONTROLS = {"835": 101, "837": 201}
# name -> (the valid file it starts from, how it breaks it). Each case gets its own ISA13
# (FIRST_CASE_CONTROL + its index): files never share one by accident.
FIRST_CASE_CONTROL = 301
Make = Callable[[str, int], str | bytes]


def swap(old: str, new: str) -> Make:
    """Replace ``old`` (unique; ``{control}`` stands for the case's ISA13) with ``new``."""
    return lambda base, control: replace_once(
        base, old.format(control=control), new.format(control=control)
    )


def keep(base: str, _: int) -> str:
    return base


CASES: dict[str, tuple[str, Make]] = {
    "remits/no_isa.835": ("835", lambda base, _: base.split("\n", 1)[1]),
    "remits/truncated_last_segment.835": ("835", lambda base, _: truncated_last_segment(base)),
    "remits/wrong_se_count.835": ("835", swap("SE*21*0001", "SE*20*0001")),
    "remits/wrong_ge_count.835": ("835", swap("GE*2*{control}", "GE*3*{control}")),
    "remits/wrong_iea_count.835": ("835", swap("IEA*1*", "IEA*2*")),
    "remits/version_004010.835": ("835", lambda _, control: version_4010(control)),
    "remits/ack_999_in_remits.835": ("835", lambda _, control: ack_999(control)),
    "remits/delimiters_pipe_caret_bang.835": (
        "835", lambda base, _: with_delimiters(base, "|", "^", "!")
    ),
    "remits/delimiters_newline_terminator.edi": (
        "835", lambda base, _: with_delimiters(base.replace("~\n", "~"), "*", ">", "\n")
    ),
    "remits/delimiters_body_differs_from_isa.835": (
        "835", lambda base, _: body_delimiters_differ(base)
    ),
    "remits/component_separator_not_isa16.835": ("835", swap("SVC*HC:99213*", "SVC*HC>99213*")),
    "remits/latin1_names.835": (
        "835", lambda base, c: str(swap("ROE*RICHARD", "ROË*RENÉ")(base, c)).encode("latin-1")
    ),
    "remits/non_ascii_in_amount.835": (
        "835", swap("CLP*CLM1002*1*80*70*", "CLP*CLM1002*1*80*７0*")
    ),
    "remits/invalid_date.835": ("835", swap("DTM*472*20251221", "DTM*472*20251321")),
    "remits/reused_interchange_control.835": ("835", lambda _, __: reused_control()),
    "remits/unbalanced_bpr.835": ("835", swap("BPR*I*170*C*", "BPR*I*175*C*")),
    "remits/negative_bpr.835": ("835", swap("BPR*I*160*C*", "BPR*I*-160*C*")),
    "remits/negative_paid_not_reversal.835": ("835", lambda base, _: negative_paid(base)),
    "remits/reversal_negative_amounts.835": ("835", lambda base, _: reversal(base)),
    "remits/remit_for_unsubmitted_claim.835": ("835", lambda base, _: orphan_remit(base)),
    "remits/empty.835": ("835", lambda _, __: ""),
    "remits/whitespace_only.835": ("835", lambda _, __: " \r\n\t\r\n"),
    "remits/bom.835": ("835", lambda base, _: b"\xef\xbb\xbf" + base.encode()),
    "remits/binary_garbage.x12": ("835", lambda _, __: garbage()),
    "remits/pdf_named_835.835": (
        "835", lambda _, __: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
    ),
    "claims/institutional_837i.837": (
        "837", lambda _, control: valid_837(control, "005010X223A2", INSTITUTIONAL)
    ),
    "claims/remit_in_claims.837": ("835", keep),
    "claims/negative_charge.837": ("837", lambda base, _: negative_charge(base)),
    "claims/squeezed_isa.837": ("837", swap("*ACMEPAYER      *", "*ACMEPAYER*")),
}  # fmt: skip
VALID = {
    "valid/remits/valid.835": valid_835(VALID_CONTROLS["835"]),
    "valid/claims/valid.837": valid_837(VALID_CONTROLS["837"]),
}
BASES = {"835": valid_835, "837": valid_837}


def build() -> dict[str, bytes]:
    """Every file of the corpus by its path under this folder."""
    made: dict[str, str | bytes] = dict(VALID)
    for number, (name, (kind, make)) in enumerate(CASES.items(), start=FIRST_CASE_CONTROL):
        made[name] = make(BASES[kind](number), number)
    return {name: data.encode() if isinstance(data, str) else data for name, data in made.items()}


def main() -> None:
    for name, data in build().items():
        path = HERE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


if __name__ == "__main__":
    main()
