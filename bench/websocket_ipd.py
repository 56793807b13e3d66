"""WebSocket against TCP in the IPD: one long match's rounds per second, and 1,000 clients in one tournament, each over both.

Two figures, each measured over WebSocket and over TCP in the same run,
taking turns (the transport that goes first alternates from run to run), so
that a busy moment of the machine hits both alike. The server is the same
real xserver both ways, its configuration the same (its WebSocket listener
open in every run); only the clients' transport differs: the processes of
bench/ipd_load_generator.py, with `--websocket` (wsproto's client, one JSON
value per text message) or without.

* **One match** (`--rounds`, default 4,000): two tit-for-tat client
  processes, `"min rounds"` = `"max rounds"`, no noise, `--runs` of each
  (default 3). Rounds per second as bench/ipd_vs_naive.py counts them (the
  match's rounds over the longer of the clients' play seconds), the
  server's CPU µs per round (/proc, sampled), and the clients' CPU µs per
  round (both processes), since a WebSocket costs the clients too. The
  headline is the ratio of the medians, WebSocket over TCP.
* **A crowd** (`--players`, default 1,000) in one IPD tournament of fixed
  short matches (`--crowd-rounds`, default 10 rounds a match): a Swiss of
  `--swiss-rounds` (default 5) rounds, 2,500 matches for 1,000 players, a
  round robin of them being half a million; all clients in one load
  generator process, `"max players"` closing the window as the last one
  signs up; `--crowd-runs` of each (default 3). The wall time from starting
  the clients to the server's exit, the seconds until all signed up and of
  play (from the tournament's start), and the server's memory: the
  kernel's VmHWM over its life, the highest VmRSS sampled every 50 ms, and
  the first sample, taken before the clients' process starts.

One JSON object per figure on standard output, with the machine's load.

    .venv/bin/python bench/websocket_ipd.py [--runs 3] [--rounds 4000] [--players 1000] [--crowd-runs 3]

About 1½ minutes with the defaults on the 2-core machine; not part of `make bench`.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from functools import partial
from typing import Any

from harness import PROJECT_ROOT, BenchError, MachineLoad, ProcessSampler, Server, run_main, run_stamp

IPD_LOAD_GENERATOR = PROJECT_ROOT / "bench" / "ipd_load_generator.py"
TRANSPORTS = ("tcp", "websocket")
SIGNED_UP = re.compile(r"^xserver: \S+ signed up$")
STARTS = re.compile(r"^xserver: tournament of \d+ players starts$")
TIME_LIMIT = 600.0
"""Seconds one run may take."""


def _generator(port: int, clients: int, prefix: str, rounds: int, websocket: bool, strategy: str = "cooperator") -> subprocess.Popen:
    command = [sys.executable, str(IPD_LOAD_GENERATOR), "--clients", str(clients), "--port", str(port), "--prefix", prefix]
    command += ["--strategy", strategy, "--rounds", str(rounds), "--time-limit", str(TIME_LIMIT)]
    command += ["--websocket"] if websocket else []
    return subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _figures_of(generators: list[subprocess.Popen], server: Server) -> list[dict[str, Any]]:
    """Each generator's figures once it is done; BenchError if one failed or saw a forfeit or an irregular outcome."""
    figures = []
    try:
        for generator in generators:
            output, errors = generator.communicate(timeout=TIME_LIMIT + 30)
            if generator.returncode != 0:
                raise BenchError(f"a client process failed (exit {generator.returncode}): {errors.strip()} | server: {server.log_tail()}")
            figures.append(json.loads(output))
    except subprocess.TimeoutExpired:
        raise BenchError("a client process did not finish in time") from None
    finally:
        for generator in generators:
            if generator.poll() is None:
                generator.kill()
                generator.communicate()
    for figure in figures:
        if figure["irregular outcomes"] or figure["forfeited rounds"]:
            raise BenchError(f"expected regular matches without forfeits, a client saw {figure}")
    return figures


