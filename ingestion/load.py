"""Load a landing folder into DuckDB ``raw.*``: the one entry point of ingestion.

Per file, in landing-path order: hash the bytes; skip what an earlier load already saw; record
a second name for known bytes without loading them again; otherwise read the file (CSV reader
or X12 reader) and append its rows, its issues, its manifest row and its path in one
transaction, so a crash leaves either the whole file or none of it. New files of one
destination (an extract, ``claims/``, ``remits/``) share that transaction, up to
``BATCH_LIMITS``. Files the layout does not accept are quarantined as a whole, like unreadable
ones. See ``ingestion/RAW_LAYER.md``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import queue
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import duckdb

from ingestion import raw_store
from ingestion.csv_reader import CsvSource, read_csv_files
from ingestion.duckdb_memory import bound_memory
from ingestion.issues import LoadIssue
from ingestion.landing import LandedFile, walk_landing
from ingestion.raw_store import FileRef, ManifestEntry, PathSeen

if TYPE_CHECKING:  # pyarrow and the X12 reader are only needed when X12 files arrive
    import pyarrow as pa

    from ingestion.x12.reader import X12Source

Progress = Callable[[str, int, int], None]

# New files of one destination are read, checked and committed together, up to these limits
# (files, bytes): per-statement and per-commit costs, not bytes, dominate the many small daily
# files a practice lands. A batch commits whole files only. X12 batches are smaller because
# every file's parsed tables stay in memory until the batch is written.
BATCH_LIMITS: dict[str, tuple[int, int]] = {
    "csv": (500, 256 * 1024 * 1024),
    "x12": (1000, 32 * 1024 * 1024),
}
# X12 batches read ahead of the loader and waiting for it, at most: each holds its tables in
# memory until it is inserted.
X12_READ_AHEAD = 2


class X12ReadResult(Protocol):
    transaction_type: str
    tables: dict[str, pa.Table]
    issues: list[LoadIssue]
    units_total: int
    units_loaded: int
    units_quarantined: int


class X12Reader(Protocol):
    """``ingestion.x12.reader.read_x12_files``: one result per source, in order."""

    def __call__(
        self,
        sources: Sequence[X12Source],
        *,
        expected: str,
        seen_interchanges: dict[tuple[str, str, str], str] | None = None,
    ) -> Sequence[X12ReadResult]: ...


@dataclass
class LoadSummary:
    """What one ``load_landing`` call did.

    ``files_seen`` = ``files_new`` + ``files_duplicate`` + ``files_known``. Of the new files,
    ``files_quarantined`` were refused as a whole and ``files_partial`` lost some rows.
    ``rows_loaded`` / ``rows_quarantined`` are keyed by extract (``pm/appointments``, ``claims``,
    ``remits``, ``(unrecognized)``) and count rows for CSV, segments for X12, files for
    misplaced files.
    """

    load_id: int
    files_seen: int = 0
    files_new: int = 0
    files_duplicate: int = 0
    files_known: int = 0
    files_hidden: int = 0
    files_quarantined: int = 0
    files_partial: int = 0
    rows_loaded: Counter[str] = field(default_factory=Counter)
    rows_quarantined: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def one_line(self) -> str:
        hidden = f", {self.files_hidden} hidden ignored" if self.files_hidden else ""
        return (
            f"load {self.load_id}: {self.files_seen} files ({self.files_new} new, "
            f"{self.files_duplicate} duplicate, {self.files_known} already loaded{hidden}); "
            f"{self.files_quarantined} quarantined, {self.files_partial} partial; "
            f"{sum(self.rows_loaded.values()):,} rows loaded, "
            f"{sum(self.rows_quarantined.values()):,} quarantined; {self.seconds:.1f} s"
        )


def load_landing(
    landing: Path,
    database: Path,
    *,
    quarantine_dir: Path | None = None,
    progress: Progress | None = None,
    x12_reader: X12Reader | None = None,
) -> LoadSummary:
    """Append every new file under ``landing`` to ``raw.*`` in ``database``.

    ``quarantine_dir`` receives a copy of each wholly quarantined file with a
    ``<name>.reason.txt`` beside it; ``progress`` is called after each file with its
    landing-relative path, the files done and the files in total; ``x12_reader`` replaces
    ``ingestion.x12.reader.read_x12_files``.
    """
    started = time.perf_counter()
    landing, database = Path(landing), Path(database)
    if quarantine_dir is not None and Path(quarantine_dir).resolve().is_relative_to(
        landing.resolve()
    ):
        raise ValueError("quarantine_dir must not be inside the landing folder it quarantines")
    walk = walk_landing(landing)
    if x12_reader is None and any(f.kind == "x12" for f in walk.files):
        from ingestion.x12.reader import read_x12_files as x12_reader
    con = duckdb.connect(str(database))
    try:
        # Every batch commits on its own and is durable in the write-ahead log; folding the log
        # into the database once per load, not every few commits, saves a third of the time.
        con.execute("SET checkpoint_threshold = '16GB'")
        bound_memory(con)
        con.execute("SET enable_progress_bar = false")
        raw_store.create_raw_schema(con)
        loader = _Loader(
            con,
            load_id=raw_store.next_load_id(con),
            loaded_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            quarantine_dir=None if quarantine_dir is None else Path(quarantine_dir),
            x12_reader=x12_reader,
            progress=progress,
            total=len(walk.files),
        )
        loader.summary.files_hidden = len(walk.hidden)
        loader.run(walk.files)
        con.execute("CHECKPOINT")
        con.execute("RESET checkpoint_threshold")
    finally:
        con.close()
    loader.summary.seconds = time.perf_counter() - started
    return loader.summary


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.begin()
    try:
        yield
    except BaseException:
        con.rollback()
        raise
    con.commit()


@dataclass(frozen=True)
class _NewFile:
    landed: LandedFile
    ref: FileRef


class _Loader:
    """State of one load: its id and time, what the warehouse already holds, the tally."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        *,
        load_id: int,
        loaded_at: dt.datetime,
        quarantine_dir: Path | None,
        x12_reader: X12Reader | None,
        progress: Progress | None,
        total: int,
    ) -> None:
        self.con = con
        self.load_id = load_id
        self.loaded_at = loaded_at
        self.quarantine_dir = quarantine_dir
        self.x12_reader = x12_reader
        self.progress = progress
        self.total = total
        self.seen = raw_store.seen_paths(con)
        self.contents = raw_store.known_contents(con)
        self.duplicates: list[PathSeen] = []
        # Interchange control numbers already used, read when the first X12 batch is planned.
        self.interchanges: dict[tuple[str, str, str], str] | None = None
        self.summary = LoadSummary(load_id)
        self.files_done = 0
        self.threads = self.threads_now = int(
            raw_store.scalar(con, "SELECT current_setting('threads')")
        )

    def run(self, files: list[LandedFile]) -> None:
        """Load the new files batch by batch; X12 batches are read by a worker thread.

        Every file is triaged first, so the worker can start on the X12 batches (``claims/``
        sorts first, ``remits/`` last) while this thread loads the CSV batches: the X12 reader
        (Python and polars) and DuckDB's CSV work (which releases the GIL) overlap. Each X12
        batch is inserted between CSV batches as soon as it is read. Every batch still commits
        on its own, and only this thread touches the database and calls ``progress``.
        """
        steps: list[LandedFile | list[_NewFile]] = []  # in landing-path order
        batch: list[_NewFile] = []
        with _X12Prefetch(self._read_x12) as prefetch:
            for landed in files:
                new = self._triage(landed)
                if new is None:
                    steps.append(landed)  # known: only progress to report
                    continue
                if batch and not _same_batch(batch, new):
                    self._plan(batch, steps, prefetch)
                    batch = []
                batch.append(new)
            if batch:
                self._plan(batch, steps, prefetch)
            prefetch.close()
            for step in steps:
                if isinstance(step, LandedFile):
                    self._done(step)
                else:
                    self._use_threads(1 if prefetch.reading() else self.threads)
                    self._load(step)
                while prefetch.ready():
                    self._load(*prefetch.next())
            self._use_threads(self.threads)
            while prefetch.pending():
                self._load(*prefetch.next())
        # Recorded last: a second name is only worth keeping once the first one committed.
        with _transaction(self.con):
            raw_store.insert_landing_paths(self.con, self.duplicates, self.loaded_at)

    def _use_threads(self, threads: int) -> None:
        # While the X12 worker keeps one core busy, DuckDB on the other core alone spends 15 %
        # less CPU on the CSV batches than two DuckDB threads sharing it with the worker; once
        # the worker is idle, DuckDB gets every core again. (Results do not depend on it.)
        if threads != self.threads_now:
            self.con.execute(f"SET threads = {threads}")
            self.threads_now = threads

    def _plan(
        self,
        batch: list[_NewFile],
        steps: list[LandedFile | list[_NewFile]],
        prefetch: _X12Prefetch,
    ) -> None:
        """Hand an X12 batch to the worker now; keep any other batch as a step to load."""
        if batch[0].landed.kind != "x12":
            steps.append(batch)
            return
        if self.interchanges is None:
            # Read here, on the thread that owns the connection, before the worker starts.
            self.interchanges = raw_store.used_interchanges(self.con)
        prefetch.submit(batch)

    def _triage(self, landed: LandedFile) -> _NewFile | None:
        """The file as new work, or None when it is already loaded or a second name (whose
        progress ``run`` reports when it reaches the file)."""
        self.summary.files_seen += 1
        if (landed.relative, landed.size_bytes, landed.modified_ns) in self.seen.stats:
            self.summary.files_known += 1
            return None
        with landed.path.open("rb") as file:
            file_hash = hashlib.file_digest(file, "sha256").hexdigest()
        if (landed.relative, file_hash) in self.seen.pairs:
            self.summary.files_known += 1
            return None
        self.seen.pairs.add((landed.relative, file_hash))
        ref = FileRef(file_hash, landed.relative, landed.destination, self.load_id)
        if (file_hash, landed.destination) in self.contents:
            self.duplicates.append(PathSeen(ref, landed.size_bytes, landed.modified_ns))
            self.summary.files_duplicate += 1
            return None
        self.contents[(file_hash, landed.destination)] = landed.relative
        return _NewFile(landed, ref)

    def _load(
        self, batch: list[_NewFile], x12_results: Sequence[X12ReadResult] | None = None
    ) -> None:
        kind = batch[0].landed.kind
        if kind == "csv":
            entries = self._load_csv(batch)
        elif kind == "x12":
            assert x12_results is not None
            entries = self._load_x12(batch, x12_results)
        else:
            entries = [self._quarantine_misplaced(batch[0])]
        for new, entry in zip(batch, entries, strict=True):
            self._count(new.landed.destination, entry)
            self._done(new.landed)

    def _load_csv(self, batch: list[_NewFile]) -> list[ManifestEntry]:
        extract = batch[0].landed.extract
        assert extract is not None
        sources = [CsvSource(new.landed.path, new.landed.relative) for new in batch]
        hashes = {new.landed.relative: new.ref.file_hash for new in batch}
        # Read before the transaction: a parse error fails its statement, and a failed
        # statement would abort the transaction the other files of the batch need.
        result = read_csv_files(sources, extract, con=self.con)
        with _transaction(self.con), result:
            entries = [
                ManifestEntry(
                    "row",
                    outcome.units_total,
                    outcome.units_loaded,
                    outcome.units_quarantined,
                    new.landed.size_bytes,
                    rejected=outcome.wholly_quarantined,
                )
                for new, outcome in zip(batch, result.files, strict=True)
            ]
            for new, outcome, entry in zip(batch, result.files, entries, strict=True):
                self._copy_if_rejected(entry, new, outcome.file_issues)
            if result.rows_sql is not None:
                inserted = raw_store.insert_csv_rows(
                    self.con,
                    extract,
                    result.rows_sql,
                    file_hashes=hashes,
                    load_id=self.load_id,
                    loaded_at=self.loaded_at,
                )
                if inserted != result.units_loaded:
                    # Landed files are immutable; one that changed while it was read is not.
                    raise RuntimeError(
                        f"{extract.key}: inserted {inserted} rows, expected "
                        f"{result.units_loaded}; nothing from these files was kept"
                    )
            if result.issues_sql is not None:
                raw_store.insert_row_issues(
                    self.con,
                    result.issues_sql,
                    extract=extract.key,
                    file_hashes=hashes,
                    load_id=self.load_id,
                )
            file_issues = [
                (new.ref, issue)
                for new, outcome in zip(batch, result.files, strict=True)
                for issue in (*outcome.file_issues, *outcome.file_warnings)
            ]
            raw_store.insert_issues(self.con, file_issues)
            self._record(batch, entries)
        return entries

    def _read_x12(self, batch: list[_NewFile]) -> Sequence[X12ReadResult]:
        """Run the X12 reader on a batch (on the prefetch worker: no database access here)."""
        from ingestion.x12.reader import X12Source

        assert self.x12_reader is not None and self.interchanges is not None
        # One call for the batch: the reader builds its tables once for all the files (its
        # per-file overhead is what the many small daily files cost) and sees an interchange
        # number reused by a neighbour in the batch or by any earlier batch or load.
        sources = [
            X12Source(new.landed.path.read_bytes(), new.landed.relative, new.ref.file_hash)
            for new in batch
        ]
        return self.x12_reader(
            sources,
            expected=batch[0].landed.x12_expected or "",
            seen_interchanges=self.interchanges,
        )

    def _load_x12(
        self, batch: list[_NewFile], results: Sequence[X12ReadResult]
    ) -> list[ManifestEntry]:
        if len(results) != len(batch):
            raise RuntimeError(f"the X12 reader returned {len(results)} results for {len(batch)}")
        entries = [
            ManifestEntry(
                "segment",
                result.units_total,
                result.units_loaded,
                result.units_quarantined,
                new.landed.size_bytes,
                rejected=result.units_loaded == 0
                and any(i.disposition == "quarantined" for i in result.issues),
            )
            for new, result in zip(batch, results, strict=True)
        ]
        parts: dict[str, list[pa.Table]] = {}
        for result in results:
            for table, rows in result.tables.items():
                if rows.num_rows:
                    parts.setdefault(table, []).append(rows)
        with _transaction(self.con):
            for new, result, entry in zip(batch, results, entries, strict=True):
                self._copy_if_rejected(entry, new, result.issues)
            for table, tables in parts.items():
                raw_store.insert_arrow_rows(
                    self.con, table, tables, load_id=self.load_id, loaded_at=self.loaded_at
                )
            issues = [
                (new.ref, issue)
                for new, result in zip(batch, results, strict=True)
                for issue in result.issues
            ]
            raw_store.insert_issues(self.con, issues)
            self._record(batch, entries)
        return entries

    def _quarantine_misplaced(self, new: _NewFile) -> ManifestEntry:
        assert new.landed.problem is not None
        issue = LoadIssue("misplaced_file", new.landed.problem, "file", units=1)
        entry = ManifestEntry("file", 1, 0, 1, new.landed.size_bytes, rejected=True)
        with _transaction(self.con):
            self._copy_if_rejected(entry, new, [issue])
            raw_store.insert_issues(self.con, [(new.ref, issue)])
            self._record([new], [entry])
        return entry

    def _record(self, files: list[_NewFile], entries: list[ManifestEntry]) -> None:
        refs = [new.ref for new in files]
        raw_store.insert_manifest(self.con, list(zip(refs, entries, strict=True)), self.loaded_at)
        paths = [PathSeen(new.ref, new.landed.size_bytes, new.landed.modified_ns) for new in files]
        raw_store.insert_landing_paths(self.con, paths, self.loaded_at)

    def _copy_if_rejected(
        self, entry: ManifestEntry, new: _NewFile, issues: list[LoadIssue]
    ) -> None:
        # Written inside the transaction, before it commits: a crash in between leaves a copy
        # that the next load simply writes again, never a quarantined file without its copy.
        if self.quarantine_dir is None or entry.status != "quarantined":
            return
        target = self.quarantine_dir / new.landed.relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(new.landed.path, target)
        lines = [
            f"file: {new.landed.relative}",
            f"sha256: {new.ref.file_hash}",
            f"load: {self.load_id} at {self.loaded_at:%Y-%m-%d %H:%M:%S} UTC",
            "why it was not loaded:",
            *(f"- {issue.reason}" for issue in issues),
        ]
        target.with_name(target.name + ".reason.txt").write_text("\n".join(lines) + "\n")

    def _count(self, destination: str, entry: ManifestEntry) -> None:
        self.summary.files_new += 1
        self.summary.files_quarantined += entry.status == "quarantined"
        self.summary.files_partial += entry.status == "partial"
        self.summary.rows_loaded[destination] += entry.units_loaded
        self.summary.rows_quarantined[destination] += entry.units_quarantined

    def _done(self, landed: LandedFile) -> None:
        self.files_done += 1
        if self.progress is not None:
            self.progress(landed.relative, self.files_done, self.total)


