"""Figure 4, scale: 1,000 clients sign up in one 10 s window; how long that takes, and the server's memory.

The load generator opens 1,000 connections (100 attempts at a time) as soon
as the server listens; each sends its name at once. The registration time
runs from starting the load generator to the server's 1,000th `signed up`
log line. The server's resident memory (VmRSS) is sampled every 50 ms: before
anyone connects, while the connections sign up and wait for the window to
close (idle), and during the first minute of the 1,000-player round robin
(a whole one would take hours); then the server is stopped with SIGTERM, as an
organiser would. VmHWM is the kernel's own peak over the server's life.

Run `.venv/bin/python bench/scale.py [--clients N] [--play-seconds S]`.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from harness import BenchError, LoadGenerator, ProcessSampler, Server, run_main

CLIENTS = 1000
WINDOW_SECONDS = 10.0
PLAY_SECONDS = 60.0
RSS_LIMIT_MB = 200.0
TIMELINE_SECONDS = (0, 5, 15, 30, 45, 60)
"""Moments of play (seconds after the tournament started) at which the RSS is shown, to tell a plateau from growth."""


def measure(clients: int = CLIENTS, window: float = WINDOW_SECONDS, play_seconds: float = PLAY_SECONDS) -> dict[str, Any]:
    server = Server({"min players": 2, "waiting for": window})
    sampler = ProcessSampler(server.process.pid)
    generator = None
    try:
        time.sleep(0.5)  # a baseline before anyone connects
        generator = LoadGenerator(clients, server.port, allow_server_stop=True, time_limit=window + play_seconds + 120)
        deadline = time.monotonic() + window + 30
        while server.tournament_started_at is None and time.monotonic() < deadline and server.process.poll() is None:
            time.sleep(0.05)
        started = server.tournament_started_at
        if started is None:
            raise BenchError(f"the tournament did not start: {server.log_tail()}")
        while time.monotonic() < started + play_seconds and server.process.poll() is None:
            time.sleep(0.1)
        stopped = time.monotonic()
        played = len(server.encounters_finished_at)
        status = server.terminate(60)
        sampler.stop()
        load = generator.finish(60)
    finally:
        sampler.stop()
        if generator is not None:
            generator.kill()
        server.kill()
    signed_up = server.signed_up_at
    all_signed_up = len(signed_up) == clients
    idle = sampler.peak_rss_mb(generator.started, started)
    playing = sampler.peak_rss_mb(started, stopped)
    high_water = sampler.high_water_mb()
    return {
        "figure": "scale",
        "clients": clients,
        "window seconds": window,
        "signed up": len(signed_up),
        "seconds until all signed up": round(signed_up[-1] - generator.started, 3) if all_signed_up else None,
        "seconds until all signed up, from listening": round(signed_up[-1] - server.listening_at, 3) if all_signed_up else None,
        "load generator connect seconds": load["connect seconds"],
        "rss mb before sign-up": sampler.peak_rss_mb(end=generator.started),
        "peak rss mb idle with connections": idle,
        "peak rss mb playing": playing,
        "rss mb at seconds of play": {
            str(moment): sampler.peak_rss_mb(started + moment - 0.5, started + moment + 0.5)
            for moment in TIMELINE_SECONDS
            if moment <= stopped - started
        },
        "played seconds": round(stopped - started, 1),
        "server cpu seconds while playing": sampler.cpu_seconds(started, stopped),
        "encounters finished while playing": played,
        "misbehaved while playing": len(server.misbehaved),
        "vmhwm mb": high_water,
        "below 200 mb throughout": high_water is not None and high_water < RSS_LIMIT_MB,
        "memory samples": len(sampler.samples),
        "server exit status": status,
        "clients closed before results": load["closed before results"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--window", type=float, default=WINDOW_SECONDS)
    parser.add_argument("--play-seconds", type=float, default=PLAY_SECONDS)
    arguments = parser.parse_args()
    return run_main(lambda: measure(arguments.clients, arguments.window, arguments.play_seconds))


if __name__ == "__main__":
    sys.exit(main())
