"""A prisoner's dilemma client written from the protocol alone, byte by byte, which misbehaves on cue (not tests).

An IPDRawClient talks to xserver over a plain trio stream, without Remote/'s
framing or proxies. It signs up with its bare name, reads the server's
messages as a stream of JSON values (not lines: `raw_decode` over a buffer),
records every one of them, and answers every `["move", k, Prev]` with
`[k, "C"]`. A test makes it do something else in chosen rounds: `play` takes
deeds keyed by (match, round), counting both from 1, each done instead of the
answer. A deed may hold bytes back until a later message arrives (`hold`),
which is how a test makes a reply late without a clock: the server sends
the next message only once it has given up waiting.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import trio

from tests.raw_client import CLOSED, RawConnection, compact

PLAYING_AS, MATCH, MOVE, MATCH_OVER, RESULTS, KICKED = "playing-as", "match", "move", "match-over", "results", "kicked"

Deed = Callable[["IPDRawClient", list], Awaitable[bool]]
"""Done instead of answering a move request (the message); True if the client should stop reading at once."""
Release = Callable[[Any], bool]
"""Whether a message just received releases bytes held back."""


def kind_of(message: Any) -> str | None:
    """The tag of a server message (`"move"`, `"match"`, ...), or None for anything else."""
    if type(message) is list and message and type(message[0]) is str:
        return message[0]
    return None


def is_kind(kind: str) -> Release:
    """A Release: the first message of `kind`."""
    return lambda message: kind_of(message) == kind


class IPDRawClient(RawConnection):
    """A player called `name` on the far end of `stream`; it records everything it receives."""

    def __init__(self, stream: trio.abc.Stream, name: str) -> None:
        self.stream = stream
        self.name = name
        self.received: list[Any] = []
        self.matches = 0  # matches begun (a `match` message begins one)
        self.opponent: str | None = None
        self.closed_by_server = False
        self.kicked_because: str | None = None
        self._text = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._json = json.JSONDecoder()
        self._held: list[tuple[Release, bytes]] = []

    async def send(self, data: bytes) -> None:
        await self.stream.send_all(data)

    async def sign_up(self) -> None:
        await self.send(compact(self.name))

    async def answer(self, round_: int, move: str = "C") -> None:
        await self.send(compact([round_, move]))

    def hold(self, data: bytes, until: Release) -> None:
        """Send `data` as soon as a message for which `until` holds has been received, before acting on it."""
        self._held.append((until, data))

    def moves(self, match: int) -> list[list]:
        """The move requests received in match number `match` (from 1)."""
        found, current = [], 0
        for message in self.received:
            if kind_of(message) == MATCH:
                current += 1
            elif kind_of(message) == MOVE and current == match:
                found.append(message)
        return found

    async def receive(self) -> Any:
        """The server's next message, or CLOSED."""
        while True:
            text = self._text.lstrip()
            if text:
                try:
                    message, end = self._json.raw_decode(text)
                except json.JSONDecodeError:
                    pass  # not all of it has arrived
                else:
                    self._text = text[end:]
                    self.received.append(message)
                    return message
            try:
                data = await self.stream.receive_some()
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                data = b""
            if not data:
                self.closed_by_server = True
                return CLOSED
            self._text = text + self._decoder.decode(data)

    async def play(self, deeds: Mapping[tuple[int, int], Deed] | None = None) -> list | None:
        """Play until the server sends the Results or closes the connection; the Results, or None.

        For a move request of round k in match m, `deeds[(m, k)]` is done
        instead of the answer `[k, "C"]`. A kick notice is recorded
        (`kicked_because`) and the client reads on until the server closes.
        """
        deeds = dict(deeds or {})
        while True:
            message = await self.receive()
            if message is CLOSED:
                return None
            await self._release(message)
            kind = kind_of(message)
            if kind == PLAYING_AS:
                self.name = message[1]
            elif kind == MATCH:
                self.matches += 1
                self.opponent = message[1]
            elif kind == MOVE:
                deed = deeds.pop((self.matches, message[1]), None)
                if deed is None:
                    await self.answer(message[1])
                elif await deed(self, message):
                    return None
            elif kind == RESULTS:
                return message
            elif kind == KICKED:
                self.kicked_because = message[1]

    async def _release(self, message: Any) -> None:
        released = [data for until, data in self._held if until(message)]
        self._held = [(until, data) for until, data in self._held if not until(message)]
        for data in released:
            await self.send(data)
