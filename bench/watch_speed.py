"""What watchers cost: calls per second of a 20-player Santorini round robin with 0, 1 and 100 watchers of its page.

Each run is `harness.py`'s round robin of fast load-generator clients on a
real xserver whose configuration has `"watch": {"port": 0, ...}`. Before
the sign-up window closes, a second process opens the watchers' event
streams (`GET /events`) and reads them to the end; with 100 watchers, one
of them never reads a byte (a small receive buffer, never emptied), as a
stuck browser would. Each count is run 5 times, the counts taking turns; the median run is shown
with every run's figure, and the ratio to the run with the page served and
no watcher (the target of issue 11: within 10 %). A row without "watch"
at all shows what making the events costs (the event log's cost, measured
by bench/event_log_cost.py).

    .venv/bin/python bench/watch_speed.py              # about a minute
    .venv/bin/python bench/watch_speed.py --watchers 100 --port P   # the watchers' process alone
"""

from __future__ import annotations

import argparse
import re
import selectors
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from harness import PROJECT_ROOT, BenchError, LoadGenerator, ProcessSampler, Server, run_main, sign_up_window

PLAYERS, RUNS, BEST_OF = 20, 5, 7
"""Best of 7: about 15,000 calls a run, a few seconds, so that one slow moment of the machine weighs less."""
WATCHER_COUNTS = (None, 0, 1, 100)
"""None: no "watch" key, so no events are made at all; 0: the page is served, nobody watches (the baseline)."""
WATCH_LINE = re.compile(r"the page is at http://[^:]+:(\d+)/")
TIME_LIMIT = 300.0


def watch_port(server: Server, time_limit: float = 10.0) -> int:
    """The watch port the server's log names (it listens on port 0: any free one)."""
    deadline = time.monotonic() + time_limit
    while time.monotonic() < deadline:
        for _, line in list(server.lines):
            if (match := WATCH_LINE.search(line)) is not None:
                return int(match[1])
        time.sleep(0.01)
    raise BenchError(f"xserver did not say where its watch page is: {server.log_tail()}")


def one_run(watchers: int | None) -> dict[str, Any]:
    """One round robin with `watchers` watchers (None: without "watch" at all)."""
    config = {"min players": PLAYERS, "waiting for": sign_up_window(PLAYERS) + 1.0, "best of": BEST_OF}
    if watchers is not None:
        config["watch"] = {"port": 0, "host": "127.0.0.1", "max watchers": 256, "watchers per address": 256}
    server = Server(config)
    sampler = ProcessSampler(server.process.pid)
    watching = generator = None
    try:
        if watchers:
            watching = subprocess.Popen(
                [sys.executable, str(Path(__file__)), "--watchers", str(watchers), "--port", str(watch_port(server))],
                cwd=PROJECT_ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )
            if watching.stdout.readline().strip() != "watching":
                raise BenchError("the watchers could not open their streams")
        generator = LoadGenerator(PLAYERS, server.port, time_limit=TIME_LIMIT)
        generator.finish()
        status = server.wait(60)
    finally:
        sampler.stop()
        for process in (generator, watching):
            if process is not None:
                process.kill()
        server.kill()
    statistics = server.statistics
    if status != 0 or statistics is None:
        raise BenchError(f"xserver exited with status {status} and no statistics: {server.log_tail()}")
    return {
        "watchers": "no watch" if watchers is None else watchers,
        "calls": statistics["calls"],
        "seconds": statistics["seconds"],
        "calls per second": round(statistics["calls"] / statistics["seconds"]),
        "failed calls": statistics["failed calls"],
        "p99 ms": statistics["p99 ms"],
        "server cpu seconds": sampler.cpu_seconds(server.tournament_started_at or 0.0),
        "peak rss mb": sampler.peak_rss_mb(),
    }


def measure() -> dict[str, Any]:
    """Every watcher count once per round, RUNS rounds: a slow spell of the machine hits every count alike."""
    runs: dict[Any, list[dict[str, Any]]] = {watchers: [] for watchers in WATCHER_COUNTS}
    for _ in range(RUNS):
        for watchers in WATCHER_COUNTS:
            runs[watchers].append(one_run(watchers))
    shown = []
    for watchers in WATCHER_COUNTS:
        ordered = sorted(runs[watchers], key=lambda run: run["calls per second"])
        middle = ordered[(len(ordered) - 1) // 2]
        shown.append({**middle, "calls per second, each run": [run["calls per second"] for run in ordered]})
    alone = next(row["calls per second"] for row in shown if row["watchers"] == 0)
    for row in shown:
        row["ratio to 0 watchers"] = round(row["calls per second"] / alone, 3)
    return {"figure": "watch speed", "players": PLAYERS, "best of": BEST_OF, "runs": shown}


# ---------------------------------------------------------------------------
# The watchers' process


def watch(count: int, port: int) -> int:
    """Open `count` event streams (the last never read), say "watching", read the others until the server closes them."""
    selector = selectors.DefaultSelector()
    stuck = None
    for number in range(count):
        connection = socket.socket()
        if number == count - 1 and count > 1:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        connection.connect(("127.0.0.1", port))
        connection.sendall(b"GET /events HTTP/1.1\r\nhost: bench\r\n\r\n")
        if number == count - 1 and count > 1:
            stuck = connection  # never read
        else:
            connection.setblocking(False)
            selector.register(connection, selectors.EVENT_READ)
    print("watching", flush=True)
    received, deadline = 0, time.monotonic() + TIME_LIMIT
    while selector.get_map() and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=1.0):
            try:
                data = key.fileobj.recv(1 << 16)
            except OSError:
                data = b""
            if not data:
                selector.unregister(key.fileobj)
                key.fileobj.close()
            received += len(data)
    if stuck is not None:
        stuck.close()
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watchers", type=int)
    parser.add_argument("--port", type=int)
    arguments = parser.parse_args()
    if arguments.watchers is not None:
        sys.exit(watch(arguments.watchers, arguments.port))
    sys.exit(run_main(measure))
