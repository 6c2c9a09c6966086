"""The vectorized kernels of the X12 reader on hand-made inputs: segment id codes and loop joins.

Real files rarely reach their edge cases (a segment in the file's last three bytes, an id with
no elements, a row whose parent loop is missing), so these pin them down with values worked
out by hand.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ingestion.x12.segment_rows import join_on, latest
from ingestion.x12.tokenizer import segment_code, token_codes


def _codes(text: bytes, spans: list[tuple[int, int]]) -> list[int]:
    array = np.frombuffer(text, dtype=np.uint8)
    starts, ends = (np.array(column, dtype=np.int64) for column in zip(*spans, strict=True))
    return token_codes(array, starts, ends, "*").tolist()


def test_token_codes_read_ids_up_to_the_separator_or_the_end() -> None:
    text = b"CLP*1~N1*PR~LQ~ABCD*1~*X~HL"
    spans = [(0, 5), (6, 11), (12, 14), (15, 21), (22, 24), (25, 27)]
    assert _codes(text, spans) == [
        segment_code("CLP"),
        segment_code("N1"),
        segment_code("LQ"),  # no elements: the id runs to the segment's end
        -1,  # four characters is no id
        -1,  # empty id
        segment_code("HL"),  # in the file's last bytes, past which nothing is read
    ]


def test_token_codes_of_a_file_shorter_than_a_word() -> None:
    assert _codes(b"N1", [(0, 2)]) == [segment_code("N1")]
    assert _codes(b"A", [(0, 1)]) == [0x41 << 16]  # one character: the caller rejects it


def test_latest_keeps_only_openers_after_the_parent() -> None:
    rows = pl.DataFrame({"pos": [2, 5, 7, 9], "parent": [1, 4, None, 8]})
    openers = pl.DataFrame({"pos": [3, 6], "claim_id": ["A", "B"]})
    found = latest(rows, openers, "claim_pos", after="parent", carry=["claim_id"])
    assert found.columns == ["pos", "parent", "claim_pos", "claim_id"]
    # pos 2: no opener yet; 5: opener 3 is before its parent 4; 7: no parent; 9: 6 < 8.
    assert found.get_column("claim_pos").to_list() == [None, None, None, None]
    rows = rows.with_columns(pl.Series("parent", [1, 2, 5, 1]))
    found = latest(rows, openers, "claim_pos", after="parent", carry=["claim_id"])
    assert found.get_column("claim_pos").to_list() == [None, 3, 6, 6]
    assert found.get_column("claim_id").to_list() == [None, "A", "B", "B"]


def test_latest_without_openers_adds_null_columns_of_the_openers_types() -> None:
    rows = pl.DataFrame({"pos": [1, 2], "st_position": [0, 0]})
    openers = pl.DataFrame(schema={"pos": pl.Int64, "claim_id": pl.String})
    found = latest(rows, openers, "claim_pos", carry=["claim_id"])
    assert found.schema["claim_id"] == pl.String
    assert found.get_column("claim_pos").to_list() == [None, None]


def test_join_on_matches_exact_keys_only() -> None:
    left = pl.DataFrame({"key": [1, None, 4, 5, 9], "x": ["a", "b", "c", "d", "e"]})
    right = pl.DataFrame({"k": [1, 5, 7], "value": [10, 50, 70]})
    joined = join_on(left, right, "key", "k")
    assert joined.columns == ["key", "x", "value"]
    assert joined.get_column("value").to_list() == [10, None, None, 50, None]
