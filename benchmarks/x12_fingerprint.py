"""Content fingerprint of everything the X12 reader returns, to prove a change keeps results.

    python benchmarks/x12_fingerprint.py --out /tmp/before.json     # before a change
    python benchmarks/x12_fingerprint.py --compare /tmp/before.json # after: exits 1 on a change

Reads, with ``read_x12_files`` as ``ingestion/load.py`` batches them (1,000 files / 32 MB), every
file of the ``claims/`` and ``remits/`` folders of ``--landing`` (default: the medium preset),
every shared sample (alone, as 837 and as 835) and every file of the broken-input corpus. For
each group it hashes the tables (schema, row count, then every row in order with the file it
came from), the issues (all fields) and the unit counts.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import time
from pathlib import Path

import polars as pl
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingestion.load import BATCH_LIMITS  # noqa: E402
from ingestion.x12.reader import X12ReadResult, X12Source, read_x12_files  # noqa: E402
from ingestion.x12.tables import X12_TABLES  # noqa: E402

SAMPLES = ROOT.parent / "shared" / "samples" / "x12"
BAD = ROOT / "tests" / "data" / "bad" / "x12"
FOLDERS = {"claims": "837", "remits": "835"}


def fingerprint(groups: list[list[Path]], expected: str) -> dict[str, str]:
    """Digests of tables, issues and units of the files, read group by group."""
    results: list[X12ReadResult] = []
    for group in groups:
        datas = [path.read_bytes() for path in group]
        sources = [
            X12Source(data, path.name, hashlib.sha256(data).hexdigest())
            for path, data in zip(group, datas, strict=True)
        ]
        results += read_x12_files(sources, expected=expected, seen_interchanges={})
    digests = {}
    for table in X12_TABLES:
        parts = [result.tables[table] for result in results]
        digest = hashlib.sha256(str(parts[0].schema if parts else "").encode())
        files = pa.array(
            [k for k, part in enumerate(parts) for _ in range(part.num_rows)], pa.int64()
        )
        joined = pa.concat_tables(parts) if parts else None
        if joined is not None and joined.num_rows:
            frame = pl.from_arrow(joined.append_column("__file", files))
            digest.update(str(frame.height).encode())
            # hash_rows is stable within one polars version, which both runs share.
            digest.update(frame.hash_rows(seed=7).to_numpy().tobytes())
        digests[table] = digest.hexdigest()[:16]
    issues = hashlib.sha256()
    for k, result in enumerate(results):
        issues.update(
            repr(
                (
                    k,
                    result.transaction_type,
                    result.units_total,
                    result.units_loaded,
                    result.units_quarantined,
                    [dataclasses.astuple(issue) for issue in result.issues],
                )
            ).encode()
        )
    digests["issues_and_units"] = issues.hexdigest()[:16]
    return digests


def batched(paths: list[Path]) -> list[list[Path]]:
    max_files, max_bytes = BATCH_LIMITS["x12"]
    groups: list[list[Path]] = []
    size = 0
    for path in paths:
        if not groups or len(groups[-1]) >= max_files or size + path.stat().st_size > max_bytes:
            groups.append([])
            size = 0
        groups[-1].append(path)
        size += path.stat().st_size
    return groups


def all_fingerprints(landing: Path) -> dict[str, dict[str, str]]:
    found = {}
    for folder, expected in FOLDERS.items():
        paths = sorted(p for p in (landing / folder).rglob("*") if p.is_file())
        started = time.process_time()
        found[f"landing/{folder}"] = fingerprint(batched(paths), expected)
        print(f"landing/{folder}: {len(paths)} files, {time.process_time() - started:.1f} s CPU")
    samples = sorted(p for p in SAMPLES.rglob("*") if p.is_file() and p.name != "LICENSE")
    samples = [p for p in samples if p.suffix != ".md"]
    for path in samples:
        for expected in FOLDERS.values():
            found[f"sample/{path.relative_to(SAMPLES)}/{expected}"] = fingerprint(
                [[path]], expected
            )
    for path in sorted(BAD.rglob("*")):
        kind = next((FOLDERS[part] for part in path.parts if part in FOLDERS), None)
        if path.is_file() and kind:
            found[f"bad/{path.relative_to(BAD)}"] = fingerprint([[path]], kind)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--landing", type=Path, default=Path("/tmp/sim_medium/landing"))
    parser.add_argument("--out", type=Path, help="write the fingerprints here (JSON)")
    parser.add_argument("--compare", type=Path, help="fingerprints to compare against (JSON)")
    args = parser.parse_args(argv)
    found = all_fingerprints(args.landing)
    if args.out:
        args.out.write_text(json.dumps(found, indent=1, sort_keys=True))
    if args.compare:
        before = json.loads(args.compare.read_text())
        changed = [
            f"{group}: {name}"
            for group in sorted(set(before) | set(found))
            for name in sorted(set(before.get(group, {})) | set(found.get(group, {})))
            if before.get(group, {}).get(name) != found.get(group, {}).get(name)
        ]
        print("\n".join(changed) or f"identical: {len(found)} groups")
        return 1 if changed else 0
    print(f"{len(found)} groups fingerprinted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
