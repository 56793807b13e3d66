"""What every benchmark needs: a real xserver process, the load generator as another process, and their figures.

The server runs as `python -m Remote.xserver` on 127.0.0.1 and port 0; its
standard error is read line by line in a thread, each line stamped with the
time it arrived, so that the benchmarks can tell when the server listened,
when each player signed up, when the tournament started, when each encounter
ended, and what the `statistics` line said. A sampler thread reads the
server's resident memory from /proc every 50 ms. Every wait is bounded, and
every process started here is stopped here.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOAD_GENERATOR = PROJECT_ROOT / "bench" / "load_generator.py"
SEQUENTIAL_VARIABLE = "XSERVER_SEQUENTIAL"

LISTENING = re.compile(r"listening on [^ ]*:(\d+) ")
WEBSOCKET_LISTENING = re.compile(r"WebSocket players connect to ws://[^ ]*:(\d+)/")
SIGNED_UP = re.compile(r"^xserver: [a-z]+ signed up$")
STARTS = re.compile(r"^xserver: tournament of (\d+) players starts$")
BEAT = re.compile(r"^xserver: [a-z]+ beat [a-z]+")
MISBEHAVED = re.compile(r"^xserver: [a-z]+ misbehaved: ")
STATISTICS = re.compile(r"^xserver: statistics (\{.*\})$")
START_TIME_LIMIT = 30.0


class BenchError(Exception):
    """A benchmark could not measure what it set out to; the message is one line."""


class Server:
    """An xserver process on 127.0.0.1 and a free port, with its log stamped line by line.

    `environment` adds variables (such as XSERVER_SEQUENTIAL=1); `profile_to`
    runs the server under cProfile, writing the profile there when it exits; `port` is the port to listen on (0: any
    free one; a bench that restarts a server on the same port gives one); `start_time_limit` how long it may take to
    listen (a resumed server reads its event log first).
    """

    def __init__(
        self,
        config: dict,
        environment: dict[str, str] | None = None,
        profile_to: str | None = None,
        port: int = 0,
        start_time_limit: float = START_TIME_LIMIT,
    ) -> None:
        config = {"repeat": 0, **config, "port": port, "host": "127.0.0.1"}
        command = [sys.executable]
        if profile_to is not None:
            command += ["-m", "cProfile", "-o", profile_to]
        command += ["-m", "Remote.xserver"]
        self.process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(environment or {})},
        )
        self.process.stdin.write(json.dumps(config))
        self.process.stdin.close()
        self.started = time.monotonic()
        self.lines: list[tuple[float, str]] = []
        self.port: int | None = None
        self.websocket_port: int | None = None
        """The WebSocket listener's port, with `"websocket"` in the configuration (said before the TCP port)."""
        self.listening_at: float | None = None
        self.signed_up_at: list[float] = []
        self.tournament_started_at: float | None = None
        self.encounters_finished_at: list[float] = []
        self.misbehaved: list[str] = []
        self.statistics: dict[str, Any] | None = None
        self.output = ""
        self._listening = threading.Event()
        self._readers = [threading.Thread(target=self._read_log, daemon=True), threading.Thread(target=self._read_output, daemon=True)]
        for reader in self._readers:
            reader.start()
        if not self._listening.wait(start_time_limit) or self.port is None:
            self.kill()
            raise BenchError(f"xserver did not start listening: {self.log_tail()}")

    def _read_log(self) -> None:
        for line in self.process.stderr:
            now = time.monotonic()
            line = line.rstrip("\n")
            self.lines.append((now, line))
            if SIGNED_UP.match(line):
                self.signed_up_at.append(now)
            elif BEAT.match(line):
                self.encounters_finished_at.append(now)
            elif MISBEHAVED.match(line):
                self.misbehaved.append(line)
            elif (match := STATISTICS.match(line)) is not None:
                self.statistics = json.loads(match[1])
            elif STARTS.match(line):
                self.tournament_started_at = now
            elif self.websocket_port is None and (match := WEBSOCKET_LISTENING.search(line)) is not None:
                self.websocket_port = int(match[1])
            elif self.port is None and (match := LISTENING.search(line)) is not None:
                self.port = int(match[1])
                self.listening_at = now
                self._listening.set()
        self._listening.set()

    def _read_output(self) -> None:
        self.output = self.process.stdout.read()

    def log_tail(self, count: int = 5) -> str:
        return " | ".join(line for _, line in self.lines[-count:])

    def wait(self, time_limit: float) -> int:
        """Wait for the server to exit by itself; its exit status. BenchError after `time_limit` (and it is killed)."""
        try:
            self.process.wait(timeout=time_limit)
        except subprocess.TimeoutExpired:
            self.kill()
            raise BenchError(f"xserver did not finish within {time_limit:g} s") from None
        for reader in self._readers:
            reader.join(10)
        return self.process.returncode

    def terminate(self, time_limit: float = 30.0) -> int:
        """Stop the server with SIGTERM, as an organiser would; its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.wait(time_limit)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


class LoadGenerator:
    """bench/load_generator.py as a process against `port`; `finish` returns its figures."""

    def __init__(self, clients: int, port: int, delay_ms: float = 0, allow_server_stop: bool = False, time_limit: float = 600) -> None:
        command = [sys.executable, str(LOAD_GENERATOR), "--clients", str(clients), "--port", str(port), "--time-limit", str(time_limit)]
        if delay_ms:
            command += ["--delay-ms", str(delay_ms)]
        if allow_server_stop:
            command.append("--allow-server-stop")
        self.started = time.monotonic()
        self.time_limit = time_limit
        self.process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def finish(self, time_limit: float | None = None) -> dict[str, Any]:
        """The generator's figures once it exits; BenchError if it failed or took too long."""
        try:
            output, errors = self.process.communicate(timeout=time_limit or self.time_limit + 30)
        except subprocess.TimeoutExpired:
            self.kill()
            raise BenchError("the load generator did not finish in time") from None
        if self.process.returncode != 0:
            raise BenchError(f"the load generator failed (exit {self.process.returncode}): {errors.strip()}")
        return json.loads(output)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


