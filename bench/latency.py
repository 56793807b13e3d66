"""Figure 2, latency: the server's time per call (median, p90, p99, max) for one encounter and for 20 players.

The server times each call from the moment it starts sending until the reply
is decoded (or, without a reply, sent) and logs the percentiles after the
tournament. A best-of-3 encounter has only 37 calls, and the figures vary
from run to run, so it is run five times, as is the 20-player round robin
(figure 1's runs), and the median of each percentile over the runs is shown
beside every run; a best-of-101 encounter gives the per-call figure of one
encounter from about 1,800 calls. Run `.venv/bin/python bench/latency.py`.
"""

from __future__ import annotations

import statistics
import sys
from typing import Any

from harness import round_robin, run_main

PERCENTILES = ("median ms", "p90 ms", "p99 ms", "max ms")
RUNS = 5


def _figures(run: dict[str, Any]) -> dict[str, Any]:
    return {"calls": run["calls"], **{key: run[key] for key in PERCENTILES}, "failed calls": run["failed calls"]}


def _medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"runs": len(runs), "calls": runs[0]["calls"], **{key: statistics.median(run[key] for run in runs) for key in PERCENTILES}}


def measure(twenty: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    singles = [round_robin(2) for _ in range(RUNS)]
    long_single = round_robin(2, best_of=101)
    twenty = twenty or [round_robin(20) for _ in range(RUNS)]
    return {
        "figure": "latency",
        "single encounter, best of 3 (median over runs)": _medians(singles),
        "single encounter, best of 3, each run": [_figures(run) for run in singles],
        "single encounter, best of 101": _figures(long_single),
        "20 players (median over runs)": _medians(twenty),
        "20 players, each run": [_figures(run) for run in twenty],
    }


if __name__ == "__main__":
    sys.exit(run_main(measure))