class _X12Prefetch:
    """Reads X12 batches on one worker thread, one after the other, in the order submitted.

    At most ``X12_READ_AHEAD`` read batches wait for the loader, which bounds the memory their
    tables hold. The worker starts with the first batch submitted and stops at the first
    failure; ``next`` raises that exception in the loader's thread, where a load reading X12
    inline would have raised it. Leaving the ``with`` block stops the worker and waits for it,
    so no read outlives the load.
    """

    def __init__(self, read: Callable[[list[_NewFile]], Sequence[X12ReadResult]]) -> None:
        self._read = read
        self._inbox: queue.SimpleQueue[list[_NewFile] | None] = queue.SimpleQueue()
        self._outbox: queue.Queue[_X12Read] = queue.Queue(maxsize=X12_READ_AHEAD)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._submitted = self._taken = 0
        self._reading = False

    def submit(self, batch: list[_NewFile]) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="x12-read", daemon=True)
            self._thread.start()
        self._inbox.put(batch)
        self._submitted += 1

    def close(self) -> None:
        """No more batches: the worker ends after the last one."""
        self._inbox.put(None)

    def pending(self) -> bool:
        """Whether a submitted batch has not been taken with ``next`` yet."""
        return self._taken < self._submitted

    def ready(self) -> bool:
        """Whether ``next`` would return (or raise) without waiting."""
        return not self._outbox.empty()

    def reading(self) -> bool:
        """Whether the worker is reading a batch right now (not waiting for work or room)."""
        return self._reading

    def next(self) -> tuple[list[_NewFile], Sequence[X12ReadResult]]:
        """The oldest batch not yet taken and its results, waiting for them if need be."""
        read = self._outbox.get()
        self._taken += 1
        if read.error is not None:
            raise read.error
        assert read.results is not None
        return read.batch, read.results

    def _work(self) -> None:
        while (batch := self._inbox.get()) is not None and not self._stop.is_set():
            self._reading = True
            try:
                read = _X12Read(batch, self._read(batch))
            except BaseException as error:  # raised again by ``next``, in the loader's thread
                read = _X12Read(batch, None, error)
            self._reading = False
            while not self._stop.is_set():
                try:
                    self._outbox.put(read, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if read.error is not None:
                return

    def __enter__(self) -> _X12Prefetch:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._inbox.put(None)
        if self._thread is not None:
            self._thread.join()


@dataclass(frozen=True)
class _X12Read:
    batch: list[_NewFile]
    results: Sequence[X12ReadResult] | None
    error: BaseException | None = None


def _same_batch(batch: list[_NewFile], new: _NewFile) -> bool:
    """Whether ``new`` joins ``batch``: files of one destination, up to a size and a count."""
    first = batch[0].landed
    if first.kind == "misplaced" or (first.kind, first.destination) != (
        new.landed.kind,
        new.landed.destination,
    ):
        return False
    max_files, max_bytes = BATCH_LIMITS[first.kind]
    size = sum(f.landed.size_bytes for f in batch) + new.landed.size_bytes
    return len(batch) < max_files and size <= max_bytes