def end(*processes: subprocess.Popen | LoadGenerator | Server | None) -> None:
    """Kill whatever of `processes` still runs (a process, a load generator, a server; None: none started) and collect it."""
    for process in processes:
        if isinstance(process, subprocess.Popen):
            if process.poll() is None:
                process.kill()
                process.communicate()
        elif process is not None:
            process.kill()


class ProcessSampler:
    """Samples a process every `period` seconds in a thread: VmRSS and VmHWM (kB, /proc/PID/status) and CPU seconds (/proc/PID/stat)."""

    def __init__(self, pid: int, period: float = 0.05) -> None:
        self.status_path = Path(f"/proc/{pid}/status")
        self.stat_path = Path(f"/proc/{pid}/stat")
        self.period = period
        self.samples: list[tuple[float, int, int]] = []
        self.cpu: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        ticks = os.sysconf("SC_CLK_TCK")
        while not self._stop.is_set():
            try:
                fields = dict(line.split(":", 1) for line in self.status_path.read_text().splitlines() if ":" in line)
                rss, hwm = (int(fields[key].split()[0]) for key in ("VmRSS", "VmHWM"))
                stat = self.stat_path.read_text().rsplit(")", 1)[1].split()
                cpu = (int(stat[11]) + int(stat[12])) / ticks  # utime and stime: fields 14 and 15 of stat
            except (OSError, KeyError, ValueError, IndexError):
                break  # the process is gone
            now = time.monotonic()
            self.samples.append((now, rss, hwm))
            self.cpu.append((now, cpu))
            self._stop.wait(self.period)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def peak_rss_mb(self, start: float = -math.inf, end: float = math.inf) -> float | None:
        """The highest VmRSS sampled between `start` and `end`, in MB (10^6 bytes)."""
        inside = [rss for at, rss, _ in self.samples if start <= at <= end]
        return round(max(inside) * 1024 / 1e6, 1) if inside else None

    def high_water_mb(self) -> float | None:
        """The highest of the kernel's own peaks (VmHWM) and the sampled VmRSS, in MB (the kernel's counters lag a little)."""
        return round(max(max(hwm, rss) for _, rss, hwm in self.samples) * 1024 / 1e6, 1) if self.samples else None

    def cpu_seconds(self, start: float = -math.inf, end: float = math.inf) -> float | None:
        """CPU seconds (user and system) the process used between the first and last samples within `start`..`end`."""
        inside = [cpu for at, cpu in self.cpu if start <= at <= end]
        return round(inside[-1] - inside[0], 2) if len(inside) >= 2 else None


def machine_seconds() -> tuple[float, float]:
    """CPU seconds since boot over all CPUs (/proc/stat): busy (user, nice, system, irq, softirq), and stolen by the hypervisor."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(field) for field in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0.0, 0.0
    user, nice, system, _, _, irq, softirq, steal = fields
    ticks = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq) / ticks, steal / ticks


class MachineLoad:
    """How busy the whole machine was from creation until `figures`: to tell a disturbed measurement from a clean one."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.busy, self.stolen = machine_seconds()

    def figures(self, ours: float) -> dict[str, float]:
        """`cpu steal %` and `other processes cpu %`, of all CPUs' time; `ours`: CPU seconds of the processes measured."""
        capacity = (time.monotonic() - self.started) * (os.cpu_count() or 1)
        busy, stolen = machine_seconds()
        if capacity <= 0:
            return {"cpu steal %": 0.0, "other processes cpu %": 0.0}
        return {
            "cpu steal %": round(100 * (stolen - self.stolen) / capacity, 1),
            "other processes cpu %": round(max(0.0, 100 * (busy - self.busy - ours) / capacity), 1),
        }


