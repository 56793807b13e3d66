"""A Fish client written from docs/fish-protocol.md alone, byte by byte, which misbehaves on cue (not tests).

A FishRawClient talks to xserver over a plain trio stream, without Remote/'s
framing or proxies and without Common/fish: it signs up with its bare name,
reads the server's messages as a stream of JSON values (`raw_decode` over a
buffer, never lines: checklist item 2), records every one, answers
`start`, `playing-as`, `playing-with` and `end` with `"void"`, and `setup`
and `take-turn` with the course's strategy as the document states it
(section 4's example): place on the free tile with the most fish, the first
such in row order; move to the reachable tile with the most fish, the
smallest from-position, then to-position, on a tie; the hex neighbours are
the doubled rows of section 1. Each reply may be padded with spaces ahead of
it, as the course's clients pad theirs, and sent a few bytes at a time.

A test makes it do something else at chosen calls: `play` takes deeds keyed
by (method, n), n counting that method's calls from 1, each done instead
of the answer; a deed returns True when the client should stop reading.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import trio

from tests.raw_client import CLOSED, RawConnection, compact

START, PLAYING_AS, PLAYING_WITH, SETUP, TAKE_TURN, END, KICKED = (
    "start",
    "playing-as",
    "playing-with",
    "setup",
    "take-turn",
    "end",
    "kicked",
)
VOID_CALLS = (START, PLAYING_AS, PLAYING_WITH, END)

Deed = Callable[["FishRawClient", list], Awaitable[bool]]
"""Done instead of answering a call (the message); True if the client should stop reading at once."""

Position = tuple[int, int]

_EVEN_ROW = ((-2, 0), (-1, 0), (1, 0), (2, 0), (1, -1), (-1, -1))
_ODD_ROW = ((-2, 0), (-1, 1), (1, 1), (2, 0), (1, 0), (-1, 0))
"""Section 1's six directions, north, north-east, south-east, south, south-west, north-west: the step in rows and
columns from a tile of an even row, and from one of an odd row."""


def fish_at(board: list[list[int]], row: int, column: int) -> int:
    """The fish on a tile; 0 (a hole) outside the board or past the end of a short row."""
    if row < 0 or column < 0 or row >= len(board) or column >= len(board[row]):
        return 0
    return board[row][column]


def reachable(board: list[list[int]], penguins: set[Position], start: Position) -> list[Position]:
    """The tiles a penguin on `start` can move to: along each direction, up to a hole, the edge or a penguin."""
    found = []
    for direction in range(6):
        row, column = start
        while True:
            step_row, step_column = (_EVEN_ROW if row % 2 == 0 else _ODD_ROW)[direction]
            row, column = row + step_row, column + step_column
            if fish_at(board, row, column) == 0 or (row, column) in penguins:
                break
            found.append((row, column))
    return found


def penguins_of(state: dict) -> set[Position]:
    return {(place[0], place[1]) for player in state["players"] for place in player["places"]}


def choose_place(state: dict) -> list[int]:
    """The free tile with the most fish, the first such in row order."""
    board, taken = state["board"], penguins_of(state)
    free = [(row, column) for row in range(len(board)) for column in range(len(board[row])) if board[row][column] > 0]
    free = [tile for tile in free if tile not in taken]
    best = max(fish_at(board, *tile) for tile in free)
    row, column = next(tile for tile in free if fish_at(board, *tile) == best)
    return [row, column]


def choose_move(state: dict) -> list[list[int]]:
    """The move to the reachable tile with the most fish; the smallest from-position, then to-position, on a tie."""
    board, taken = state["board"], penguins_of(state)
    moves = [(source, target) for source in map(tuple, state["players"][0]["places"]) for target in reachable(board, taken, source)]
    best = max(fish_at(board, *target) for _, target in moves)
    source, target = min(move for move in moves if fish_at(board, *move[1]) == best)
    return [list(source), list(target)]


class FishRawClient(RawConnection):
    """A Fish player called `name` on the far end of `stream`; it records everything it receives."""

    def __init__(self, stream: trio.abc.Stream, name: str, padding: int = 0, chunk: int | None = None) -> None:
        self.stream = stream
        self.name = name
        self.padding = padding
        """Spaces sent ahead of each reply (the course's clients send 2,040)."""
        self.chunk = chunk
        """Bytes per write (None: each reply in one write)."""
        self.received: list[Any] = []
        self.calls: dict[str, int] = {}
        self.closed_by_server = False
        self.kicked_because: str | None = None
        self.won: bool | None = None
        self._text = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._json = json.JSONDecoder()

    async def send(self, data: bytes) -> None:
        """Send `data`, whole or `chunk` bytes at a time with a checkpoint between the pieces."""
        if self.chunk is None:
            await self.stream.send_all(data)
            return
        for start in range(0, len(data), self.chunk):
            await self.stream.send_all(data[start : start + self.chunk])
            await trio.lowlevel.checkpoint()

    async def sign_up(self) -> None:
        await self.send(compact(self.name))

    async def reply(self, value: Any) -> None:
        await self.send(b" " * self.padding + compact(value))

    async def receive(self) -> Any:
        """The next value the server sent (a stream of JSON values, not lines), or CLOSED."""
        while True:
            text = self._text.lstrip()
            if text:
                try:
                    value, end = self._json.raw_decode(text)
                except json.JSONDecodeError:
                    pass  # not whole yet
                else:
                    self._text = text[end:]
                    self.received.append(value)
                    return value
            try:
                data = await self.stream.receive_some(65536)
            except trio.BrokenResourceError:
                data = b""
            if not data:
                self.closed_by_server = True
                return CLOSED
            self._text += self._decoder.decode(data)

    def answer_to(self, message: list) -> Any:
        """The legal reply to a call."""
        method, arguments = message
        if method in VOID_CALLS:
            return "void"
        if method == SETUP:
            return choose_place(arguments[0])
        return choose_move(arguments[0])

    async def play(self, deeds: Mapping[tuple[str, int], Deed] | None = None) -> None:
        """Answer every call until the server closes the connection, doing a deed where one is keyed."""
        deeds = deeds or {}
        while (message := await self.receive()) is not CLOSED:
            method = message[0]
            if method == KICKED:
                self.kicked_because = message[1]
                continue
            if method == END:
                self.won = message[1][0]
            self.calls[method] = self.calls.get(method, 0) + 1
            deed = deeds.get((method, self.calls[method]))
            if deed is not None:
                if await deed(self, message):
                    return
                continue
            await self.reply(self.answer_to(message))
