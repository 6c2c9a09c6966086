"""load_landing: routing, accounting, idempotency, atomic files, quarantine copies, X12 routing."""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from ingestion import load as load_module
from ingestion import raw_store
from ingestion.issues import LoadIssue
from ingestion.landing import LAYOUT, walk_landing
from ingestion.load import LoadSummary, load_landing

HEADER = (
    "appointment_id,patient_id,provider_id,location_id,appointment_type,requested_at,"
    "booked_at,scheduled_start,status"
)


def appointment(appointment_id: str, status: str = "scheduled", start: str = "09:00:00") -> str:
    return (
        f"{appointment_id},P1,D1,L1,established,2026-01-02 08:00:00,2026-01-02 08:05:00,"
        f"2026-01-09 {start},{status}"
    )


JAN_01 = "\n".join(
    [HEADER, appointment("A1"), appointment("A2", start="25:00:00"), appointment("A3")]
)
JAN_02 = "\n".join([HEADER, appointment("A1", "cancelled")])
PROVIDERS = "provider_id,npi,provider_name,specialty,location_id,active_from\n"
PROVIDERS += "D1,1234567893,Dr A,cardiology,L1,2024-01-01\n"


def land(landing: Path, files: dict[str, str | bytes]) -> None:
    for relative, content in files.items():
        path = landing / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    land(
        root,
        {
            "pm/appointments/2026-01-01.csv": JAN_01,
            "pm/appointments/2026-01-02.csv": JAN_02,
            "pm/appointments/copy of 2026-01-01.csv": JAN_01,
            "pm/providers/providers.csv": PROVIDERS,
            "pm/patients/patients.csv": "",
            "pm/appointmnts/typo.csv": JAN_02,
            "notes.txt": "call Bob",
            ".gitkeep": "",
        },
    )
    return root


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def fingerprint(database: Path) -> dict[str, tuple]:
    """Row count and an order-independent digest of every raw table."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'"
            ).fetchall()
        ]
        return {
            t: tuple(
                con.execute(
                    f"SELECT count(*), md5(coalesce(string_agg(x::VARCHAR, '|' ORDER BY "
                    f"x::VARCHAR), '')) FROM raw.\"{t}\" AS x"
                ).fetchall()[0]
            )
            for t in tables
        }


def test_first_load_accounts_for_every_file(landing: Path, tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    summary = load_landing(landing, database)
    assert (summary.load_id, summary.files_seen, summary.files_new) == (1, 7, 6)
    assert (summary.files_duplicate, summary.files_known, summary.files_hidden) == (1, 0, 1)
    assert (summary.files_quarantined, summary.files_partial) == (3, 1)
    assert dict(summary.rows_loaded) == {
        "pm/appointments": 3,
        "pm/providers": 1,
        "pm/patients": 0,
        "(unrecognized)": 0,
    }
    assert dict(summary.rows_quarantined) == {
        "pm/appointments": 1,
        "pm/providers": 0,
        "pm/patients": 0,
        "(unrecognized)": 2,
    }
    assert query(
        database,
        "SELECT source_file, extract, unit, units_total, units_loaded, units_quarantined, status "
        "FROM raw._load_manifest ORDER BY source_file",
    ) == [
        ("notes.txt", "(unrecognized)", "file", 1, 0, 1, "quarantined"),
        ("pm/appointments/2026-01-01.csv", "pm/appointments", "row", 3, 2, 1, "partial"),
        ("pm/appointments/2026-01-02.csv", "pm/appointments", "row", 1, 1, 0, "loaded"),
        ("pm/appointmnts/typo.csv", "(unrecognized)", "file", 1, 0, 1, "quarantined"),
        ("pm/patients/patients.csv", "pm/patients", "row", 0, 0, 0, "quarantined"),
        ("pm/providers/providers.csv", "pm/providers", "row", 1, 1, 0, "loaded"),
    ]
    # Loaded + quarantined = landed, per file, against the rows actually stored.
    assert (
        query(
            database,
            """SELECT m.source_file FROM raw._load_manifest m
           WHERE m.unit = 'row' AND (
               m.units_loaded <> (SELECT count(*) FROM raw.pm__appointments a
                                  WHERE a._file_hash = m.file_hash)
                                + (SELECT count(*) FROM raw.pm__providers p
                                   WHERE p._file_hash = m.file_hash)
               OR m.units_quarantined <> (SELECT coalesce(sum(units), 0) FROM raw._quarantine q
                                          WHERE q.file_hash = m.file_hash
                                          AND q.extract = m.extract))""",
        )
        == []
    )
    reasons = dict(query(database, "SELECT source_file, reason FROM raw._quarantine"))
    assert reasons["pm/appointmnts/typo.csv"].startswith(
        "pm/appointmnts/typo.csv is not in the landing layout: 'appointmnts' is not a pm extract"
    )
    assert reasons["pm/appointments/2026-01-01.csv"] == (
        "pm/appointments/2026-01-01.csv row 2, column scheduled_start: '2026-01-09 25:00:00' "
        "is not a timestamp (expected YYYY-MM-DD HH:MM:SS)"
    )
    assert query(database, "SELECT path FROM raw._landing_paths ORDER BY path")[:3] == [
        ("notes.txt",),
        ("pm/appointments/2026-01-01.csv",),
        ("pm/appointments/2026-01-02.csv",),
    ]
    assert len(query(database, "SELECT * FROM raw._landing_paths")) == 7


def test_rows_carry_lineage_for_the_latest_version_rule(landing: Path, tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    load_landing(landing, database)
    land(
        landing,
        {"pm/appointments/2026-01-03.csv": "\n".join([HEADER, appointment("A3", "no_show")])},
    )
    assert load_landing(landing, database).load_id == 2
    rows = query(
        database,
        "SELECT appointment_id, status, _load_id, _source_file, _row_number "
        "FROM raw.pm__appointments ORDER BY _load_id, _source_file, _row_number",
    )
    assert rows == [
        ("A1", "scheduled", 1, "pm/appointments/2026-01-01.csv", 1),
        ("A3", "scheduled", 1, "pm/appointments/2026-01-01.csv", 3),
        ("A1", "cancelled", 1, "pm/appointments/2026-01-02.csv", 1),
        ("A3", "no_show", 2, "pm/appointments/2026-01-03.csv", 1),
    ]
    latest = query(
        database,
        "SELECT appointment_id, status FROM raw.pm__appointments QUALIFY row_number() OVER ("
        "PARTITION BY appointment_id ORDER BY _load_id DESC, _source_file DESC, "
        "_row_number DESC) = 1 ORDER BY 1",
    )
    assert latest == [("A1", "cancelled"), ("A3", "no_show")]


def test_loading_the_same_folder_twice_changes_nothing(landing: Path, tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    load_landing(landing, database)
    before = fingerprint(database)
    again = load_landing(landing, database)
    assert fingerprint(database) == before
    assert before["pm__appointments"][0] == 3
    assert (again.files_seen, again.files_known, again.files_new, again.files_duplicate) == (
        7,
        7,
        0,
        0,
    )
    # A touched file (same bytes, new mtime) is re-hashed and still recognized.
    os.utime(landing / "pm/providers/providers.csv", ns=(1, 1))
    assert load_landing(landing, database).files_known == 7
    assert fingerprint(database) == before


def test_same_bytes_under_a_new_name_load_once(landing: Path, tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    load_landing(landing, database)
    before = fingerprint(database)["pm__appointments"]
    land(landing, {"pm/appointments/resent.csv": JAN_02})
    summary = load_landing(landing, database)
    assert (summary.files_new, summary.files_duplicate, summary.load_id) == (0, 1, 2)
    assert fingerprint(database)["pm__appointments"] == before
    assert query(
        database, "SELECT load_id FROM raw._landing_paths WHERE path = 'pm/appointments/resent.csv'"
    ) == [(2,)]


def test_misplaced_file_loads_once_moved_into_place(tmp_path: Path) -> None:
    landing, database = tmp_path / "landing", tmp_path / "w.duckdb"
    land(landing, {"appointments.csv": JAN_02})
    assert load_landing(landing, database).files_quarantined == 1
    (landing / "appointments.csv").unlink()
    land(landing, {"pm/appointments/appointments.csv": JAN_02})
    summary = load_landing(landing, database)
    assert (summary.files_new, dict(summary.rows_loaded)) == (1, {"pm/appointments": 1})


def test_a_crash_mid_file_leaves_no_part_of_it(
    landing: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "w.duckdb"
    real_insert_manifest = raw_store.insert_manifest

    def crash_on_second_file(con, files, loaded_at) -> None:
        if any(ref.source_file == "pm/appointments/2026-01-02.csv" for ref, _ in files):
            raise OSError("power cut")
        real_insert_manifest(con, files, loaded_at)

    monkeypatch.setattr(raw_store, "insert_manifest", crash_on_second_file)
    with pytest.raises(OSError, match="power cut"):
        load_landing(landing, database)
    # The appointment files share a batch: the first one's rows went with the second one's.
    assert query(database, "SELECT count(*) FROM raw.pm__appointments") == [(0,)]
    assert query(
        database, "SELECT count(*) FROM raw._quarantine WHERE extract <> '(unrecognized)'"
    ) == [(0,)]
    assert query(database, "SELECT source_file FROM raw._load_manifest") == [("notes.txt",)]
    assert query(database, "SELECT path FROM raw._landing_paths") == [("notes.txt",)]

    monkeypatch.setattr(raw_store, "insert_manifest", real_insert_manifest)
    summary = load_landing(landing, database)
    assert (summary.files_known, summary.files_new, summary.files_duplicate) == (1, 5, 1)
    assert query(database, "SELECT count(*) FROM raw.pm__appointments") == [(3,)]


def test_wholly_quarantined_files_are_copied_with_their_reason(
    landing: Path, tmp_path: Path
) -> None:
    quarantine = tmp_path / "quarantine"
    load_landing(landing, tmp_path / "w.duckdb", quarantine_dir=quarantine)
    copied = sorted(p.relative_to(quarantine).as_posix() for p in quarantine.rglob("*.*"))
    assert copied == [
        "notes.txt",
        "notes.txt.reason.txt",
        "pm/appointmnts/typo.csv",
        "pm/appointmnts/typo.csv.reason.txt",
        "pm/patients/patients.csv",
        "pm/patients/patients.csv.reason.txt",
    ]
    assert (quarantine / "notes.txt").read_bytes() == b"call Bob"
    lines = (quarantine / "pm/patients/patients.csv.reason.txt").read_text().splitlines()
    assert lines[0] == "file: pm/patients/patients.csv"
    assert lines[1] == "sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert lines[-1] == (
        "- pm/patients/patients.csv is empty; a CSV extract needs at least a header row naming "
        "its columns"
    )


def test_quarantine_inside_landing_is_refused(landing: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="must not be inside"):
        load_landing(landing, tmp_path / "w.duckdb", quarantine_dir=landing / "quarantine")


def test_progress_and_one_line(landing: Path, tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    summary = load_landing(
        landing,
        tmp_path / "w.duckdb",
        progress=lambda path, done, total: calls.append((path, done, total)),
    )
    assert calls[0] == ("notes.txt", 1, 7)
    assert calls[-1] == ("pm/providers/providers.csv", 7, 7)
    assert len(calls) == 7
    assert re.sub(r"[\d.]+ s$", "<t> s", summary.one_line()) == (
        "load 1: 7 files (6 new, 1 duplicate, 0 already loaded, 1 hidden ignored); "
        "3 quarantined, 1 partial; 4 rows loaded, 3 quarantined; <t> s"
    )


@dataclass
class FakeX12Result:
    transaction_type: str
    tables: dict[str, pa.Table]
    issues: list[LoadIssue] = field(default_factory=list)
    units_total: int = 0
    units_loaded: int = 0
    units_quarantined: int = 0


class FakeX12Reader:
    """Stands in for ingestion.x12.reader.read_x12_files; records how it was called."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str], dict]] = []

    def __call__(
        self, sources: list, *, expected: str, seen_interchanges: dict | None = None
    ) -> list[FakeX12Result]:
        assert seen_interchanges is not None
        self.calls.append((expected, [s.source_file for s in sources], seen_interchanges))
        return [self.read_one(s.data, s.source_file, s.file_hash, expected) for s in sources]

    @staticmethod
    def read_one(data: bytes, source_file: str, file_hash: str, expected: str) -> FakeX12Result:
        if data == b"garbage":
            issue = LoadIssue("not_x12", f"{source_file} does not start with ISA", units=1)
            return FakeX12Result(expected, {}, [issue], 1, 0, 1)
        # Built through DuckDB: pyarrow's own constructors import pandas, seconds per test run.
        rows = (
            duckdb.connect()
            .sql(
                "SELECT $hash AS _file_hash, $source AS _source_file, "
                "unnest([3, 7]) AS _segment_position, unnest(['C1', 'C2']) AS claim_id",
                params={"hash": file_hash, "source": source_file},
            )
            .to_arrow_table()
        )
        issues = [
            LoadIssue("bad_segment", "segment 9: CLP with 3 elements", "segment", 9, units=2),
            LoadIssue(
                "unbalanced", "BPR02 is not the sum", "transaction", 1, disposition="flagged"
            ),
        ]
        return FakeX12Result(expected, {"x12_fake_claims": rows}, issues, 10, 8, 2)


