"""Cut an X12 file into segments, with the delimiters each interchange declares in its ISA.

The ISA is fixed-width (106 characters with its terminator), which is how a reader learns the
separators: element = 4th character, repetition = ISA11, component = ISA16, segment terminator =
the character after ISA16. Nothing here assumes ``*``, ``:`` or ``~``. Some senders squeeze the
padding out of the ISA (``ISA*00* *00* *ZZ*NVMED *...``); the same rule still finds the
separators when the ISA is split on its element separator (16 elements, then ISA16 and the
terminator), so such a file is read and flagged, not quarantined (see ``parse_isa``).

Speed matters (files of hundreds of MB), so segments are never turned into Python strings:
numpy finds the terminators in the raw bytes and a segment is a (start, end) byte range plus
an integer code for its id. Only the kinds of segment a table needs become text, in bulk
(``Segments.texts``), for polars to split into elements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import polars as pl
import pyarrow as pa

BOM = b"\xef\xbb\xbf"
ISA_LENGTH = 106  # terminator included
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
WHITESPACE = b" \t\r\n"
_MAX_ISA_SCAN = 400  # a squeezed or padded ISA still ends well before this
_SPACES = re.compile(b"[" + re.escape(WHITESPACE) + b"]*")


@dataclass(frozen=True)
class Delimiters:
    element: str
    repetition: str  # ISA11 as sent; pre-5010 habits put 'U' here, which separates nothing
    component: str
    segment: str


@dataclass(frozen=True)
class IsaHeader:
    """An ISA as found in the file: its delimiters, elements and any fixed-width violation."""

    delimiters: Delimiters
    elements: tuple[str, ...]  # ISA01..ISA16, padding kept
    width_problem: str | None  # why it is not the fixed 106 characters; None when it is
    length: int  # characters up to and including the terminator

    @property
    def text(self) -> str:
        """The ISA as sent, without its terminator."""
        return self.delimiters.element.join(("ISA", *self.elements))


@dataclass
class Segments:
    """All segments of a file, in order, as byte ranges of ``raw``.

    Index ``i`` is the segment at position ``i + 1``. ``regime`` indexes ``delimiters``: a new
    regime starts where a later ISA declares other delimiters.
    """

    raw: bytes
    start: np.ndarray  # int64 byte offset of the segment id
    end: np.ndarray  # int64 byte offset of its terminator (exclusive end of its text)
    code: np.ndarray  # int64 segment id code, see segment_code; -1 when unreadable
    regime: np.ndarray  # int64
    delimiters: list[Delimiters]
    isa_headers: dict[int, IsaHeader | None] = field(default_factory=dict)  # by position

    @property
    def count(self) -> int:
        return len(self.start)

    @property
    def array(self) -> np.ndarray:
        return np.frombuffer(self.raw, dtype=np.uint8)

    def text(self, index: int) -> str:
        return self.raw[self.start[index] : self.end[index]].decode("utf-8")

    def texts(self, rows: np.ndarray) -> pl.Series:
        """The text of the segments at ``rows`` (indices) as one String series."""
        return byte_slices(self.array, self.start[rows], self.end[rows] - self.start[rows])


def byte_slices(array: np.ndarray, begin: np.ndarray, length: np.ndarray) -> pl.Series:
    """``array[begin:begin+length]`` per row as a String series, without copying the bytes.

    Arrow string views (16 bytes per row: length, then either up to 12 inline bytes or a
    4-byte prefix and the offset into the buffer) point into the file's own buffer, which
    polars takes as is. A copy of every slice cost seconds per 50 MB; this costs a tenth.
    """
    if len(array) >= 2**31:  # view offsets are 32-bit
        return _copied_slices(array, begin, length)
    views = _views(array, begin, length)
    arrow = pa.Array.from_buffers(
        pa.string_view(), len(begin), [None, pa.py_buffer(views), pa.py_buffer(array)]
    )
    return pl.Series(arrow)


_WORD_MASKS = np.array([0, 0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFF], dtype=np.uint32)


def _views(array: np.ndarray, begin: np.ndarray, length: np.ndarray) -> np.ndarray:
    """(n, 4) words of Arrow string views: the length, then the bytes inline (zero past the
    length) when there are at most 12, else a 4-byte prefix, buffer 0 and the offset."""
    count = len(begin)
    views = np.zeros((count, 4), dtype=np.uint32)
    views[:, 0] = length
    if len(array) < 12:  # no row is longer than the file: all inline
        views.view(np.uint8).reshape(count, 16)[:, 4:] = _inline_bytes(array, begin, length)
        return views
    # Each byte offset read as the start of a little-endian 4-byte word: up to three gathers
    # give a row's 12 inline bytes, masked to its length (no (n, 12) byte arrays). A long row
    # needs only the first word (its prefix) and its offset.
    words = np.ndarray((len(array) - 3,), dtype="<u4", buffer=array, strides=(1,))
    last = len(array) - 4
    short = length <= 12
    word = words[np.minimum(begin, last)]
    views[:, 1] = word & np.where(short, _WORD_MASKS[np.clip(length, 0, 4)], _WORD_MASKS[4])
    views[:, 3] = np.where(short, 0, begin)
    for k in (1, 2):
        needed = short & (length > 4 * k)
        # Gathering a subset costs index arrays: worth it when most rows skip this word.
        rows = np.flatnonzero(needed) if np.count_nonzero(needed) < count // 2 else slice(None)
        at = np.minimum(begin[rows] + 4 * k, last)
        inline = words[at] & _WORD_MASKS[np.clip(length[rows] - 4 * k, 0, 4)]
        if isinstance(rows, np.ndarray):
            views[rows, 1 + k] = inline
        else:  # long rows keep buffer 0 and their offset
            views[:, 1 + k] = np.where(short, inline, views[:, 1 + k])
    # Short rows in the file's last 12 bytes read clipped words: take their bytes one by one.
    near_end = np.flatnonzero(short & (begin + 12 > len(array)))
    if len(near_end):
        views.view(np.uint8).reshape(count, 16)[near_end, 4:] = _inline_bytes(
            array, begin[near_end], length[near_end]
        )
    return views


def _inline_bytes(array: np.ndarray, begin: np.ndarray, length: np.ndarray) -> np.ndarray:
    """(n, 12) bytes from each begin, zero past each length (the inline part of a view)."""
    if len(array) == 0:
        return np.zeros((len(begin), 12), dtype=np.uint8)
    reach = len(array) - 12
    if reach >= 0:
        heads = np.lib.stride_tricks.sliding_window_view(array, 12)[np.minimum(begin, reach)]
    else:
        heads = np.zeros((len(begin), 12), dtype=np.uint8)
    near_end = np.flatnonzero(begin > reach)  # the last few bytes of the file, if any
    if len(near_end):
        spots = np.minimum(begin[near_end, None] + np.arange(12), len(array) - 1)
        heads[near_end] = array[spots]
    return np.where(np.arange(12) < length[:, None], heads, 0)


def _copied_slices(array: np.ndarray, begin: np.ndarray, length: np.ndarray) -> pl.Series:
    offsets = np.zeros(len(length) + 1, dtype=np.int64)
    np.cumsum(length, out=offsets[1:])
    gather = np.repeat(begin - offsets[:-1], length) + np.arange(offsets[-1], dtype=np.int64)
    arrow = pa.LargeStringArray.from_buffers(
        len(length), pa.py_buffer(offsets), pa.py_buffer(array[gather])
    )
    return pl.Series(arrow)


class NotX12Error(ValueError):
    """The bytes do not start with a usable ISA segment."""


def segment_code(segment_id: str) -> int:
    """The integer code ``tokenize`` gives segments with this id (2 or 3 characters)."""
    data = segment_id.encode("latin-1").ljust(3, b"\0")
    return (data[0] << 16) | (data[1] << 8) | data[2]


def parse_isa(raw: bytes, offset: int) -> IsaHeader | None:
    """Read the ISA starting at ``offset``; None when no delimiters can be told from it.

    Elements are read by the separator the 4th character declares, so an ISA whose padding
    was squeezed or stretched (real senders do it) reads like a fixed-width one: ISA16 is the
    component separator and the character after it the segment terminator. ``width_problem``
    says how it departs from the fixed 106 characters; the envelope check flags it.
    """
    head = raw[offset : offset + _MAX_ISA_SCAN]
    if not head.startswith(b"ISA") or len(head) < 4:
        return None
    element = head[3:4]
    if element.isalnum() or element in WHITESPACE:
        return None
    pieces = head.split(element, 16)
    if len(pieces) < 17 or len(pieces[16]) < 2:
        return None
    component, terminator = pieces[16][0:1], pieces[16][1:2]
    if terminator.isalnum() or terminator in b" \t" or component.isalnum():
        return None
    if (
        len({element, component, terminator}) < 3
        or not (element + component + terminator).isascii()
    ):
        return None
    elements = tuple(piece.decode("utf-8", "replace") for piece in pieces[1:16]) + (
        component.decode("ascii"),
    )
    length = sum(len(piece) for piece in pieces[:16]) + 16 + 2
    delimiters = Delimiters(
        element=element.decode("ascii"),
        repetition=elements[10],
        component=component.decode("ascii"),
        segment=terminator.decode("ascii"),
    )
    return IsaHeader(delimiters, elements, _width_problem(elements, length), length)


def _width_problem(elements: tuple[str, ...], length: int) -> str | None:
    for number, (value, width) in enumerate(zip(elements, ISA_WIDTHS, strict=True), start=1):
        if len(value) != width:
            return (
                f"is not fixed-width ({ISA_LENGTH} chars): it is {length} characters long, "
                f"first ISA{number:02d} with {len(value)} character(s) ({value!r}) where the "
                f"fixed width is {width}"
            )
    return None


def decode_to_utf8(data: bytes) -> bytes:
    """The file's bytes as valid UTF-8 (Latin-1 assumed when they are not), BOM removed."""
    if data.startswith(BOM):
        data = data[len(BOM) :]
    if data.isascii():
        return data
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        return data.decode("latin-1").encode("utf-8")