def _server(config: dict[str, Any]) -> Server:
    server = Server({**config, "game": "ipd", "seed": 1, "websocket": {"port": 0}})
    if server.port is None or server.websocket_port is None:
        server.kill()
        raise BenchError(f"xserver did not say both its ports: {server.log_tail()}")
    return server


def match(rounds: int, transport: str) -> dict[str, Any]:
    """One match of `rounds` rounds between two tit-for-tat client processes, both over `transport`."""
    server = _server({"min players": 2, "max players": 2, "waiting for": 30, "min rounds": rounds, "max rounds": rounds})
    websocket = transport == "websocket"
    port = server.websocket_port if websocket else server.port
    assert port is not None  # checked by _server
    sampler = ProcessSampler(server.process.pid, period=0.02)
    try:
        started = time.monotonic()
        generators = [_generator(port, 1, prefix, rounds, websocket, "tit-for-tat") for prefix in ("tfta", "tftb")]
        figures = _figures_of(generators, server)
        status = server.wait(60)
    finally:
        sampler.stop()
        server.kill()
    if status != 0:
        raise BenchError(f"xserver exited with status {status}: {server.log_tail()}")
    if any(figure["matches"] != 1 or figure["rounds"] != rounds for figure in figures):
        raise BenchError(f"expected one match of {rounds} rounds, the clients saw {figures}")
    seconds = max(figure["play seconds"] for figure in figures)
    server_cpu = sampler.cpu_seconds(start=started)
    return {
        "rounds per second": round(rounds / seconds),
        "server cpu µs per round": None if server_cpu is None else round(server_cpu * 1e6 / rounds),
        "clients cpu µs per round": round(sum(figure["cpu seconds"] for figure in figures) * 1e6 / rounds),
    }


def crowd(players: int, match_rounds: int, swiss_rounds: int, transport: str) -> dict[str, Any]:
    """One Swiss of `players` clients in one process, all over `transport`: time and the server's memory."""
    config = {
        "min players": players,
        "max players": players,
        "waiting for": TIME_LIMIT,
        "min rounds": match_rounds,
        "max rounds": match_rounds,
        "format": {"kind": "swiss", "rounds": swiss_rounds},
    }
    server = _server(config)
    websocket = transport == "websocket"
    port = server.websocket_port if websocket else server.port
    assert port is not None  # checked by _server
    sampler = ProcessSampler(server.process.pid)
    try:
        started = time.monotonic()
        (figures,) = _figures_of([_generator(port, players, "p", match_rounds, websocket)], server)
        status = server.wait(120)
        ended = time.monotonic()
    finally:
        sampler.stop()
        server.kill()
    if status != 0 or server.statistics is None:
        raise BenchError(f"xserver exited with status {status} and no statistics: {server.log_tail()}")
    signed_up = [stamp for stamp, line in server.lines if SIGNED_UP.match(line)]
    play_started = next((stamp for stamp, line in server.lines if STARTS.match(line)), None)
    if len(signed_up) != players or play_started is None or figures["results received"] != players:
        raise BenchError(f"{len(signed_up)} of {players} signed up, {figures['results received']} received Results")
    return {
        "wall seconds": round(ended - started, 2),
        "seconds until all signed up": round(signed_up[-1] - started, 2),
        "play seconds": round(ended - play_started, 2),
        "matches": figures["matches"],
        "vmhwm mb": sampler.high_water_mb(),
        "peak rss mb": sampler.peak_rss_mb(),
        "rss mb at start": round(sampler.samples[0][1] * 1024 / 1e6, 1) if sampler.samples else None,
        "server cpu seconds": sampler.cpu_seconds(start=started),
        "clients cpu seconds": figures["cpu seconds"],
    }


