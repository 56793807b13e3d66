"""A client written from the spec alone, byte by byte, and the little harness around xserver that tests need.

A RawClient talks to the server over a plain trio stream, without Remote/'s
framing or proxies: it reads the server's messages one per line (spec section 3: the
server writes compact JSON followed by a newline), tells them apart by shape
(section 4), and answers every Placement and Board legally with the built-in
good strategy. A test makes it misbehave by giving `play` a moment
(`misbehave_when`) and a deed (`misbehaviour`), and chooses how its legal
answers are written (compact or pretty-printed, with or without a newline,
whole or trickled a few bytes at a time).

`wait_for_log` waits, boundedly, for a line in a ServerProcess's log (the
log is collected by a reader thread, so it is polled); `stop` makes sure no
server outlives a failed test.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any, Self

import trio

from Common.santorini.actions import Placement
from Common.santorini.board import Board
from Common.santorini.wire import action_to_json, structure
from Player.santorini.strategic import choose_action, choose_place
from Remote.loopback import PROJECT_ROOT, ServerProcess

HOST = "127.0.0.1"
NAME, PLAYING_AS, PLACEMENT, BOARD, RESULTS, KICKED = "name", "playing-as", "placement", "board", "results", "kicked"
CLOSED = object()
"""What a raw client's `receive` returns once the server has closed (or reset) the connection."""

LOG_POLL_SECONDS = 0.01


def compact(value: Any) -> bytes:
    """A value as our own server writes one: compact JSON and a newline."""
    return (json.dumps(value, separators=(",", ":")) + "\n").encode()


def pretty(value: Any) -> bytes:
    """A value pretty-printed over several lines, with no newline after it."""
    return json.dumps(value, indent=2).encode()


def kind_of(message: Any, in_series: bool) -> str:
    """Which message of spec section 4 `message` is, by its shape."""
    if type(message) is str:
        return NAME
    if not message:
        return PLACEMENT if in_series else RESULTS
    if message[0] in (PLAYING_AS, KICKED):
        return message[0]
    first = message[0]
    if type(first) is list and first and type(first[0]) is str and first[0][:1].isalpha():
        return PLACEMENT if len(first) == 3 and type(first[1]) is int else RESULTS
    return BOARD


Deed = Callable[["RawClient", str, Any], Awaitable[bool]]
"""A misbehaviour: done instead of answering a request; True if the client should stop reading at once."""


class RawConnection:
    """What every game's raw client does alike: connect to the server on 127.0.0.1, read to the end, close."""

    stream: trio.abc.Stream

    def __init__(self, stream: trio.abc.Stream, name: str) -> None:
        raise NotImplementedError

    @classmethod
    async def connect(cls, port: int, name: str) -> Self:
        return cls(await trio.open_tcp_stream(HOST, port), name)

    async def receive(self) -> Any:
        raise NotImplementedError

    async def read_until_closed(self) -> list:
        """Every further message until the server closes the connection."""
        rest = []
        while (message := await self.receive()) is not CLOSED:
            rest.append(message)
        return rest

    async def aclose(self) -> None:
        await trio.aclose_forcefully(self.stream)


