"""What watchers cost: calls per second of a 20-player Santorini round robin with 0, 1 and 100 watchers of its page.

Each run is `harness.py`'s round robin of fast load-generator clients on a
real xserver whose configuration has `"watch": {"port": 0, ...}`. Before
the sign-up window closes, a second process opens the watchers' event
streams (`GET /events`) and reads them to the end; with 100 watchers, one
of them never reads a byte (a small receive buffer, never emptied), as a
stuck browser would. Each count is run 3 times; the median run is shown
with every run's figure, and the ratio to the run without watchers (the
target of issue 11: within 10 %).

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

PLAYERS, RUNS = 20, 3
WATCHER_COUNTS = (0, 1, 100)
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


def one_run(watchers: int) -> dict[str, Any]:
    config = {"min players": PLAYERS, "waiting for": sign_up_window(PLAYERS) + 1.0, "best of": 3}
    if watchers:
        config["watch"] = {"port": 0, "host": "127.0.0.1", "max watchers": 256, "watchers per address": 256}
    server = Server(config)
    sampler = ProcessSampler(server.process.pid)
    watching = generator = None
    try:
        if watchers:
            watching = subprocess.Popen(
                [sys.executable, str(Path(__file__)), "--watchers", str(watchers), "--port", str(watch_port(server))],
                cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True,
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
        "watchers": watchers,
        "calls": statistics["calls"],
        "seconds": statistics["seconds"],
        "calls per second": round(statistics["calls"] / statistics["seconds"]),
        "failed calls": statistics["failed calls"],
        "p99 ms": statistics["p99 ms"],
        "server cpu seconds": sampler.cpu_seconds(server.tournament_started_at or 0.0),
        "peak rss mb": sampler.peak_rss_mb(),
    }


def measure() -> dict[str, Any]:
    shown = []
    for watchers in WATCHER_COUNTS:
        runs = sorted((one_run(watchers) for _ in range(RUNS)), key=lambda run: run["calls per second"])
        middle = runs[(len(runs) - 1) // 2]
        shown.append({**middle, "calls per second, each run": [run["calls per second"] for run in runs]})
    alone = shown[0]["calls per second"]
    for row in shown:
        row["ratio to no watchers"] = round(row["calls per second"] / alone, 3)
    return {"figure": "watch speed", "players": PLAYERS, "runs": shown}


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
