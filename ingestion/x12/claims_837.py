"""837P (005010X222A1) segments -> header, claims and service lines.

Claims sit in an HL hierarchy: 20 billing provider, 22 subscriber, 23 patient (absent when the
patient is the subscriber). The HL numbers and parents are not trusted (real files repeat
them); a claim's providers and people are the latest HL 20 / 22 / 23 loops before its CLM.
Within an HL, the segments before the first CLM describe that level (NM1*85, NM1*IL, DMG,
NM1*PR, NM1*QC ...); after a CLM come the claim loops: 2300/2310 until the first SBR (2320
other-payer loops) or LX (2400 service lines). Values stay text; ``values.conform`` types them.
"""

from __future__ import annotations

import polars as pl

from ingestion.x12.parallel import run_in_threads
from ingestion.x12.segment_rows import (
    SegmentRows,
    date_range,
    first_per,
    in_file_order,
    join_on,
    latest,
    ordinal,
    part,
    parts_joined,
    present,
    procedure_columns,
)

DIAGNOSIS_QUALIFIERS = ("ABK", "ABF", "BK", "BF")  # ICD-10 / ICD-9 principal and other
PRINCIPAL_QUALIFIERS = ("ABK", "BK")
MAX_HI_CODES = 12
# NM1 entities read: billing provider, subscriber, payer, patient, rendering, submitter, receiver
NM1_ENTITIES = ("85", "IL", "PR", "QC", "82", "41", "40")
# REF read: billing TIN, payer claim number, prior auth, encounter, line item control number
REF_QUALIFIERS = ("EI", "F8", "G1", "EA", "6R")
HL_LEVEL = pl.col("hl_pos").is_not_null() & pl.col("claim_pos").is_null()
CLAIM_LEVEL = (
    pl.col("claim_pos").is_not_null() & pl.col("line_pos").is_null() & pl.col("cob_pos").is_null()
)
LINE_LEVEL = pl.col("line_pos").is_not_null()
HEADER = pl.col("hl_pos").is_null()
CLAIM_CARRY = ("claim_position", "claim_id")


class _Scope:
    """Attaches HL, claim, line, other-payer and NM1 context to segment frames."""

    def __init__(self, rows: SegmentRows, claims: pl.DataFrame) -> None:
        self.rows = rows
        self.hl = rows.positions("HL")
        self.claims = claims
        self.cob = rows.positions("SBR")
        self.entities = rows.first_elements("NM1").select("pos", pl.col("e01").alias("nm1_entity"))
        self.lines = self.lines_of(rows.get("LX", 1))

    def lines_of(self, lx: pl.DataFrame) -> pl.DataFrame:
        lx = self.scope(lx, lines=False).filter(pl.col("claim_pos").is_not_null())
        return lx.with_columns(ordinal("claim_pos").alias("line_position"))

    def scope(
        self, frame: pl.DataFrame, *, lines: bool = True, cob: bool = False, entity: bool = False
    ) -> pl.DataFrame:
        frame = latest(frame, self.hl, "hl_pos")
        frame = latest(frame, self.claims, "claim_pos", after="hl_pos", carry=CLAIM_CARRY)
        if lines:
            line_openers = self.lines.select("pos", "line_position")
            frame = latest(
                frame, line_openers, "line_pos", after="claim_pos", carry=["line_position"]
            )
        if cob:
            frame = latest(frame, self.cob, "cob_pos", after="claim_pos")
        if entity:
            frame = latest(frame, self.entities, "nm1_pos", after="hl_pos", carry=["nm1_entity"])
        return frame

    def get(
        self,
        segment_id: str,
        elements: int | list[int],
        qualifiers: tuple[str, ...] | None = None,
        **context: bool,
    ) -> pl.DataFrame:
        return self.scope(self.rows.get(segment_id, elements, qualifiers), **context)


# Every extraction build_837 makes, so they can run together (SegmentRows.prefetch).
_REQUESTS = [
    ("NM1", [1, 3, 4, 8, 9], NM1_ENTITIES), ("REF", 2, REF_QUALIFIERS),
    ("SV1", [1, 2, 3, 4, 5, 7]), ("DTP", 3, ("472",)), ("CLM", [1, 2, 5]), ("LX", 1),
    ("HL", [3]), ("SBR", [1, 2, 9]),
    ("HI", MAX_HI_CODES), ("DMG", 3), ("PAT", 1), ("LIN", [2, 3]), ("BHT", 6),
]  # fmt: skip


