"""The arena under load (issue 19): many clients in an IPD arena and in a Santorini arena, on a real xserver.

One xserver runs `"format": {"kind": "arena", "minutes": M, "pairing":
"first come"}` with no house players; one load generator process brings all
the clients (bench/ipd_load_generator.py, every match exactly `--rounds`
rounds; bench/load_generator.py with `--arena`, Santorini best of 1), each
client strict about its conversation and about the Results it gets at the
end. The figures, from the server's log stamped line by line and its
process sampled every 50 ms:

* **encounters per minute** over the arena's minutes (the log's result
  lines), and the rate in each tenth of the arena: the ratio of the last
  tenth's to the first full one's says whether it stays steady;
* **the longest wait in the queue** (the log's `the longest wait in the
  queue` line, from the arena's own count: from a player's return to the
  queue to the start of its next encounter);
* **the server's memory**: its RSS once every client has signed up
  (*start*) and when the arena's time is over (*end*, before the Results
  go out), their ratio (flat: 1.0), and its peak over the whole life
  (the Results included);
* **CPU**: the server's CPU seconds over the arena's minutes, as a share
  of one core, and the seconds from the arena's end to the server's exit
  (the running encounters finish, every client gets Results listing every
  outcome of the arena).

`"time per call"` is 60 s: the Results at the end once listed every outcome
of the arena, and with 10 s a Santorini client's Results were cut when the
call's time ran out (bench/README.md); each player's Results now hold its
own encounters (`TournamentRules.narrowed`), and both load generators run
with `--arena`, which takes them so.

There is no yardstick here (no other server of ours pairs continuously):
the ratios are of the arena against itself, end against start.

    .venv/bin/python bench/arena.py [--minutes 1] [--ipd-clients 1000] [--santorini-clients 200] [--rounds 100]

About 3 minutes with the defaults on the 2-core machine (the issue asks 10
minutes: `--minutes 10`); not part of `make bench`.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from functools import partial
from typing import Any

from harness import PROJECT_ROOT, BenchError, MachineLoad, ProcessSampler, Server, end, run_main, run_stamp

LOAD_GENERATORS = {"ipd": PROJECT_ROOT / "bench" / "ipd_load_generator.py", "santorini": PROJECT_ROOT / "bench" / "load_generator.py"}
SIGNED_UP = re.compile(r"^xserver: \S+ signed up$")
RESULT = re.compile(r"^xserver: \S+ -?\d+\.\d \((?:[+-]\d+\.\d|not rated)\) (?:beat|drew with|misbehaved|and) ")
TIME_OVER = re.compile(r"^xserver: the arena's time is over ")
OVER = re.compile(r"^xserver: the arena is over: (\d+) encounters$")
LONGEST_WAIT = re.compile(r"^xserver: the longest wait in the queue: ([\d.]+) s \((\S+)\)$")
SLICES = 10


def _rss_mb_at(sampler: ProcessSampler, moment: float) -> float | None:
    """The server's RSS in the last sample at or before `moment`, in MB."""
    before = [rss for at, rss, _ in sampler.samples if at <= moment]
    return round(before[-1] * 1024 / 1e6, 1) if before else None