def test_x12_files_go_to_the_x12_reader(tmp_path: Path) -> None:
    landing, database = tmp_path / "landing", tmp_path / "w.duckdb"
    land(
        landing,
        {
            "claims/batch1.837": "ISA*...",
            "claims/batch2.x12": "ISA*2",
            "remits/era1.edi": "ISA*era",
            "remits/broken.835": "garbage",
            "claims/batch1.pdf": "%PDF",
        },
    )
    reader = FakeX12Reader()
    summary = load_landing(
        landing, database, x12_reader=reader, quarantine_dir=tmp_path / "quarantine"
    )
    # One call per batch (the misplaced batch1.pdf, in path order, splits claims/ in two),
    # all sharing the interchange numbers seen (none in a new database).
    assert [(expected, sources) for expected, sources, _ in reader.calls] == [
        ("837", ["claims/batch1.837"]),
        ("837", ["claims/batch2.x12"]),
        ("835", ["remits/broken.835", "remits/era1.edi"]),
    ]
    assert reader.calls[0][2] == {}
    assert reader.calls[0][2] is reader.calls[1][2] is reader.calls[2][2]
    assert (dict(summary.rows_loaded), dict(summary.rows_quarantined)) == (
        {"claims": 16, "remits": 8, "(unrecognized)": 0},
        {"claims": 4, "remits": 3, "(unrecognized)": 1},
    )
    assert query(
        database,
        "SELECT _source_file, claim_id, _segment_position, _load_id FROM raw.x12_fake_claims "
        "ORDER BY 1, 3",
    ) == [
        ("claims/batch1.837", "C1", 3, 1),
        ("claims/batch1.837", "C2", 7, 1),
        ("claims/batch2.x12", "C1", 3, 1),
        ("claims/batch2.x12", "C2", 7, 1),
        ("remits/era1.edi", "C1", 3, 1),
        ("remits/era1.edi", "C2", 7, 1),
    ]
    assert query(
        database,
        "SELECT source_file, unit, units_total, units_loaded, units_quarantined, status "
        "FROM raw._load_manifest ORDER BY 1",
    ) == [
        ("claims/batch1.837", "segment", 10, 8, 2, "partial"),
        ("claims/batch1.pdf", "file", 1, 0, 1, "quarantined"),
        ("claims/batch2.x12", "segment", 10, 8, 2, "partial"),
        ("remits/broken.835", "segment", 1, 0, 1, "quarantined"),
        ("remits/era1.edi", "segment", 10, 8, 2, "partial"),
    ]
    assert query(
        database,
        "SELECT position_kind, position, disposition, units FROM raw._quarantine "
        "WHERE source_file = 'remits/era1.edi' ORDER BY position_kind",
    ) == [("segment", 9, "quarantined", 2), ("transaction", 1, "flagged", 0)]
    assert (tmp_path / "quarantine/remits/broken.835").read_bytes() == b"garbage"
    assert not (tmp_path / "quarantine/remits/era1.edi").exists()


