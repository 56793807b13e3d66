"""Figure 3, concurrency: one 50-player tournament with encounters sequential versus concurrent, clients taking 20 ms per answer.

The concurrent run is a whole round robin. The server plays encounters one
after another when its environment holds XSERVER_SEQUENTIAL=1; a whole
sequential run would take about a quarter of an hour, so by default it is
sampled: it plays for `SAMPLE_SECONDS`, is stopped with SIGTERM, and its
duration is extrapolated from the encounters it finished (every series of the
load generator's deterministic clients is the same three games, so each
sequential encounter takes the same time; the spread of their durations is
shown to prove it). `--full` plays the sequential run to the end instead.

The load generator's `peak pending answers` shows which mode really ran: in a
sequential run at most one client waits to answer at any moment.

Run `.venv/bin/python bench/concurrency.py [--full]`.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

from harness import SEQUENTIAL_VARIABLE, BenchError, LoadGenerator, Server, round_robin, run_main, sign_up_window

PLAYERS = 50
DELAY_MS = 20
SAMPLE_SECONDS = 45.0
SEQUENTIAL = {SEQUENTIAL_VARIABLE: "1"}


def sequential_sample(players: int, delay_ms: float, sample_seconds: float) -> dict[str, Any]:
    """Play a sequential tournament for `sample_seconds`, then stop it; the extrapolated duration."""
    window = sign_up_window(players)
    server = Server({"min players": players, "waiting for": window}, SEQUENTIAL)
    generator = None
    try:
        generator = LoadGenerator(players, server.port, delay_ms=delay_ms, allow_server_stop=True, time_limit=window + sample_seconds + 120)
        deadline = time.monotonic() + window + 30
        while server.tournament_started_at is None and time.monotonic() < deadline and server.process.poll() is None:
            time.sleep(0.05)
        if server.tournament_started_at is None:
            raise BenchError(f"the sequential tournament did not start: {server.log_tail()}")
        started = server.tournament_started_at
        while time.monotonic() < started + sample_seconds and server.process.poll() is None:
            time.sleep(0.1)
        finished = list(server.encounters_finished_at)
        status = server.terminate()
        clients = generator.finish(60)
    finally:
        if generator is not None:
            generator.kill()
        server.kill()
    if status not in (0, 130) or len(finished) < 2:
        raise BenchError(f"the sequential sample finished {len(finished)} encounters (exit {status}): {server.log_tail()}")
    series = players * (players - 1) // 2
    durations = [later - earlier for earlier, later in zip([started, *finished], finished, strict=False)]
    per_encounter = (finished[-1] - started) / len(finished)
    return {
        "encounters played": len(finished),
        "of series": series,
        "sampled seconds": round(finished[-1] - started, 3),
        "seconds per encounter": round(per_encounter, 4),
        "encounter seconds min / median / max": [
            round(min(durations), 4),
            round(statistics.median(durations), 4),
            round(max(durations), 4),
        ],
        "seconds": round(per_encounter * series, 1),
        "extrapolated": len(finished) < series,
        "peak pending answers": clients["peak pending answers"],
        "sequential honoured": clients["peak pending answers"] <= 1,
    }


def sequential_full(players: int, delay_ms: float) -> dict[str, Any]:
    run = round_robin(players, delay_ms=delay_ms, environment=SEQUENTIAL, time_limit=3600)
    return {
        "encounters played": run["series"],
        "of series": run["series"],
        "seconds": run["seconds"],
        "extrapolated": False,
        "p99 ms": run["p99 ms"],
    }


def measure(full: bool = False) -> dict[str, Any]:
    concurrent = round_robin(PLAYERS, delay_ms=DELAY_MS)
    sequential = sequential_full(PLAYERS, DELAY_MS) if full else sequential_sample(PLAYERS, DELAY_MS, SAMPLE_SECONDS)
    return {
        "figure": "concurrency",
        "players": PLAYERS,
        "delay ms": DELAY_MS,
        "concurrent seconds": concurrent["seconds"],
        "concurrent calls per second": concurrent["calls per second"],
        "concurrent failed calls": concurrent["failed calls"],
        "concurrent peak pending answers": concurrent["peak pending answers"],
        "sequential seconds": sequential["seconds"],
        "ratio": round(sequential["seconds"] / concurrent["seconds"], 2),
        "sequential": sequential,
    }


if __name__ == "__main__":
    sys.exit(run_main(lambda: measure(full="--full" in sys.argv[1:])))
