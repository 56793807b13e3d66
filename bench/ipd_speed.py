"""The prisoner's dilemma's figures: rounds per second of one long match and of a 20-player round robin, and memory per round.

Each run is a real xserver with `"game": "ipd"`, fixed-length matches
(`"min rounds"` = `"max rounds"`), seed 1, loaded by bench/ipd_load_generator.py
(clients that answer at once, always "C"):

* **one match** of 20,000 rounds between two clients: rounds per second at
  the clients (from the first `["move", 1, null]` to the `results`), and as
  the server's `statistics` line has it (its seconds run from the end of the
  sign-up window to the Results);
* **a 20-player round robin** of 200-round matches: 190 × 200 = 38,000
  rounds in all, per second, both clocks;
* **memory**: the server's peak resident memory (VmHWM, /proc/PID/status,
  sampled every 50 ms) in a match of 2,000 rounds against one of 20,000 (the
  first figure's runs): a player's memory must not grow with the rounds.

Every figure is the median of 3 runs (`--runs`), shown with each run's value;
the whole script takes about a minute. The targets are issue 8's:
at least 3,000 and 4,000 rounds per second. `--profile cprofile` or
`--profile py-spy` (py-spy: `.venv/bin/pip install py-spy`, no dependency of
the project) instead runs one 20,000-round match (or, with `--profile-run
round-robin`, one 20-player round robin) with the server profiled and prints
where its time goes, by area and by function, as bench/profile_server.py does
for Santorini; the raw profile stays in the temporary directory.

    .venv/bin/python bench/ipd_speed.py [--runs 3]
    .venv/bin/python bench/ipd_speed.py --profile py-spy [--profile-run match|round-robin] [--top 25]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import PROJECT_ROOT, BenchError, MachineLoad, ProcessSampler, Server, emit, end, server_version, sign_up_window

IPD_LOAD_GENERATOR = PROJECT_ROOT / "bench" / "ipd_load_generator.py"
LONG_MATCH = 20_000
SHORT_MATCH = 2_000
ROUND_ROBIN_PLAYERS = 20
ROUND_ROBIN_ROUNDS = 200
SINGLE_MATCH_TARGET = 3_000
ROUND_ROBIN_TARGET = 4_000
MEMORY_GROWTH_LIMIT_MB = 2.0
"""How much more the 20,000-round match may take than the 2,000-round one and still count as "roughly equal"."""
PY_SPY = Path(sys.executable).parent / "py-spy"
PY_SPY_RATE = 400
TIME_LIMIT = 120.0
"""Seconds one run may take, sign-up window included."""


def ipd_configuration(players: int, rounds: int) -> dict[str, Any]:
    return {
        "game": "ipd",
        "min players": players,
        "waiting for": sign_up_window(players) if players > 2 else 1.5,
        "repeat": 0,
        "min rounds": rounds,
        "max rounds": rounds,
        "seed": 1,
    }


def ipd_tournament(
    players: int, rounds: int, strategy: str = "cooperator", profile_to: str | None = None, py_spy_to: str | None = None
) -> dict[str, Any]:
    """One whole IPD round robin of `players` load-generator clients with fixed `rounds`-round matches; the figures of both sides.

    `profile_to` runs the server under cProfile, writing the profile there;
    `py_spy_to` has py-spy sample it from the moment it listens, writing its raw stacks there.
    """
    server = Server(ipd_configuration(players, rounds), profile_to=profile_to)
    sampler = ProcessSampler(server.process.pid)
    generator = spy = None
    try:
        if py_spy_to is not None:
            spy = _start_py_spy(server.process.pid, py_spy_to)
        command = [sys.executable, str(IPD_LOAD_GENERATOR), "--clients", str(players), "--port", str(server.port)]
        command += ["--rounds", str(rounds), "--strategy", strategy, "--time-limit", str(TIME_LIMIT)]
        generator = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        load = MachineLoad()
        try:
            output, errors = generator.communicate(timeout=TIME_LIMIT + 30)
        except subprocess.TimeoutExpired:
            raise BenchError("the IPD load generator did not finish in time") from None
        if generator.returncode != 0:
            raise BenchError(
                f"the IPD load generator failed (exit {generator.returncode}): {errors.strip()} | xserver: {server.log_tail()}"
            )
        clients = _json(output)
        status = server.wait(60)
        if spy is not None:
            spy_log, _ = spy.communicate(timeout=60)
            if not Path(py_spy_to).exists():
                raise BenchError(f"py-spy wrote no profile: {spy_log.strip()[-300:]}")
        ours = clients["cpu seconds"] + (sampler.cpu_seconds(load.started) or 0.0)
        machine = load.figures(ours)
    finally:
        sampler.stop()
        end(generator, server, spy)
    if status != 0 or server.statistics is None:
        raise BenchError(f"xserver exited with status {status} and no statistics: {server.log_tail()}")
    matches = players * (players - 1) // 2
    if clients["matches"] != matches or clients["irregular outcomes"] or clients["rounds"] != matches * rounds:
        raise BenchError(f"expected {matches} regular matches of {rounds} rounds, the clients saw {clients}")
    seconds = server.statistics["seconds"]
    return {
        "players": players,
        "rounds per match": rounds,
        "matches": matches,
        "rounds": clients["rounds"],
        "client seconds": clients["play seconds"],
        "rounds per second": clients["rounds per second"],
        "server seconds": seconds,
        "rounds per second, server's clock": round(clients["rounds"] / seconds) if seconds else None,
        "calls": server.statistics["calls"],
        "median ms": server.statistics["median ms"],
        "p99 ms": server.statistics["p99 ms"],
        "failed calls": server.statistics["failed calls"],
        "forfeited rounds": clients["forfeited rounds"],
        "server cpu seconds": sampler.cpu_seconds(server.tournament_started_at or float("-inf")),
        "load generator cpu seconds": clients["cpu seconds"],
        "vmhwm mb": sampler.high_water_mb(),
        **machine,
    }


def _start_py_spy(pid: int, stacks: str) -> subprocess.Popen:
    if not PY_SPY.exists():
        raise BenchError(f"py-spy is not installed in the virtual environment ({PY_SPY}): .venv/bin/pip install py-spy")
    command = [str(PY_SPY), "record", "--pid", str(pid), "--format", "raw", "--output", stacks, "--rate", str(PY_SPY_RATE)]
    spy = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(0.5)  # py-spy attaches; the sign-up window is still open
    return spy


def _json(text: str) -> dict[str, Any]:
    try:
        return json.loads(text)
    except ValueError:
        raise BenchError(f"the IPD load generator printed no figures: {text[:200]!r}") from None


def median_run(runs: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """The run with the median `key` (the lower middle one of an even number)."""
    ordered = sorted(runs, key=lambda run: run[key])
    return ordered[(len(ordered) - 1) // 2]


def speed_figure(name: str, runs: list[dict[str, Any]], target: int) -> dict[str, Any]:
    middle = median_run(runs, "rounds per second")
    return {
        "figure": name,
        **middle,
        "runs": len(runs),
        "rounds per second, each run": [run["rounds per second"] for run in runs],
        "rounds per second, server's clock, each run": [run["rounds per second, server's clock"] for run in runs],
        "target": target,
        "met": middle["rounds per second"] >= target,
    }


def memory_figure(short: list[dict[str, Any]], long: list[dict[str, Any]]) -> dict[str, Any]:
    short_mb = statistics.median(run["vmhwm mb"] for run in short)
    long_mb = statistics.median(run["vmhwm mb"] for run in long)
    return {
        "figure": "ipd memory against rounds",
        f"vmhwm mb, {SHORT_MATCH:,} rounds (median)": short_mb,
        f"vmhwm mb, {LONG_MATCH:,} rounds (median)": long_mb,
        f"vmhwm mb, {SHORT_MATCH:,} rounds, each run": [run["vmhwm mb"] for run in short],
        f"vmhwm mb, {LONG_MATCH:,} rounds, each run": [run["vmhwm mb"] for run in long],
        "growth mb": round(long_mb - short_mb, 1),
        "bytes per extra round": round((long_mb - short_mb) * 1e6 / (LONG_MATCH - SHORT_MATCH), 1),
        "met": long_mb - short_mb <= MEMORY_GROWTH_LIMIT_MB,
    }


def measure_all(runs: int) -> int:
    started = time.monotonic()
    load = MachineLoad()
    version = server_version()
    try:
        long = [ipd_tournament(2, LONG_MATCH) for _ in range(runs)]
        single = speed_figure(f"ipd one match of {LONG_MATCH:,} rounds", long, SINGLE_MATCH_TARGET)
        emit(single)
        league = [ipd_tournament(ROUND_ROBIN_PLAYERS, ROUND_ROBIN_ROUNDS) for _ in range(runs)]
        title = f"ipd round robin of {ROUND_ROBIN_PLAYERS} players, {ROUND_ROBIN_ROUNDS}-round matches"
        round_robin = speed_figure(title, league, ROUND_ROBIN_TARGET)
        emit(round_robin)
        short = [ipd_tournament(2, SHORT_MATCH) for _ in range(runs)]
        memory = memory_figure(short, long)
        emit(memory)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr, flush=True)
        return 1
    emit(
        {
            "figure": "ipd targets",
            f"at least {SINGLE_MATCH_TARGET:,} rounds/s, one match": {"measured": single["rounds per second"], "met": single["met"]},
            f"at least {ROUND_ROBIN_TARGET:,} rounds/s, 20-player round robin": {
                "measured": round_robin["rounds per second"],
                "met": round_robin["met"],
            },
            "memory does not grow with the rounds": {"measured mb": memory["growth mb"], "met": memory["met"]},
            "seconds": round(time.monotonic() - started, 1),
            "cpu steal %": load.figures(0.0)["cpu steal %"],
            "code": version,
            "date": time.strftime("%Y-%m-%d"),
        }
    )
    return 0


PROFILE_AREAS = (
    ("sending and receiving on sockets (system calls)", ("_nonblocking_helper", "of '_socket.socket' objects")),
    ("JSON framing and the json module", ("Remote/framing.py", "json/", "Pattern' objects")),
    ("IPD proxy, game-free proxy and channel", ("Remote/ipd/", "Remote/remote_participant.py", "Remote/channel.py")),
    ("call statistics", ("Remote/statistics.py",)),
    ("IPD ontology and strict converter (Common, cattrs, attrs)", ("Common/", "cattrs/", "attr/", "attrs generated", "(enum.py")),
    ("referee, manager, safe call (Admin)", ("Admin/",)),
    ("logging", ("logging/",)),
    ("start-up (imports)", ("importlib", "builtins.compile", "marshal.", "_imp.", "__build_class__")),
    ("trio scheduling, cancel scopes, contextlib", ("trio/", "outcome/", "contextlib", "sniffio/")),
)
"""Where a function of the IPD server belongs, by what its label contains; the first match wins."""


def profile_area(label: str) -> str:
    for name, marks in PROFILE_AREAS:
        if any(mark in label for mark in marks):
            return name
    return "other"


def profile(tool: str, run: str, top: int) -> int:
    """One run (`match`: 2 players, 20,000 rounds; `round-robin`: 20 players) with the server profiled; the summary."""
    from profile_server import summarise_cprofile, summarise_py_spy

    players, rounds = (2, LONG_MATCH) if run == "match" else (ROUND_ROBIN_PLAYERS, ROUND_ROBIN_ROUNDS)
    path = str(Path(tempfile.gettempdir()) / f"xserver-ipd-{run}.{'prof' if tool == 'cprofile' else 'py-spy.txt'}")
    try:
        if tool == "cprofile":
            figures = ipd_tournament(players, rounds, profile_to=path)
            summary = summarise_cprofile(path, 10**6)
        else:
            figures = ipd_tournament(players, rounds, py_spy_to=path)
            summary = summarise_py_spy(path, 10**6)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr, flush=True)
        return 1
    areas: dict[str, float] = {}
    for row in summary["by own time"]:
        name = profile_area(row["function"])
        areas[name] = round(areas.get(name, 0.0) + row["own %"], 1)
    summary["own time by area"] = dict(sorted(areas.items(), key=lambda item: -item[1]))
    summary["by own time"] = summary["by own time"][:top]
    summary["by cumulative time"] = summary["by cumulative time"][:top]
    emit(
        {
            "figure": "ipd profile",
            "tool": tool,
            "run": f"{players} players, {rounds}-round matches",
            "rounds per second (profiled)": figures["rounds per second"],
            "server cpu seconds": figures["server cpu seconds"],
            "profile": path,
            **summary,
        }
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each figure (default 3)")
    parser.add_argument(
        "--profile", choices=("cprofile", "py-spy"), help="instead of the figures, profile the server during one run with this tool"
    )
    parser.add_argument(
        "--profile-run", choices=("match", "round-robin"), default="match", help="the run profiled (default: the 20,000-round match)"
    )
    parser.add_argument("--top", type=int, default=25, help="functions shown in each table of the profile (default 25)")
    arguments = parser.parse_args()
    if arguments.runs < 1:
        parser.error("--runs must be positive")
    return profile(arguments.profile, arguments.profile_run, arguments.top) if arguments.profile else measure_all(arguments.runs)


if __name__ == "__main__":
    sys.exit(main())
