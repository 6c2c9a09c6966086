"""Hostile and broken CSV extracts (tests/data/bad/csv/): each lands the reason it deserves.

One case per entry of ``expected.json``: its files land beside one valid file of another
extract, ``load_landing`` runs, and the manifest, the quarantine and the raw rows must match
the entry exactly. A new case is one file in the folder plus one JSON entry.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingestion import raw_store
from ingestion.contracts import EXTRACTS
from ingestion.landing import UNRECOGNIZED
from ingestion.load import load_landing

CORPUS = Path(__file__).parent / "data" / "bad" / "csv"
CASES: list[dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text())["cases"]
OUTCOME_STATUS = {
    "file_quarantined": "quarantined",
    "rows_quarantined": "partial",
    "loaded_with_warning": "loaded",
    "loaded": "loaded",
}
# The valid companion: it must load untouched whatever lands beside it.
PAYERS_PATH = "pm/payers/payers.csv"
PAYERS = b"payer_id,payer_name,payer_type\nPY1,Acme Health,commercial\nPY2,Medicare,medicare\n"
ISSUE_FIELDS = ("file", "code", "row", "column", "value", "disposition", "units", "reason")


@pytest.fixture(scope="session")
def empty_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the raw schema already created: copying it is cheaper than creating it."""
    database = tmp_path_factory.mktemp("bad_csv") / "template.duckdb"
    with duckdb.connect(str(database)) as con:
        raw_store.create_raw_schema(con)
    return database


def test_corpus_is_complete_and_every_file_is_a_case() -> None:
    names = [case["case"] for case in CASES]
    assert len(names) == len(set(names)) >= 26
    used = [source for case in CASES for source in case["files"].values()]
    on_disk = sorted(
        p.relative_to(CORPUS).as_posix()
        for p in CORPUS.rglob("*")
        if p.is_file() and p.name != "expected.json"
    )
    assert sorted(used) == on_disk
    assert {case["outcome"] for case in CASES} == set(OUTCOME_STATUS)
    # Files that loaded would be recognized as one content: the cases must not share bytes.
    contents = [(CORPUS / source).read_bytes() for source in used]
    assert len(set(contents)) == len(contents)
    assert PAYERS not in contents
    assert all(PAYERS_PATH not in case["files"] for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["case"] for case in CASES])
def test_broken_input_lands_its_reason(
    case: dict[str, Any], tmp_path: Path, empty_warehouse: Path
) -> None:
    landing, database = tmp_path / "landing", tmp_path / "work.duckdb"
    files = {PAYERS_PATH: PAYERS} | {
        path: (CORPUS / source).read_bytes() for path, source in case["files"].items()
    }
    for path, content in files.items():
        (landing / path).parent.mkdir(parents=True, exist_ok=True)
        (landing / path).write_bytes(content)
    shutil.copyfile(empty_warehouse, database)

    quarantine = tmp_path / "quarantine"
    summary = load_landing(landing, database, quarantine_dir=quarantine)

    assert (summary.files_seen, summary.files_new) == (len(files), len(files))
    with duckdb.connect(str(database), read_only=True) as con:
        manifest = {
            row[0]: row[1:]
            for row in con.execute(
                "SELECT source_file, extract, units_total, units_loaded, units_quarantined, "
                "status FROM raw._load_manifest"
            ).fetchall()
        }
        assert manifest.pop(PAYERS_PATH) == ("pm/payers", 2, 2, 0, "loaded")
        assert sorted(manifest) == sorted(case["files"])
        totals = [sum(entry[i] for entry in manifest.values()) for i in (1, 2, 3)]
        assert dict(zip(("landed", "loaded", "quarantined"), totals, strict=True)) == case["rows"]
        assert {entry[4] for entry in manifest.values()} == {OUTCOME_STATUS[case["outcome"]]}
        misplaced = any(issue["code"] == "misplaced_file" for issue in case["issues"])
        assert {entry[0] for entry in manifest.values()} == {
            UNRECOGNIZED if misplaced else case["extract"]
        }

        issues = [
            dict(zip(ISSUE_FIELDS, row, strict=True))
            for row in con.execute(
                "SELECT source_file, reason_code, position, column_name, value, disposition, "
                "units, reason FROM raw._quarantine ORDER BY source_file, position, column_name"
            ).fetchall()
        ]
        assert issues == case["issues"]
        flagged = any(issue["disposition"] == "flagged" for issue in issues)
        assert flagged == (case["outcome"] == "loaded_with_warning")

        # Loaded + quarantined = landed, per file, against what raw actually holds.
        for source_file, (extract, total, loaded, quarantined, _) in manifest.items():
            assert loaded + quarantined == total
            stored = 0
            if extract != UNRECOGNIZED:
                stored = con.execute(
                    f"SELECT count(*) FROM raw.{EXTRACTS[extract].table} WHERE _source_file = ?",
                    [source_file],
                ).fetchall()[0][0]
            assert stored == loaded, source_file
            removed = sum(i["units"] for i in issues if i["file"] == source_file)
            assert removed == quarantined, source_file
        assert con.execute("SELECT count(*) FROM raw.pm__payers").fetchall() == [(2,)]

        # A file refused whole is copied aside with its reason; nothing else is.
        for source_file, (*_, status) in manifest.items():
            copy = quarantine / source_file
            assert copy.exists() == (status == "quarantined"), source_file
            if copy.exists():
                assert copy.read_bytes() == files[source_file]
                reasons = copy.with_name(copy.name + ".reason.txt").read_text()
                assert all(
                    f"- {i['reason']}" in reasons for i in issues if i["file"] == source_file
                )
        assert not (quarantine / PAYERS_PATH).exists()

        if "latest" in case:
            assert _latest(con, case["extract"], **case["latest"]) == case["latest"]["values"]
        if "extra_keys" in case:
            table = EXTRACTS[case["extract"]].table
            keys = con.execute(
                f"SELECT DISTINCT len(json_keys(_extra)) FROM raw.{table}"
            ).fetchall()
            assert keys == [(case["extra_keys"],)]


def _latest(
    con: duckdb.DuckDBPyConnection, extract: str, key: str, column: str, **_: object
) -> dict[str, str]:
    """The contract's latest-version rule, as dbt staging applies it."""
    rows = con.execute(
        f"SELECT {key}, {column} FROM raw.{EXTRACTS[extract].table} QUALIFY row_number() OVER "
        f"(PARTITION BY {key} ORDER BY _load_id DESC, _source_file DESC, _row_number DESC) = 1"
    ).fetchall()
    return dict(rows)
