"""What the event log costs: calls per second of a 20-player round robin with and without "event log"; its size.

Runs alternate (without, with, without, ...) so that a slow spell of this
2-core virtual machine hits both sides alike; the median of each side is
compared, and the issue's bound is a cost of at most 15 %. Then one
100-player round robin with the log gives its size on disk (events.ndjson
and the three exports; the bound: under 50 MB). Run
`.venv/bin/python bench/event_log_cost.py [--runs 5] [--skip-size]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from harness import round_robin

PLAYERS = 20
BEST_OF = 7
"""About 15,000 calls a run, a few seconds, so that one slow moment of the machine weighs less."""
BOUND = 0.15
SIZE_PLAYERS = 100
SIZE_BOUND_MB = 50


def calls_per_second(runs: int) -> dict:
    without, with_log = [], []
    with tempfile.TemporaryDirectory() as directory:
        for run in range(runs):
            without.append(round_robin(PLAYERS, best_of=BEST_OF)["calls per second"])
            log = Path(directory) / f"log-{run}"
            with_log.append(round_robin(PLAYERS, best_of=BEST_OF, more_config={"event log": str(log)})["calls per second"])
    plain, logged = statistics.median(without), statistics.median(with_log)
    cost = 1 - logged / plain
    return {
        "players": PLAYERS,
        "best of": BEST_OF,
        "calls per second without the log, each run": without,
        "calls per second with the log, each run": with_log,
        "median without": plain,
        "median with": logged,
        "cost %": round(100 * cost, 1),
        "within 15 %": cost <= BOUND,
    }


def log_size() -> dict:
    with tempfile.TemporaryDirectory() as directory:
        figures = round_robin(SIZE_PLAYERS, more_config={"event log": directory})
        (tournament,) = [entry for entry in Path(directory).iterdir() if entry.is_dir()]
        sizes = {entry.name: entry.stat().st_size for entry in tournament.iterdir()}
        with open(tournament / "events.ndjson") as lines:
            events = sum(1 for _ in lines)
    return {
        "players": SIZE_PLAYERS,
        "calls": figures["calls"],
        "events": events,
        "events.ndjson MB": round(sizes["events.ndjson"] / 1e6, 1),
        "files MB": {name: round(size / 1e6, 2) for name, size in sorted(sizes.items())},
        "under 50 MB": sizes["events.ndjson"] < SIZE_BOUND_MB * 1e6,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-size", action="store_true")
    arguments = parser.parse_args()
    figures = {"event log cost": calls_per_second(arguments.runs)}
    if not arguments.skip_size:
        figures["event log size"] = log_size()
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