def first_non_space(raw: bytes, offset: int = 0) -> int:
    match = _SPACES.match(raw, offset)
    return match.end() if match else offset


def tokenize(raw: bytes) -> Segments:
    """Split UTF-8 bytes (see ``decode_to_utf8``) into segments; raises NotX12Error."""
    offset = first_non_space(raw)
    header = parse_isa(raw, offset)
    if header is None:
        raise NotX12Error(offset)
    array = np.frombuffer(raw, dtype=np.uint8)
    starts, ends, codes, regimes = [], [], [], []
    delimiters: list[Delimiters] = []
    isa_headers: dict[int, IsaHeader | None] = {}
    position = 0
    while header is not None:
        delimiters.append(header.delimiters)
        start, end = _split_regime(raw, array, offset, header)
        code = segment_codes(array, start, end, header.delimiters.element)
        isa_headers[position + 1] = header
        header = None
        for row in isa_like_rows(array, start, end)[1:].tolist():
            found = parse_isa(raw, int(start[row]))
            isa_headers[position + row + 1] = found
            if found is not None and found.delimiters != delimiters[-1]:
                header, offset = found, int(start[row])
                start, end, code = start[:row], end[:row], code[:row]
                break
        starts.append(start)
        ends.append(end)
        codes.append(code)
        regimes.append(np.full(len(start), len(delimiters) - 1, dtype=np.int64))
        position += len(start)
    return Segments(
        raw,
        np.concatenate(starts),
        np.concatenate(ends),
        np.concatenate(codes),
        np.concatenate(regimes),
        delimiters,
        isa_headers,
    )


