"""The CSV reader: RFC 4180 parsing, typing, row and file quarantine with actionable reasons."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingestion.contracts import EXTRACTS
from ingestion.csv_reader import CsvReadResult, CsvSource, read_csv_file, read_csv_files

APPOINTMENT_HEADER = (
    "appointment_id,patient_id,provider_id,location_id,appointment_type,requested_at,"
    "booked_at,scheduled_start,status"
)
GOOD = (
    "A1,P1,D1,L1,established,2026-01-02 08:00:00,2026-01-02 08:05:00,2026-01-09 09:00:00,completed"
)


def read(tmp_path: Path, key: str, content: str | bytes, name: str = "a.csv") -> CsvReadResult:
    path = tmp_path / key / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return read_csv_file(path, EXTRACTS[key], source_file=f"{key}/{name}")


def rows_of(result: CsvReadResult) -> list[dict]:
    relation = result.rows()
    assert relation is not None
    return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]


def test_bom_free_column_order_quoted_newline_and_extra_columns(tmp_path: Path) -> None:
    content = (
        "\ufeffstatus,appointment_id,patient_id,provider_id,location_id,appointment_type,"
        "requested_at,booked_at,scheduled_start,copay_due,duration_min,front_desk_note\r\n"
        "completed,A1,P1,D1,L1,established,2026-01-02 08:00:00,2026-01-02T08:05:00,"
        '2026-01-09 09:00:00,25.50,20,"called twice, ""urgent""\r\nsee chart"\r\n'
        "no_show,A2,P2,D1,L1,new_patient,2026-01-03 10:00:00,2026-01-03 10:01:00,"
        '2026-01-10 11:30:00,"",,\r\n'
    )
    result = read(tmp_path, "pm/appointments", content)
    assert (result.units_total, result.units_loaded, result.units_quarantined) == (2, 2, 0)
    # The extra column loads, and the practice hears of it once per file (a misspelt optional
    # column would otherwise be silently empty).
    [warning] = result.issues()
    assert (warning.reason_code, warning.disposition, warning.units) == (
        "extra_columns",
        "flagged",
        0,
    )
    assert warning.value == "front_desk_note"
    assert warning.reason == (
        "pm/appointments/a.csv has 1 column(s) the contract of pm/appointments does not define: "
        "front_desk_note; kept in the raw layer's _extra and ignored downstream (is one a "
        "misspelt contract column?)"
    )
    first, second = rows_of(result)
    assert first["status"] == "completed"
    assert first["booked_at"] == dt.datetime(2026, 1, 2, 8, 5)  # the T form is accepted
    assert first["copay_due"] == Decimal("25.50")
    assert first["duration_min"] == 20
    assert first["checked_in_at"] is None  # contract column absent from the file
    assert json.loads(first["_extra"]) == {"front_desk_note": 'called twice, "urgent"\r\nsee chart'}
    assert first["_row_number"] == 1
    # Empty fields, quoted or not, are null; a row whose extra columns are all empty has no _extra.
    assert (second["copay_due"], second["duration_min"], second["_extra"]) == (None, None, None)
    assert second["_row_number"] == 2


def test_reason_names_file_row_column_value_and_expected_format(tmp_path: Path) -> None:
    bad = GOOD.replace("2026-01-09 09:00:00", "2026-13-01 09:00")
    content = "\n".join([APPOINTMENT_HEADER] + [GOOD] * 16 + [bad]) + "\n"
    result = read(tmp_path, "pm/appointments", content)
    (issue,) = result.issues()
    assert issue.reason == (
        "pm/appointments/a.csv row 17, column scheduled_start: '2026-13-01 09:00' is not a "
        "timestamp (expected YYYY-MM-DD HH:MM:SS)"
    )
    assert (issue.position_kind, issue.position, issue.column_name, issue.value) == (
        "row",
        17,
        "scheduled_start",
        "2026-13-01 09:00",
    )
    assert (issue.reason_code, issue.disposition, issue.units) == (
        "bad_timestamp",
        "quarantined",
        1,
    )
    assert (result.units_total, result.units_loaded, result.units_quarantined) == (17, 16, 1)
    assert [r["_row_number"] for r in rows_of(result)] == list(range(1, 17))


def test_each_rule_quarantines_its_row_and_a_row_counts_once(tmp_path: Path) -> None:
    header = "auth_id,patient_id,payer_id,provider_id,cpt_code,urgency,channel,requested_at,"
    header += "decision,valid_from,peer_to_peer"
    ok = "X1,P1,Y1,D1,99213,standard,portal,2026-01-05 10:00:00,approved,2026-01-06,false"
    lines = [
        header,
        ok,  # 1 loads
        "X2,,Y1,D1,99213,standard,portal,2026-01-05 10:00:00,,,",  # 2 patient_id empty
        "X3,P1,Y1,D1,99213,urgent,email,2026-01-05 10:00:00,,,",  # 3 two closed-list misses
        "X4,P1,Y1,D1,99213,standard,fax,2026-01-05 10:00:00,,2026-02-30,yes",  # 4 date, boolean
        ok.replace("X1", "X5").replace("false", "true"),  # 5 loads
    ]
    result = read(tmp_path, "pm/prior_auths", "\n".join(lines))
    found = [(i.position, i.column_name, i.reason_code, i.units) for i in result.issues()]
    assert found == [
        (2, "patient_id", "missing_value", 1),
        (3, "urgency", "value_not_allowed", 1),
        (3, "channel", "value_not_allowed", 0),
        (4, "valid_from", "bad_date", 1),
        (4, "peer_to_peer", "bad_boolean", 0),
    ]
    assert result.issues()[0].reason == (
        "pm/prior_auths/a.csv row 2, column patient_id: required value is empty"
    )
    assert result.issues()[2].reason == (
        "pm/prior_auths/a.csv row 3, column channel: 'email' is not an allowed value "
        "(expected one of: x12_278, portal, fax, phone)"
    )
    assert (result.units_total, result.units_loaded, result.units_quarantined) == (5, 2, 3)
    loaded = rows_of(result)
    assert [(r["auth_id"], r["peer_to_peer"], r["_row_number"]) for r in loaded] == [
        ("X1", False, 1),
        ("X5", True, 5),
    ]


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("125.00", Decimal("125.00")),
        ("-5", Decimal("-5.00")),
        ("0.5", Decimal("0.50")),
        ("125.005", None),  # sub-cent amounts are refused, not rounded
        ("$125.00", None),
        ("1,250.00", None),
        (" 12.00", None),
    ],
)
def test_money_format(tmp_path: Path, value: str, accepted: Decimal | None) -> None:
    content = (
        "payment_id,patient_id,received_at,amount,method\n"
        f'Y1,P1,2026-03-01 12:00:00,"{value}",portal\n'
    )
    result = read(tmp_path, "pm/patient_payments", content)
    if accepted is None:
        assert [i.reason_code for i in result.issues()] == ["bad_money"]
        assert result.units_loaded == 0
    else:
        assert rows_of(result)[0]["amount"] == accepted


def test_integer_decimal_and_timestamp_edges(tmp_path: Path) -> None:
    content = (
        "work_item_id,staff_id,work_type,channel,started_at,touch_minutes\n"
        "W1,S1,coding,internal,2026-03-01 12:00:00,0.333333\n"  # decimals round to 4 places
        "W2,S1,coding,internal,2026-03-01 24:00:00,1\n"  # hour 24
        "W3,S1,coding,internal,2026-03-01,1\n"  # date where a timestamp is due
        "W4,S1,coding,internal,2026-03-01 12:00:00,1e3\n"  # no exponents
    )
    result = read(tmp_path, "pm/work_items", content)
    assert [(i.position, i.reason_code) for i in result.issues()] == [
        (2, "bad_timestamp"),
        (3, "bad_timestamp"),
        (4, "bad_decimal"),
    ]
    assert rows_of(result)[0]["touch_minutes"] == Decimal("0.3333")


def test_format_notes_flag_rows_without_dropping_them(tmp_path: Path) -> None:
    content = (
        "provider_id,npi,provider_name,specialty,location_id,active_from\n"
        "D1,1234567893,Dr A,cardiology,L1,2024-01-01\n"
        "D2,12345,Dr B,sleep_medicine,L1,2024-01-01\n"
    )
    result = read(tmp_path, "pm/providers", content)
    (flag,) = result.issues()
    assert (flag.position, flag.disposition, flag.units) == (2, "flagged", 0)
    assert flag.reason == (
        "pm/providers/a.csv row 2, column npi: '12345' does not look like a 10-digit NPI "
        "(row loaded anyway)"
    )
    assert (result.units_loaded, result.units_quarantined) == (2, 0)
    # An open list ("e.g.") takes any value.
    assert [r["specialty"] for r in rows_of(result)] == ["cardiology", "sleep_medicine"]


def test_duplicate_keys_within_a_file_are_all_kept(tmp_path: Path) -> None:
    cancelled = GOOD.replace("completed", "cancelled")
    result = read(tmp_path, "pm/appointments", f"{APPOINTMENT_HEADER}\n{GOOD}\n{cancelled}\n")
    assert [(r["appointment_id"], r["status"]) for r in rows_of(result)] == [
        ("A1", "completed"),
        ("A1", "cancelled"),
    ]


def test_header_only_file_loads_zero_rows(tmp_path: Path) -> None:
    result = read(tmp_path, "pm/appointments", APPOINTMENT_HEADER)
    assert not result.wholly_quarantined
    assert (result.units_total, result.units_loaded, result.issues()) == (0, 0, [])
    assert rows_of(result) == []


def file_issue(result: CsvReadResult) -> tuple[str, str]:
    assert result.wholly_quarantined and result.rows() is None
    (issue,) = result.issues()
    assert issue.position_kind == "file"
    assert issue.units == result.units_total == result.units_quarantined
    return issue.reason_code, issue.reason


def test_not_utf8_names_the_byte_offset(tmp_path: Path) -> None:
    content = f"{APPOINTMENT_HEADER}\n{GOOD}\n".encode() + "A2,Zoë".encode("latin-1") + b"\n"
    result = read(tmp_path, "pm/appointments", content)
    offset = len(APPOINTMENT_HEADER) + len(GOOD) + 2 + len("A2,Zo")
    assert file_issue(result) == (
        "not_utf8",
        f"pm/appointments/a.csv is not UTF-8: invalid byte sequence eb 0a at byte offset "
        f"{offset} (line 3); export or save the file as UTF-8",
    )
    assert result.units_total == 2


def test_not_utf8_in_the_header(tmp_path: Path) -> None:
    result = read(tmp_path, "pm/appointments", b"appointment_id,\xff\n")
    code, reason = file_issue(result)
    assert code == "not_utf8" and "byte offset 15 (line 1)" in reason


@pytest.mark.parametrize(
    ("content", "code", "detail"),
    [
        (b"", "empty_file", "pm/appointments/a.csv is empty"),
        (b"\xef\xbb\xbf\r\n", "empty_file", "pm/appointments/a.csv is empty"),
        (f"\n{APPOINTMENT_HEADER}\n".encode(), "no_header", "line 1 is blank"),
        (f"{APPOINTMENT_HEADER}\n{GOOD},extra\n".encode(), "not_csv", "Found: 10"),
        (f'{APPOINTMENT_HEADER}\n{GOOD[:-9]}"completed\n'.encode(), "not_csv", "unterminated"),
        (f"{APPOINTMENT_HEADER},status\n".encode(), "duplicate_columns", "more than once: status"),
        (f"{APPOINTMENT_HEADER},\n".encode(), "empty_column_name", "column 10"),
    ],
)
def test_unreadable_files_are_rejected_whole(
    tmp_path: Path, content: bytes, code: str, detail: str
) -> None:
    found_code, reason = file_issue(read(tmp_path, "pm/appointments", content))
    assert found_code == code
    assert detail in reason


def test_ragged_row_reason_points_at_the_line(tmp_path: Path) -> None:
    result = read(tmp_path, "pm/appointments", f"{APPOINTMENT_HEADER}\n{GOOD}\nA2,P2\n")
    assert file_issue(result) == (
        "not_csv",
        "pm/appointments/a.csv is not parseable CSV (comma-separated, RFC 4180 quoting): "
        "CSV Error on Line: 3; Original Line: A2,P2; Expected Number of Columns: 9 Found: 2",
    )
    assert result.units_total == 2


def test_missing_required_columns_lists_them_and_the_columns_found(tmp_path: Path) -> None:
    content = "appointment_id,Patient_ID,provider_id,location_id,appointment_type\nA1,P1,D1,L1,x\n"
    code, reason = file_issue(read(tmp_path, "pm/appointments", content))
    assert code == "missing_columns"
    # Patient_ID is read as patient_id (case is lenient), so it is not among the missing; the
    # columns found are listed as landed.
    assert reason == (
        "pm/appointments/a.csv lacks required column(s) requested_at, booked_at, "
        "scheduled_start, status of pm/appointments; columns found: appointment_id, "
        "Patient_ID, provider_id, location_id, appointment_type (is the first line the header "
        "row?)"
    )


def test_semicolon_files_get_a_hint(tmp_path: Path) -> None:
    content = APPOINTMENT_HEADER.replace(",", ";") + "\n"
    _, reason = file_issue(read(tmp_path, "pm/appointments", content))
    assert reason.endswith("(the file does not look comma-separated; the contract requires commas)")


def test_row_numbers_hold_across_parallel_parse_chunks(tmp_path: Path) -> None:
    # ~45 MB: DuckDB splits a file this size between threads (and, being over
    # SMALL_FILE_BYTES, it is parsed twice rather than staged); row numbers must still be file
    # order, also for the bad rows far down the file.
    path = tmp_path / "pm" / "open_slots" / "big.csv"
    path.parent.mkdir(parents=True)
    duckdb.execute(
        f"""COPY (
            SELECT DATE '2026-01-05' AS snapshot_date, 'D' || i AS provider_id,
                CASE WHEN i IN (123456, 654321)
                     THEN 'not a time'
                     ELSE strftime(TIMESTAMP '2026-01-05 08:00:00' + INTERVAL (i) MINUTE,
                                   '%Y-%m-%d %H:%M:%S') END AS slot_start,
                i + 1 AS slot_minutes, 'any' AS slot_type
            FROM range(700000) t(i)
        ) TO '{path}' (HEADER)"""
    )
    with read_csv_file(path, EXTRACTS["pm/open_slots"], source_file="pm/open_slots/big.csv") as r:
        assert [i.position for i in r.issues()] == [123457, 654322]
        rows = r.rows()
        assert rows is not None
        [(mismatches,)] = rows.aggregate(
            "count(*) FILTER (WHERE _row_number <> slot_minutes)"
        ).fetchall()
        assert (r.units_loaded, mismatches) == (699998, 0)


def test_files_are_read_together_and_accounted_one_by_one(tmp_path: Path) -> None:
    folder = tmp_path / "pm" / "appointments"
    folder.mkdir(parents=True)
    reordered = APPOINTMENT_HEADER.split(",")[::-1]
    files = {
        "a.csv": f"{APPOINTMENT_HEADER}\n{GOOD}\n{GOOD.replace('A1', 'A2')}\n",
        "b.csv": f"{APPOINTMENT_HEADER}\n{GOOD}\nA9,P9\n",  # ragged: rejected on its own
        "c.csv": ",".join(reordered) + "\n" + ",".join(GOOD.split(",")[::-1]) + "\n",
        "d.csv": f"{APPOINTMENT_HEADER}\n{GOOD.replace('completed', 'done')}\n{GOOD}\n",
    }
    for name, content in files.items():
        (folder / name).write_text(content)
    sources = [CsvSource(folder / name, f"pm/appointments/{name}") for name in files]
    with read_csv_files(sources, EXTRACTS["pm/appointments"]) as result:
        assert [
            (f.source_file, f.units_total, f.units_loaded, f.units_quarantined)
            for f in result.files
        ] == [
            ("pm/appointments/a.csv", 2, 2, 0),
            ("pm/appointments/b.csv", 2, 0, 2),
            ("pm/appointments/c.csv", 1, 1, 0),
            ("pm/appointments/d.csv", 2, 1, 1),
        ]
        assert [i.reason_code for i in result.files[1].file_issues] == ["not_csv"]
        loaded = sorted(
            (r["_source_file"], r["_row_number"], r["appointment_id"]) for r in rows_of(result)
        )
        assert loaded == [
            ("pm/appointments/a.csv", 1, "A1"),
            ("pm/appointments/a.csv", 2, "A2"),
            ("pm/appointments/c.csv", 1, "A1"),
            ("pm/appointments/d.csv", 2, "A1"),
        ]
        (row_issue,) = [i for i in result.issues() if i.position_kind == "row"]
        assert row_issue.reason.startswith("pm/appointments/d.csv row 1, column status: 'done'")


def test_line_endings_may_differ_between_files_read_together(tmp_path: Path) -> None:
    header = "payer_id,payer_name,payer_type"
    endings = {"lf.csv": "\n", "crlf.csv": "\r\n", "cr.csv": "\r"}
    sources = []
    for name, end in endings.items():
        path = tmp_path / name
        path.write_bytes(
            end.join([header, f"{name},N,medicare", f'{name},"two{end}lines",other', ""]).encode()
        )
        sources.append(CsvSource(path, name))
    with read_csv_files(sources, EXTRACTS["pm/payers"]) as result:
        assert [(f.units_total, f.units_loaded) for f in result.files] == [(2, 2)] * 3
        assert sorted(
            (r["payer_id"], r["_row_number"], r["payer_name"]) for r in rows_of(result)
        ) == [
            ("cr.csv", 1, "N"),
            ("cr.csv", 2, "two\rlines"),
            ("crlf.csv", 1, "N"),
            ("crlf.csv", 2, "two\r\nlines"),
            ("lf.csv", 1, "N"),
            ("lf.csv", 2, "two\nlines"),
        ]


def test_file_names_are_not_glob_patterns(tmp_path: Path) -> None:
    # DuckDB's read_csv globs its paths: 'a[1].csv' would read 'a1.csv', 'b*.csv' every b.
    rows = {"a[1].csv": "Y1", "a1.csv": "Y2", "b*.csv": "Y3", "bb.csv": "Y4"}
    for name, payer in rows.items():
        (tmp_path / name).write_text(f"payer_id,payer_name,payer_type\n{payer},N,medicare\n")
    sources = [CsvSource(tmp_path / name, name) for name in ("a[1].csv", "b*.csv")]
    with read_csv_files(sources, EXTRACTS["pm/payers"]) as result:
        assert sorted((r["_source_file"], r["payer_id"]) for r in rows_of(result)) == [
            ("a[1].csv", "Y1"),
            ("b*.csv", "Y3"),
        ]


def test_an_unclosed_quote_is_caught_when_files_are_read_together(tmp_path: Path) -> None:
    # With these five files in one scan, DuckDB 2.0 ends the last one at its open quote and
    # drops the rows after it without an error; the reader's own quote count must catch it.
    corpus = Path(__file__).parent / "data" / "bad" / "csv"
    names = [
        "future_date_beyond_reason",
        "header_only",
        "missing_required_value",
        "timestamp_with_zone",
        "unterminated_quote",
    ]
    sources = [CsvSource(corpus / f"{name}.csv", f"pm/appointments/{name}.csv") for name in names]
    with read_csv_files(sources, EXTRACTS["pm/appointments"]) as result:
        counts = [(f.units_total, f.units_loaded, len(f.file_issues)) for f in result.files]
        assert counts == [(3, 2, 0), (0, 0, 0), (3, 1, 0), (2, 1, 0), (3, 0, 1)]
        [issue] = result.files[-1].file_issues
    assert (issue.reason_code, issue.units) == ("not_csv", 3)
    assert issue.reason.startswith(
        "pm/appointments/unterminated_quote.csv is not parseable CSV (comma-separated, RFC 4180 "
        'quoting): CSV Error on Line: 3; Original Line: A2,P2,D1,L1,"established,'
    )
    assert issue.reason.endswith("Value with unterminated quote found.")


def test_an_odd_quote_count_is_named_when_duckdb_finds_nothing(tmp_path: Path) -> None:
    # A stray quote inside an unquoted value: the count is odd, the file is refused.
    result = read(tmp_path, "pm/payers", 'payer_id,payer_name,payer_type\nPY1,Joe"s Health,other\n')
    # (DuckDB's strict mode reads this file alone without complaint.)
    assert file_issue(result) == (
        "not_csv",
        "pm/payers/a.csv is not parseable CSV (comma-separated, RFC 4180 quoting): the file "
        "holds an odd number of double quotes (1): a quoted value is not closed",
    )


def test_header_names_are_matched_leniently_and_the_practice_is_told(tmp_path: Path) -> None:
    header = APPOINTMENT_HEADER.replace("appointment_id", " Appointment ID").replace(
        "status", "STATUS"
    )
    result = read(tmp_path, "pm/appointments", f"{header}\n{GOOD}\n")
    assert (result.units_total, result.units_loaded) == (1, 1)
    [warning] = result.issues()
    assert (warning.reason_code, warning.disposition) == ("header_normalized", "flagged")
    assert warning.value == "' Appointment ID' as appointment_id, 'STATUS' as status"
    [row] = rows_of(result)
    assert (row["appointment_id"], row["status"], row["_extra"]) == ("A1", "completed", None)
    # Two names that match one column after that are a repeated column: refused.
    twice = read(tmp_path, "pm/appointments", f"{APPOINTMENT_HEADER},Status\n{GOOD},x\n", "b.csv")
    assert file_issue(twice) == (
        "duplicate_columns",
        "pm/appointments/b.csv header names a column more than once: status",
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x1f\x8b\x08\x00", "is gzip-compressed; decompress it (gunzip)"),
        (b"PK\x03\x04", "is a ZIP archive or an Excel workbook (.xlsx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1", "is an Excel 97-2003 workbook (.xls)"),
        (b"%PDF-1.7\n", "is a PDF document"),
        (b"payer_id\nP\x001\n", "holds a NUL byte at byte offset 10 (line 2)"),
    ],
)
def test_files_that_are_not_text_say_what_they_are(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    code, text = file_issue(read(tmp_path, "pm/payers", content))
    assert code == "not_text"
    assert text.startswith("pm/payers/a.csv is not CSV text: it ") and reason in text
