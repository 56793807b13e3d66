"""A 1,000-player Swiss of 10 rounds on a real xserver, in the IPD and Santorini: time, memory and pairing per round, against a round robin.

For each game (`--games`, both by default) the script runs, taking turns
(`--runs` of each, default 1):

* **the Swiss**: xserver with `"format": {"kind": "swiss", "rounds": 10}`
  and `--players` clients (default 1,000) of the game's load generator
  (bench/ipd_load_generator.py with fixed 100-round matches, `"min rounds"`
  = `"max rounds"` = 100; bench/load_generator.py with `"best of": 1`),
  all signing up over TCP in one window;
* **the baseline**: a plain round robin of the same game, settings and
  clients, of the smallest field whose round robin has at least as many
  encounters as the Swiss (101 players, 5,050 encounters, against the
  Swiss's 5,000). A round robin of the same 1,000 players would be 499,500
  encounters, a hundred times the work; a field of 101 plays the same
  number of encounters of the same length on the same server, so its
  seconds per encounter are what the Swiss's would be if a thousand
  connections, the stages and their pairing cost nothing. A Swiss round's
  ratio is its seconds, and its server CPU, against its encounters at the
  baseline's pace. The wall clock follows whatever else the machine runs;
  the server's CPU per encounter (/proc, sampled) is the steadier ratio.

The figures come from the server's log, each line stamped as it arrives
(bench/harness.py): a round runs from its `Swiss round k of 10: N
encounters` line to the last encounter line of that round; the pairing
before round k is the gap between the last encounter line of round k - 1
(for round 1: `tournament of N players starts`) and round k's line, i.e.
everything the manager does between two stages, the format's
`next_stage` included; the summary is the gap between the last encounter
line and the first line of the standings (the revisions, the Results, the
ratings fit and the format's summary). The server's RSS is sampled every
50 ms (peak per round, and the kernel's VmHWM over the server's life). The
same pairing computed without the server, on random results
(bench/swiss_pairing.py), is printed beside it to tell the format's work
from the manager's. Every figure carries the machine's load average
(`os.getloadavg`, as `uptime` shows it) before and after its run, and the
share of the CPUs other processes took.

One JSON object per game on standard output. `--profile` attaches py-spy
(`.venv/bin/pip install py-spy`) to the first Swiss's server and adds where
its time went, by function: over the whole run, between stages (the stacks
through the manager's `_next_stage`) and in the summary (`_write_summary`).

    .venv/bin/python bench/swiss_event.py [--games ipd santorini] [--players 1000] [--rounds 10] [--runs 1] [--profile]
        [--server-environment OPENBLAS_NUM_THREADS=1]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import swiss_pairing
from harness import (
    PROJECT_ROOT,
    BenchError,
    LoadGenerator,
    MachineLoad,
    ProcessSampler,
    Server,
    emit,
    end,
    server_version,
    sign_up_window,
)
from ipd_speed import IPD_LOAD_GENERATOR, _json, _start_py_spy

PLAYERS = 1_000
SWISS_ROUNDS = 10
IPD_MATCH_ROUNDS = 100
SANTORINI_BEST_OF = 1
TIME_LIMIT = 1_200.0
"""Seconds one run may take, sign-up window included."""

STAGE_LINE = re.compile(r"^xserver: Swiss round (\d+) of \d+: (\d+) encounters?")
ENCOUNTER_LINE = re.compile(r"^xserver: .*? · (?:Swiss round (\d+) of \d+ · )?encounter \d+ of \d+ · ")
SUMMARY_LINE = re.compile(r"^xserver: (?:swiss standings:|ratings \(Elo scale)")
STARTS_LINE = re.compile(r"^xserver: tournament of \d+ players starts$")
SIGNED_UP_LINE = re.compile(r"^xserver: \S+ signed up$")
MISBEHAVED_LINE = re.compile(r"^xserver: \S+ misbehaved: ")


def baseline_players(swiss_encounters: int) -> int:
    """The smallest field whose round robin has at least `swiss_encounters` encounters."""
    players = 2
    while players * (players - 1) // 2 < swiss_encounters:
        players += 1
    return players


def configuration(game: str, players: int, swiss_rounds: int | None) -> dict[str, Any]:
    """The server's configuration: the game's settings, and the Swiss format unless `swiss_rounds` is None (a round robin)."""
    config: dict[str, Any] = {"game": game, "min players": players, "waiting for": sign_up_window(players)}
    if game == "ipd":
        config |= {"min rounds": IPD_MATCH_ROUNDS, "max rounds": IPD_MATCH_ROUNDS, "seed": 1}
    else:
        config |= {"best of": SANTORINI_BEST_OF}
    if swiss_rounds is not None:
        config["format"] = {"kind": "swiss", "rounds": swiss_rounds}
    return config


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages, as `uptime` shows them."""
    return [round(value, 2) for value in os.getloadavg()]


