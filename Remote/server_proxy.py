"""The client's stand-in for the server: it reads messages and dispatches them to a local player.

After signing up with its name, a ServerProxy receives values and decides by
their shape, and by whether a series has begun, which player method each is
(spec sections 4 and 10):

    "bob"                        -> start_encounter("bob")
    ["playing-as", "alicea"]     -> playing_as("alicea")
    [] before any series         -> end_of_tournament(())
    [] in a series, [[W, x, y]]  -> place_worker(placement)  -> reply Place
    [[0, "0alice1", ...], ...]   -> take_turn(board)         -> reply Action
    [["alice", "bob"], ...]      -> end_of_tournament(results), then the end

While the local player thinks, the proxy keeps listening: if the server
closes the connection meanwhile, the player is abandoned and the proxy ends.
It ends cleanly on Results or when the server closes the connection.
"""

from __future__ import annotations

import logging
from typing import Any

import attrs
import trio

from Common.actions import Placement
from Common.board import Board
from Common.names import Name
from Common.player import Player
from Common.results import PlayingAs, Results
from Common.strict import StructureError, shorten
from Common.wire import PLAYING_AS, structure, unstructure
from Remote.channel import ChannelError, MessageChannel

log = logging.getLogger(__name__)

RESULTS_GRACE_SECONDS = 10.0
"""How long a local player may take over the Results; the server is done by then."""


class ServerMisbehaved(Exception):
    """The server sent something this client cannot understand."""


def classify(message: Any, in_series: bool) -> type | Any:
    """The type of a message from the server, by its shape; see the module's table."""
    if type(message) is str:
        return Name
    if type(message) is not list:
        raise ServerMisbehaved(f"unexpected message from the server: {shorten(repr(message), 80)}")
    if not message:
        return Placement if in_series else Results
    if message[0] == PLAYING_AS:
        return PlayingAs
    first = message[0]
    if type(first) is list and first and type(first[0]) is str and first[0][:1].isalpha():
        if len(first) == 3 and type(first[1]) is int:
            return Placement
        return Results
    return Board


@attrs.define
class ServerProxy:
    """Plays `player`, signed up as `name`, against the server at the other end of `channel`."""

    channel: MessageChannel
    player: Player
    name: Name
    _early: list[Any] = attrs.field(factory=list)
    _in_series: bool = False

    async def sign_up(self) -> None:
        """Send the player's name, the first message of every connection."""
        await self.channel.send(self.name)

    async def play(self) -> Results | None:
        """Play, once signed up, until the tournament ends; the Results, or None if none arrived."""
        while True:
            try:
                message = self._early.pop(0) if self._early else await self.channel.receive()
            except ChannelError as closed:
                log.info("%s: the server ended the connection (%s)", self.name, closed)
                return None
            kind = classify(message, self._in_series)
            try:
                value = structure(message, kind)
            except StructureError as error:
                raise ServerMisbehaved(f"malformed message from the server: {error}") from None
            if kind is Results:
                with trio.move_on_after(RESULTS_GRACE_SECONDS):
                    await self.player.end_of_tournament(value)
                return value
            answer = await self._ask(*self._dispatch(kind, value))
            if answer is _GONE:
                return None
            if answer is not None:
                await self.channel.send(unstructure(answer))

    def _dispatch(self, kind: Any, value: Any) -> tuple:
        if kind is Name:
            self._in_series = True
            return self.player.start_encounter, value
        if kind is PlayingAs:
            self.name = value.name
            return self.player.playing_as, value.name
        if kind is Placement:
            return self.player.place_worker, value
        return self.player.take_turn, value

    async def _ask(self, method: Any, *args: Any) -> Any:
        """The local player's answer, or _GONE if the server closed the connection while it thought."""
        answer: Any = _GONE
        async with trio.open_nursery() as nursery:

            async def think() -> None:
                nonlocal answer
                answer = await method(*args)
                nursery.cancel_scope.cancel()

            async def listen() -> None:
                try:
                    self._early.append(await self.channel.receive())
                except ChannelError as closed:
                    log.info("%s: the server ended the connection while the player thought (%s)", self.name, closed)
                    nursery.cancel_scope.cancel()

            nursery.start_soon(think)
            nursery.start_soon(listen)
        return answer


_GONE = object()
