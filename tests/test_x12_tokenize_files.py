"""tokenize_files: many files cut in one pass give each file exactly what tokenize gives it.

Compared field by field (byte ranges, segment codes, regimes, delimiters, every ISA header) on
the real samples, the broken corpus and files made to catch a pass that reads across file
boundaries.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from ingestion.x12.tokenize_files import tokenize_files
from ingestion.x12.tokenizer import NotX12Error, Segments, decode_to_utf8, tokenize

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "x12"
CORPUS = Path(__file__).resolve().parent / "data" / "bad" / "x12"
ISA = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501"
    "*{:09d}*0*P*:"
)


def _alone(raw: bytes) -> Segments | None:
    try:
        return tokenize(raw)
    except NotX12Error:
        return None


def _same(alone: Segments | None, batched: Segments | None) -> bool:
    if alone is None or batched is None:
        return alone is batched
    arrays = ("start", "end", "code", "regime")
    return (
        all(np.array_equal(getattr(alone, a), getattr(batched, a)) for a in arrays)
        and alone.raw == batched.raw
        and alone.delimiters == batched.delimiters
        and alone.isa_headers == batched.isa_headers
    )


def _real_files() -> list[bytes]:
    paths = sorted(p for p in SAMPLES.rglob("*") if p.is_file())
    paths += sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix != ".py")
    return [decode_to_utf8(path.read_bytes()) for path in paths]


# Files whose neighbours could leak into a pass over the bytes laid end to end.
CRAFTED = [
    (ISA.format(1) + "~GS*HP*A*B*20240101*1200*1*X*005010X221A1~ST*835*1~ISA").encode(),
    b"\n  " + (ISA.format(2) + "~ST*835*2~SE*2*2~\n").encode(),  # whitespace before the ISA
    (ISA.format(3) + "~ST*835*3~CLP*1*1~SE*3*3").encode(),  # unterminated last segment
    (ISA.format(4) + "\nST*835*4\nSE*2*4\n").encode(),  # '\n' ends
    (ISA.format(5) + "~").encode(),  # an ISA and nothing else
    (ISA.format(6) + "~ST*835*6~ISA*00*bad~SE*3*6~  \r\n").encode(),  # an unreadable later ISA
    (ISA.format(7) + "~ST*835*7~SE*2*7~" + ISA.format(8).replace("*", "|") + "!ST|835|8!").encode(),
    b"not x12 at all",
    b"   ",
]


def test_every_file_is_cut_as_tokenize_cuts_it_alone() -> None:
    raws = _real_files() + CRAFTED
    assert len(raws) > 60
    batched = tokenize_files(raws)
    assert [k for k, raw in enumerate(raws) if not _same(_alone(raw), batched[k])] == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_neighbours_do_not_change_a_file(seed: int) -> None:
    """Any order of the files (each one's neighbours change) gives the same segments."""
    raws = CRAFTED * 3 + _real_files()[:40]
    random.Random(seed).shuffle(raws)
    batched = tokenize_files(raws)
    assert all(_same(_alone(raw), found) for raw, found in zip(raws, batched, strict=True))


def test_crafted_files_are_what_they_claim() -> None:
    """The crafted cases exercise the branches they are there for."""
    cut = tokenize_files(CRAFTED)
    texts = [[s.text(i) for i in range(s.count)] if s else None for s in cut]
    assert texts[0][-1] == "ISA"  # cut off after the segment id: the next file starts with space
    assert texts[1][0].startswith("ISA*00") and texts[1][1:] == ["ST*835*2", "SE*2*2"]
    assert texts[2][-1] == "SE*3*3"
    assert cut[3].delimiters[0].segment == "\n" and texts[3][1:] == ["ST*835*4", "SE*2*4"]
    assert texts[4] == [ISA.format(5)]
    assert cut[5].isa_headers[3] is None
    assert len(cut[6].delimiters) == 2  # the later ISA's '|' and '!' make a second regime
    assert texts[6][-1] == "ST|835|8"
    assert cut[7] is None and cut[8] is None
