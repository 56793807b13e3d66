"""The sign-up's doorway: connections accepted on the server's listeners, each one's first message read in time and judged.

A `Doorway` accepts on its listeners for as long as it serves. Every
connection gets its own task, so a slow or silent client delays no one: it
has `name_time_limit` seconds to send its first message (on a WebSocket,
after the upgrade, which its `door` judges). The message goes to the
doorway's `judge`: a sign-up desk (Remote.signup), or with rooms the lobby
(Remote.lobby), which hands it to the desk of the room it names. The judge
keeps the connection (None) or says why not (`Refused`); a refused
connection hears the refusal's text, if it has one, and is closed. So is
one that sends nothing in time, or is still silent when the doorway closes.
A connection that signed up is read by the `idle_reader` while nobody else
reads it (a waiting WebSocket player's pings get pongs).

When the process runs out of descriptors (or memory for sockets), a crowd of
connections that send nothing must not lock the players out: the doorway
closes the nameless connections that have waited longest, says so, and
accepts again. Closures are logged once per reason, repeats summarised with a
count (Remote.repeats).
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import attrs
import trio

from Common.participant import REFUSED, SIGN_UP
from Remote.channel import ChannelError, MessageChannel
from Remote.repeats import RepeatedLines
from Remote.websocket import Door, IdleReader, WebSocketChannel, front_door

log = logging.getLogger(__name__)

NAME_TIME_LIMIT = 10.0
ACCEPT_RETRY_SECONDS = 0.1
SHED_SHARE = 16
"""When descriptors run out, 1/SHED_SHARE of the nameless connections (at least one), the oldest, are closed."""
SHED = "it had waited longest without a name when the server ran out of descriptors"
_OUT_OF_RESOURCES = {errno.EMFILE, errno.ENFILE, errno.ENOMEM, errno.ENOBUFS}
REFUSAL_TIME_LIMIT = 0.5
"""Seconds a refused connection has to take the refusal before it is closed."""


@attrs.frozen
class Refused:
    """Why a first message does not sign its connection up (for the log), and the text it is told before the close
    (None: it is closed in silence)."""

    why: str
    told: str | None = None


Judge = Callable[[Any, MessageChannel, str], Awaitable[Refused | None]]
"""Judges a connection's first message (the message, the connection, its address): None if it signed up, else why not."""


def _peer_address(stream: trio.abc.Stream) -> str:
    """The source address of a connection (its host, without the port), for counting failed sign-ups."""
    try:
        return str(stream.socket.getpeername()[0])  # type: ignore[attr-defined]  # a SocketStream; or AttributeError
    except (AttributeError, OSError):
        return "an unknown address"


@attrs.define
class Nameless:
    """A connection whose first message has not arrived yet; cancelling `scope` stops the wait for it."""

    scope: trio.CancelScope = attrs.field(factory=trio.CancelScope)
    shed: bool = False