def build_837(rows: SegmentRows) -> dict[str, pl.DataFrame]:
    """Text frames keyed by table name, plus ``header`` (one row per ST) and ``malformed``."""
    rows.prefetch(_REQUESTS)
    clm = rows.with_parts(rows.get("CLM", [1, 2, 5]), "e05")
    claims = clm.select(
        "st_position",
        "pos",
        ordinal("st_position").alias("claim_position"),
        pl.col("e01").alias("claim_id"),
        pl.col("e02").alias("total_charge"),
        part("e05", 0).alias("place_of_service"),
        part("e05", 1).alias("facility_code_qualifier"),
        part("e05", 2).alias("frequency_code"),
    )
    scope = _Scope(rows, claims)
    # Independent of each other, so built on both cores (polars runs a small frame's operation
    # on one): the scoped segment frames, then the claims and the lines.
    names, refs, dmg, sbr, pat, hi, claims = run_in_threads(
        lambda: scope.scope(rows.get("NM1", [1, 3, 4, 8, 9], qualifiers=NM1_ENTITIES), cob=True),
        lambda: scope.get("REF", 2, REF_QUALIFIERS, cob=True, entity=True),
        lambda: scope.get("DMG", 3, lines=False, entity=True).filter(HL_LEVEL),
        lambda: scope.get("SBR", [1, 2, 9], lines=False).filter(HL_LEVEL),
        lambda: scope.get("PAT", 1, lines=False).filter(HL_LEVEL),
        lambda: scope.get("HI", MAX_HI_CODES, cob=True).filter(CLAIM_LEVEL),
        lambda: _with_hierarchy(claims, rows.get("HL", [3])),
    )

    def claim_table() -> tuple[pl.DataFrame, pl.DataFrame]:
        found = _hl_details(claims, names.filter(HL_LEVEL), refs.filter(HL_LEVEL), dmg, sbr, pat)
        parts = rows.with_parts(hi, *[f"e{index:02d}" for index in range(1, MAX_HI_CODES + 1)])
        diagnoses = _diagnosis_codes(parts)
        found = _claim_details(
            found, names.filter(CLAIM_LEVEL), refs.filter(CLAIM_LEVEL), _diagnoses(diagnoses)
        )
        counts = (
            scope.lines.group_by("claim_pos")
            .agg(pl.len().cast(pl.Int64).alias("service_line_count"))
            .sort("claim_pos")
        )
        found = join_on(found, counts, "_segment_position", "claim_pos").with_columns(
            pl.col("service_line_count").fill_null(0)
        )
        return found, diagnoses

    def line_table() -> pl.DataFrame:
        return _service_lines(rows, scope, refs.filter(LINE_LEVEL), names.filter(LINE_LEVEL))

    (claims, diagnoses), lines = run_in_threads(claim_table, line_table)
    return {
        "header": _header(rows, names.filter(HEADER), claims),
        "x12_837_claims": claims,
        "x12_837_service_lines": lines,
        "malformed": _malformed(lines, diagnoses),
    }


def _with_hierarchy(claims: pl.DataFrame, hl: pl.DataFrame) -> pl.DataFrame:
    """Add the positions of the claim's HL 20, 22 and (when it applies) 23 loops."""

    def level(code: str) -> pl.DataFrame:
        return hl.filter(pl.col("e03") == code)

    claims = latest(claims, level("20"), "hl20_pos")
    claims = latest(claims, level("22"), "hl22_pos")
    # A patient HL only applies when it follows the claim's subscriber HL.
    return latest(claims, level("23"), "hl23_pos", after="hl22_pos")


