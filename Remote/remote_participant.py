"""The server's stand-in for a player on another machine, whatever the game: a connection that fails once.

A RemoteParticipant sends each message of a game's conversation and, where
a reply is due, receives exactly one value and converts it with the game's
strict converter. It raises on every failure (a broken or closed
connection, a protocol violation, a reply of the wrong shape, a value sent
where none was expected); the caller's safe call turns that into
misbehaviour and bounds the time. After the first failure, of whatever kind,
including a time-out, every later call fails at once; the connection stays
open only for `kicked`, the notice that says why the player is out, and is
closed after it (or by `aclose`). A game's proxy (Santorini's RemotePlayer)
adds one method per message on top.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import trio

from Common.participant import KICK_REASON_LIMIT, KICKED, MALFORMED
from Common.strict import show, shorten
from Remote.channel import ChannelError, MessageChannel, ProtocolViolation
from Remote.framing import NEED_DATA
from Remote.statistics import CallStatistics

T = TypeVar("T")


class UnexpectedMessage(ChannelError):
    """The client sent a value where none was expected: to a referee, a malformed answer."""

    failure_kind = MALFORMED


class RemoteParticipant:
    """A player whose answers come over `channel`; every call's time goes to `statistics`."""

    def __init__(self, channel: MessageChannel, statistics: CallStatistics | None = None) -> None:
        self._channel = channel
        self._statistics = statistics or CallStatistics()
        self._failed_because: str | None = None
        self._closed = False
        self._message_cut = False  # a send was interrupted mid-message: nothing more can follow it

    async def kicked(self, reason: str) -> None:
        """Send the last message, `["kicked", reason]`, even after a failure; then close the connection."""
        try:
            if not self._closed and not self._message_cut:
                await self._channel.send([KICKED, shorten(reason, KICK_REASON_LIMIT)])
        finally:
            await self.aclose(f"kicked: {reason}")

    async def aclose(self, why: str = "closed by the server") -> None:
        """Close the connection; later calls fail, saying `why`."""
        self._failed_because = self._failed_because or why
        if not self._closed:
            self._closed = True
            await trio.aclose_forcefully(self._channel)

    async def _exchange(self, message: Any, convert: Callable[[Any], T] | None = None) -> T | None:
        """Send `message`; if `convert` is given, receive exactly one value and return it converted."""
        if self._failed_because is not None:
            raise ChannelError(f"the connection is out of play: {self._failed_because}")
        started = trio.current_time()
        try:
            await self._refuse_unasked_values()
            self._message_cut = True
            await self._channel.send(message)
            self._message_cut = False
            answer = None if convert is None else convert(await self._receive_reply())
        except BaseException as failure:
            self._statistics.record(trio.current_time() - started, failed=True)
            if not self._forgives(failure):
                self._failed_because = f"after an earlier failure ({type(failure).__name__})"
            raise
        self._statistics.record(trio.current_time() - started)
        return answer

    def _forgives(self, failure: BaseException) -> bool:
        """Whether the connection stays in play after `failure` of one exchange.

        Never, here: any failure, a time-out included, is the end. A game in
        which a late reply only forfeits (the prisoner's dilemma) forgives a
        time-out that came while its reply was awaited.
        """
        return False

    async def _receive_reply(self) -> Any:
        """The one value that answers the message just sent; a game whose replies can come late overrides it."""
        reply = await self._channel.receive()
        await self._refuse_unasked_values(after_answer=True)
        return reply

    async def _refuse_unasked_values(self, after_answer: bool = False) -> None:
        """Fail if the client sent a value nobody asked for, saying what it sent and when.

        Before a message (`after_answer` false) this also reads what waits in
        the socket, so a value pipelined ahead of its request is not taken as
        the answer; after an answer it looks only at the bytes already read.
        A value the game takes for a late answer (`_late`) is discarded instead.
        """
        while True:
            if after_answer:
                pending = self._channel.buffered_value_pending()
            else:
                pending = await self._channel.value_arrived_unasked()
            if not pending:
                return
            try:
                value = self._channel.buffered_value()
            except ProtocolViolation as error:
                sent = f"bytes that are no value ({error})"
            else:
                if self._late(value):
                    if value is NEED_DATA:
                        return  # judged once it has arrived whole
                    continue
                sent = "the beginning of a value" if value is NEED_DATA else show(value)
            when = "after its answer" if after_answer else "before it was asked for anything"
            raise UnexpectedMessage(f"sent {sent} {when} (a value where none was expected)")

    def _late(self, value: Any) -> bool:
        """Whether `value`, already taken off the channel (NEED_DATA: one still arriving), is a late answer to discard.

        Never, here: every game but one answers in time or not at all. The
        prisoner's dilemma discards the late copy of a forfeited round.
        """
        return False
