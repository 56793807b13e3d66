"""The floor under every figure: one TCP round trip on 127.0.0.1 between two processes, without Santorini, trio or asyncio.

One process sends a 300-byte message (about a Board) and waits for a 40-byte
reply (about an Action) from the other, 5,000 times, with plain blocking
sockets. It is measured three ways: the two processes left where the
operating system puts them, pinned to the same CPU, and pinned to different
CPUs. On this virtual machine a send that wakes a process on the *other*
CPU is many times dearer than one on the same CPU, and the time goes by
inside `send()`: that is what the profile of the server shows as time in
the socket's send.

Run `.venv/bin/python bench/loopback_floor.py`; prints one JSON object
(microseconds per round trip, per send, and CPU per round trip of the sender).
"""

from __future__ import annotations

import os
import socket
import sys
import time
from typing import Any

from harness import emit

ROUND_TRIPS = 5000
MESSAGE = b"x" * 300
REPLY = b"y" * 40


def _connected(pin: set[int] | None, peer_pin: set[int] | None) -> tuple[socket.socket, int]:
    """A connection to a forked echo-like peer that replies to each message; the socket and the peer's pid."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    pid = os.fork()
    if pid == 0:  # the peer: reply to each message, then exit
        try:
            if peer_pin:
                os.sched_setaffinity(0, peer_pin)
            peer = socket.create_connection(listener.getsockname())
            peer.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for _ in range(ROUND_TRIPS):
                if not peer.recv(65536):
                    break
                peer.sendall(REPLY)
        finally:
            os._exit(0)
    if pin:
        os.sched_setaffinity(0, pin)
    connection, _ = listener.accept()
    listener.close()
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return connection, pid


def round_trips(pin: set[int] | None, peer_pin: set[int] | None) -> dict[str, float]:
    original = os.sched_getaffinity(0)
    connection, pid = _connected(pin, peer_pin)
    try:
        in_send = 0.0
        cpu = time.process_time()
        started = time.perf_counter()
        for _ in range(ROUND_TRIPS):
            before = time.perf_counter()
            connection.sendall(MESSAGE)
            in_send += time.perf_counter() - before
            connection.recv(65536)
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
    finally:
        connection.close()
        os.waitpid(pid, 0)
        os.sched_setaffinity(0, original)
    return {
        "round trip us": round(wall / ROUND_TRIPS * 1e6, 1),
        "inside send us": round(in_send / ROUND_TRIPS * 1e6, 1),
        "sender cpu per round trip us": round(cpu / ROUND_TRIPS * 1e6, 1),
    }


def measure() -> dict[str, Any]:
    cpus = sorted(os.sched_getaffinity(0))
    figures: dict[str, Any] = {"figure": "loopback floor", "cpus": len(cpus), "where the system puts them": round_trips(None, None)}
    figures["same cpu"] = round_trips({cpus[0]}, {cpus[0]})
    if len(cpus) > 1:
        figures["different cpus"] = round_trips({cpus[0]}, {cpus[1]})
    return figures


if __name__ == "__main__":
    emit(measure())
    sys.exit(0)
