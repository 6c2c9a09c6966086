"""The landing folder layout (shared/spec/extracts.md) and the walk that classifies its files.

Every file under the landing root is reported: as a CSV extract, an X12 claim or remittance
file, or as misplaced with a reason that names the accepted layout. Hidden files (names
starting with ``.``) are the one exception: they are skipped and counted, so ``.gitkeep`` and
the temporary files of writers that land atomically (write ``.name.tmp``, then rename) never
reach the quarantine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ingestion.contracts import EXTRACTS, Extract

CSV_SUFFIXES = (".csv",)
X12_FOLDERS: dict[str, tuple[str, tuple[str, ...]]] = {
    # folder: (transaction set the files must hold, accepted suffixes)
    "claims": ("837", (".837", ".txt", ".x12", ".edi")),
    "remits": ("835", (".835", ".txt", ".x12", ".edi")),
}
UNRECOGNIZED = "(unrecognized)"
LAYOUT = (
    "pm/<extract>/<name>.csv, ehr/<extract>/<name>.csv, "
    "claims/<name>.837|.txt|.x12|.edi or remits/<name>.835|.txt|.x12|.edi"
)


@dataclass(frozen=True)
class LandedFile:
    """One file under the landing root and what the layout says it is.

    ``destination`` is the extract key (``pm/appointments``), the X12 folder (``claims``,
    ``remits``) or ``UNRECOGNIZED``; ``problem`` says why a file is misplaced.
    """

    path: Path
    relative: str
    kind: Literal["csv", "x12", "misplaced"]
    destination: str
    size_bytes: int
    modified_ns: int
    extract: Extract | None = None
    x12_expected: str | None = None
    problem: str | None = None


@dataclass(frozen=True)
class LandingWalk:
    files: list[LandedFile]
    hidden: list[str]


def walk_landing(landing: Path) -> LandingWalk:
    """Every file under ``landing``, classified, in path order (the order loads apply)."""
    files, hidden = [], []
    for path in sorted(p for p in landing.rglob("*") if p.is_file()):
        relative = path.relative_to(landing).as_posix()
        if any(part.startswith(".") for part in path.relative_to(landing).parts):
            hidden.append(relative)
            continue
        stat = path.stat()
        files.append(_classify(path, relative, stat.st_size, stat.st_mtime_ns))
    return LandingWalk(files, hidden)


def _classify(path: Path, relative: str, size: int, modified_ns: int) -> LandedFile:
    parts = relative.split("/")
    suffix = path.suffix.lower()
    where = (path, relative)

    def misplaced(problem: str) -> LandedFile:
        reason = f"{relative} is not in the landing layout: {problem}; accepted: {LAYOUT}"
        return LandedFile(*where, "misplaced", UNRECOGNIZED, size, modified_ns, problem=reason)

    top = parts[0]
    if top in X12_FOLDERS:
        expected, suffixes = X12_FOLDERS[top]
        if len(parts) != 2:
            return misplaced(f"X12 files go directly in {top}/, not in a subfolder")
        if suffix not in suffixes:
            return misplaced(f"{top}/ accepts {', '.join(suffixes)} files, not '{path.suffix}'")
        return LandedFile(*where, "x12", top, size, modified_ns, x12_expected=expected)
    if top in ("pm", "ehr"):
        if len(parts) != 3:
            return misplaced(f"{top} files go in {top}/<extract>/, exactly one folder deep")
        extract = EXTRACTS.get(f"{top}/{parts[1]}")
        if extract is None:
            known = ", ".join(e.name for e in EXTRACTS.values() if e.group == top)
            return misplaced(f"'{parts[1]}' is not a {top} extract (known: {known})")
        if suffix not in CSV_SUFFIXES:
            return misplaced(f"extracts are .csv files, not '{path.suffix}'")
        return LandedFile(*where, "csv", extract.key, size, modified_ns, extract=extract)
    if len(parts) == 1:
        return misplaced("files do not go directly in the landing folder")
    return misplaced(f"'{top}' is not a landing folder (pm, ehr, claims, remits)")
