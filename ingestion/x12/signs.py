"""Amounts whose sign the implementation guides rule out: loaded as sent, flagged.

- 835: BPR02 is sent unsigned (BPR03 C or D gives the direction); claim amounts CLP03/CLP04 go
  negative only when a payer takes back an earlier payment, i.e. on a reversal (CLP02 = 22).
- 837P: charges (CLM02, SV102) are zero or more; a claim is cancelled with CLM05-3 = 8, not
  with a negative charge.

A negative amount elsewhere is usually an export bug (a refund or a takeback written as a
claim), so the transaction is kept, money included, and one flag per transaction says where.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ingestion.issues import LoadIssue

REVERSAL_STATUS = "22"


@dataclass(frozen=True)
class _Rule:
    table: str
    columns: tuple[tuple[str, str], ...]  # (column, X12 element) whose value must be >= 0
    row_label: str  # how an offending row is named, with str.format fields from its columns
    applies: pl.Expr  # rows the rule covers
    why: str


_RULES = {
    "835": [
        _Rule(
            "x12_transactions",
            (("payment_amount", "BPR02"),),
            "the BPR of ST*835*{_st_control}",
            pl.lit(True),
            "BPR02 is sent unsigned; BPR03 says C (credit to the provider) or D (debit)",
        ),
        _Rule(
            "x12_835_claims",
            (("total_charge", "CLP03"), ("paid_amount", "CLP04")),
            "CLP01 {claim_id!r} (CLP02 {claim_status_code!r})",
            pl.col("claim_status_code").fill_null("") != REVERSAL_STATUS,
            "claim amounts are negative only on a reversal (CLP02 = 22)",
        ),
    ],
    "837": [
        _Rule(
            "x12_837_claims",
            (("total_charge", "CLM02"),),
            "CLM01 {claim_id!r}",
            pl.lit(True),
            "charges are zero or more; a claim is voided with CLM05-3 = 8",
        ),
        _Rule(
            "x12_837_service_lines",
            (("charge_amount", "SV102"),),
            "line {line_number} of CLM01 {claim_id!r}",
            pl.lit(True),
            "charges are zero or more; a claim is voided with CLM05-3 = 8",
        ),
    ],
}


def negative_amount_issues(
    frames: dict[str, pl.DataFrame], expected: str, file: str
) -> list[tuple[int, LoadIssue]]:
    """One flag per transaction and rule, with the value of the ``file`` column of its rows.

    ``frames`` hold each file's own positions (they are quoted), in file order.
    """
    found: list[tuple[int, LoadIssue]] = []
    for rule in _RULES[expected]:
        frame = frames[rule.table]
        negative = pl.any_horizontal(pl.col(column) < 0 for column, _ in rule.columns)
        rows = frame.filter(rule.applies & negative.fill_null(False))
        if rows.height == 0:
            continue
        counts = rows.group_by(file, "st_position", maintain_order=True).len()
        first = rows.unique(subset=[file, "st_position"], keep="first", maintain_order=True)
        for row, (_, _, count) in zip(first.iter_rows(named=True), counts.iter_rows(), strict=True):
            found.append((row[file], _issue(rule, row, count)))
    return found


def _issue(rule: _Rule, row: dict, count: int) -> LoadIssue:
    amounts = ", ".join(
        f"{element} {row[column]}"
        for column, element in rule.columns
        if row[column] is not None and row[column] < 0
    )
    more = f" ({count - 1} more such row(s) in the transaction)" if count > 1 else ""
    return LoadIssue(
        "negative_amount",
        f"{rule.row_label.format(**row)} at segment {row['_segment_position']} has a negative "
        f"amount ({amounts}){more}: {rule.why}. Loaded as sent; check it with the sender",
        "segment",
        row["_segment_position"],
        disposition="flagged",
    ).with_value(amounts)
