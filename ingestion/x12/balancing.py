"""835 balancing: the arithmetic every accepted 835 must satisfy (shared/spec/extracts.md).

- per claim with service lines: CLP03 - sum(claim and line CAS amounts) = CLP04;
- per transaction: BPR02 = sum(CLP04) - sum(PLB amounts), BPR02 counting as negative when
  BPR03 is D (debit: the provider pays the payer).

An unbalanced transaction is loaded anyway and reported as a ``flagged`` LoadIssue: the
payment happened whatever the arithmetic says, and dropping it would hide money.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from ingestion.issues import LoadIssue
from ingestion.x12.segment_rows import join_on

MONEY = pl.Decimal(18, 2)
# Hidden sort keys the builders add (the claim's CLP and the line's SVC position).
CLAIM_KEY = "__claim"
LINE_KEY = "__line"


def balance_835(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Fill the computed columns of claims, lines and transactions."""
    adjustments = tables["x12_835_adjustments"]
    lines = _with_line_adjustments(tables["x12_835_service_lines"], adjustments)
    claims = _with_claim_balance(tables["x12_835_claims"], lines, adjustments)
    transactions = _with_transaction_balance(
        tables["x12_transactions"], claims, tables["x12_835_provider_adjustments"]
    )
    updated = dict(tables)
    updated.update(
        {
            "x12_835_service_lines": lines,
            "x12_835_claims": claims,
            "x12_transactions": transactions,
        }
    )
    return updated


def _replace(frame: pl.DataFrame, extra: pl.DataFrame, key: str) -> pl.DataFrame:
    """``frame`` with the columns of ``extra`` (joined on ``key``) replacing its own."""
    new = [column for column in extra.columns if column != key]
    joined = join_on(frame.drop(new), extra.sort(key), key, key)
    return joined.select(frame.columns)


def _with_line_adjustments(lines: pl.DataFrame, adjustments: pl.DataFrame) -> pl.DataFrame:
    sums = (
        adjustments.filter(pl.col("level") == "line")
        .group_by(LINE_KEY)
        .agg(pl.col("amount").sum().cast(MONEY).alias("adjustment_amount"))
    )
    return _replace(lines, sums, LINE_KEY).with_columns(
        pl.col("adjustment_amount").fill_null(Decimal(0))
    )


def _with_claim_balance(
    claims: pl.DataFrame, lines: pl.DataFrame, adjustments: pl.DataFrame
) -> pl.DataFrame:
    def total(level: str) -> pl.Expr:
        return pl.col("amount").filter(pl.col("level") == level).sum().cast(MONEY)

    sums = adjustments.group_by(CLAIM_KEY).agg(
        total("claim").alias("claim_adjustment_amount"),
        total("line").alias("line_adjustment_amount"),
    )
    counts = lines.group_by(CLAIM_KEY).agg(pl.len().cast(pl.Int64).alias("service_line_count"))
    claims = _replace(claims, sums, CLAIM_KEY)
    claims = _replace(claims, counts, CLAIM_KEY).with_columns(
        pl.col("claim_adjustment_amount", "line_adjustment_amount").fill_null(Decimal(0)),
        pl.col("service_line_count").fill_null(0),
    )
    difference = (
        pl.col("total_charge")
        - pl.col("claim_adjustment_amount")
        - pl.col("line_adjustment_amount")
        - pl.col("paid_amount")
    )
    with_lines = pl.col("service_line_count") > 0
    return claims.with_columns(
        pl.when(with_lines).then(difference).cast(MONEY).alias("balance_difference")
    ).with_columns(
        pl.when(with_lines)
        .then((pl.col("balance_difference") == 0).fill_null(False))
        .alias("is_balanced")
    )


