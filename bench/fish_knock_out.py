"""A Fish knock-out of 100 and of 1,000 greedy players on a 5 × 5 board over TCP, against the same knock-out with local players.

Each size (`--players`, default 100 and 1,000) is played `--runs` times
(default 3) each way, taking turns, so that a busy moment of the machine
hits both alike:

* **over the wire**: a real xserver process on 127.0.0.1 with `"game":
  "fish"`, `"rows"` and `"columns"` 5, `"seed"` 1 and no "format" (Fish's
  default: the course's knock-out, games of up to 4, the winners go on),
  and one real xclients process (`python -m Remote.client`) whose players
  are all `greedy`, the course's strategy (Player/fish/greedy.py), signing
  up one after another; `"max players"` closes the window when the last is
  in. Its figures: the server's `statistics` line (calls, seconds from the
  end of the sign-up window to the Results, the time per call), the wall
  time from starting xclients until the server exits (xclients' start-up
  and the sign-ups included), and the CPU seconds of both processes.
* **the baseline**: the same tournament in this process, as `python -m
  Admin` plays it: `Remote.game_description.play_tournament` with the same
  configuration and the same players as local players (each call of a
  local player runs its strategy in a worker thread), no socket anywhere.
  Its calls are counted at the local players. Every player plays the same
  strategy, so the games, the calls and the winners depend on the boards
  (the seed and each game's index) and the sign-up order alone: both ways
  must play as many games and calls and print the same winners, or the
  script stops.

The ratios say what the wire costs: seconds and calls per second, over the
wire / local (medians of the runs). Beside them, for 100 players, the
reference's own figure, which is **not measured here**: its documentation
(mfelleisen/Fish at `aa25e7b`, `scribblings/tournaments.scrbl`) says "A
tournament with 100 players on a single machines takes about 32s", with its
own server and clients (its default board is 6 × 6, and its xclients
sleeps 15 s after connecting the first 5 of them).

The soft limit of open files is raised to the hard one first, as xserver
does for itself (Remote/descriptors.py), so that the xclients process this
script starts can hold 1,000 connections. One JSON object per size on
standard output. `--profile` attaches py-spy (`.venv/bin/pip install
py-spy`) to the server of each size's first run over the wire and adds where
its time went, by function and by area (bench/profile_server.py's tables),
over the whole run and in the summary at the end (`_write_summary`).

    .venv/bin/python bench/fish_knock_out.py [--players 100 1000] [--runs 3] [--profile]
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import logging
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs
import trio
from harness import PROJECT_ROOT, BenchError, MachineLoad, ProcessSampler, Server, emit, end, server_version
from ipd_speed import _start_py_spy
from profile_server import summarise_py_spy
from swiss_event import _stacks_through

from Player.configuration import create_players
from Player.fish.local import LocalPlayer
from Remote.configuration import read_local_configuration
from Remote.descriptors import raise_open_file_limit
from Remote.game_description import play_tournament
from Remote.game_registry import DEFAULT_GAME, GAMES

PLAYER_COUNTS = (100, 1_000)
RUNS = 3
SIDE = 5
SEED = 1
REFERENCE_SECONDS = 32.0
REFERENCE_SOURCE = (
    'mfelleisen/Fish aa25e7b, scribblings/tournaments.scrbl: "A tournament with 100 players on a single machines takes about 32s"'
)
REFERENCE_PLAYERS = 100
TIME_LIMIT = 300.0
"""Seconds one run over the wire may take, sign-ups included."""
ENCOUNTER_LINE = re.compile(r" · encounter \d+ of \d+ · ")
T = TypeVar("T")


def names(players: int) -> list[str]:
    """`players` Fish names in sign-up order: "p" and a base-26 counter of three letters (paaa, paab, ...)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["p" + letters[index // 676 % 26] + letters[index // 26 % 26] + letters[index % 26] for index in range(players)]


def game_keys() -> dict[str, Any]:
    """The game's keys, the same both ways: Fish on a 5 × 5 board, fish drawn from a fixed seed, its default format."""
    return {"game": "fish", "rows": SIDE, "columns": SIDE, "seed": SEED}


def players_json(players: int) -> list[list[str]]:
    return [["greedy", name, ""] for name in names(players)]


def over_the_wire(players: int, py_spy_to: str | None = None) -> dict[str, Any]:
    """One knock-out on a real xserver with one xclients process of `players` greedy players; its figures.

    With `py_spy_to`, py-spy samples the server from before the sign-ups until it exits and writes its raw stacks there.
    """
    window = TIME_LIMIT / 2  # "max players" closes it as soon as the last has signed up
    server = Server({**game_keys(), "min players": players, "max players": players, "waiting for": window})
    server_cpu = ProcessSampler(server.process.pid)
    clients: subprocess.Popen | None = None
    spy = None
    try:
        if py_spy_to is not None:
            spy = _start_py_spy(server.process.pid, py_spy_to)
        load = MachineLoad()
        started = time.monotonic()
        clients = subprocess.Popen(
            [sys.executable, "-m", "Remote.client"],
            cwd=PROJECT_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        clients_cpu = ProcessSampler(clients.pid)
        try:
            configuration = {"game": "fish", "players": players_json(players), "ip": "127.0.0.1", "port": server.port}
            output, errors = clients.communicate(json.dumps(configuration), timeout=TIME_LIMIT)
        except subprocess.TimeoutExpired:
            raise BenchError(f"xclients did not finish within {TIME_LIMIT:g} s: {server.log_tail()}") from None
        finally:
            clients_cpu.stop()
        status = server.wait(60)
        wall = time.monotonic() - started
        if spy is not None:
            spy.communicate(timeout=120)
        ours = (server_cpu.cpu_seconds() or 0.0) + (clients_cpu.cpu_seconds() or 0.0)
        machine = load.figures(ours)
    finally:
        server_cpu.stop()
        end(clients, server, spy)
    figures = server.statistics
    if status != 0 or figures is None or clients.returncode != 0:
        raise BenchError(f"xserver exited with {status}, xclients with {clients.returncode}: {server.log_tail()} | {errors.strip()[-300:]}")
    if figures["players"] != players or server.misbehaved or figures["failed calls"]:
        raise BenchError(f"{figures['players']} of {players} played; misbehaviours: {server.misbehaved[:3]}")
    if json.loads(output) != json.loads(server.output):
        raise BenchError(f"xclients printed {output.strip()}, xserver {server.output.strip()}")
    tournament_start = server.tournament_started_at
    return {
        "calls": figures["calls"],
        "games": sum(1 for _, line in server.lines if ENCOUNTER_LINE.search(line)),
        "winners": json.loads(server.output)[0],
        "seconds": figures["seconds"],
        "wall seconds": round(wall, 3),
        "sign-up seconds": round(tournament_start - started, 3) if tournament_start is not None else None,
        "median ms": figures["median ms"],
        "p99 ms": figures["p99 ms"],
        "server cpu seconds": server_cpu.cpu_seconds(tournament_start or started),
        "xclients cpu seconds": clients_cpu.cpu_seconds(),
        "peak server rss mb": server_cpu.peak_rss_mb(),
        **machine,
    }


class CountedLocalPlayer(LocalPlayer):
    """Fish's local player, counting the calls it gets (each one of the conversation: start, colours, place, move, end)."""

    calls = 0

    async def _call(self, method: Callable[..., T], *args: object) -> T:
        CountedLocalPlayer.calls += 1
        return await super()._call(method, *args)


def local(players: int) -> dict[str, Any]:
    """The same knock-out in this process among local greedy players, as `python -m Admin` plays it; its figures."""
    config = read_local_configuration(json.dumps({**game_keys(), "players": players_json(players)}), GAMES, DEFAULT_GAME)
    game = GAMES[config.game]
    counted = attrs.evolve(game.players, local_player=CountedLocalPlayer)
    roster = create_players(config.players, "players", counted)
    lines = io.StringIO()
    log = logging.getLogger("fish-bench-local")
    log.propagate = False
    log.setLevel(logging.INFO)
    log.handlers = [logging.StreamHandler(lines)]  # formatted and written as xserver's log lines are, but kept
    CountedLocalPlayer.calls = 0
    cpu, started = time.process_time(), time.perf_counter()
    output = trio.run(lambda: play_tournament(game, config.settings, roster, config.time_per_call, log, event_format=config.event_format))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "calls": CountedLocalPlayer.calls,
        "games": sum(1 for line in lines.getvalue().splitlines() if ENCOUNTER_LINE.search(line)),
        "winners": output[0],
        "seconds": round(seconds, 3),
        "cpu seconds": round(cpu, 2),
    }


def _median(values: Sequence[float]) -> float:
    return round(statistics.median(values), 3)


def _spread(values: Sequence[float], digits: int = 3) -> list[float]:
    return [round(min(values), digits), round(max(values), digits)]


def measure(players: int, runs: int = RUNS, profile: bool = False) -> dict[str, Any]:
    """`runs` knock-outs of `players` each way, taking turns; the medians, every run, and the ratios (`profile`: see the module)."""
    raise_open_file_limit()
    gc.collect()
    gc.freeze()  # as xserver does after start-up: the baseline's collector need not scan the modules either
    wire: list[dict[str, Any]] = []
    baseline: list[dict[str, Any]] = []
    py_spy_to = str(Path(tempfile.gettempdir()) / f"xserver-fish-{players}.py-spy.txt") if profile else None
    for number in range(runs):
        baseline.append(local(players))
        wire.append(over_the_wire(players, py_spy_to if number == 0 else None))
    for both in zip(wire, baseline, strict=True):
        if len({(run["calls"], run["games"], tuple(run["winners"])) for run in both}) != 1:
            raise BenchError(f"the two ways played differently: {[(run['calls'], run['games'], run['winners']) for run in both]}")
    wire_seconds = [run["seconds"] for run in wire]
    local_seconds = [run["seconds"] for run in baseline]
    calls = wire[0]["calls"]
    figures: dict[str, Any] = {
        "figure": "fish knock-out",
        "players": players,
        "board": f"{SIDE} x {SIDE}",
        "games": wire[0]["games"],
        "calls": calls,
        "winners": wire[0]["winners"],
        "runs": runs,
        "over the wire: seconds (median)": _median(wire_seconds),
        "over the wire: seconds (min, max)": _spread(wire_seconds),
        "over the wire: wall seconds, xclients started to xserver exited (median)": _median([run["wall seconds"] for run in wire]),
        "over the wire: calls per second (median run)": round(calls / statistics.median(wire_seconds)),
        "local: seconds (median)": _median(local_seconds),
        "local: seconds (min, max)": _spread(local_seconds),
        "local: calls per second (median run)": round(calls / statistics.median(local_seconds)),
        "ratio, seconds, over the wire / local": round(statistics.median(wire_seconds) / statistics.median(local_seconds), 2),
        "ratio, calls per second, over the wire / local": round(statistics.median(local_seconds) / statistics.median(wire_seconds), 2),
    }
    if players == REFERENCE_PLAYERS:
        wall = statistics.median([run["wall seconds"] for run in wire])
        figures["the reference's figure (its documentation, not measured here)"] = {
            "seconds": REFERENCE_SECONDS,
            "source": REFERENCE_SOURCE,
        }
        figures["ratio, wall seconds, ours over the wire / the reference's figure"] = round(wall / REFERENCE_SECONDS, 3)
    figures["over the wire, each run"] = [{key: value for key, value in run.items() if key != "winners"} for run in wire]
    figures["local, each run"] = [{key: value for key, value in run.items() if key != "winners"} for run in baseline]
    figures["code"] = server_version()
    figures["date"] = time.strftime("%Y-%m-%d")
    if py_spy_to is not None:
        figures["profile of the first run's server"] = {"raw stacks": py_spy_to}
        for part, frame in (("whole run", ""), ("summary", "_write_summary")):
            summary = summarise_py_spy(_stacks_through(py_spy_to, frame), 15)
            figures["profile of the first run's server"][part] = {
                key: summary[key] for key in ("samples", "busy samples", "own time by area", "by cumulative time", "by own time")
            }
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, nargs="+", default=list(PLAYER_COUNTS))
    parser.add_argument("--runs", type=int, default=RUNS, help=f"runs each way, taking turns (default {RUNS})")
    parser.add_argument("--profile", action="store_true", help="py-spy on the server of each size's first run over the wire")
    arguments = parser.parse_args()
    if arguments.runs < 1 or min(arguments.players) < 2:
        parser.error("--runs must be positive and --players at least 2")
    status = 0
    for players in arguments.players:
        try:
            emit(measure(players, arguments.runs, arguments.profile))
        except BenchError as error:
            print(f"bench: fish knock-out of {players}: {error}", file=sys.stderr, flush=True)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