class Timeline:
    """The stamps of the lines that matter in a server's log: the start, each stage, each encounter's end, the summary."""

    def __init__(self, lines: list[tuple[float, str]]) -> None:
        self.started: float | None = None
        self.stages: dict[int, tuple[float, int]] = {}  # round → (stamp of its line, its encounters)
        self.ends: dict[int, list[float]] = {}  # round (0 for a round robin) → stamps of its encounter lines
        self.summary: float | None = None
        self.signed_up: list[float] = []
        self.misbehaved: list[str] = []
        for stamp, line in lines:
            if SIGNED_UP_LINE.match(line):
                self.signed_up.append(stamp)
            elif MISBEHAVED_LINE.match(line):
                self.misbehaved.append(line)
            elif self.started is None and STARTS_LINE.match(line):
                self.started = stamp
            elif (stage := STAGE_LINE.match(line)) is not None:
                self.stages[int(stage[1])] = (stamp, int(stage[2]))
            elif (encounter := ENCOUNTER_LINE.match(line)) is not None:
                self.ends.setdefault(int(encounter[1] or 0), []).append(stamp)
            elif self.summary is None and SUMMARY_LINE.match(line):
                self.summary = stamp
        if self.started is None or self.summary is None or not self.ends:
            raise BenchError("the server's log has no start, no encounter or no summary")

    @property
    def last_end(self) -> float:
        return max(stamps[-1] for stamps in self.ends.values())

    @property
    def encounters(self) -> int:
        return sum(len(stamps) for stamps in self.ends.values())


def run_tournament(
    game: str, players: int, swiss_rounds: int | None, py_spy_to: str | None = None, environment: dict[str, str] | None = None
) -> dict[str, Any]:
    """One whole tournament of `players` load-generator clients on a real server (`environment` added to its own); its figures."""
    server = Server(configuration(game, players, swiss_rounds), environment)
    sampler = ProcessSampler(server.process.pid)
    spy = None
    generator: subprocess.Popen | LoadGenerator | None = None
    before = load_average()
    try:
        if py_spy_to is not None:
            spy = _start_py_spy(server.process.pid, py_spy_to)
        load = MachineLoad()
        if game == "ipd":
            command = [sys.executable, str(IPD_LOAD_GENERATOR), "--clients", str(players), "--port", str(server.port)]
            command += ["--rounds", str(IPD_MATCH_ROUNDS), "--time-limit", str(TIME_LIMIT)]
            generator = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                output, errors = generator.communicate(timeout=TIME_LIMIT + 30)
            except subprocess.TimeoutExpired:
                raise BenchError("the IPD load generator did not finish in time") from None
            if generator.returncode != 0:
                raise BenchError(f"the IPD load generator failed (exit {generator.returncode}): {errors.strip()} | {server.log_tail()}")
            clients = _json(output)
        else:
            generator = LoadGenerator(players, server.port, time_limit=TIME_LIMIT)
            clients = generator.finish()
        status = server.wait(120)
        if spy is not None:
            spy.communicate(timeout=120)
        machine = load.figures(clients["cpu seconds"] + (sampler.cpu_seconds(load.started) or 0.0))
    finally:
        sampler.stop()
        end(generator, server, spy)
    if status != 0 or server.statistics is None:
        raise BenchError(f"xserver exited with status {status} and no statistics: {server.log_tail()}")
    timeline = Timeline(server.lines)
    if server.statistics["players"] != players or timeline.misbehaved or clients["irregular outcomes"]:
        raise BenchError(f"{server.statistics['players']} of {players} signed up; misbehaviours: {timeline.misbehaved[:3]}")
    return {
        "timeline": timeline,
        "sampler": sampler,
        "statistics": server.statistics,
        "clients": clients,
        "load average before": before,
        "load average after": load_average(),
        **machine,
    }


