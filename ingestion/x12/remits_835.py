"""835 (005010X221A1) segments -> header, claims, service lines, CAS, remarks and PLB rows.

Loops used: header (before the first CLP: BPR, TRN, DTM*405, N1*PR/REF*2U, N1*PE/REF*TJ),
2100 claim (CLP up to its first SVC: NM1, DTM, MOA, MIA, claim CAS) and 2110 service line (SVC
up to the next SVC/CLP: DTM, CAS, REF, AMT, LQ). PLB follows all claims. Values stay text here;
``values.conform`` types them.
"""

from __future__ import annotations

import polars as pl

from ingestion.x12.parallel import map_in_threads, run_in_threads
from ingestion.x12.segment_rows import (
    SegmentRows,
    first_per,
    in_file_order,
    join_on,
    latest,
    ordinal,
    part,
    present,
    procedure_columns,
)

MAX_CAS_TRIPLETS = 6
MAX_PLB_PAIRS = 6
CLAIM_LEVEL = pl.col("claim_pos").is_not_null() & pl.col("line_pos").is_null()
LINE_LEVEL = pl.col("line_pos").is_not_null()
HEADER = pl.col("claim_pos").is_null()
CLAIM_CARRY = ("claim_position", "claim_id")
_CLP = (
    "claim_id",
    "claim_status_code",
    "total_charge",
    "paid_amount",
    "patient_responsibility",
    "claim_filing_indicator",
    "payer_claim_control_number",
    "facility_type_code",
    "claim_frequency_code",
)
_MOA_REMARKS = ("e03", "e04", "e05", "e06", "e07")
_MIA_REMARKS = ("e05", "e20", "e21", "e22", "e23")
_MOA_REMARKS_INDEXES = [int(element[1:]) for element in _MOA_REMARKS]
# Only these qualifiers are read, so the others are never split into elements.
_REF = ("2U", "TJ", "6R")  # payer id, payee TIN, line item control number
_NM1 = ("QC", "IL", "82")  # patient, insured, rendering provider
_MIA_REMARKS_INDEXES = [int(element[1:]) for element in _MIA_REMARKS]


# Every extraction build_835 makes, so they can run together (SegmentRows.prefetch).
_REQUESTS = [
    ("CLP", 9), ("SVC", 7), ("DTM", 2), ("REF", 2, _REF), ("AMT", 2, ("B6",)), ("CAS", 19),
    ("LQ", 2), ("NM1", [1, 3, 4, 8, 9], _NM1), ("MOA", _MOA_REMARKS_INDEXES),
    ("MIA", _MIA_REMARKS_INDEXES),
    ("PLB", 2 + 2 * MAX_PLB_PAIRS), ("N1", 4, ("PR", "PE")), ("BPR", [1, 2, 3, 4, 5, 16]),
    ("TRN", 3),
]  # fmt: skip