def _taking_turns(runs: int, measure: Any) -> dict[str, list[dict[str, Any]]]:
    """`runs` runs of `measure(transport)` for each transport, taking turns, the first of each pair alternating."""
    found: dict[str, list[dict[str, Any]]] = {transport: [] for transport in TRANSPORTS}
    for run in range(runs):
        for transport in TRANSPORTS if run % 2 == 0 else reversed(TRANSPORTS):
            found[transport].append(measure(transport))
    return found


def _median(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [run[key] for run in runs if run[key] is not None]
    return statistics.median(values) if values else None


def _ratio(over: float | None, under: float | None) -> float | None:
    return None if over is None or not under else round(over / under, 2)


def measure_match(runs: int, rounds: int) -> dict[str, Any]:
    load = MachineLoad()
    started = time.monotonic()
    found = _taking_turns(runs, lambda transport: match(rounds, transport))
    keys = ("rounds per second", "server cpu µs per round", "clients cpu µs per round")
    medians = {transport: {key: _median(found[transport], key) for key in keys} for transport in TRANSPORTS}
    return {
        "figure": f"ipd one match of {rounds:,} rounds, WebSocket against TCP ({runs} runs each, taking turns)",
        "ratio (websocket / tcp, rounds per second, medians)": _ratio(medians["websocket"][keys[0]], medians["tcp"][keys[0]]),
        "ratio (websocket / tcp, server cpu per round, medians)": _ratio(medians["websocket"][keys[1]], medians["tcp"][keys[1]]),
        **{f"{transport} medians": medians[transport] for transport in TRANSPORTS},
        **{f"{transport}, each run": found[transport] for transport in TRANSPORTS},
        **run_stamp(started, load),
    }


def measure_crowd(runs: int, players: int, match_rounds: int, swiss_rounds: int) -> dict[str, Any]:
    load = MachineLoad()
    started = time.monotonic()
    found = _taking_turns(runs, lambda transport: crowd(players, match_rounds, swiss_rounds, transport))
    keys = ("wall seconds", "seconds until all signed up", "vmhwm mb", "peak rss mb", "server cpu seconds")
    medians = {transport: {key: _median(found[transport], key) for key in keys} for transport in TRANSPORTS}
    return {
        "figure": f"ipd {players:,} clients, a Swiss of {swiss_rounds} rounds, {match_rounds}-round matches, WebSocket against TCP",
        "ratio (websocket / tcp, wall seconds, medians)": _ratio(medians["websocket"]["wall seconds"], medians["tcp"]["wall seconds"]),
        "ratio (websocket / tcp, vmhwm, medians)": _ratio(medians["websocket"]["vmhwm mb"], medians["tcp"]["vmhwm mb"]),
        **{f"{transport} medians": medians[transport] for transport in TRANSPORTS},
        **{f"{transport}, each run": found[transport] for transport in TRANSPORTS},
        **run_stamp(started, load),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of the match over each transport, taking turns (default 3)")
    parser.add_argument("--rounds", type=int, default=4000, help="rounds of the match (default 4000)")
    parser.add_argument("--players", type=int, default=1000, help="clients of the crowd's tournament (default 1000; 0: no crowd)")
    parser.add_argument("--crowd-rounds", type=int, default=10, help="rounds of each of the crowd's matches (default 10)")
    parser.add_argument("--swiss-rounds", type=int, default=5, help="rounds of the crowd's Swiss (default 5)")
    parser.add_argument("--crowd-runs", type=int, default=3, help="runs of the crowd over each transport (default 3)")
    arguments = parser.parse_args()
    if min(arguments.runs, arguments.rounds, arguments.crowd_rounds, arguments.swiss_rounds, arguments.crowd_runs) < 1:
        parser.error("--runs, --rounds, --crowd-rounds, --swiss-rounds and --crowd-runs must be positive")
    match = partial(measure_match, arguments.runs, arguments.rounds)
    crowd = partial(measure_crowd, arguments.crowd_runs, arguments.players, arguments.crowd_rounds, arguments.swiss_rounds)
    return run_main(match, *([crowd] if arguments.players else []))


if __name__ == "__main__":
    sys.exit(main())
