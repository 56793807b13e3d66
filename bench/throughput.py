"""Figure 1, throughput: referee calls per second over a whole round robin of 10, 20, 50 and 100 players.

A call is one message of the server to one player (a name, a Placement, a
Board, the Results), counted by the server itself; the seconds run from the
end of the sign-up window to the Results. The clients are the load generator's
fast clients (no delay). Figures on this 2-core virtual machine vary by up to
a third from run to run, so the smaller tournaments are repeated and the
median run is shown with the range. Run `.venv/bin/python bench/throughput.py`.
"""

from __future__ import annotations

import sys
from typing import Any

from harness import round_robin, run_main

REPEATS = {10: 5, 20: 5, 50: 3, 100: 1}
"""Player counts and how many round robins of each."""
PLAYER_COUNTS = tuple(REPEATS)
SHOWN = (
    "players",
    "series",
    "calls",
    "calls per series",
    "seconds",
    "calls per second",
    "failed calls",
    "irregular outcomes",
    "median ms",
    "p99 ms",
    "server cpu seconds",
    "load generator cpu seconds",
    "cpu steal %",
    "other processes cpu %",
)


def run_tournaments() -> dict[int, list[dict[str, Any]]]:
    """The round robins of every player count, fast clients; shared with figures 2 and 5."""
    return {players: [round_robin(players) for _ in range(repeats)] for players, repeats in REPEATS.items()}


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median throughput (the lower middle one of an even number)."""
    ordered = sorted(runs, key=lambda run: run["calls per second"])
    return ordered[(len(ordered) - 1) // 2]


def measure(runs: dict[int, list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    runs = runs or run_tournaments()
    shown = []
    for players in PLAYER_COUNTS:
        middle = median_run(runs[players])
        rates = [run["calls per second"] for run in runs[players]]
        shown.append(
            {
                **{key: middle[key] for key in SHOWN},
                "runs": len(rates),
                "calls per second, each run": rates,
                "failed calls, all runs": sum(run["failed calls"] for run in runs[players]),
            }
        )
    return {"figure": "throughput", "runs": shown}


if __name__ == "__main__":
    sys.exit(run_main(measure))