def build_835(rows: SegmentRows) -> dict[str, pl.DataFrame]:
    """Text frames keyed by table name, plus ``header`` (one row per ST) and ``malformed``."""
    rows.prefetch(_REQUESTS)
    claims = rows.get("CLP", 9).select(
        "st_position",
        "pos",
        ordinal("st_position").alias("claim_position"),
        *(pl.col(f"e{i:02d}").alias(name) for i, name in enumerate(_CLP, start=1)),
    )
    lines = _service_lines(rows, claims)
    line_openers = lines.select(pl.col("_segment_position").alias("pos"), "line_position")

    def scoped(
        segment_id: str,
        elements: int | list[int],
        level: pl.Expr,
        qualifiers: tuple[str, ...] | None = None,
    ) -> pl.DataFrame:
        """Segments with the claim and line they belong to, kept at ``level``."""
        found = rows.get(segment_id, elements, qualifiers)
        frame = latest(found, claims, "claim_pos", carry=CLAIM_CARRY)
        frame = latest(frame, line_openers, "line_pos", after="claim_pos", carry=["line_position"])
        return frame.filter(level)

    any_level = pl.lit(True)
    # The scoped frames, then the tables, are independent of each other: each set is built
    # on both cores (polars runs a small frame's operation on one).
    dtm, ref, amt, moa, mia, nm1, cas, lq = map_in_threads(
        lambda args: scoped(*args),
        [
            ("DTM", 2, any_level),
            ("REF", 2, any_level, _REF),
            ("AMT", 2, LINE_LEVEL, ("B6",)),
            ("MOA", _MOA_REMARKS_INDEXES, CLAIM_LEVEL),
            ("MIA", _MIA_REMARKS_INDEXES, CLAIM_LEVEL),
            ("NM1", [1, 3, 4, 8, 9], CLAIM_LEVEL, _NM1),
            ("CAS", 19, pl.col("claim_pos").is_not_null()),
            ("LQ", 2, LINE_LEVEL),
        ],
    )
    tables = {
        "header": lambda: _header(rows, dtm.filter(HEADER), ref.filter(HEADER), claims),
        "x12_835_claims": lambda: _claim_details(claims, nm1, dtm.filter(CLAIM_LEVEL), moa, mia),
        "x12_835_service_lines": lambda: _line_details(
            lines, dtm.filter(LINE_LEVEL), ref.filter(LINE_LEVEL), amt
        ),
        "x12_835_adjustments": lambda: _adjustments(cas),
        "x12_835_remarks": lambda: _remarks(lq, moa, mia),
        "x12_835_provider_adjustments": lambda: _provider_adjustments(rows),
        "malformed": lambda: lines.filter(
            pl.col("procedure_composite").is_not_null() & pl.col("procedure_qualifier").is_null()
        ).select("st_position", "_segment_position", pl.col("procedure_composite").alias("value")),
    }
    return dict(zip(tables, run_in_threads(*tables.values()), strict=True))


def _service_lines(rows: SegmentRows, claims: pl.DataFrame) -> pl.DataFrame:
    svc = latest(rows.get("SVC", 7), claims, "claim_pos", carry=CLAIM_CARRY)
    svc = rows.with_parts(svc.filter(pl.col("claim_pos").is_not_null()), "e01", "e06")
    return svc.select(
        "st_position",
        pl.col("pos").alias("_segment_position"),
        "claim_position",
        ordinal("claim_pos").alias("line_position"),
        "claim_id",
        *(expr.alias(name) for name, expr in procedure_columns("e01").items()),
        pl.col("e01").alias("procedure_composite"),
        pl.col("e02").alias("charge_amount"),
        pl.col("e03").alias("paid_amount"),
        pl.col("e04").alias("revenue_code"),
        pl.col("e05").alias("units_paid"),
        part("e06", 1).alias("original_procedure_code"),
        pl.col("e07").alias("original_units"),
        pl.col("claim_pos").alias("__claim"),
        pl.col("pos").alias("__line"),
    )


def _line_details(
    lines: pl.DataFrame, dtm: pl.DataFrame, ref: pl.DataFrame, amt: pl.DataFrame
) -> pl.DataFrame:
    lookups = [
        (dtm.filter(pl.col("e01") == "472"), {"service_date": pl.col("e02")}),
        (dtm.filter(pl.col("e01") == "150"), {"service_date_from": pl.col("e02")}),
        (dtm.filter(pl.col("e01") == "151"), {"service_date_to": pl.col("e02")}),
        (ref.filter(pl.col("e01") == "6R"), {"line_item_control_number": pl.col("e02")}),
        (amt.filter(pl.col("e01") == "B6"), {"allowed_amount": pl.col("e02")}),
    ]
    for frame, columns in lookups:
        if frame.height:
            found = first_per(frame, "line_pos", columns)
            lines = join_on(lines, found, "_segment_position", "line_pos")
    return lines