def play_figures(game: str, run: dict[str, Any]) -> dict[str, Any]:
    """What the Swiss and the round robin both report: the play's seconds, its pace, the summary, memory and CPU."""
    timeline: Timeline = run["timeline"]
    sampler: ProcessSampler = run["sampler"]
    assert timeline.started is not None and timeline.summary is not None
    seconds = timeline.last_end - timeline.started
    cpu = sampler.cpu_seconds(timeline.started, timeline.last_end)
    figures = {
        "encounters": timeline.encounters,
        "play seconds": round(seconds, 3),
        "seconds per encounter": round(seconds / timeline.encounters, 5),
        "summary seconds": round(timeline.summary - timeline.last_end, 3),
        "server cpu seconds": cpu,
        "server cpu ms per encounter": round(1000 * cpu / timeline.encounters, 3) if cpu is not None else None,
        "calls": run["statistics"]["calls"],
        "calls per second": round(run["statistics"]["calls"] / seconds),
        "p99 ms": run["statistics"]["p99 ms"],
        "rss mb at the start": sampler.peak_rss_mb(timeline.started - 0.5, timeline.started),
        "peak rss mb playing": sampler.peak_rss_mb(timeline.started, timeline.last_end),
        "peak rss mb in the summary": sampler.peak_rss_mb(timeline.last_end, timeline.summary + 0.05),
        "peak rss mb after it (the Results to every player)": sampler.peak_rss_mb(timeline.summary),
        "peak rss mb": sampler.peak_rss_mb(),
        "vmhwm mb": sampler.high_water_mb(),
        "sign-ups": len(timeline.signed_up),
        "seconds from first to last sign-up": round(timeline.signed_up[-1] - timeline.signed_up[0], 3) if timeline.signed_up else None,
        "load generator cpu seconds": run["clients"]["cpu seconds"],
        "load average before": run["load average before"],
        "load average after": run["load average after"],
        "cpu steal %": run["cpu steal %"],
        "other processes cpu %": run["other processes cpu %"],
    }
    if game == "ipd":
        figures["match rounds per second"] = round(timeline.encounters * IPD_MATCH_ROUNDS / seconds)
    return figures


def swiss_rounds_figures(
    run: dict[str, Any], baseline_seconds_per_encounter: float, baseline_cpu_per_encounter: float
) -> list[dict[str, Any]]:
    """Each Swiss round: its encounters, seconds and server CPU, each against the baseline's pace, the pairing before it, peak RSS."""
    timeline: Timeline = run["timeline"]
    sampler: ProcessSampler = run["sampler"]
    assert timeline.started is not None and timeline.summary is not None
    rows = []
    previous_end = timeline.started
    for number in sorted(timeline.stages):
        began, encounters = timeline.stages[number]
        ends = timeline.ends.get(number, [])
        if len(ends) != encounters:
            raise BenchError(f"Swiss round {number}: {encounters} encounters announced, {len(ends)} ended in the log")
        ended = ends[-1]
        seconds = ended - began
        following = timeline.stages.get(number + 1, (timeline.summary, 0))[0]
        cpu = sampler.cpu_seconds(began, ended)
        rows.append(
            {
                "round": number,
                "encounters": encounters,
                "seconds": round(seconds, 3),
                "ratio to the baseline": round(seconds / (encounters * baseline_seconds_per_encounter), 2),
                "server cpu seconds": cpu,
                "cpu ratio to the baseline": round(cpu / (encounters * baseline_cpu_per_encounter), 2) if cpu is not None else None,
                "pairing seconds before it": round(began - previous_end, 4),
                "peak rss mb": sampler.peak_rss_mb(began, min(following, ended)),
            }
        )
        previous_end = ended
    return rows


