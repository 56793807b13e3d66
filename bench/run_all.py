"""The whole benchmark suite: every figure of bench/README.md, then the targets of issue 4, met or missed.

The profile (bench/profile_server.py) is not part of it: it is for finding
where the time goes, not for comparing runs.

Prints one JSON object per figure as soon as it is measured, then one with
the targets; takes about 6½ minutes on the 2-core machine and at most 11.
The last two figures are Fish's knock-outs of 100 and 1,000 players over the
wire against local players (bench/fish_knock_out.py; issue 18), which have
no target of issue 4.
Run `make bench` or `.venv/bin/python bench/run_all.py`. The exit status is 1
if a figure could not be measured (one line on standard error says which and
why), otherwise 0, whether or not the targets are met.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import concurrency
import fish_knock_out
import growth
import latency
import loopback_floor
import scale
import throughput
from harness import BenchError, MachineLoad, emit, server_version


def _measure(name: str, measure: Callable[[], dict[str, Any]], figures: dict[str, dict[str, Any]]) -> None:
    try:
        figures[name] = measure()
    except BenchError as error:
        print(f"bench: {name}: {error}", file=sys.stderr, flush=True)
        return
    emit(figures[name])


def targets(figures: dict[str, dict[str, Any]], runs: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    """Each target of issue 4 with the measured figure and whether it is met (None: not measured)."""
    found: dict[str, Any] = {}
    if "throughput" in figures:
        twenty = throughput.median_run(runs[20])["calls per second"]
        found["at least 4,000 calls/s, 20 players"] = {"measured": twenty, "met": twenty >= 4000}
    if "latency" in figures:
        median = figures["latency"]["single encounter, best of 3 (median over runs)"]["median ms"]
        found["median at most 0.6 ms, single encounter"] = {"measured": median, "met": median <= 0.6}
    if runs.get(100):
        hundred = runs[100][0]
        met = hundred["seconds"] <= 90 and hundred["p99 ms"] <= 50 and hundred["failed calls"] == 0 and hundred["irregular outcomes"] == 0
        found["100 players within 90 s, p99 at most 50 ms, no time-out"] = {
            "measured": {key: hundred[key] for key in ("seconds", "p99 ms", "failed calls", "irregular outcomes")},
            "met": met,
        }
    if "scale" in figures:
        crowd = figures["scale"]
        within = crowd["seconds until all signed up, from listening"]
        met = (
            crowd["signed up"] == crowd["clients"] == 1000
            and within is not None
            and within < crowd["window seconds"]
            and crowd["below 200 mb throughout"]
        )
        found["1,000 sign up in one 10 s window, RSS below 200 MB"] = {
            "measured": {"signed up": crowd["signed up"], "seconds": within, "vmhwm mb": crowd["vmhwm mb"]},
            "met": met,
        }
    if "concurrency" in figures:
        ratio = figures["concurrency"]["ratio"]
        honoured = figures["concurrency"]["sequential"].get("sequential honoured", True)
        found["concurrent at least 8 times faster, 50 players, 20 ms clients"] = {"measured": ratio, "met": ratio >= 8 and honoured}
    return found


def main() -> int:
    started = time.monotonic()
    load = MachineLoad()
    version = server_version()
    figures: dict[str, dict[str, Any]] = {}
    runs: dict[int, list[dict[str, Any]]] = {}

    def tournaments() -> dict[str, Any]:
        runs.update(throughput.run_tournaments())
        return throughput.measure(runs)

    _measure("loopback floor", loopback_floor.measure, figures)  # first: it forks, best before any thread starts
    _measure("throughput", tournaments, figures)
    if runs:
        _measure("cost growth", lambda: growth.measure(runs), figures)
    _measure("latency", lambda: latency.measure(runs.get(20)), figures)
    _measure("concurrency", concurrency.measure, figures)
    _measure("scale", scale.measure, figures)
    for players in fish_knock_out.PLAYER_COUNTS:
        _measure(f"fish knock-out of {players}", lambda players=players: fish_knock_out.measure(players), figures)
    emit(
        {
            "figure": "targets",
            **targets(figures, runs),
            "suite seconds": round(time.monotonic() - started, 1),
            "cpu steal %": load.figures(0.0)["cpu steal %"],
            "code": version,
            "date": time.strftime("%Y-%m-%d"),
        }
    )
    return 0 if len(figures) == 6 + len(fish_knock_out.PLAYER_COUNTS) else 1


if __name__ == "__main__":
    sys.exit(main())