def _claim_details(
    claims: pl.DataFrame,
    nm1: pl.DataFrame,
    dtm: pl.DataFrame,
    moa: pl.DataFrame,
    mia: pl.DataFrame,
) -> pl.DataFrame:
    def codes(elements: tuple[str, ...]) -> pl.Expr:
        joined = pl.concat_str([pl.col(e) for e in elements], separator=":", ignore_nulls=True)
        return pl.when(joined != "").then(joined)

    lookups = [
        (
            nm1.filter(pl.col("e01") == "QC"),
            {
                "patient_last_name": pl.col("e03"),
                "patient_first_name": pl.col("e04"),
                "patient_id_qualifier": pl.col("e08"),
                "patient_member_id": pl.col("e09"),
            },
        ),
        (nm1.filter(pl.col("e01") == "IL"), {"subscriber_member_id": pl.col("e09")}),
        (
            nm1.filter(pl.col("e01") == "82"),
            {
                "rendering_provider_id_qualifier": pl.col("e08"),
                "rendering_provider_id": pl.col("e09"),
                "rendering_provider_npi": pl.when(pl.col("e08") == "XX").then(pl.col("e09")),
            },
        ),
        (dtm.filter(pl.col("e01") == "232"), {"service_date_from": pl.col("e02")}),
        (dtm.filter(pl.col("e01") == "233"), {"service_date_to": pl.col("e02")}),
        (dtm.filter(pl.col("e01") == "050"), {"received_date": pl.col("e02")}),
        (moa, {"moa_remark_codes": codes(_MOA_REMARKS)}),
        (mia, {"mia_remark_codes": codes(_MIA_REMARKS)}),
    ]
    claims = claims.rename({"pos": "_segment_position"}).with_columns(
        pl.col("_segment_position").alias("__claim")
    )
    for frame, columns in lookups:
        if frame.height:
            found = first_per(frame, "claim_pos", columns)
            claims = join_on(claims, found, "_segment_position", "claim_pos")
    return claims


def _adjustments(cas: pl.DataFrame) -> pl.DataFrame:
    reasons = [f"e{2 + 3 * k:02d}" for k in range(MAX_CAS_TRIPLETS)]
    used = [k for k, reason in enumerate(reasons) if reason in present(cas, reasons)]
    # One piece per triplet; with several, a stable sort on the CAS position orders the rows
    # by (CAS, triplet), as the pieces go by triplet.
    pieces = [
        cas.select(
            "st_position",
            "claim_position",
            "line_position",
            "claim_id",
            pl.col("pos").alias("_segment_position"),
            pl.lit(k + 1, dtype=pl.Int64).alias("triplet_position"),
            pl.col("e01").alias("group_code"),
            pl.col(f"e{2 + 3 * k:02d}").alias("reason_code"),
            pl.col(f"e{3 + 3 * k:02d}").alias("amount"),
            pl.col(f"e{4 + 3 * k:02d}").alias("quantity"),
            pl.col("claim_pos").alias("__claim"),
            pl.col("line_pos").alias("__line"),
        )
        for k in used or [0]
    ]
    if len(pieces) > 1:
        used_triplet = pl.col("reason_code").is_not_null() | pl.col("amount").is_not_null()
        pieces = [piece.filter(used_triplet) for piece in pieces]
    triplets = in_file_order(pieces, "_segment_position")
    return triplets.with_columns(_level())


def _level() -> pl.Expr:
    line = pl.col("line_position").is_not_null()
    return pl.when(line).then(pl.lit("line")).otherwise(pl.lit("claim")).alias("level")


def _remarks(lq: pl.DataFrame, moa: pl.DataFrame, mia: pl.DataFrame) -> pl.DataFrame:
    def codes(
        frame: pl.DataFrame, segment_id: str, element: str, qualifier: pl.Expr
    ) -> pl.DataFrame:
        return frame.select(
            "st_position",
            "claim_position",
            "line_position",
            "claim_id",
            pl.col("pos").alias("_segment_position"),
            pl.lit(f"{segment_id}{element[1:]}").alias("source_element"),
            qualifier.alias("code_list_qualifier"),
            pl.col(element).alias("remark_code"),
        )

    none = pl.lit(None, dtype=pl.String)
    pieces = [codes(lq, "LQ", "e02", pl.col("e01"))]
    pieces += [codes(moa, "MOA", element, none) for element in present(moa, _MOA_REMARKS)]
    pieces += [codes(mia, "MIA", element, none) for element in present(mia, _MIA_REMARKS)]
    # Pieces go by segment kind then element, which is source_element order for one segment.
    remarks = in_file_order(
        [piece.filter(pl.col("remark_code").is_not_null()) for piece in pieces],
        "_segment_position",
    )
    return remarks.with_columns(_level())