def _hl_details(
    claims: pl.DataFrame,
    names: pl.DataFrame,
    refs: pl.DataFrame,
    dmg: pl.DataFrame,
    sbr: pl.DataFrame,
    pat: pl.DataFrame,
) -> pl.DataFrame:
    def person(prefix: str) -> dict[str, pl.Expr]:
        return {f"{prefix}_last_name": pl.col("e03"), f"{prefix}_first_name": pl.col("e04")}

    def demographics(prefix: str) -> dict[str, pl.Expr]:
        return {f"{prefix}_birth_date": pl.col("e02"), f"{prefix}_sex": pl.col("e03")}

    def entity(frame: pl.DataFrame, code: str, column: str = "e01") -> pl.DataFrame:
        return frame.filter(pl.col(column) == code)

    lookups: list[tuple[str, pl.DataFrame, dict[str, pl.Expr]]] = [
        (
            "hl20_pos",
            entity(names, "85"),
            {
                "billing_provider_name": pl.col("e03"),
                "billing_provider_npi": pl.when(pl.col("e08") == "XX").then(pl.col("e09")),
            },
        ),
        (
            "hl20_pos",
            entity(refs, "EI").filter(pl.col("nm1_entity") == "85"),
            {"billing_provider_tin": pl.col("e02")},
        ),
        (
            "hl22_pos",
            entity(names, "IL"),
            {"subscriber_member_id": pl.col("e09"), **person("subscriber")},
        ),
        ("hl22_pos", entity(dmg, "IL", "nm1_entity"), demographics("subscriber")),
        (
            "hl22_pos",
            sbr,
            {
                "payer_responsibility": pl.col("e01"),
                "_subscriber_relationship": pl.col("e02"),
                "claim_filing_indicator": pl.col("e09"),
            },
        ),
        ("hl22_pos", entity(names, "PR"), {"payer_name": pl.col("e03"), "payer_id": pl.col("e09")}),
        ("hl23_pos", entity(names, "QC"), person("patient")),
        ("hl23_pos", entity(dmg, "QC", "nm1_entity"), demographics("patient")),
        ("hl23_pos", pat, {"_patient_relationship": pl.col("e01")}),
    ]
    for claim_key, frame, columns in lookups:
        if frame.height:
            claims = join_on(claims, first_per(frame, "hl_pos", columns), claim_key, "hl_pos")
    return claims.with_columns(
        pl.coalesce(
            [
                c
                for c in ("_patient_relationship", "_subscriber_relationship")
                if c in claims.columns
            ]
            or [pl.lit(None, dtype=pl.String)]
        ).alias("relationship_code")
    ).drop(
        "_patient_relationship",
        "_subscriber_relationship",
        "hl20_pos",
        "hl22_pos",
        "hl23_pos",
        strict=False,
    )


def _claim_details(
    claims: pl.DataFrame, names: pl.DataFrame, refs: pl.DataFrame, diagnoses: pl.DataFrame
) -> pl.DataFrame:
    lookups = [
        (refs.filter(pl.col("e01") == "F8"), {"payer_claim_control_number": pl.col("e02")}),
        (refs.filter(pl.col("e01") == "G1"), {"prior_auth_number": pl.col("e02")}),
        (refs.filter(pl.col("e01") == "EA"), {"encounter_id": pl.col("e02")}),
        (
            names.filter((pl.col("e01") == "82") & (pl.col("e08") == "XX")),
            {"rendering_provider_npi": pl.col("e09")},
        ),
    ]
    claims = claims.rename({"pos": "_segment_position"})
    for frame, columns in lookups:
        if frame.height:
            found = first_per(frame, "claim_pos", columns)
            claims = join_on(claims, found, "_segment_position", "claim_pos")
    return join_on(claims, diagnoses, "_segment_position", "claim_pos")


def _diagnosis_codes(hi: pl.DataFrame) -> pl.DataFrame:
    """One row per HI composite: claim, HI position, element index, qualifier, code."""
    columns = present(hi, [f"e{index:02d}" for index in range(1, MAX_HI_CODES + 1)])
    pieces = [
        hi.filter(pl.col(column).is_not_null()).select(
            "st_position",
            "claim_pos",
            "pos",
            pl.lit(int(column[1:]), dtype=pl.Int64).alias("element"),
            pl.col(column).alias("composite"),
            part(column, 0).alias("qualifier"),
            part(column, 1).alias("code"),
        )
        for column in columns or ["e01"]
    ]
    # Pieces go by element, so a stable sort on the HI position orders by (pos, element).
    return in_file_order(pieces, "pos")


def _diagnoses(codes: pl.DataFrame) -> pl.DataFrame:
    codes = codes.filter(
        pl.col("qualifier").is_in(DIAGNOSIS_QUALIFIERS) & pl.col("code").is_not_null()
    )
    principal = pl.col("qualifier").is_in(PRINCIPAL_QUALIFIERS)
    # Codes gathered as a list then joined: str.join inside the aggregation costs 2-3x more.
    return (
        codes.group_by("claim_pos", maintain_order=True)
        .agg(
            pl.col("code").filter(principal).first().alias("principal_diagnosis"),
            pl.col("qualifier").filter(principal).first().alias("principal_diagnosis_qualifier"),
            pl.col("code").alias("diagnosis_codes"),
        )
        .with_columns(pl.col("diagnosis_codes").list.join(":"))
    )


