"""Ours against a naive server: rounds per second of one long IPD match on xserver and on bench/naive_ipd_server.py, and their ratio.

Both servers play one match of 4,000 rounds (`--rounds`) between the same two
clients: two independent processes of bench/ipd_load_generator.py, one
tit-for-tat client each, which check every message. Ours is a real xserver
with `"game": "ipd"`, 2 players (`"max players"` 2, so the match starts when
both have signed up), `"min rounds"` = `"max rounds"`, no noise; the naive
one is a blocking stdlib server written from the protocol (its docstring
says what it leaves out). The runs are interleaved, ours first, then the
naive one, `--runs` times (default 3), so that a busy moment of the machine
hits both alike.

A run's rounds per second is the match's rounds divided by the longer of the
two clients' play seconds (from the first `["move", 1, null]` a client
received to its `results`). The headline is the ratio of the medians, ours
over naive: at least 1.0 means ours is as fast as the naive server.

    .venv/bin/python bench/ipd_vs_naive.py [--runs 3] [--rounds 4000]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from typing import Any

from harness import PROJECT_ROOT, BenchError, MachineLoad, ProcessSampler, Server, run_main, run_stamp

IPD_LOAD_GENERATOR = PROJECT_ROOT / "bench" / "ipd_load_generator.py"
NAIVE_SERVER = PROJECT_ROOT / "bench" / "naive_ipd_server.py"
LISTENING = re.compile(r"listening on 127\.0\.0\.1:(\d+)")
TIME_LIMIT = 120.0
"""Seconds one run may take."""


def _clients(port: int, rounds: int) -> list[subprocess.Popen]:
    """The two client processes, each one tit-for-tat client; the second starts once the first is running."""
    processes = []
    for prefix in ("tfta", "tftb"):
        command = [sys.executable, str(IPD_LOAD_GENERATOR), "--clients", "1", "--port", str(port), "--prefix", prefix]
        command += ["--strategy", "tit-for-tat", "--rounds", str(rounds), "--time-limit", str(TIME_LIMIT)]
        processes.append(subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    return processes


def _finish(clients: list[subprocess.Popen], rounds: int, server_log: str) -> dict[str, Any]:
    """Both clients' figures, checked: one regular match of `rounds` rounds each."""
    figures = []
    try:
        for client in clients:
            output, errors = client.communicate(timeout=TIME_LIMIT + 30)
            if client.returncode != 0:
                raise BenchError(f"a client failed (exit {client.returncode}): {errors.strip()} | server: {server_log}")
            figures.append(json.loads(output))
    except subprocess.TimeoutExpired:
        raise BenchError("a client did not finish in time") from None
    finally:
        for client in clients:
            if client.poll() is None:
                client.kill()
                client.communicate()
    for figure in figures:
        if figure["matches"] != 1 or figure["irregular outcomes"] or figure["rounds"] != rounds or figure["forfeited rounds"]:
            raise BenchError(f"expected one regular match of {rounds} rounds without forfeits, a client saw {figure}")
    seconds = max(figure["play seconds"] for figure in figures)
    return {"seconds": seconds, "rounds per second": round(rounds / seconds), "client cpu seconds": [f["cpu seconds"] for f in figures]}


def ours(rounds: int) -> dict[str, Any]:
    """One match on a real xserver."""
    configuration = {
        "game": "ipd",
        "min players": 2,
        "max players": 2,
        "waiting for": 30,
        "repeat": 0,
        "min rounds": rounds,
        "max rounds": rounds,
        "seed": 1,
    }
    server = Server(configuration)
    sampler = ProcessSampler(server.process.pid, period=0.02)
    try:
        assert server.port is not None
        started = time.monotonic()
        run = _finish(_clients(server.port, rounds), rounds, server.log_tail())
        status = server.wait(60)
    finally:
        sampler.stop()
        server.kill()
    if status != 0:
        raise BenchError(f"xserver exited with status {status}: {server.log_tail()}")
    return {**run, "server cpu µs per round": _per_round(sampler, started, rounds)}


def naive(rounds: int) -> dict[str, Any]:
    """One match on the naive server."""
    command = [sys.executable, str(NAIVE_SERVER), "--rounds", str(rounds)]
    server = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = ProcessSampler(server.pid, period=0.02)
    try:
        assert server.stderr is not None
        match = LISTENING.search(server.stderr.readline())
        if match is None:
            raise BenchError("the naive server did not start listening")
        started = time.monotonic()
        run = _finish(_clients(int(match[1]), rounds), rounds, "(naive)")
        server.wait(60)
    finally:
        sampler.stop()
        if server.poll() is None:
            server.kill()
        server.wait()
    if server.returncode != 0:
        raise BenchError(f"the naive server exited with status {server.returncode}")
    return {**run, "server cpu µs per round": _per_round(sampler, started, rounds)}


def _per_round(sampler: ProcessSampler, started: float, rounds: int) -> float | None:
    """The server's CPU time from `started` (the clients start) to its end, per round, in µs."""
    seconds = sampler.cpu_seconds(start=started)
    return None if seconds is None else round(seconds * 1e6 / rounds)


def measure(runs: int, rounds: int) -> dict[str, Any]:
    load = MachineLoad()
    started = time.monotonic()
    results: dict[str, list[int]] = {"ours": [], "naive": []}
    cpu: dict[str, list[float | None]] = {"ours": [], "naive": []}
    for _ in range(runs):
        for name, server in (("ours", ours), ("naive", naive)):
            run = server(rounds)
            results[name].append(run["rounds per second"])
            cpu[name].append(run["server cpu µs per round"])
    medians = {name: statistics.median(rates) for name, rates in results.items()}
    return {
        "figure": f"ipd one match of {rounds:,} rounds, ours against a naive blocking server",
        "ratio (ours / naive, medians)": round(medians["ours"] / medians["naive"], 2),
        "ours rounds per second (median)": medians["ours"],
        "naive rounds per second (median)": medians["naive"],
        "ours, each run": results["ours"],
        "naive, each run": results["naive"],
        "server cpu µs per round, ours, each run": cpu["ours"],
        "server cpu µs per round, naive, each run": cpu["naive"],
        **run_stamp(started, load),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs on each server, interleaved (default 3)")
    parser.add_argument("--rounds", type=int, default=4000, help="rounds of the match (default 4000)")
    arguments = parser.parse_args()
    if arguments.runs < 1 or arguments.rounds < 1:
        parser.error("--runs and --rounds must be positive")
    return run_main(lambda: measure(arguments.runs, arguments.rounds))


if __name__ == "__main__":
    sys.exit(main())
