"""read_x12_files: many files read in one call give each file exactly its own result.

The batch lays the files' segments end to end (ingestion/x12/batch.py); these tests read the
real samples and the broken corpus both ways and compare every table row and every issue.
The one intended difference: a batch sees interchange control numbers reused across files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingestion.x12.reader import X12ReadResult, X12Source, read_x12_file, read_x12_files
from ingestion.x12.tables import X12_TABLES

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "x12"
CORPUS = Path(__file__).resolve().parent / "data" / "bad" / "x12"
REUSED = "reused_interchange_control"


def _files(kind: str) -> list[tuple[str, bytes]]:
    """Every sample and corpus file of ``kind``'s folder, in a fixed order."""
    from test_x12_reader_samples import SAMPLE_FILES

    folder = "remits" if kind == "835" else "claims"
    found = [(name, (SAMPLES / name).read_bytes()) for name, e, *_ in SAMPLE_FILES if e == kind]
    # The valid file first: a broken copy of it reuses its interchange number.
    corpus = sorted(CORPUS.glob(f"valid/{folder}/*")) + sorted(CORPUS.glob(f"{folder}/*"))
    return found + [(path.relative_to(CORPUS).as_posix(), path.read_bytes()) for path in corpus]


def _issues(result: X12ReadResult) -> list[tuple]:
    return [
        (i.reason_code, i.reason, i.position_kind, i.position, i.value, i.disposition, i.units)
        for i in result.issues
    ]


@pytest.fixture(scope="module", params=["835", "837"])
def both_ways(request: pytest.FixtureRequest) -> tuple[list, list, list]:
    kind = request.param
    files = _files(kind)
    single = [
        read_x12_file(data, source_file=name, file_hash=f"h{index}", expected=kind)
        for index, (name, data) in enumerate(files)
    ]
    sources = [X12Source(data, name, f"h{index}") for index, (name, data) in enumerate(files)]
    return files, single, read_x12_files(sources, expected=kind)


def test_batch_tables_equal_single_reads(both_ways: tuple[list, list, list]) -> None:
    files, single, batch = both_ways
    assert len(batch) == len(files) >= 12
    for (name, _), alone, together in zip(files, single, batch, strict=True):
        for table in X12_TABLES:
            assert together.tables[table].schema == alone.tables[table].schema
            assert together.tables[table].to_pylist() == alone.tables[table].to_pylist(), (
                name,
                table,
            )
        assert (together.units_total, together.units_loaded, together.units_quarantined) == (
            alone.units_total,
            alone.units_loaded,
            alone.units_quarantined,
        )
        assert together.transaction_type == alone.transaction_type
        assert [i for i in _issues(together) if i[0] != REUSED] == _issues(alone), name


def test_batch_flags_interchange_numbers_reused_across_files(
    both_ways: tuple[list, list, list],
) -> None:
    files, single, batch = both_ways
    assert not any(i.reason_code == REUSED for result in single for i in result.issues)
    flagged = {
        name: [i.reason for i in result.issues if i.reason_code == REUSED]
        for (name, _), result in zip(files, batch, strict=True)
    }
    flagged = {name: reasons for name, reasons in flagged.items() if reasons}
    # Samples copied from one another share their ISA (sender and ISA13): read by hand.
    linux = "LinuxForHealth__x12/cob-contractural-adjustment.835 (segment 1)"
    imsweb = "imsweb__x12-parser/x12_bad_first_line.txt (segment 1)"
    expected = {
        "835": {
            "LinuxForHealth__x12/managed-care.835": ("000000907", "30/'000000005'", linux),
            "LinuxForHealth__x12/medicare-part-a.835": ("000000907", "30/'000000005'", linux),
            "LinuxForHealth__x12/secondary-payment.835": ("000000907", "30/'000000005'", linux),
            "LinuxForHealth__x12/subscriber-health-benefit-check.271": (
                "000000907",
                "30/'000000005'",
                linux,
            ),
            "tastypackets__x12-parser/multi-line-not-delimited.edi": (
                "006000600",
                "ZZ/'EMEDNYBAT'",
                "keironstoddart__edi-835-parser/emedny_sample.txt (segment 1)",
            ),
            "remits/reused_interchange_control.835": (
                "000000101",
                "ZZ/'ACMEPAYER'",
                "valid/remits/valid.835 (segment 1)",
            ),
        },
        "837": {
            name: ("000000905", "ZZ/'SUBMITTERS.ID'", imsweb)
            for name in (
                "imsweb__x12-parser/x12_complex.txt",
                "imsweb__x12-parser/x12_multiple_isa.txt",
                "imsweb__x12-parser/x12_valid_different_separators.txt",
            )
        },
    }["835" if files[0][0].endswith(".835") else "837"]
    assert set(flagged) == set(expected)
    for name, (control, sender, first) in expected.items():
        (reason,) = flagged[name]
        assert reason.startswith(
            f"ISA13 '{control}' of sender {sender} at segment 1 was already used by {first}"
        ), reason


def test_seen_interchanges_from_earlier_loads_are_flagged_and_extended() -> None:
    valid = (CORPUS / "valid/remits/valid.835").read_bytes()
    seen = {("ZZ", "ACMEPAYER", "000000101"): "remits/2026-01-04.835 (segment 1)"}
    other = (CORPUS / "remits/unbalanced_bpr.835").read_bytes()  # ISA13 000000316
    first, second = read_x12_files(
        [X12Source(valid, "remits/again.835", "h1"), X12Source(other, "remits/b.835", "h2")],
        expected="835",
        seen_interchanges=seen,
    )
    (flag,) = [i for i in first.issues if i.reason_code == REUSED]
    assert (flag.position, flag.disposition, flag.units, flag.value) == (
        1,
        "flagged",
        0,
        "000000101",
    )
    assert "already used by remits/2026-01-04.835 (segment 1)" in flag.reason
    assert first.units_loaded == first.units_total == 39  # loaded as sent
    assert not any(i.reason_code == REUSED for i in second.issues)
    assert seen == {
        ("ZZ", "ACMEPAYER", "000000101"): "remits/2026-01-04.835 (segment 1)",
        ("ZZ", "ACMEPAYER", "000000316"): "remits/b.835 (segment 1)",
    }


def test_an_empty_list_reads_nothing() -> None:
    assert read_x12_files([], expected="837") == []