def isa_like_rows(array: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Rows starting with 'ISA' and a separator, whichever separator (a later interchange may
    declare another one, so its ISA is not a segment id under the current delimiters)."""
    rows = np.flatnonzero(array[starts] == ord("I"))  # few: ISA, IEA, INS ...
    heads = [bytes(array[start : start + 4]) for start in starts[rows].tolist()]
    keep = [starts_like_isa(head) for head in heads]
    return rows[np.array(keep, dtype=bool)] if rows.size else rows


def starts_like_isa(head: bytes) -> bool:
    """Whether the (up to) 4 bytes a segment starts with are 'ISA' and a separator."""
    return head[:3] == b"ISA" and len(head) == 4 and not head[3:].isalnum()


def _split_regime(
    raw: bytes, array: np.ndarray, offset: int, header: IsaHeader
) -> tuple[np.ndarray, np.ndarray]:
    """Byte ranges of the segments from the ISA at ``offset`` to the end of the file.

    The ISA's own end is known from parsing it (its fields may hold any character); the rest
    is split on the terminator. Leading whitespace (newlines after terminators, indentation)
    is skipped; empty segments are dropped.
    """
    terminator = ord(header.delimiters.segment)
    isa_end = offset + header.length - 1
    body = isa_end + 1
    ends = np.flatnonzero(array[body:] == terminator) + body
    starts = np.empty(len(ends), dtype=np.int64)
    if len(ends):
        starts[0] = body
        starts[1:] = ends[:-1] + 1
    tail_start = int(ends[-1]) + 1 if len(ends) else body
    tail = raw[tail_start:]
    if tail.strip(WHITESPACE):
        # An unterminated last segment (a cut-off file): its trailing whitespace is not data.
        ends = np.append(ends, tail_start + len(tail.rstrip(WHITESPACE)))
        starts = np.append(starts, tail_start)
    starts = skip_whitespace(array, starts, ends, terminator)
    keep = ends > starts
    starts = np.concatenate([[offset], starts[keep]]).astype(np.int64)
    ends = np.concatenate([[isa_end], ends[keep]]).astype(np.int64)
    return starts, ends


def skip_whitespace(
    array: np.ndarray, starts: np.ndarray, ends: np.ndarray, terminator: int
) -> np.ndarray:
    is_space = np.zeros(256, dtype=bool)
    is_space[[byte for byte in WHITESPACE if byte != terminator]] = True
    starts = starts.copy()
    # Whole-array steps while most segments move (one newline, or CR LF, after each
    # terminator): a mask add is cheaper than index arrays. Then only the few still moving.
    for _ in range(2):
        moving = is_space[array[np.minimum(starts, len(array) - 1)]] & (starts < ends)
        if not moving.any():
            return starts
        starts += moving
    active = np.flatnonzero(starts < ends)
    while len(active):
        moving = is_space[array[starts[active]]]
        active = active[moving]
        starts[active] += 1
        active = active[starts[active] < ends[active]]
    return starts


def segment_codes(
    array: np.ndarray, starts: np.ndarray, ends: np.ndarray, element: str
) -> np.ndarray:
    """Segment id codes (see ``segment_code``); -1 for ids that are not 2-3 characters."""
    codes = token_codes(array, starts, ends, element)
    codes[(codes & 0xFFFF) == 0] = -1  # a 1-character id is no segment id
    return codes


def token_codes(
    array: np.ndarray, starts: np.ndarray, ends: np.ndarray, separator: str
) -> np.ndarray:
    """``segment_code`` of the 1-3 character token at each start (up to a separator or the
    end), or -1 when it is longer; vectorized, for segment ids and qualifiers alike."""
    sep = ord(separator)
    if len(array) < 4:
        array = np.concatenate([array, np.full(4 - len(array), sep, dtype=np.uint8)])
    # The four bytes at each start as one little-endian word (byte k is bits 8k..8k+7), read
    # through an unaligned view of the buffer: one gather, no (n, 4) byte array.
    words = np.ndarray((len(array) - 3,), dtype="<u4", buffer=array, strides=(1,))
    words = words[np.minimum(starts, len(array) - 4)]
    # Bytes past a row's end read as the separator.
    length = np.clip(ends - starts, 0, 4)
    keep = _WORD_MASKS[length]
    fill = np.uint32(sep * 0x01010101)
    words = (words & keep) | (fill & ~keep)
    late = np.flatnonzero(starts > len(array) - 4)  # the clipped gather read other bytes
    if len(late):
        fixed = np.full((len(late), 4), sep, dtype=np.uint8)
        for k in range(4):
            inside = k < length[late]
            fixed[inside, k] = array[starts[late][inside] + k]
        words[late] = fixed.view("<u4").ravel()
    found = words ^ fill  # zero bytes where the separator is
    sep1, sep2, sep3 = (found & 0xFF00) == 0, (found & 0xFF0000) == 0, (found >> 24) == 0
    codes = (words.byteswap() >> 8).astype(np.int64)  # bytes 0, 1, 2 as segment_code packs
    codes[sep2] &= 0xFFFF00
    codes[sep1] &= 0xFF0000
    codes[((found & 0xFF) == 0) | ~(sep1 | sep2 | sep3)] = -1
    return codes
