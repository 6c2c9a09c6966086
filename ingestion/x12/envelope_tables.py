"""Frames built from the envelope walk (Python objects, a few rows per transaction).

They carry what only the envelope knows: interchange and group headers, control numbers
(the lineage columns every table gets) and each transaction's ST/SE facts.
"""

from __future__ import annotations

import polars as pl

from ingestion.x12.batch import FILE, Batch
from ingestion.x12.envelope import Envelope
from ingestion.x12.tables import X12_TABLES
from ingestion.x12.values import POLARS_TYPES


def transactions_frame(batch: Batch) -> pl.DataFrame:
    """The envelope's columns of x12_transactions, one row per loadable transaction, with the
    batch's global positions."""
    loadable = list(batch.transactions())
    return pl.DataFrame(
        {
            "st_position": [base + tx.st_position for base, tx in loadable],
            "_segment_position": [base + tx.st_position for base, tx in loadable],
            "gs_position": [
                base + tx.group.gs_position if tx.group else None for base, tx in loadable
            ],
            "transaction_set_id": [tx.transaction_set for _, tx in loadable],
            "implementation_reference": [tx.guide for _, tx in loadable],
            "segment_count": [tx.segment_count for _, tx in loadable],
        },
        schema={
            "st_position": pl.Int64,
            "_segment_position": pl.Int64,
            "gs_position": pl.Int64,
            "transaction_set_id": pl.String,
            "implementation_reference": pl.String,
            "segment_count": pl.Int64,
        },
    )


def lineage_frame(batch: Batch) -> pl.DataFrame:
    """Control numbers and ISA position by (global) ``st_position``, to join onto every table."""
    loadable = [
        (base, tx, None if tx.interchange is None else file.envelope.interchanges[tx.interchange])
        for file, base in zip(batch.files, batch.bases.tolist(), strict=True)
        for tx in file.envelope.loadable()
    ]
    return pl.DataFrame(
        {
            "st_position": [base + tx.st_position for base, tx, _ in loadable],
            "isa_position": [base + isa.isa_position if isa else None for base, _, isa in loadable],
            "_interchange_control": [isa.control if isa else None for _, _, isa in loadable],
            "_group_control": [tx.group.control if tx.group else None for _, tx, _ in loadable],
            "_st_control": [tx.control for _, tx, _ in loadable],
        },
        schema={
            "st_position": pl.Int64,
            "isa_position": pl.Int64,
            "_interchange_control": pl.String,
            "_group_control": pl.String,
            "_st_control": pl.String,
        },
    )


def interchanges_frame(batch: Batch) -> pl.DataFrame:
    """One row per functional group with a loaded transaction, with its ISA's fields; positions
    are the file's own, ``__file`` says which file (as ``Batch.localize`` leaves a table)."""
    rows = []
    for index, file in enumerate(batch.files):
        rows += _interchange_rows(file.envelope, index)
    schema = {name: POLARS_TYPES[kind] for name, kind in X12_TABLES["x12_interchanges"]}
    schema.pop("_file_hash")
    schema.pop("_source_file")
    return pl.DataFrame(rows, schema={**schema, FILE: pl.Int64})


def _interchange_rows(envelope: Envelope, file: int) -> list[dict]:
    rows = []
    for interchange in envelope.interchanges:
        header = interchange.header
        if interchange.rejected is not None or header is None:
            continue
        isa = [element.strip() for element in header.elements]
        delimiters = header.delimiters
        for group in interchange.groups:
            if not any(tx.problem is None for tx in group.transactions):
                continue
            gs = group.elements + [""] * 9
            rows.append(
                {
                    "_interchange_control": interchange.control,
                    "_group_control": group.control,
                    "_st_control": None,
                    "_segment_position": group.gs_position,
                    "isa_position": interchange.isa_position,
                    "gs_position": group.gs_position,
                    "sender_id_qualifier": isa[4],
                    "sender_id": isa[5],
                    "receiver_id_qualifier": isa[6],
                    "receiver_id": isa[7],
                    "interchange_date": interchange.date,
                    "interchange_time": isa[9],
                    "interchange_version": isa[11],
                    "interchange_control_number": isa[12],
                    "usage_indicator": isa[14],
                    "element_separator": delimiters.element,
                    "repetition_separator": delimiters.repetition,
                    "component_separator": delimiters.component,
                    "segment_terminator": delimiters.segment,
                    "functional_id": gs[1],
                    "application_sender": gs[2].strip(),
                    "application_receiver": gs[3].strip(),
                    "group_date": group.date,
                    "group_time": gs[5],
                    "group_control_number": group.control,
                    "group_version": gs[8],
                    "transaction_count": len(group.transactions),
                    FILE: file,
                }
            )
    return rows
