"""Ours against a bare trio + JSON server: Santorini server CPU time per call, xserver and bench/bare_trio_santorini_server.py.

Both servers play a whole round robin, best of 3, of the same 20 clients
(`--players`): one process of bench/load_generator.py, which checks every
message. Ours is a real xserver with default settings (no event log, no
watch; `"min players"` the player count, a 3 s sign-up window); the bare one
plays the same conversation with the same concurrency and trusts its clients
(its docstring says what it leaves out). The runs are interleaved, ours
first, then the bare one, `--runs` times (default 5), so that a busy moment
of the machine hits both alike.

A run's figure is the server's CPU time (user and system, all threads) for
the tournament, divided by the calls the clients answered or took (opponent
names, Placements, Boards, Results: what both servers' `statistics` lines
count). The CPU time is the server's whole life (its rusage when it exits,
exact) less what it had used when every client had signed up and it was
waiting for the window to close (/proc/PID/stat): so start-up, imports and
sign-up count for neither. The headline is the ratio of the medians, ours
over bare: the target of issue 16 is at most 1.2. Every run must send the
same Results, each Name read as its place in that run's sign-up order (the
clients' names arrive in any order); the run stops with one line otherwise.

With `--also-deadlines` a third server takes its turn in every run: the bare
one with a trio deadline (`fail_after`, 2 s) on each call that has a reply,
as xserver's safe call has; the last line adds its median and ours over it.

Prints one JSON object per run, then one with both medians, the spread
(min – max) and the ratio, the load average (`uptime`) and how busy the
machine was.

    .venv/bin/python bench/santorini_vs_bare.py [--runs 5] [--players 20] [--also-deadlines]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from harness import PROJECT_ROOT, BenchError, LoadGenerator, MachineLoad, emit, run_main, server_version

BARE_SERVER = PROJECT_ROOT / "bench" / "bare_trio_santorini_server.py"
LISTENING = re.compile(r"listening on 127\.0\.0\.1:(\d+) ")
SIGNED_UP = re.compile(r"^[a-z]+: ([a-z]+) signed up$")
STARTS = re.compile(r"^[a-z]+: tournament of \d+ players starts$")
STATISTICS = re.compile(r"^[a-z]+: statistics (\{.*\})$")
WINDOW = 3.0
"""Seconds of both servers' sign-up windows: the clients sign up within it, then the servers idle until it closes."""
TIME_LIMIT = 300.0
"""Seconds one run may take."""
DEADLINES = "bare with a deadline per call"