def _with_transaction_balance(
    transactions: pl.DataFrame, claims: pl.DataFrame, provider_adjustments: pl.DataFrame
) -> pl.DataFrame:
    key = "st_position"
    paid = claims.group_by(key).agg(
        pl.col("paid_amount").sum().cast(MONEY).alias("total_claim_paid"),
        (pl.col("is_balanced") == False)  # noqa: E712 - null (no lines) must not count
        .sum()
        .cast(pl.Int64)
        .alias("unbalanced_claim_count"),
    )
    plb = provider_adjustments.group_by(key).agg(
        pl.col("amount").sum().cast(MONEY).alias("total_provider_adjustments")
    )
    transactions = _replace(transactions, paid, key)
    transactions = _replace(transactions, plb, key)
    is_835 = pl.col("transaction_set_id") == "835"
    signed_payment = (
        pl.when(pl.col("credit_debit_flag") == "D")
        .then(-pl.col("payment_amount"))
        .otherwise(pl.col("payment_amount"))
    )
    zero = pl.lit(Decimal(0), dtype=MONEY)
    net = pl.col("total_claim_paid").fill_null(zero) - pl.col(
        "total_provider_adjustments"
    ).fill_null(zero)
    return (
        transactions.with_columns(
            pl.when(is_835).then(pl.col(column).fill_null(zero)).alias(column)
            for column in ("total_claim_paid", "total_provider_adjustments")
        )
        .with_columns(
            pl.when(is_835)
            .then(pl.col("unbalanced_claim_count").fill_null(0))
            .alias("unbalanced_claim_count"),
            pl.when(is_835).then(signed_payment - net).cast(MONEY).alias("balance_difference"),
        )
        .with_columns(
            pl.when(is_835)
            .then(
                (pl.col("balance_difference") == 0).fill_null(False)
                & (pl.col("unbalanced_claim_count") == 0)
            )
            .alias("is_balanced")
        )
    )


def unbalanced_issues(
    transactions: pl.DataFrame, claims: pl.DataFrame, file: str
) -> list[tuple[int, LoadIssue]]:
    """One flagged issue per unbalanced 835 transaction, naming the amounts, with the value of
    the ``file`` column of its row (positions must be the file's own: they are quoted)."""
    unbalanced = transactions.filter(pl.col("is_balanced") == False)  # noqa: E712
    if unbalanced.height == 0:
        return []
    first_claims = (
        claims.filter(pl.col("is_balanced") == False)  # noqa: E712
        .unique(subset=[file, "st_position"], keep="first", maintain_order=True)
        .select(
            file,
            "st_position",
            pl.col("_segment_position").alias("claim_segment"),
            "claim_id",
            "total_charge",
            "paid_amount",
            (pl.col("claim_adjustment_amount") + pl.col("line_adjustment_amount")).alias("cas"),
            pl.col("balance_difference").alias("claim_difference"),
        )
    )
    rows = unbalanced.join(
        first_claims, on=[file, "st_position"], how="left", maintain_order="left"
    )
    return [(row[file], _issue(row)) for row in rows.iter_rows(named=True)]


def _issue(row: dict) -> LoadIssue:
    label = f"ST*835*{row['_st_control']} at segment {row['st_position']}"
    debit = " (BPR03=D, counted negative)" if row["credit_debit_flag"] == "D" else ""
    if row["payment_amount"] is None:
        reason = f"{label} cannot be balanced: it has no BPR02 payment amount"
    else:
        reason = (
            f"{label} does not balance: BPR02 {row['payment_amount']}{debit} vs sum(CLP04) "
            f"{row['total_claim_paid']} - sum(PLB) {row['total_provider_adjustments']}, "
            f"difference {row['balance_difference']}"
        )
    if row["unbalanced_claim_count"]:
        reason += (
            f"; {row['unbalanced_claim_count']} claim(s) fail CLP03 - CAS = CLP04, first "
            f"CLP01 {row['claim_id']!r} at segment {row['claim_segment']}: "
            f"{row['total_charge']} - {row['cas']} vs {row['paid_amount']} "
            f"(off by {row['claim_difference']})"
        )
    reason += ". Loaded as sent; check it with the payer before posting"
    return LoadIssue(
        "unbalanced_835",
        reason,
        "transaction",
        row["st_position"],
        disposition="flagged",
    )
