"""Broken X12 files (tests/data/bad/x12, issue 7) through the real loader.

Every case and one valid file per folder land in one landing folder and ``load_landing`` runs
once (thirty separate loads cost half a minute on a busy two-core machine; one load also
proves that 29 broken neighbours, read in the same batch, disturb no valid file). Then, per
case: its issues in ``raw._quarantine`` are exactly those of ``expected.json`` (code,
disposition, position, units, reason text), its manifest row has the expected status and
units, wholly quarantined files were copied with their reason; the valid files loaded whole;
and loaded + quarantined = landed holds for every file.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

from ingestion.load import LoadSummary, load_landing

CORPUS = Path(__file__).resolve().parent / "data" / "bad" / "x12"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())
CASES = EXPECTED["cases"]
# The valid neighbour lands under a name that sorts first: it is read before the case.
NEIGHBOUR = {"remits": "remits/000_valid.835", "claims": "claims/000_valid.837"}
STATUS = {
    "quarantined": "quarantined",
    "partially_loaded": "partial",
    "loaded_flagged": "loaded",
    "loaded": "loaded",
}


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_cases", CORPUS / "make_cases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_corpus_is_what_the_generator_makes_and_every_file_has_an_outcome() -> None:
    made = _generator().build()
    on_disk = {
        path.relative_to(CORPUS).as_posix(): path.read_bytes()
        for path in CORPUS.rglob("*")
        if path.is_file()
        and path.name not in ("make_cases.py", "expected.json")
        and "__pycache__" not in path.parts
    }
    assert on_disk == made
    assert set(CASES) == {name for name in made if not name.startswith("valid/")}
    assert len(CASES) >= 16
    assert {case["outcome"] for case in CASES.values()} == set(STATUS)


@dataclass(frozen=True)
class Loaded:
    summary: LoadSummary
    manifest: dict[str, tuple]  # file -> (status, units_total, units_loaded, units_quarantined)
    issues: dict[str, list[tuple]]  # file -> quarantine rows, see _issues
    transactions: dict[str, int]  # file -> rows in raw.x12_transactions
    quarantine: Path
    database: Path


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    root = tmp_path_factory.mktemp("bad_x12")
    landing = root / "landing"
    for name in [*CASES, *NEIGHBOUR.values()]:
        source = CORPUS / (name if name in CASES else _valid_source(name))
        (landing / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, landing / name)
    database, quarantine = root / "work.duckdb", root / "quarantine"
    summary = load_landing(landing, database, quarantine_dir=quarantine)
    with duckdb.connect(str(database), read_only=True) as con:
        manifest = {
            row[0]: row[1:]
            for row in con.execute(
                "SELECT source_file, status, units_total, units_loaded, units_quarantined "
                "FROM raw._load_manifest"
            ).fetchall()
        }
        transactions = dict(
            con.execute(
                "SELECT _source_file, count(*) FROM raw.x12_transactions GROUP BY ALL"
            ).fetchall()
        )
        issues = _issues(con)
    return Loaded(summary, manifest, issues, transactions, quarantine, database)


def _valid_source(neighbour: str) -> str:
    folder = neighbour.split("/")[0]
    return f"valid/{folder}/valid.{neighbour[-3:]}"


def test_every_landed_file_is_accounted_for(loaded: Loaded) -> None:
    assert loaded.summary.files_new == len(CASES) + 2
    assert set(loaded.manifest) == {*CASES, *NEIGHBOUR.values()}
    # Every landed segment (or unreadable file) is loaded or quarantined, and each
    # quarantined unit is owned by exactly one issue.
    for file, (_, total, units_loaded, quarantined) in loaded.manifest.items():
        assert units_loaded + quarantined == total, file
        assert sum(issue[4] for issue in loaded.issues.get(file, [])) == quarantined, file
    expected_total = sum(case["units_total"] for case in CASES.values()) + sum(
        valid["units_total"] for valid in EXPECTED["valid"].values()
    )
    assert sum(row[1] for row in loaded.manifest.values()) == expected_total


@pytest.mark.parametrize("neighbour", NEIGHBOUR.values())
def test_valid_files_load_whole(loaded: Loaded, neighbour: str) -> None:
    valid = EXPECTED["valid"][_valid_source(neighbour).removeprefix("valid/")]
    assert loaded.manifest[neighbour] == ("loaded", valid["units_total"], valid["units_total"], 0)
    assert neighbour not in loaded.issues
    assert loaded.transactions[neighbour] == valid["transactions"]


@pytest.mark.parametrize("name", CASES)
def test_broken_file(loaded: Loaded, name: str) -> None:
    case = CASES[name]
    total, units_loaded = case["units_total"], case["units_loaded"]
    status = STATUS[case["outcome"]]
    assert loaded.manifest[name] == (status, total, units_loaded, total - units_loaded)
    assert loaded.transactions.get(name, 0) == case["transactions"]
    found = loaded.issues.get(name, [])
    assert [issue[:5] for issue in found] == [tuple(issue[:5]) for issue in case["issues"]]
    for issue, wanted in zip(found, case["issues"], strict=True):
        assert wanted[5] in issue[5], f"{wanted[5]!r} not in {issue[5]!r}"
    if case["outcome"] == "loaded_flagged":
        assert found and all(issue[1] == "flagged" for issue in found)

    copy = loaded.quarantine / name
    assert copy.exists() == (case["outcome"] == "quarantined")
    if copy.exists():
        assert copy.read_bytes() == (CORPUS / name).read_bytes()
        reasons = copy.with_name(copy.name + ".reason.txt").read_text()
        assert all(wanted[5] in reasons for wanted in case["issues"])


def test_latin1_names_are_read_as_latin1(loaded: Loaded) -> None:
    with duckdb.connect(str(loaded.database), read_only=True) as con:
        names = con.execute(
            "SELECT claim_id, patient_last_name, patient_first_name FROM raw.x12_835_claims "
            "WHERE _source_file = 'remits/latin1_names.835' ORDER BY claim_id"
        ).fetchall()
    assert names == [
        ("CLM1001", "DOE", "JANE"),
        ("CLM1002", "ROË", "RENÉ"),
        ("CLM1003", "POE", "ANNA"),
    ]


def _issues(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """(reason_code, disposition, position_kind, position, units, reason) per file."""
    rows = con.execute(
        "SELECT source_file, reason_code, disposition, position_kind, position, units, reason "
        "FROM raw._quarantine ORDER BY source_file, position NULLS FIRST, reason_code"
    ).fetchall()
    grouped: dict[str, list[tuple]] = {}
    for source_file, *issue in rows:
        grouped.setdefault(source_file, []).append(tuple(issue))
    return grouped
