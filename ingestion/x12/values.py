"""Give a table built from X12 text its DuckDB types, and list the values that do not parse.

X12 sends numbers as type R (``-9``, ``125.5``) and dates as ``CCYYMMDD``. A value that does
not parse is not silently nulled: it is reported so the reader can quarantine its transaction,
as the CSV reader quarantines a row (RAW_LAYER.md).
"""

from __future__ import annotations

import polars as pl

from ingestion.x12.tables import BOOL, DATE, INT, MONEY, QUANTITY, TABLE_COLUMNS, TEXT, Column

POLARS_TYPES: dict[str, pl.DataType] = {
    TEXT: pl.String(),
    INT: pl.Int64(),
    MONEY: pl.Decimal(18, 2),
    QUANTITY: pl.Decimal(18, 4),
    DATE: pl.Date(),
    BOOL: pl.Boolean(),
}
EXPECTATIONS = {
    INT: "a whole number",
    MONEY: "a decimal amount such as 125.50 or -9",
    QUANTITY: "a decimal quantity such as 1 or 0.5",
    DATE: "a CCYYMMDD date",
}
INVALID_SCHEMA = {
    "st_position": pl.Int64,
    "_segment_position": pl.Int64,
    "table": pl.String,
    "column": pl.String,
    "value": pl.String,
}


def parse(expr: pl.Expr, duckdb_type: str) -> pl.Expr:
    if duckdb_type == DATE:
        text = expr.str.strip_chars()
        return pl.when(text.str.len_bytes() == 8).then(text.str.to_date("%Y%m%d", strict=False))
    if duckdb_type in (MONEY, QUANTITY, INT):
        return expr.str.strip_chars().cast(POLARS_TYPES[duckdb_type], strict=False)
    return expr.cast(POLARS_TYPES[duckdb_type])


def conform(frame: pl.DataFrame, table: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``frame`` with exactly ``table``'s columns, in order and typed; plus its invalid values.

    Text columns that should hold numbers or dates are parsed once; missing columns are null.
    """
    schema = frame.schema
    to_parse = {
        column.name: column
        for column in TABLE_COLUMNS[table]
        if column.name in schema
        and column.duckdb_type not in (TEXT, BOOL)
        and schema[column.name] == pl.String
    }
    wide = frame.with_columns(
        parse(pl.col(name), column.duckdb_type).alias(_parsed(name))
        for name, column in to_parse.items()
    )
    # Columns named "__..." are internal sort keys: kept for later steps, never published.
    hidden = [pl.col(name) for name in schema.names() if name.startswith("__")]
    typed = wide.select(*(_typed(schema, column) for column in TABLE_COLUMNS[table]), *hidden)
    bad = {name: pl.col(name).is_not_null() & pl.col(_parsed(name)).is_null() for name in to_parse}
    counts = wide.select(mask.sum().alias(name) for name, mask in bad.items()).row(0) if bad else ()
    pieces = [
        wide.filter(bad[name]).select(
            "st_position",
            "_segment_position",
            pl.lit(table).alias("table"),
            pl.lit(name).alias("column"),
            pl.col(name).alias("value"),
        )
        for name, count in zip(bad, counts, strict=True)
        if count
    ]
    invalid = pl.concat(pieces) if pieces else pl.DataFrame(schema=INVALID_SCHEMA)
    return typed, invalid


def _parsed(name: str) -> str:
    return f"__parsed_{name}"


def _typed(schema: pl.Schema, column: Column) -> pl.Expr:
    target = POLARS_TYPES[column.duckdb_type]
    if column.name not in schema:
        return pl.lit(None, dtype=target).alias(column.name)
    if schema[column.name] == pl.String and column.duckdb_type != TEXT:
        return pl.col(_parsed(column.name)).alias(column.name)
    return pl.col(column.name).cast(target).alias(column.name)