class RawClient(RawConnection):
    """A player called `name` on the far end of `stream`; it records everything it receives."""

    def __init__(self, stream: trio.abc.Stream, name: str) -> None:
        self.stream = stream
        self.name = name
        self.received: list[Any] = []
        self.requests = 0  # placements and boards received
        self.series = 0  # encounters begun (the opponent's name begins one)
        self.games_in_series = 0  # games begun in this encounter (a Placement with 0 or 1 workers begins one)
        self.closed_by_server = False
        self.kicked_because: str | None = None  # the reason of the server's last message, if it kicked us
        self._buffer = bytearray()
        self._in_series = False

    async def send(self, data: bytes, chunk: int | None = None) -> None:
        """Send `data`, all at once or `chunk` bytes at a time with a checkpoint between the pieces."""
        if chunk is None:
            await self.stream.send_all(data)
            return
        for start in range(0, len(data), chunk):
            await self.stream.send_all(data[start : start + chunk])
            await trio.lowlevel.checkpoint()

    async def sign_up(self, write: Callable[[Any], bytes] = compact, chunk: int | None = None) -> None:
        await self.send(write(self.name), chunk)

    async def receive(self) -> Any:
        """The server's next message, or CLOSED."""
        while b"\n" not in self._buffer:
            try:
                data = await self.stream.receive_some()
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                data = b""
            if not data:
                self.closed_by_server = True
                return CLOSED
            self._buffer += data
        line, _, rest = bytes(self._buffer).partition(b"\n")
        self._buffer = bytearray(rest)
        message = json.loads(line)
        self.received.append(message)
        return message

    def legal_answer(self, kind: str, message: Any) -> Any:
        """What the good strategy answers to a Placement or a Board, as JSON."""
        if kind == PLACEMENT:
            place = choose_place(structure(message, Placement))
            return [place.x, place.y]
        return action_to_json(choose_action(self.name, structure(message, Board)))

    async def play(
        self,
        write: Callable[[Any], bytes] = compact,
        chunk: int | None = None,
        misbehave_when: Callable[[RawClient, str], bool] = lambda client, kind: False,
        misbehaviour: Deed | None = None,
    ) -> list | None:
        """Play until the server sends Results or closes the connection; the Results, or None.

        At the first request for which `misbehave_when` holds, `misbehaviour`
        is done instead of a legal answer.
        """
        while True:
            message = await self.receive()
            if message is CLOSED:
                return None
            kind = kind_of(message, self._in_series)
            if kind == NAME:
                self._in_series = True
                self.series += 1
                self.games_in_series = 0
            elif kind == PLAYING_AS:
                self.name = message[1]
            elif kind == RESULTS:
                return message
            elif kind == KICKED:
                self.kicked_because = message[1]
            else:
                self.requests += 1
                if kind == PLACEMENT and len(message) <= 1:
                    self.games_in_series += 1
                if misbehaviour is not None and misbehave_when(self, kind):
                    if await misbehaviour(self, kind, message):
                        return None
                    misbehaviour = None
                else:
                    await self.send(write(self.legal_answer(kind, message)), chunk)


async def wait_for_log(server: ServerProcess, text: str, count: int = 1, time_limit: float = 30) -> list[str]:
    """The first `count` log lines of `server` that contain `text`, once there are that many."""
    with trio.fail_after(time_limit):
        # Polled: a reader thread of Remote.loopback.ServerProcess fills log_lines and offers no event to await.
        while len(lines := [line for line in list(server.log_lines) if text in line]) < count:  # noqa: ASYNC110
            await trio.sleep(LOG_POLL_SECONDS)
    return lines[:count]


def wait_for_log_sync(server: ServerProcess, text: str, count: int = 1, time_limit: float = 30) -> list[str]:
    """`wait_for_log` for code outside trio; fails at once if the server exits without logging them."""
    deadline = time.monotonic() + time_limit
    while True:
        exited = server.process.poll() is not None
        if exited:
            server.finish(time_limit)  # lets the log reader catch up
        lines = [line for line in list(server.log_lines) if text in line]
        if len(lines) >= count:
            return lines[:count]
        if exited or time.monotonic() > deadline:
            raise AssertionError(f"no {count} log lines with {text!r}; the log: {''.join(server.log_lines)}")
        time.sleep(LOG_POLL_SECONDS)


def stop(server: ServerProcess) -> None:
    """Kill `server` if it still runs (after a failed test), and reap it."""
    if server.process.poll() is None:
        server.process.kill()
    server.process.wait(timeout=30)


def run_on_a_terminal(command: list[str], stdin: bytes, time_limit: float = 60) -> tuple[int, bytes, bytes]:
    """Run `command` with its standard error on a pseudo-terminal: its exit status, standard output, and all it showed there."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=terminal)
    os.close(terminal)
    shown = bytearray()

    def read_terminal() -> None:
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:
                return
            if not chunk:
                return
            shown.extend(chunk)

    reader = threading.Thread(target=read_terminal, daemon=True)
    reader.start()
    output, _ = process.communicate(stdin, timeout=time_limit)
    reader.join(10)
    os.close(controller)
    return process.returncode, output, bytes(shown)
