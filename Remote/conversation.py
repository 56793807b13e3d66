"""What every game's client-side proxy does alike: sign up, read the server while the player thinks, end cleanly.

A game's ServerProxy (`Remote/santorini/server_proxy.py`,
`Remote/ipd/server_proxy.py`) is a Conversation plus its own reader
(`_read`: decides what each message is and queues what the player must
hear) and its own player task (`_answer`: hands the queued messages to the
player in order and sends the answers). The two run side by side, so the
server is read while the player thinks: a kick notice, the Results or a
close end the conversation at once, whatever the player is doing.

Here: the sign-up (a bare name, or `["sign-up", Name, Token]` when the
organiser handed out a token), `play` (both tasks, and what ended them),
reading one message (a protocol violation is the server's fault; a close
ends the conversation; `["refused", Text]` is a refused sign-up; the first
messages tell whether the server runs this game at all: `Opening`), and how
a player's exception is reported (its traceback limited to the player's own
file, for a local player).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import trio

from Common.participant import KICK_REASON_LIMIT, REFUSED, SIGN_UP
from Common.strict import shorten
from Player.local import StrategyRunner
from Remote.channel import ChannelError, MessageChannel, ProtocolViolation
from Remote.client_errors import ServerMisbehaved, SignUpRefused, StrategyFailed, WrongGame

log = logging.getLogger(__name__)

ENDED = object()
"""What `_receive` returns once the server has closed or broken the connection."""


@attrs.define
class Opening:
    """Which game the server runs, judged by its first messages: this one, or another (WrongGame).

    `own` says whether a message has the shape of one this game's server
    sends; `others` pairs each other game's test with the line that names that
    game. A message that this game and another both send (a renaming, a kick
    notice) settles nothing; the first that only this game sends settles it;
    one that only another game sends is WrongGame. A message of no game is
    left to the game's proxy (a malformed message).
    """

    own: Callable[[Any], bool]
    others: Sequence[tuple[Callable[[Any], bool], str]] = ()
    settled: bool = False

    def check(self, message: Any) -> None:
        """Raise WrongGame if `message`, the next from the server, says that it runs another game."""
        if self.settled:
            return
        if self.own(message):
            self.settled = not any(recognises(message) for recognises, _ in self.others)
            return
        for recognises, line in self.others:
            if recognises(message):
                raise WrongGame(line)


class Conversation:
    """The game-free part of a client-side proxy; its class defines `channel`, `player`, `name`, `token`,
    `opening` (an Opening, or None), `results`, `_busy` (the player method running, or None) and `_failure`
    (what ended it badly, or None)."""

    channel: MessageChannel
    player: Any
    name: str
    token: str | None
    opening: Opening | None
    results: Any | None
    _busy: str | None
    _failure: Exception | None

    async def sign_up(self) -> None:
        """Send the first message of the connection: the name, or the tagged sign-up with the token."""
        await self.channel.send(self.name if self.token is None else [SIGN_UP, self.name, self.token])

    async def play(self) -> Any | None:
        """Play, once signed up, until the conversation ends; the Results, or None if none arrived.

        Raises ServerMisbehaved or StrategyFailed; `results` is set all the same.
        """
        to_player, for_player = trio.open_memory_channel(math.inf)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(self._answer, for_player, nursery.cancel_scope)
            try:
                await self._read(to_player)
            except (ServerMisbehaved, SignUpRefused, WrongGame) as error:
                self._failure = self._failure or error
            nursery.cancel_scope.cancel()
        if self._failure is not None:
            raise self._failure
        return self.results

    async def _read(self, to_player: trio.MemorySendChannel) -> None:
        """Read until the conversation ends; queue what the player must hear (the game's)."""
        raise NotImplementedError

    async def _answer(self, for_player: trio.MemoryReceiveChannel, conversation: trio.CancelScope) -> None:
        """Hand each queued message to the player, in order; send the answers (the game's)."""
        raise NotImplementedError

    async def _receive(self) -> Any:
        """The server's next message, or ENDED if it closed the connection.

        Raises ServerMisbehaved if it broke the protocol, SignUpRefused at a
        refusal, WrongGame if its first messages are another game's.
        """
        try:
            message = await self.channel.receive()
        except ProtocolViolation as error:
            raise ServerMisbehaved(f"the server broke the protocol: {error}") from None
        except ChannelError as closed:
            self._note_end(f"the server ended the connection ({closed})")
            return ENDED
        if type(message) is list and len(message) == 2 and message[0] == REFUSED and type(message[1]) is str:
            raise SignUpRefused(shorten(" ".join(message[1].split()), KICK_REASON_LIMIT))  # one line, whatever it holds
        if self.opening is not None:
            self.opening.check(message)
        return message

    def _note_end(self, what: str) -> None:
        if self._busy is not None:
            log.info("%s: %s while %s was not done; the player is abandoned", self.name, what, self._busy)
        else:
            log.info("%s: %s", self.name, what)

    def _raised(self, method: str, error: Exception) -> StrategyFailed:
        details = self.player.user_traceback(error) if isinstance(self.player, StrategyRunner) else ""
        return StrategyFailed(f"{method} raised {type(error).__name__}: {shorten(str(error), 120)}", details)
