"""Column-typed row buffers: the simulator's in-memory form of a landing extract.

Rows are held as ints (ids as numbers, timestamps as epoch seconds, money as cents, enums as
indexes) and turned into contract text only when written, which keeps millions of rows cheap.
Every row carries the day of the file it belongs to and the moment of the change it records.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np
import polars as pl

NULL = -(2**62)
_FLUSH_ROWS = 20_000  # per sink; bounds the rows held as Python tuples (~0.5 kB each)


class Kind(Enum):
    ID = "id"  # int -> prefix + zero-padded number
    TS = "ts"  # epoch seconds
    DATE = "date"  # epoch days
    MONEY = "money"  # cents
    INT = "int"
    TENTHS = "tenths"  # decimal with one place, stored x10
    ENUM = "enum"  # index into values
    TEXT = "text"  # str or None
    BOOL = "bool"  # 0/1


@dataclass(frozen=True)
class Col:
    name: str
    kind: Kind
    prefix: str = ""
    width: int = 0
    values: tuple[str, ...] = ()


def id_col(name: str, prefix: str, width: int) -> Col:
    return Col(name, Kind.ID, prefix=prefix, width=width)


def enum_col(name: str, values: tuple[str, ...]) -> Col:
    return Col(name, Kind.ENUM, values=values)


@dataclass(frozen=True)
class TableSpec:
    path: str  # landing sub-folder, e.g. "pm/appointments"
    columns: tuple[Col, ...]

    @property
    def name(self) -> str:
        return self.path.split("/")[-1]

    def index(self, column: str) -> int:
        return [c.name for c in self.columns].index(column)


class Sink:
    """Append-only rows of one extract: (file_day, order_ts, *column values)."""

    def __init__(self, spec: TableSpec) -> None:
        self.spec = spec
        self._rows: list[tuple] = []
        # The hot path: one C-level append per row; flush_if_large() bounds the buffer.
        self.add = self._rows.append
        self._chunks: list[pl.DataFrame] = []
        self._width = len(spec.columns) + 2

    def flush_if_large(self) -> None:
        """Move buffered rows into typed columns; called once a simulated day."""
        if len(self._rows) >= _FLUSH_ROWS:
            self._flush()

    def add_frame(self, frame: pl.DataFrame) -> None:
        """Bulk rows already in storage form (columns: _day, _order, then the spec's)."""
        self._flush()
        self._chunks.append(frame.select(self._schema_names()).cast(self._schema()))

    def frame(self) -> pl.DataFrame:
        self._flush()
        if not self._chunks:
            return pl.DataFrame(schema=self._schema())
        return pl.concat(self._chunks, how="vertical")

    def take(self) -> pl.DataFrame:
        """All rows, leaving the sink empty (for the rows' last reader: frees their memory)."""
        frame = self.frame()
        self._chunks = []
        return frame

    def __len__(self) -> int:
        return sum(c.height for c in self._chunks) + len(self._rows)

    def _schema_names(self) -> list[str]:
        return ["_day", "_order", *(c.name for c in self.spec.columns)]

    def _schema(self) -> dict[str, pl.DataType]:
        types: dict[str, pl.DataType] = {"_day": pl.Int64(), "_order": pl.Int64()}
        for col in self.spec.columns:
            types[col.name] = pl.String() if col.kind is Kind.TEXT else pl.Int64()
        return types

    def _flush(self) -> None:
        if not self._rows:
            return
        rows = self._rows
        self._rows = []
        self.add = self._rows.append
        schema = self._schema()
        if pl.String() not in schema.values():
            # All-integer rows go through one 2-D array, with no per-column Python tuples;
            # anything else (a None, a ragged row) takes the general path below.
            block = _int_block(rows, self._width)
            if block is not None:
                self._chunks.append(pl.DataFrame(dict(zip(schema, block.T, strict=True))))
                return
        columns = list(zip(*rows, strict=True))
        if len(columns) != self._width:
            raise ValueError(f"{self.spec.path}: rows have {len(columns)} fields")
        data = {
            name: pl.Series(name, values, dtype=schema[name])
            for name, values in zip(self._schema_names(), columns, strict=True)
        }
        self._chunks.append(pl.DataFrame(data))


def _int_block(rows: list[tuple], width: int) -> np.ndarray | None:
    """Rows as a (rows, width) int64 array, or None unless every value is an integer."""
    try:
        block = np.array(rows)
    except ValueError:  # ragged rows
        return None
    if block.dtype != np.int64 or block.ndim != 2 or block.shape[1] != width:
        return None
    return block


def formatted(spec: TableSpec, frame: pl.DataFrame) -> pl.DataFrame:
    """Storage form -> contract text (dates and timestamps stay typed for the CSV writer)."""
    return frame.select("_day", *(_format(col) for col in spec.columns))


def _format(col: Col) -> pl.Expr:
    c = pl.col(col.name)
    present = c != NULL
    if col.kind is Kind.TEXT:
        return c
    if col.kind is Kind.ID:
        text = pl.concat_str([pl.lit(col.prefix), c.cast(pl.String).str.zfill(col.width)])
        return pl.when(present).then(text).alias(col.name)
    if col.kind is Kind.TS:
        return pl.when(present).then(pl.from_epoch(c, time_unit="s")).alias(col.name)
    if col.kind is Kind.DATE:
        return pl.when(present).then(c.cast(pl.Int32).cast(pl.Date)).alias(col.name)
    if col.kind in (Kind.MONEY, Kind.TENTHS):
        scale = 100 if col.kind is Kind.MONEY else 10
        digits = 2 if col.kind is Kind.MONEY else 1
        text = pl.concat_str(
            [
                pl.when(c < 0).then(pl.lit("-")).otherwise(pl.lit("")),
                (c.abs() // scale).cast(pl.String),
                pl.lit("."),
                (c.abs() % scale).cast(pl.String).str.zfill(digits),
            ]
        )
        return pl.when(present).then(text).alias(col.name)
    if col.kind is Kind.INT:
        return pl.when(present).then(c).alias(col.name)
    if col.kind is Kind.BOOL:
        return pl.when(present).then(c == 1).alias(col.name)
    mapping = dict(enumerate(col.values))
    return c.replace_strict(mapping, default=None, return_dtype=pl.String).alias(col.name)