@attrs.define
class Doorway:
    """Accepts connections on `listeners` (and WebSocket ones on `websocket_listeners`) while it serves; `judge` judges
    each one's first message."""

    listeners: Sequence[trio.SocketListener]
    max_message_bytes: int
    judge: Judge
    name_time_limit: float = NAME_TIME_LIMIT
    websocket_listeners: Sequence[trio.SocketListener] = ()
    door: Door = front_door
    """What judges a WebSocket upgrade request (the host's own door, and the game's)."""
    idle_reader: IdleReader = attrs.field(factory=IdleReader)
    """Reads the signed-up WebSocket connections while nobody else does (their pings get pongs); the host runs it."""
    _serving: trio.CancelScope = attrs.field(factory=trio.CancelScope, init=False)
    _nameless: dict[MessageChannel, Nameless] = attrs.field(factory=dict, init=False)  # oldest first
    _closures: RepeatedLines = attrs.field(
        factory=lambda: RepeatedLines(log, "a connection was closed: {}", "connection closed", "connections closed"),
        init=False,
    )
    _accept_failures: RepeatedLines = attrs.field(
        factory=lambda: RepeatedLines(log, "cannot accept a connection: {}", "failed accept", "failed accepts", level=logging.WARNING),
        init=False,
    )

    async def serve(self) -> None:
        """Accept and read first messages until `close`; then every connection still without a name is closed."""
        try:
            with self._serving:
                async with trio.open_nursery() as nursery:
                    for listener in self.listeners:
                        nursery.start_soon(self._accept, listener, nursery, False)
                    for listener in self.websocket_listeners:
                        nursery.start_soon(self._accept, listener, nursery, True)
        finally:
            self.flush_log()

    def close(self) -> None:
        """Stop accepting; `serve` returns once the nameless connections are closed."""
        self._serving.cancel()

    def flush_log(self) -> None:
        """Write the summaries of the repeated lines so far."""
        self._accept_failures.flush()
        self._closures.flush()

    async def _accept(self, listener: trio.SocketListener, nursery: trio.Nursery, websocket: bool) -> None:
        while True:
            try:
                stream = await listener.accept()
            except OSError as error:
                if error.errno not in _OUT_OF_RESOURCES:
                    raise
                if self._nameless:
                    self._accept_failures.note(f"{error.strerror}; closing the nameless connections that waited longest")
                    await self._shed_oldest_nameless()
                else:
                    self._accept_failures.note(
                        f"{error.strerror}; every open connection is a player that signed up; trying again every {ACCEPT_RETRY_SECONDS:g} s"
                    )
                    await trio.sleep(ACCEPT_RETRY_SECONDS)
                continue
            if websocket:
                channel: MessageChannel = WebSocketChannel.server(stream, self.max_message_bytes)
            else:
                channel = MessageChannel(stream, self.max_message_bytes)
            self._nameless[channel] = Nameless()
            nursery.start_soon(self.read_first_message, channel, self._nameless[channel], _peer_address(stream))

    async def _shed_oldest_nameless(self) -> None:
        """Close the nameless connections that have waited longest, freeing their descriptors now."""
        count = max(1, len(self._nameless) // SHED_SHARE)
        for channel, nameless in list(itertools.islice(self._nameless.items(), count)):
            del self._nameless[channel]
            nameless.shed = True
            nameless.scope.cancel()
            await trio.aclose_forcefully(channel)

    async def read_first_message(self, channel: MessageChannel, nameless: Nameless, address: str) -> None:
        """Read `channel`'s first message within the name time limit and have it judged; a connection refused is told
        why (if its refusal has words) and closed."""
        refused: Refused | None = Refused("it sent no name before the window closed")
        try:
            with nameless.scope, trio.move_on_after(self.name_time_limit) as deadline:
                message: Any = await self._first_message(channel, address)
            if nameless.shed:  # even if the name had just arrived: the connection is closed
                refused = Refused(SHED)
            elif deadline.cancelled_caught:
                refused = Refused(f"it sent no name within {self.name_time_limit:g} s")
            else:
                refused = await self.judge(message, channel, address)
        except ChannelError as error:
            refused = Refused(f"it failed before signing up: {error}")
        except trio.ClosedResourceError:
            if not nameless.shed:
                raise
            refused = Refused(SHED)
        finally:
            self._nameless.pop(channel, None)
            if refused is None:
                self.idle_reader.add(channel)
            else:
                self._closures.note(refused.why)
                try:
                    if refused.told is not None:
                        await _tell_refusal(channel, refused.told)
                finally:
                    await trio.aclose_forcefully(channel)

    async def _first_message(self, channel: MessageChannel, address: str) -> Any:
        """The connection's first message; on a WebSocket, after the upgrade (the door may assume the message).

        A bare name on a WebSocket whose upgrade request carried an `Authorization` header counts as
        `["sign-up", Name, Token]`, the header's value the token; so does `["sign-up", Name, null, Options]`,
        with its Options.
        """
        if not isinstance(channel, WebSocketChannel):
            return await channel.receive()
        verdict = await channel.accept_handshake(self.door, address)
        if verdict.sign_up is not None:
            return verdict.sign_up
        message = await channel.receive()
        token = channel.handshake.authorization if channel.handshake is not None else None
        if token is not None and type(message) is str:
            return [SIGN_UP, message, token]
        if token is not None and type(message) is list and len(message) == 4 and message[:1] == [SIGN_UP] and message[2] is None:
            return [SIGN_UP, message[1], token, message[3]]
        return message


async def _tell_refusal(channel: MessageChannel, text: str) -> None:
    """Send `["refused", text]`, giving up after REFUSAL_TIME_LIMIT or if the connection is gone."""
    with trio.move_on_after(REFUSAL_TIME_LIMIT), contextlib.suppress(ChannelError):
        await channel.send([REFUSED, text])