def measure_game(game: str, players: int, rounds: int, runs: int, profile: bool, environment: dict[str, str]) -> dict[str, Any]:
    """The Swiss and its baseline `runs` times each, taking turns; the median run of each, the others' key figures beside."""
    swiss_encounters = rounds * (players // 2)
    field = baseline_players(swiss_encounters)
    swiss_runs, baseline_runs = [], []
    py_spy_to = str(Path(tempfile.gettempdir()) / f"xserver-swiss-{game}.py-spy.txt") if profile else None
    for number in range(runs):
        swiss_runs.append(run_tournament(game, players, rounds, py_spy_to if number == 0 else None, environment))
        baseline_runs.append(run_tournament(game, field, None, environment=environment))
    swiss = [play_figures(game, run) for run in swiss_runs]
    baseline = [play_figures(game, run) for run in baseline_runs]
    middle = sorted(range(runs), key=lambda index: swiss[index]["seconds per encounter"])[(runs - 1) // 2]
    base = sorted(baseline, key=lambda figures: figures["seconds per encounter"])[(runs - 1) // 2]
    per_encounter = base["seconds per encounter"]
    rows = swiss_rounds_figures(swiss_runs[middle], per_encounter, base["server cpu ms per encounter"] / 1000)
    pure = swiss_pairing.measure(players, rounds, seed=1, culprit_rate=0.0)
    figures: dict[str, Any] = {
        "figure": f"{game}: Swiss of {players:,} players, {rounds} rounds",
        "game": game,
        "settings": {"match rounds": IPD_MATCH_ROUNDS} if game == "ipd" else {"best of": SANTORINI_BEST_OF},
        "players": players,
        "swiss": swiss[middle],
        "rounds": rows,
        "slowest round s": max(row["seconds"] for row in rows),
        "slowest pairing s": max(row["pairing seconds before it"] for row in rows),
        "pairing s, all rounds": round(sum(row["pairing seconds before it"] for row in rows), 3),
        "pure pairing s per round, random results (swiss_pairing.py)": pure["seconds per round"],
        "baseline": {"what": f"round robin of {field} players ({field * (field - 1) // 2:,} encounters)", **base},
        "ratio, seconds per encounter, swiss / baseline": round(swiss[middle]["seconds per encounter"] / per_encounter, 2),
        "ratio, server cpu per encounter, swiss / baseline": round(
            swiss[middle]["server cpu ms per encounter"] / base["server cpu ms per encounter"], 2
        ),
        "ratio, summary seconds, swiss / baseline": (
            round(swiss[middle]["summary seconds"] / base["summary seconds"], 1) if base["summary seconds"] > 0 else None
        ),
        "ratio, peak rss playing, swiss / baseline": round(swiss[middle]["peak rss mb playing"] / base["peak rss mb playing"], 2),
        "runs": runs,
        "swiss seconds per encounter, each run": [figures["seconds per encounter"] for figures in swiss],
        "baseline seconds per encounter, each run": [figures["seconds per encounter"] for figures in baseline],
        "swiss server cpu ms per encounter, each run": [figures["server cpu ms per encounter"] for figures in swiss],
        "baseline server cpu ms per encounter, each run": [figures["server cpu ms per encounter"] for figures in baseline],
        "server environment": environment,
        "code": server_version(),
        "date": time.strftime("%Y-%m-%d"),
    }
    if py_spy_to is not None:
        from profile_server import summarise_py_spy

        figures["profile"] = {"raw stacks": py_spy_to}
        for part, frame in (("whole run", ""), ("between stages", "_next_stage"), ("summary", "_write_summary")):
            stacks = _stacks_through(py_spy_to, frame)
            summary = summarise_py_spy(stacks, 15)
            figures["profile"][part] = {key: summary[key] for key in ("samples", "busy samples", "by cumulative time", "by own time")}
    return figures


def _stacks_through(stacks: str, frame: str) -> str:
    """A file of py-spy's raw stacks holding only those through a function whose label contains `frame` (all for "")."""
    kept = [line for line in Path(stacks).read_text().splitlines() if frame in line.rpartition(" ")[0]]
    path = f"{stacks}.{frame or 'all'}"
    Path(path).write_text("\n".join(kept) + "\n" if kept else "")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", nargs="+", choices=("ipd", "santorini"), default=["ipd", "santorini"])
    parser.add_argument("--players", type=int, default=PLAYERS, help=f"players in the Swiss (default {PLAYERS:,})")
    parser.add_argument("--rounds", type=int, default=SWISS_ROUNDS, help=f"Swiss rounds (default {SWISS_ROUNDS})")
    parser.add_argument("--runs", type=int, default=1, help="runs of the Swiss and of its baseline, taking turns (default 1)")
    parser.add_argument("--profile", action="store_true", help="py-spy on the first Swiss's server: where its time went")
    parser.add_argument(
        "--server-environment",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a variable for every server this run starts (e.g. OPENBLAS_NUM_THREADS=1); repeatable",
    )
    arguments = parser.parse_args()
    if arguments.players < 4 or arguments.rounds < 1 or arguments.runs < 1:
        parser.error("--players must be at least 4, --rounds and --runs positive")
    if not all("=" in variable for variable in arguments.server_environment):
        parser.error("--server-environment takes NAME=VALUE")
    environment = dict(variable.split("=", 1) for variable in arguments.server_environment)
    for game in arguments.games:
        try:
            emit(measure_game(game, arguments.players, arguments.rounds, arguments.runs, arguments.profile, environment))
        except BenchError as error:
            print(f"bench: {game}: {error}", file=sys.stderr, flush=True)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
