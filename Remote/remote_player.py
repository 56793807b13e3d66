"""The server's stand-in for a player on another machine: the player interface over a connection.

A RemotePlayer turns each call into the message of spec section 4, sends it,
and, where the protocol expects a reply, waits for exactly one value and
converts it with the strict converter. It raises on every failure (a broken or
closed connection, a protocol violation, a reply of the wrong shape, a value
sent where none was expected); the caller's safe call turns that into
misbehaviour and bounds the time. After the first failure, of whatever kind,
including a time-out, the connection is closed and every later call fails at
once.
"""

from __future__ import annotations

from typing import Any

import trio

from Common.actions import Action, Placement
from Common.board import Board
from Common.geometry import Place
from Common.names import Name
from Common.player import Player
from Common.results import PlayingAs, Results
from Common.strict import show
from Common.wire import board_to_json, structure, unstructure
from Remote.channel import ChannelError, MessageChannel, ProtocolViolation
from Remote.framing import NEED_DATA
from Remote.statistics import CallStatistics


class UnexpectedMessage(ChannelError):
    """The client sent a value where none was expected."""


class RemotePlayer(Player):
    """A player whose moves come over `channel`."""

    def __init__(self, channel: MessageChannel, statistics: CallStatistics | None = None) -> None:
        self._channel = channel
        self._statistics = statistics or CallStatistics()
        self._closed_because: str | None = None

    async def playing_as(self, name: Name) -> None:
        await self._exchange(unstructure(PlayingAs(name)))

    async def start_encounter(self, opponent: Name) -> None:
        await self._exchange(opponent)

    async def place_worker(self, placement: Placement) -> Place:
        return await self._exchange(unstructure(placement), Place)

    async def take_turn(self, board: Board) -> Action:
        return await self._exchange(board_to_json(board), Action)

    async def end_of_tournament(self, results: Results) -> None:
        await self._exchange(unstructure(results))
        await self.aclose("the tournament is over")

    async def aclose(self, why: str = "closed by the server") -> None:
        """Close the connection; later calls fail, saying `why`."""
        if self._closed_because is None:
            self._closed_because = why
            await trio.aclose_forcefully(self._channel)

    async def _exchange(self, message: Any, reply_type: Any = None) -> Any:
        """Send `message`; if `reply_type` is given, receive exactly one value of that type."""
        if self._closed_because is not None:
            raise ChannelError(f"the connection is closed: {self._closed_because}")
        started = trio.current_time()
        try:
            await self._refuse_unasked_values()
            await self._channel.send(message)
            if reply_type is None:
                answer = None
            else:
                reply = await self._channel.receive()
                await self._refuse_unasked_values(after_answer=True)
                answer = structure(reply, reply_type)
        except BaseException as failure:
            self._statistics.record(trio.current_time() - started, failed=True)
            await self.aclose(f"after an earlier failure ({type(failure).__name__})")
            raise
        self._statistics.record(trio.current_time() - started)
        return answer

    async def _refuse_unasked_values(self, after_answer: bool = False) -> None:
        """Fail if the client sent a value nobody asked for, saying what it sent and when.

        Before a message (`after_answer` false) this also reads what waits in
        the socket, so a value pipelined ahead of its request is not taken as
        the answer; after an answer it looks only at the bytes already read.
        """
        if after_answer:
            pending = self._channel.buffered_value_pending()
        else:
            pending = await self._channel.value_arrived_unasked()
        if not pending:
            return
        try:
            value = self._channel.buffered_value()
            sent = "the beginning of a value" if value is NEED_DATA else show(value)
        except ProtocolViolation as error:
            sent = f"bytes that are no value ({error})"
        when = "after its answer" if after_answer else "before it was asked for anything"
        raise UnexpectedMessage(f"sent {sent} {when} (a value where none was expected)")
