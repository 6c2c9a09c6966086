"""Sensors: a refresh when new landing files arrive, and a record when a refresh fails.

The landing sensor remembers every file it has seen in its cursor (path -> size, mtime,
sha256), so it hashes only files that are new or changed, and a content it has seen once
(under any name) never triggers again, nor does one the published warehouse already holds
(its ``meta.load_manifest``): the same rule the loader uses. The run key is
derived from the new contents' hashes, so even a re-evaluated tick cannot start the same
refresh twice. One tick starts one run for all its new files (a day's drop is a dozen files;
a run per file would queue a dozen full rebuilds).
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from dagster import (
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from dagster_project.defs.jobs import refresh_job
from dagster_project.defs.refresh_status import failure_reason, record_failure
from dagster_project.settings import Settings
from ingestion.landing import walk_landing

CURSOR_VERSION = 1


@dataclass(frozen=True)
class LandingMemory:
    """The sensor's cursor: the stat and hash of every path seen, and the hashes of contents
    that were overwritten since (so that they do not count as new if they come back)."""

    files: dict[str, list] = field(default_factory=dict)  # path -> [size, mtime_ns, sha256]
    retired: frozenset[str] = frozenset()

    def hashes(self) -> set[str]:
        return {entry[2] for entry in self.files.values()} | set(self.retired)

    def dumps(self) -> str:
        return json.dumps(
            {"v": CURSOR_VERSION, "files": self.files, "retired": sorted(self.retired)},
            sort_keys=True,
        )

    @classmethod
    def loads(cls, cursor: str | None) -> "LandingMemory":
        data = json.loads(cursor) if cursor else {}
        if data.get("v") != CURSOR_VERSION:
            return cls()
        return cls(data["files"], frozenset(data["retired"]))


@dataclass(frozen=True)
class LandingScan:
    """What one look at the landing folder found."""

    new_files: dict[str, str]  # sha256 -> first path it was seen under, in this scan
    memory: LandingMemory

    def without(self, contents: frozenset[str]) -> "LandingScan":
        """The same scan, not counting ``contents`` as new (they stay remembered)."""
        return LandingScan(
            {h: p for h, p in self.new_files.items() if h not in contents}, self.memory
        )

    @property
    def run_key(self) -> str:
        digest = hashlib.sha256("\n".join(sorted(self.new_files)).encode()).hexdigest()
        return f"landing-{digest[:24]}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def loaded_hashes(serving_db: Path) -> frozenset[str]:
    """Contents the published snapshot already holds (its copy of the load manifest).

    Read from the serving snapshot, never the work database, which a running refresh holds.
    """
    if not serving_db.exists():
        return frozenset()
    with duckdb.connect(str(serving_db), read_only=True) as con:
        rows = con.execute("select distinct file_hash from meta.load_manifest").fetchall()
    return frozenset(h for (h,) in rows)


def scan_landing(landing: Path, memory: LandingMemory) -> LandingScan:
    """Compare the landing folder with the memory; hash only new or changed files.

    Deleted files stay remembered: their content was seen and must not trigger again if it
    comes back.
    """
    seen = memory.hashes()
    files = dict(memory.files)
    retired = set(memory.retired)
    new: dict[str, str] = {}
    for landed in walk_landing(landing).files:
        previous = files.get(landed.relative)
        if previous and previous[:2] == [landed.size_bytes, landed.modified_ns]:
            continue
        digest = _sha256(landed.path)
        if previous and previous[2] != digest:
            retired.add(previous[2])
        files[landed.relative] = [landed.size_bytes, landed.modified_ns, digest]
        if digest not in seen:
            new.setdefault(digest, landed.relative)
    return LandingScan(new, LandingMemory(files, frozenset(retired)))


def build_landing_sensor(settings: Settings) -> SensorDefinition:
    landing, serving_db = settings.landing, settings.serving_db

    @sensor(
        name="landing_files",
        job=refresh_job,
        minimum_interval_seconds=60,
        default_status=DefaultSensorStatus.RUNNING,
        description=f"Starts a refresh when new files arrive under {landing}.",
    )
    def landing_files(context: SensorEvaluationContext) -> SensorResult | SkipReason:
        if not landing.is_dir():
            return SkipReason(f"no landing folder at {landing}")
        scan = scan_landing(landing, LandingMemory.loads(context.cursor))
        if scan.new_files:
            # Already in the published warehouse (the first tick after `friction ui` starts,
            # or a `friction refresh` from cron since the last tick): nothing to rebuild.
            scan = scan.without(loaded_hashes(serving_db))
        if not scan.new_files:
            return SensorResult(skip_reason="no new landing files", cursor=scan.memory.dumps())
        request = RunRequest(
            run_key=scan.run_key,
            tags={
                "friction/trigger": "landing",
                "friction/new_files": str(len(scan.new_files)),
                "friction/first_new_file": sorted(scan.new_files.values())[0],
            },
        )
        return SensorResult(run_requests=[request], cursor=scan.memory.dumps())

    return landing_files


def build_failure_sensor(settings: Settings) -> SensorDefinition:
    serving_db = settings.serving_db

    @run_failure_sensor(
        name="record_failed_refresh",
        monitored_jobs=[refresh_job],
        default_status=DefaultSensorStatus.RUNNING,
        description="Writes why a refresh failed to <home>/serving/last_refresh.json.",
    )
    def record_failed_refresh(context: RunFailureSensorContext) -> None:
        run_id = context.dagster_run.run_id
        record_failure(serving_db, run_id=run_id, reason=failure_reason(context.instance, run_id))

    return record_failed_refresh