def test_raw_tables_follow_the_contract_then_lineage(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    (tmp_path / "landing").mkdir()
    summary: LoadSummary = load_landing(tmp_path / "landing", database)
    assert summary.files_seen == 0
    columns = query(
        database,
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'raw' AND table_name = 'pm__open_slots' ORDER BY ordinal_position",
    )
    assert columns == [
        ("snapshot_date", "DATE"),
        ("provider_id", "VARCHAR"),
        ("slot_start", "TIMESTAMP"),
        ("slot_minutes", "BIGINT"),
        ("slot_type", "VARCHAR"),
        ("_extra", "VARCHAR"),
        ("_source_file", "VARCHAR"),
        ("_file_hash", "VARCHAR"),
        ("_row_number", "BIGINT"),
        ("_load_id", "BIGINT"),
        ("_loaded_at", "TIMESTAMP"),
    ]


def test_an_older_raw_table_gains_new_contract_columns(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute("CREATE TABLE raw.pm__locations (location_id VARCHAR, location_name VARCHAR)")
        con.execute("INSERT INTO raw.pm__locations VALUES ('L1', 'Main')")
        raw_store.create_raw_schema(con)
        rows = con.execute("SELECT location_id, state, _load_id FROM raw.pm__locations").fetchall()
    assert rows == [("L1", None, None)]


@pytest.mark.parametrize(
    ("relative", "kind", "detail"),
    [
        ("pm/appointments/2026-01.CSV", "csv", None),
        ("ehr/charges/c.csv", "csv", None),
        ("remits/era.X12", "x12", None),
        ("pm/appointments/2026/jan.csv", "misplaced", "exactly one folder deep"),
        ("pm/appointments/jan.xlsx", "misplaced", "extracts are .csv files, not '.xlsx'"),
        ("ehr/appointments/a.csv", "misplaced", "'appointments' is not a ehr extract"),
        ("claims/2026/batch.837", "misplaced", "directly in claims/, not in a subfolder"),
        ("claims/batch.835.zip", "misplaced", "claims/ accepts .837, .txt, .x12, .edi files"),
        (
            "exports/a.csv",
            "misplaced",
            "'exports' is not a landing folder (pm, ehr, claims, remits)",
        ),
        ("a.csv", "misplaced", "files do not go directly in the landing folder"),
    ],
)
def test_layout_classification(
    tmp_path: Path, relative: str, kind: str, detail: str | None
) -> None:
    land(tmp_path, {relative: "x", ".hidden/tmp.csv": "x", "pm/appointments/.a.csv.tmp": "x"})
    walk = walk_landing(tmp_path)
    assert walk.hidden == [".hidden/tmp.csv", "pm/appointments/.a.csv.tmp"]
    (landed,) = walk.files
    assert landed.kind == kind
    if detail is None:
        assert landed.problem is None
    else:
        assert landed.problem is not None and detail in landed.problem
        assert landed.problem.startswith(f"{relative} is not in the landing layout: ")
        assert landed.problem.endswith(f"accepted: {LAYOUT}")


def test_an_unparseable_file_does_not_stop_its_batch(tmp_path: Path) -> None:
    landing, database = tmp_path / "landing", tmp_path / "w.duckdb"
    land(
        landing,
        {
            "pm/appointments/a.csv": JAN_02,
            "pm/appointments/b.csv": f"{HEADER}\nA7,P7\n",
            "pm/appointments/c.csv": "\n".join([HEADER, appointment("A8")]),
        },
    )
    summary = load_landing(landing, database)
    assert (summary.files_new, summary.files_quarantined) == (3, 1)
    assert query(
        database, "SELECT _source_file, appointment_id FROM raw.pm__appointments ORDER BY 1"
    ) == [
        ("pm/appointments/a.csv", "A1"),
        ("pm/appointments/c.csv", "A8"),
    ]
    assert query(database, "SELECT source_file, reason_code, units FROM raw._quarantine") == [
        ("pm/appointments/b.csv", "not_csv", 1)
    ]


def test_a_rewritten_file_loads_as_a_new_version(tmp_path: Path) -> None:
    # The contract says landed files are immutable; when a sender rewrites one anyway, the new
    # bytes are a new version (appended, never replacing), and the latest-version rule sees it.
    landing, database = tmp_path / "landing", tmp_path / "w.duckdb"
    land(landing, {"pm/appointments/day.csv": JAN_02})
    load_landing(landing, database)
    land(landing, {"pm/appointments/day.csv": "\n".join([HEADER, appointment("A1", "no_show")])})
    summary = load_landing(landing, database)
    assert (summary.files_new, summary.files_known, summary.files_duplicate) == (1, 0, 0)
    assert query(
        database,
        "SELECT source_file, load_id, units_loaded FROM raw._load_manifest ORDER BY load_id",
    ) == [("pm/appointments/day.csv", 1, 1), ("pm/appointments/day.csv", 2, 1)]
    assert query(
        database, "SELECT status, _load_id FROM raw.pm__appointments ORDER BY _load_id"
    ) == [("cancelled", 1), ("no_show", 2)]
    assert len(query(database, "SELECT * FROM raw._landing_paths")) == 2
    # Loading the folder again changes nothing.
    before = fingerprint(database)
    assert load_landing(landing, database).files_known == 1
    assert fingerprint(database) == before


KILLED_LOAD = """
import os, signal, sys
from pathlib import Path
from ingestion import raw_store
from ingestion.load import load_landing

real, calls = raw_store.insert_manifest, []

def insert_then_die(con, files, loaded_at):
    real(con, files, loaded_at)
    calls.append(files)
    if len(calls) == 2:  # inside the second transaction, its rows and manifest row written
        os.kill(os.getpid(), signal.SIGKILL)

raw_store.insert_manifest = insert_then_die
load_landing(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def content_fingerprint(database: Path) -> dict[str, tuple]:
    """``fingerprint`` without the columns that say when and in which load a row arrived."""
    stamps = "['_load_id', '_loaded_at', 'load_id', 'loaded_at', 'seen_at']"
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'"
        ).fetchall()
        return {
            t: con.execute(
                f"SELECT count(*), md5(coalesce(string_agg(x::VARCHAR, '|' ORDER BY x::VARCHAR), "
                f"'')) FROM (SELECT COLUMNS(lambda c: NOT list_contains({stamps}, c)) "
                f'FROM raw."{t}") AS x'
            ).fetchall()[0]
            for (t,) in tables
        }


def test_a_load_killed_mid_transaction_resumes_exactly(landing: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    killed = tmp_path / "killed.duckdb"
    run = subprocess.run(
        [sys.executable, "-c", KILLED_LOAD, str(landing), str(killed)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == -9, run.stderr
    # The first batch (notes.txt) committed; the second (the appointment files) left nothing.
    assert query(killed, "SELECT source_file FROM raw._load_manifest") == [("notes.txt",)]
    assert query(killed, "SELECT count(*) FROM raw.pm__appointments") == [(0,)]
    assert query(killed, "SELECT DISTINCT source_file FROM raw._quarantine") == [("notes.txt",)]
    summary = load_landing(landing, killed)
    assert (summary.files_known, summary.files_new, summary.files_duplicate) == (1, 5, 1)
    clean = tmp_path / "clean.duckdb"
    load_landing(landing, clean)
    assert content_fingerprint(killed) == content_fingerprint(clean)
    assert content_fingerprint(clean)["pm__appointments"][0] == 3


def test_an_interchange_number_reused_by_a_later_load_is_flagged(tmp_path: Path) -> None:
    # The loader hands the X12 reader every interchange number earlier loads stored, so a
    # changed resend is caught across days, not only within one batch.
    valid = Path(__file__).parent / "data/bad/x12/valid/remits/valid.835"
    landing, database = tmp_path / "landing", tmp_path / "w.duckdb"
    land(landing, {"remits/2026-01-05.835": valid.read_bytes()})
    load_landing(landing, database)
    resent = valid.read_bytes().replace(b"DTM*405*20260104", b"DTM*405*20260105")
    land(landing, {"remits/2026-01-06.835": resent})
    summary = load_landing(landing, database)
    assert (summary.files_new, summary.files_quarantined) == (1, 0)
    [(code, disposition, position, reason)] = query(
        database,
        "SELECT reason_code, disposition, position, reason FROM raw._quarantine "
        "WHERE source_file = 'remits/2026-01-06.835'",
    )
    assert (code, disposition, position) == ("reused_interchange_control", "flagged", 1)
    assert "was already used by remits/2026-01-05.835 (segment 1)" in reason


class GatedX12Reader(FakeX12Reader):
    """Holds each read until a CSV batch has committed (at most ``wait`` seconds), and can fail
    on a chosen call: proves that X12 reading overlaps CSV loading and how failures surface."""

    def __init__(self, csv_committed: threading.Event, fail_on_call: int | None = None) -> None:
        super().__init__()
        self.csv_committed = csv_committed
        self.fail_on_call = fail_on_call
        self.saw_csv_first: list[bool] = []
        self.threads: set[str] = set()

    def __call__(self, sources: list, *, expected: str, seen_interchanges: dict | None = None):
        self.threads.add(threading.current_thread().name)
        self.saw_csv_first.append(self.csv_committed.wait(timeout=10))
        if len(self.calls) + 1 == self.fail_on_call:
            self.calls.append((expected, [s.source_file for s in sources], {}))
            raise ValueError(f"reader broke on {sources[0].source_file}")
        return super().__call__(sources, expected=expected, seen_interchanges=seen_interchanges)


def x12_and_csv_landing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """claims/ (3 one-file batches) sorts before pm/; the event is set when pm/ commits."""
    land(
        tmp_path / "landing",
        {
            "claims/a.837": "ISA*a",
            "claims/b.837": "ISA*b",
            "claims/c.837": "ISA*c",
            "pm/appointments/2026-01-01.csv": JAN_01,
        },
    )
    monkeypatch.setitem(load_module.BATCH_LIMITS, "x12", (1, 1 << 20))
    committed = threading.Event()
    real_insert_manifest = raw_store.insert_manifest

    def insert_manifest(con, files, loaded_at) -> None:
        real_insert_manifest(con, files, loaded_at)
        if files[0][0].extract == "pm/appointments":
            committed.set()  # (just before the commit: close enough for the reader's wait)

    monkeypatch.setattr(raw_store, "insert_manifest", insert_manifest)
    return committed


def test_x12_is_read_on_a_worker_while_csv_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    committed = x12_and_csv_landing(tmp_path, monkeypatch)
    reader = GatedX12Reader(committed)
    progress_threads: set[str] = set()
    summary = load_landing(
        tmp_path / "landing",
        tmp_path / "w.duckdb",
        x12_reader=reader,
        progress=lambda *_: progress_threads.add(threading.current_thread().name),
    )
    # claims/a.837 comes first in path order, yet its read waited for the CSV batch and the
    # load went on: the CSV batch did not wait for the X12 reads.
    assert reader.saw_csv_first == [True, True, True]
    assert reader.threads == {"x12-read"}
    assert progress_threads == {threading.main_thread().name}
    assert [sources for _, sources, _ in reader.calls] == [
        ["claims/a.837"],
        ["claims/b.837"],
        ["claims/c.837"],
    ]
    assert (summary.files_new, dict(summary.rows_loaded)) == (
        4,
        {"claims": 24, "pm/appointments": 2},
    )
    assert query(
        tmp_path / "w.duckdb",
        "SELECT _source_file, count(*) FROM raw.x12_fake_claims GROUP BY 1 ORDER BY 1",
    ) == [("claims/a.837", 2), ("claims/b.837", 2), ("claims/c.837", 2)]
    assert not [t for t in threading.enumerate() if t.name == "x12-read"]


def test_a_failing_x12_read_raises_its_own_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    committed = x12_and_csv_landing(tmp_path, monkeypatch)
    reader = GatedX12Reader(committed, fail_on_call=2)
    database = tmp_path / "w.duckdb"
    with pytest.raises(ValueError, match=r"^reader broke on claims/b\.837$"):
        load_landing(tmp_path / "landing", database, x12_reader=reader)
    # The worker stopped at the failure (no read of c.837) and is gone; what committed before
    # it stays, like any batch committed before a failing one.
    assert [sources for _, sources, _ in reader.calls] == [["claims/a.837"], ["claims/b.837"]]
    assert not [t for t in threading.enumerate() if t.name == "x12-read"]
    assert query(database, "SELECT source_file FROM raw._load_manifest ORDER BY 1") == [
        ("claims/a.837",),
        ("pm/appointments/2026-01-01.csv",),
    ]
    # The next load reads what is left.
    summary = load_landing(tmp_path / "landing", database, x12_reader=FakeX12Reader())
    assert (summary.files_known, summary.files_new) == (2, 2)


def test_a_failure_in_the_loading_thread_stops_the_x12_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    x12_and_csv_landing(tmp_path, monkeypatch)
    monkeypatch.setattr(load_module, "X12_READ_AHEAD", 1)  # the worker blocks on a full queue
    real_insert_csv_rows = raw_store.insert_csv_rows

    def disk_full(*args, **kwargs) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(raw_store, "insert_csv_rows", disk_full)
    database = tmp_path / "w.duckdb"
    with pytest.raises(OSError, match="disk full"):
        load_landing(tmp_path / "landing", database, x12_reader=FakeX12Reader())
    assert not [t for t in threading.enumerate() if t.name == "x12-read"]
    assert query(
        database, "SELECT count(*) FROM raw._load_manifest WHERE extract = 'pm/appointments'"
    ) == [(0,)]
    monkeypatch.setattr(raw_store, "insert_csv_rows", real_insert_csv_rows)
    # Whatever X12 batches committed before the failure, the next load completes the set once.
    load_landing(tmp_path / "landing", database, x12_reader=FakeX12Reader())
    assert query(database, "SELECT count(*) FROM raw._load_manifest") == [(4,)]
    assert query(database, "SELECT count(*) FROM raw.x12_fake_claims") == [(6,)]