def sign_up_window(players: int) -> float:
    """A sign-up window long enough for `players` loopback clients on a busy machine."""
    return max(2.0, 1.0 + players / 100)


def round_robin(
    players: int,
    best_of: int = 3,
    delay_ms: float = 0,
    environment: dict[str, str] | None = None,
    time_limit: float = 600,
    profile_to: str | None = None,
    more_config: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One whole round robin of `players` load-generator clients on a real server; the figures of both sides.

    `more_config` adds keys to the server's configuration (an "event log", say).

    `seconds` is the tournament's own duration as the server reports it (from
    the end of the sign-up window to the Results); `wall seconds` runs from
    starting the load generator until the server exits.
    """
    config = {"min players": players, "waiting for": sign_up_window(players), "best of": best_of, **(more_config or {})}
    server = Server(config, environment, profile_to)
    sampler = ProcessSampler(server.process.pid)
    generator = None
    try:
        generator = LoadGenerator(players, server.port, delay_ms=delay_ms, time_limit=time_limit)
        load = MachineLoad()
        clients = generator.finish()
        ours = clients["cpu seconds"] + (sampler.cpu_seconds(load.started) or 0.0)
        machine = load.figures(ours)
        status = server.wait(60)
    finally:
        sampler.stop()
        if generator is not None:
            generator.kill()
        server.kill()
    if status != 0 or server.statistics is None:
        raise BenchError(f"xserver exited with status {status} and no statistics: {server.log_tail()}")
    statistics = server.statistics
    if statistics["players"] != players:
        raise BenchError(f"{statistics['players']} of {players} players signed up")
    calls, seconds = statistics["calls"], statistics["seconds"]
    return {
        "players": players,
        "best of": best_of,
        "delay ms": delay_ms,
        "series": players * (players - 1) // 2,
        "calls": calls,
        "calls per series": round(calls / max(1, players * (players - 1) // 2), 1),
        "seconds": seconds,
        "calls per second": round(calls / seconds) if seconds else None,
        "failed calls": statistics["failed calls"],
        "median ms": statistics["median ms"],
        "p90 ms": statistics["p90 ms"],
        "p99 ms": statistics["p99 ms"],
        "max ms": statistics["max ms"],
        "irregular outcomes": clients["irregular outcomes"],
        "wall seconds": round(time.monotonic() - generator.started, 3),
        "server cpu seconds": sampler.cpu_seconds(server.tournament_started_at or -math.inf),
        "load generator cpu seconds": clients["cpu seconds"],
        "peak rss mb": sampler.peak_rss_mb(),
        **machine,
        "peak pending answers": clients["peak pending answers"],
    }


def fitted_exponent(points: list[tuple[float, float]]) -> float:
    """The slope k of the least-squares line through (log x, log y): y grows like x^k."""
    logs = [(math.log(x), math.log(y)) for x, y in points]
    mean_x = sum(x for x, _ in logs) / len(logs)
    mean_y = sum(y for _, y in logs) / len(logs)
    spread = sum((x - mean_x) ** 2 for x, _ in logs)
    return sum((x - mean_x) * (y - mean_y) for x, y in logs) / spread


def run_stamp(started: float, load: MachineLoad) -> dict[str, object]:
    """The closing keys of a bench's figures: its seconds since `started`, how busy the machine was (nothing counted as
    ours: the busy share is everything, the measured processes included), the code measured and the date."""
    figures = load.figures(0.0)
    return {
        "seconds": round(time.monotonic() - started, 1),
        "cpu steal %": figures["cpu steal %"],
        "machine busy %": figures["other processes cpu %"],
        "code": server_version(),
        "date": time.strftime("%Y-%m-%d"),
    }


def server_version() -> str:
    """The commit the measured code is at, with `+changes` if Common, Player, Admin or Remote differ from it."""

    def git(*arguments: str) -> str:
        try:
            return subprocess.run(["git", *arguments], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = git("status", "--porcelain", "--", "Common", "Player", "Admin", "Remote")
    return commit + ("+changes" if changed else "")


def emit(figures: dict[str, Any]) -> None:
    """Print one JSON object of figures on its own line."""
    print(json.dumps(figures), flush=True)


def run_main(*measures: Callable[[], dict[str, Any]]) -> int:
    """Run each of `measures` in turn and print its figures; a BenchError becomes one line on standard error and status 1."""
    try:
        for measure in measures:
            emit(measure())
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    return 0
