"""Per-node timings of a dbt run, from its run_results.json, slowest first.

    python dbt/scripts/run_timings.py TARGET/run_results.json [--top 15] [--compare OTHER.json]

With --compare, prints both timings side by side (models only), e.g. before/after an
optimisation.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def node_times(path: Path) -> dict[str, float]:
    """unique_id -> execution seconds."""
    results = json.loads(path.read_text())["results"]
    return {r["unique_id"]: float(r["execution_time"]) for r in results}


def node_kinds(path: Path) -> dict[str, str]:
    """unique_id -> resource type, models split by the schema they build into (the layer:
    ``model staging``, ``model intermediate``, ``model marts``, ``model exports``)."""
    kinds = {}
    for result in json.loads(path.read_text())["results"]:
        kind = result["unique_id"].split(".", 1)[0]
        relation = result.get("relation_name") or ""
        if kind == "model" and relation.count(".") == 2:
            kind += " " + relation.split(".")[1].strip('"')
        kinds[result["unique_id"]] = kind
    return kinds


def summary(times: dict[str, float], kinds: dict[str, str] | None = None) -> dict[str, float]:
    """Total seconds per resource type (model, test, seed, ...), or per ``kinds`` entry."""
    totals: dict[str, float] = {}
    for unique_id, seconds in times.items():
        kind = (kinds or {}).get(unique_id) or unique_id.split(".", 1)[0]
        totals[kind] = totals.get(kind, 0.0) + seconds
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_results", type=Path)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--compare", type=Path)
    args = parser.parse_args()
    times = node_times(args.run_results)
    kinds = node_kinds(args.run_results)
    if args.compare:
        other = node_times(args.compare)
        kinds = node_kinds(args.compare) | kinds
        models = sorted(
            (uid for uid in times.keys() | other.keys() if uid.startswith("model.")),
            key=lambda uid: -times.get(uid, 0.0),
        )
        print(f"{'model':45} {'first':>8} {'second':>8}")
        for uid in models[: args.top]:
            print(f"{uid.split('.')[-1]:45} {times.get(uid, 0):8.2f} {other.get(uid, 0):8.2f}")
        first, second = summary(times, kinds), summary(other, kinds)
        for kind in sorted(first | second):
            print(f"{'total ' + kind:45} {first.get(kind, 0):8.2f} {second.get(kind, 0):8.2f}")
        return
    for uid, seconds in sorted(times.items(), key=lambda item: -item[1])[: args.top]:
        print(f"{seconds:8.2f}  {uid}")
    for kind, seconds in sorted(summary(times, kinds).items()):
        print(f"{seconds:8.2f}  total {kind}")


if __name__ == "__main__":
    main()