def _provider_adjustments(rows: SegmentRows) -> pl.DataFrame:
    plb = rows.get("PLB", 2 + 2 * MAX_PLB_PAIRS)
    references = [f"e{3 + 2 * k:02d}" for k in range(MAX_PLB_PAIRS)]
    used = present(plb, references) or references[:1]
    plb = rows.with_parts(plb, *used)
    pairs = pl.concat(
        plb.select(
            "st_position",
            pl.col("pos").alias("_segment_position"),
            pl.col("e01").alias("provider_id"),
            pl.col("e02").alias("fiscal_period_date"),
            pl.lit(k + 1, dtype=pl.Int64).alias("adjustment_position"),
            part(reference, 0).alias("reason_code"),
            part(reference, 1).alias("reference_id"),
            pl.col(f"e{4 + 2 * k:02d}").alias("amount"),
        )
        for k, reference in enumerate(references)
        if reference in used
    )
    return pairs.filter(pl.col("reason_code").is_not_null() | pl.col("amount").is_not_null()).sort(
        "_segment_position", "adjustment_position"
    )


def _header(
    rows: SegmentRows, dtm: pl.DataFrame, ref: pl.DataFrame, claims: pl.DataFrame
) -> pl.DataFrame:
    key = "st_position"
    n1 = rows.get("N1", 4, qualifiers=("PR", "PE"))
    parts = [
        first_per(
            rows.get("BPR", [1, 2, 3, 4, 5, 16]),
            key,
            {
                "handling_code": pl.col("e01"),
                "payment_amount": pl.col("e02"),
                "credit_debit_flag": pl.col("e03"),
                "payment_method": pl.col("e04"),
                "payment_format": pl.col("e05"),
                "payment_date": pl.col("e16"),
            },
        ),
        first_per(
            rows.get("TRN", 3),
            key,
            {
                "trace_type_code": pl.col("e01"),
                "trace_number": pl.col("e02"),
                "trace_originator_id": pl.col("e03"),
            },
        ),
        first_per(dtm.filter(pl.col("e01") == "405"), key, {"production_date": pl.col("e02")}),
        first_per(ref.filter(pl.col("e01") == "2U"), key, {"payer_additional_id": pl.col("e02")}),
        first_per(ref.filter(pl.col("e01") == "TJ"), key, {"_ref_tin": pl.col("e02")}),
        first_per(
            n1.filter(pl.col("e01") == "PR"),
            key,
            {
                "payer_name": pl.col("e02"),
                "payer_id_qualifier": pl.col("e03"),
                "payer_id": pl.col("e04"),
            },
        ),
        first_per(
            n1.filter(pl.col("e01") == "PE"),
            key,
            {
                "payee_name": pl.col("e02"),
                "payee_id_qualifier": pl.col("e03"),
                "payee_id": pl.col("e04"),
                "payee_npi": pl.when(pl.col("e03") == "XX").then(pl.col("e04")),
                "_n1_tin": pl.when(pl.col("e03") == "FI").then(pl.col("e04")),
            },
        ),
        claims.group_by(key).agg(pl.len().cast(pl.Int64).alias("claim_count")).sort(key),
    ]
    # Every transaction gets a row, whichever of these segments it lacks.
    header = pl.concat([p.select(key) for p in parts]).unique().sort(key)
    for found in parts:
        header = join_on(header, found, key, key)
    return header.with_columns(
        pl.coalesce("_n1_tin", "_ref_tin").alias("payee_tin"),
        pl.col("claim_count").fill_null(0),
    ).drop("_n1_tin", "_ref_tin")
