"""The simulator's row buffers (tables.Sink): both storage paths, refusals, and take()."""

from __future__ import annotations

import polars as pl
import pytest

from ingestion.simulator.extracts import CHARGES, CLINICAL_NOTES
from ingestion.simulator.tables import NULL, Sink


def test_integer_rows_keep_their_values_and_types() -> None:
    sink = Sink(CLINICAL_NOTES)  # every column an integer: the 2-D array path
    sink.add((20_000, 20_000 * 86_400 + 5, 7, 11, 3, 1_728_000_000, NULL))
    sink.add((20_001, 20_001 * 86_400, 8, 12, 4, 1_728_000_100, 1_728_090_000))
    frame = sink.frame()
    assert frame.columns == ["_day", "_order", *(c.name for c in CLINICAL_NOTES.columns)]
    assert set(frame.dtypes) == {pl.Int64}
    assert frame["note_id"].to_list() == [7, 8]
    assert frame["signed_at"].to_list() == [NULL, 1_728_090_000]


def test_text_rows_keep_nulls() -> None:
    sink = Sink(CHARGES)  # text columns: the column-by-column path
    sink.add((20_000, 1, 9, 1, "99213", None, "E119", 10, 12_500, 1))
    sink.add((20_000, 2, 9, 2, "36415", "25", "E119:I10", 10, 1_500, 2))
    frame = sink.frame()
    assert frame["modifiers"].to_list() == [None, "25"]
    assert frame["icd10_codes"].to_list() == ["E119", "E119:I10"]
    assert frame.schema["cpt_code"] == pl.String and frame.schema["charge_amount"] == pl.Int64


def test_a_none_in_integer_rows_is_stored_as_null() -> None:
    sink = Sink(CLINICAL_NOTES)
    sink.add((1, 2, 3, 4, 5, 6, None))  # not the 2-D array path: the general one keeps it
    sink.add((1, 2, 4, 4, 5, 6, 9))
    assert sink.frame()["signed_at"].to_list() == [None, 9]


@pytest.mark.parametrize("spec", [CLINICAL_NOTES, CHARGES])
def test_rows_of_the_wrong_width_are_refused(spec) -> None:
    sink = Sink(spec)
    sink.add((1, 2, 3))
    with pytest.raises(ValueError, match=spec.path):
        sink.frame()


def test_take_hands_over_the_rows_and_empties_the_sink() -> None:
    sink = Sink(CLINICAL_NOTES)
    sink.add((1, 2, 3, 4, 5, 6, 7))
    sink.flush_if_large()  # below the flush size: the row stays buffered until taken
    taken = sink.take()
    assert taken.height == 1 and taken["note_id"].to_list() == [3]
    assert len(sink) == 0 and sink.frame().height == 0
    sink.add((2, 3, 4, 5, 6, 7, 8))  # the sink keeps working after a take
    assert sink.frame()["note_id"].to_list() == [4]