def arena(game: str, clients: int, minutes: float, rounds: int) -> dict[str, Any]:
    """One arena of `game` with `clients` clients of one load generator for `minutes`: its figures."""
    own = {"min rounds": rounds, "max rounds": rounds, "seed": 1} if game == "ipd" else {"best of": 1}
    arena_format = {"kind": "arena", "minutes": minutes, "pairing": "first come"}
    server = Server({"game": game, "min players": 0, "waiting for": 1, "time per call": 60, "format": arena_format, **own})
    command = [sys.executable, str(LOAD_GENERATORS[game]), "--clients", str(clients), "--port", str(server.port)]
    command += ["--arena", "--rounds", str(rounds)] if game == "ipd" else ["--arena"]
    command += ["--time-limit", str(60 * minutes + 300)]
    sampler = ProcessSampler(server.process.pid)
    generator = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        output, errors = generator.communicate(timeout=60 * minutes + 360)
        if generator.returncode != 0:
            raise BenchError(f"the load generator failed (exit {generator.returncode}): {errors.strip()} | {server.log_tail()}")
        status = server.wait(120)
        exited = time.monotonic()
    except subprocess.TimeoutExpired:
        raise BenchError("the load generator did not finish in time") from None
    finally:
        sampler.stop()
        end(generator, server)
    if status != 0:
        raise BenchError(f"xserver exited with status {status}: {server.log_tail()}")
    opened = server.listening_at
    signed_up = [stamp for stamp, line in server.lines if SIGNED_UP.match(line)]
    time_over = next((stamp for stamp, line in server.lines if TIME_OVER.match(line)), None)
    over = next((OVER.match(line) for _, line in server.lines if OVER.match(line)), None)
    longest = next((LONGEST_WAIT.match(line) for _, line in server.lines if LONGEST_WAIT.match(line)), None)
    ended = [stamp for stamp, line in server.lines if RESULT.match(line)]
    if opened is None or time_over is None or over is None or len(signed_up) != clients:
        raise BenchError(f"{len(signed_up)} of {clients} signed up; the log's end: {server.log_tail()}")
    if len(ended) != int(over[1]):
        raise BenchError(f"{len(ended)} result lines, but the log says {over[1]} encounters")
    length = time_over - opened
    slices = [
        sum(opened + length * part / SLICES <= stamp < opened + length * (part + 1) / SLICES for stamp in ended) for part in range(SLICES)
    ]
    first_full = next((count for index, count in enumerate(slices) if opened + length * index / SLICES >= signed_up[-1]), None)
    start_rss, end_rss = _rss_mb_at(sampler, signed_up[-1] + 0.1), _rss_mb_at(sampler, time_over)
    cpu = sampler.cpu_seconds(start=opened, end=time_over)
    figures = json.loads(output)
    return {
        "clients": clients,
        "results received": figures["results received"],
        "encounters": len(ended),
        "encounters per minute": round(len(ended) / (length / 60)),
        f"encounters in each tenth ({length / SLICES:.1f} s)": slices,
        "ratio (last tenth / first full tenth)": round(slices[-1] / first_full, 2) if first_full else None,
        "longest wait in the queue s": float(longest[1]) if longest else None,
        "seconds until all signed up": round(signed_up[-1] - opened, 2),
        "rss mb at start (all signed up)": start_rss,
        "rss mb at the end (time over)": end_rss,
        "ratio (rss end / start)": round(end_rss / start_rss, 2) if start_rss and end_rss else None,
        "peak rss mb (results included)": sampler.high_water_mb(),
        "server cpu seconds over the arena": cpu,
        "server cpu % of one core": round(100 * cpu / length, 1) if cpu is not None else None,
        "seconds from the end to the exit (results sent)": round(exited - time_over, 2),
        "load generator cpu seconds": figures["cpu seconds"],
    }


def measure(game: str, clients: int, minutes: float, rounds: int) -> dict[str, Any]:
    load = MachineLoad()
    started = time.monotonic()
    what = f"{rounds}-round matches" if game == "ipd" else "best of 1"
    found = arena(game, clients, minutes, rounds)
    return {
        "figure": f"{game} arena, {clients:,} clients, {minutes:g} min, first come, {what}",
        **found,
        **run_stamp(started, load),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=1.0, help="the arenas' length (default 1; the issue asks 10)")
    parser.add_argument("--ipd-clients", type=int, default=1000, help="clients of the IPD arena (default 1000; 0: none)")
    parser.add_argument("--santorini-clients", type=int, default=200, help="clients of the Santorini arena (default 200; 0: none)")
    parser.add_argument("--rounds", type=int, default=100, help="rounds of every IPD match (default 100)")
    arguments = parser.parse_args()
    if arguments.minutes <= 0 or arguments.rounds < 1:
        parser.error("--minutes and --rounds must be positive")
    clients = {"ipd": arguments.ipd_clients, "santorini": arguments.santorini_clients}
    return run_main(*(partial(measure, game, count, arguments.minutes, arguments.rounds) for game, count in clients.items() if count))


if __name__ == "__main__":
    sys.exit(main())
