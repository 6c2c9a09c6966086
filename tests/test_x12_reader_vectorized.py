"""The vectorized kernels of the X12 reader on hand-made inputs: segment id codes, loop joins
and the helpers that pick loop rows, join composite components and merge pieces in file order.

Real files rarely reach their edge cases (a segment in the file's last three bytes, an id with
no elements, a row whose parent loop is missing), so these pin them down with values worked
out by hand.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ingestion.x12.segment_rows import first_per, in_file_order, join_on, latest, parts_joined
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


def test_first_per_keeps_the_first_row_of_each_key_across_null_keys() -> None:
    # A null key between two rows of loop 5 does not start a new run: row "c" is no first.
    frame = pl.DataFrame({"loop": [5, None, 5, 8, 8, None], "v": ["a", "b", "c", "d", "e", "f"]})
    found = first_per(frame, "loop", {"value": pl.col("v")})
    assert found.rows() == [(5, "a"), (8, "d")]


def test_parts_joined_keeps_inner_empty_components_and_strips_the_ends() -> None:
    composites = ["HC:99213", "HC:99213:25", "HC:99213::59", "HC:99213:25:::", "HC:1:A:B:C:D:E"]
    frame = pl.DataFrame({"c": [*composites, None]}).with_columns(
        pl.col("c").str.split(":").alias("c_parts")
    )
    # Components 3..6 (0-based 2..5) joined with ':'; none at all is null, not ''.
    found = frame.select(parts_joined("c", 2, 4)).to_series().to_list()
    assert found == [None, "25", "59", "25", "A:B:C:D", None]


def test_in_file_order_orders_ties_by_piece() -> None:
    first = pl.DataFrame({"pos": [3, 9], "k": [1, 1]})
    second = pl.DataFrame({"pos": [3, 5], "k": [2, 2]})
    assert in_file_order([first, second], "pos").rows() == [(3, 1), (3, 2), (5, 2), (9, 1)]
    assert in_file_order([second], "pos") is second