class ServerProcess:
    """A server process on 127.0.0.1 whose log says when it listens, who signed up, when it starts and its statistics."""

    def __init__(self, command: list[str], stdin: str = "") -> None:
        self.process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert self.process.stdin is not None
        self.process.stdin.write(stdin)
        self.process.stdin.close()
        self.port: int | None = None
        self.signed_up: list[str] = []
        self.started = False
        self.statistics: dict[str, Any] | None = None
        self.tail: list[str] = []
        self.output = ""
        self._listening = threading.Event()
        self._readers = [threading.Thread(target=self._read_log, daemon=True), threading.Thread(target=self._read_output, daemon=True)]
        for reader in self._readers:
            reader.start()
        if not self._listening.wait(30) or self.port is None:
            self.kill()
            raise BenchError(f"{command[-1]} did not start listening: {self.log_tail()}")

    def _read_log(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            line = line.rstrip("\n")
            self.tail = [*self.tail[-4:], line]
            if (match := SIGNED_UP.match(line)) is not None:
                self.signed_up.append(match[1])
            elif STARTS.match(line):
                self.started = True
            elif (match := STATISTICS.match(line)) is not None:
                self.statistics = json.loads(match[1])
            elif self.port is None and (match := LISTENING.search(line)) is not None:
                self.port = int(match[1])
                self._listening.set()
        self._listening.set()

    def _read_output(self) -> None:
        assert self.process.stdout is not None
        self.output = self.process.stdout.read()

    def log_tail(self) -> str:
        return " | ".join(self.tail)

    def cpu_seconds_now(self) -> float:
        """User and system CPU seconds so far, all threads (/proc/PID/stat, in clock ticks)."""
        stat = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")

    def wait_for_exit(self, time_limit: float) -> float:
        """Wait for the server to exit by itself; its whole life's CPU seconds (rusage). BenchError after `time_limit`."""
        deadline = time.monotonic() + time_limit
        while time.monotonic() < deadline:
            pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
            if pid:
                self.process.returncode = os.waitstatus_to_exitcode(status)
                for reader in self._readers:
                    reader.join(10)
                if self.process.returncode != 0:
                    raise BenchError(f"the server exited with status {self.process.returncode}: {self.log_tail()}")
                return usage.ru_utime + usage.ru_stime
            time.sleep(0.01)  # polling a child's exit: wait4 has no time-out
        self.kill()
        raise BenchError(f"the server did not finish within {time_limit:g} s: {self.log_tail()}")

    def wait(self, time_limit: float) -> int:
        """Wait for the server to exit by itself; its exit status (as harness.Server's). BenchError after `time_limit`."""
        try:
            self.process.wait(timeout=time_limit)
        except subprocess.TimeoutExpired:
            self.kill()
            raise BenchError(f"the server did not finish within {time_limit:g} s: {self.log_tail()}") from None
        for reader in self._readers:
            reader.join(10)
        return self.process.returncode

    def kill(self) -> None:
        if self.process.returncode is None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


def xserver(players: int) -> ServerProcess:
    configuration = {"min players": players, "port": 0, "host": "127.0.0.1", "waiting for": WINDOW, "repeat": 0}
    return ServerProcess([sys.executable, "-m", "Remote.xserver"], json.dumps(configuration))


def bare(players: int) -> ServerProcess:
    return ServerProcess([sys.executable, str(BARE_SERVER), "--players", str(players), "--waiting-for", str(WINDOW)])


def bare_with_deadlines(players: int) -> ServerProcess:
    """The bare server with a trio deadline on each call that has a reply, of xserver's default 2 s."""
    command = [sys.executable, str(BARE_SERVER), "--players", str(players), "--waiting-for", str(WINDOW), "--time-per-call", "2"]
    return ServerProcess(command)


def run(start: Any, players: int) -> dict[str, Any]:
    """One round robin on the server that `start` starts; its figures."""
    server = start(players)
    generator = None
    try:
        assert server.port is not None
        generator = LoadGenerator(players, server.port, time_limit=TIME_LIMIT)
        deadline = time.monotonic() + WINDOW + 10
        while len(server.signed_up) < players and time.monotonic() < deadline and server.process.poll() is None:
            time.sleep(0.005)  # polling the log reader's count: the moment to read the idle server's CPU
        if len(server.signed_up) < players or server.started:
            raise BenchError(f"only {len(server.signed_up)} of {players} clients signed up before the window closed: {server.log_tail()}")
        before = server.cpu_seconds_now()
        clients = generator.finish()
        cpu = server.wait_for_exit(60) - before
    finally:
        if generator is not None:
            generator.kill()
        server.kill()
    if server.statistics is None:
        raise BenchError(f"the server gave no statistics: {server.log_tail()}")
    answered = 2 * clients["encounters"] + clients["answers"] + clients["results received"]
    if answered != server.statistics["calls"] or clients["irregular outcomes"]:
        raise BenchError(f"the clients took {answered} calls and the server counted {server.statistics['calls']}: {clients}")
    return {
        "calls": answered,
        "seconds": server.statistics["seconds"],
        "calls per second": round(answered / server.statistics["seconds"]),
        "server cpu seconds": round(cpu, 3),
        "server cpu µs per call": round(cpu * 1e6 / answered, 1),
        "load generator cpu seconds": clients["cpu seconds"],
        "results": _by_sign_up(json.loads(server.output), server.signed_up),
    }


def _by_sign_up(results: list[list[str]], order: list[str]) -> list[list[int]]:
    """The Results with each Name replaced by its place in the sign-up order (which differs from run to run)."""
    return [[order.index(name) for name in outcome] for outcome in results]


def measure(runs: int, players: int, also_deadlines: bool = False) -> dict[str, Any]:
    load = MachineLoad()
    started = time.monotonic()
    servers = [("ours", xserver), ("bare", bare)] + ([(DEADLINES, bare_with_deadlines)] if also_deadlines else [])
    per_call: dict[str, list[float]] = {name: [] for name, _ in servers}
    rates: dict[str, list[int]] = {name: [] for name, _ in servers}
    results = None
    for number in range(1, runs + 1):
        for name, start in servers:
            figures = run(start, players)
            if results is None:
                results = figures["results"]
            elif figures["results"] != results:
                shown = f"{figures['results']} against {results}"
                raise BenchError(f"{name} sent other Results than the first run's, in sign-up order: {shown}")
            del figures["results"]
            per_call[name].append(figures["server cpu µs per call"])
            rates[name].append(figures["calls per second"])
            emit({"run": number, "server": name, **figures, "load average": _load_average()})
    machine = load.figures(0.0)  # nothing counted as ours: the busy share is everything, the measured processes included
    medians = {name: statistics.median(values) for name, values in per_call.items()}
    return {
        "figure": f"santorini {players}-player round robin, best of 3: server cpu per call, ours against a bare trio + JSON server",
        "ratio (ours / bare, medians of cpu µs per call)": round(medians["ours"] / medians["bare"], 2),
        "ours cpu µs per call (median)": medians["ours"],
        "bare cpu µs per call (median)": medians["bare"],
        "ours, min – max": [min(per_call["ours"]), max(per_call["ours"])],
        "bare, min – max": [min(per_call["bare"]), max(per_call["bare"])],
        "ours, each run": per_call["ours"],
        "bare, each run": per_call["bare"],
        "ours calls per second (median)": statistics.median(rates["ours"]),
        "bare calls per second (median)": statistics.median(rates["bare"]),
        "seconds": round(time.monotonic() - started, 1),
        "load average": _load_average(),
        "cpu steal %": machine["cpu steal %"],
        "machine busy %": machine["other processes cpu %"],
        "code": server_version(),
        "date": time.strftime("%Y-%m-%d"),
    } | (_deadlines(per_call, rates, medians["ours"]) if also_deadlines else {})


def _deadlines(per_call: dict[str, list[float]], rates: dict[str, list[int]], ours: float) -> dict[str, Any]:
    """The figures of the bare server with a deadline per call, and ours against it."""
    median = statistics.median(per_call[DEADLINES])
    return {
        f"ratio (ours / {DEADLINES}, medians)": round(ours / median, 2),
        f"{DEADLINES} cpu µs per call (median)": median,
        f"{DEADLINES}, min – max": [min(per_call[DEADLINES]), max(per_call[DEADLINES])],
        f"{DEADLINES}, each run": per_call[DEADLINES],
        f"{DEADLINES} calls per second (median)": statistics.median(rates[DEADLINES]),
    }


def _load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs on each server, interleaved (default 5)")
    parser.add_argument("--players", type=int, default=20, help="clients, and so players of the round robin (default 20)")
    parser.add_argument("--also-deadlines", action="store_true", help="a third server in the turns: the bare one with a deadline per call")
    arguments = parser.parse_args()
    if arguments.runs < 1 or arguments.players < 2:
        parser.error("--runs must be positive and --players at least 2")
    return run_main(lambda: measure(arguments.runs, arguments.players, arguments.also_deadlines))


if __name__ == "__main__":
    sys.exit(main())