def _service_lines(
    rows: SegmentRows, scope: _Scope, refs: pl.DataFrame, names: pl.DataFrame
) -> pl.DataFrame:
    lines = scope.lines.select(
        "st_position",
        pl.col("pos").alias("_segment_position"),
        "claim_position",
        "line_position",
        "claim_id",
        pl.col("e01").alias("line_number"),
    )
    sv1 = rows.with_parts(scope.get("SV1", [1, 2, 3, 4, 5, 7]).filter(LINE_LEVEL), "e01", "e07")
    lookups: list[tuple[pl.DataFrame, dict[str, pl.Expr]]] = [
        (
            sv1,
            {
                **procedure_columns("e01"),
                "_procedure_composite": pl.col("e01"),
                "_sv1_position": pl.col("pos"),
                "charge_amount": pl.col("e02"),
                "unit_code": pl.col("e03"),
                "units": pl.col("e04"),
                "place_of_service": pl.col("e05"),
                "diagnosis_pointers": parts_joined("e07", 0, 4),
            },
        ),
        (
            scope.get("DTP", 3, ("472",)).filter(LINE_LEVEL),
            {"service_date_from": date_range("e03", 0), "service_date_to": date_range("e03", 1)},
        ),
        (refs.filter(pl.col("e01") == "6R"), {"line_item_control_number": pl.col("e02")}),
        (
            names.filter((pl.col("e01") == "82") & (pl.col("e08") == "XX")),
            {"rendering_provider_npi": pl.col("e09")},
        ),
        (
            scope.get("LIN", [2, 3]).filter(LINE_LEVEL & (pl.col("e02") == "N4")),
            {"ndc_code": pl.col("e03")},
        ),
    ]
    for frame, columns in lookups:
        if frame.height:
            found = first_per(frame, "line_pos", columns)
            lines = join_on(lines, found, "_segment_position", "line_pos")
    return lines


def _malformed(lines: pl.DataFrame, diagnoses: pl.DataFrame) -> pl.DataFrame:
    """Composites that lack the ISA16 separator (e.g. 'HC>99213' with ISA16 ':')."""
    schema = {"st_position": pl.Int64, "_segment_position": pl.Int64, "value": pl.String}
    pieces = [pl.DataFrame(schema=schema)]
    if "_procedure_composite" in lines.columns:
        pieces.append(
            lines.filter(
                pl.col("_procedure_composite").is_not_null()
                & pl.col("procedure_qualifier").is_null()
            ).select(
                "st_position",
                pl.col("_sv1_position").alias("_segment_position"),
                pl.col("_procedure_composite").alias("value"),
            )
        )
    pieces.append(
        diagnoses.filter(pl.col("code").is_null()).select(
            "st_position",
            pl.col("pos").alias("_segment_position"),
            pl.col("composite").alias("value"),
        )
    )
    return pl.concat(pieces).sort("_segment_position")


def _header(rows: SegmentRows, names: pl.DataFrame, claims: pl.DataFrame) -> pl.DataFrame:
    key = "st_position"
    parts = [
        first_per(
            rows.get("BHT", 6),
            key,
            {
                "bht_purpose_code": pl.col("e02"),
                "originator_reference": pl.col("e03"),
                "creation_date": pl.col("e04"),
                "creation_time": pl.col("e05"),
                "claim_or_encounter": pl.col("e06"),
            },
        ),
        first_per(
            names.filter(pl.col("e01") == "41"),
            key,
            {"submitter_name": pl.col("e03"), "submitter_id": pl.col("e09")},
        ),
        first_per(
            names.filter(pl.col("e01") == "40"),
            key,
            {"receiver_name": pl.col("e03"), "receiver_id": pl.col("e09")},
        ),
        claims.group_by(key).agg(pl.len().cast(pl.Int64).alias("claim_count")).sort(key),
    ]
    # Every transaction gets a row, whichever of these segments it lacks.
    header = pl.concat([p.select(key) for p in parts]).unique().sort(key)
    for found in parts:
        header = join_on(header, found, key, key)
    return header.with_columns(pl.col("claim_count").fill_null(0))
