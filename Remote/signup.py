"""The server's sign-up window: connections that send a valid name in time become players.

The window is open for a fixed number of seconds. Every connection gets its
own task, so a slow or silent client delays no one: it has `name_time_limit`
seconds to send its name as its first message. A connection that sends no
name in time, sends something that is not a name, or whose name cannot be
made unique, is closed and does not count; so is one still silent when the
window closes. A player counts when its valid name has arrived before the
window closes, and sign-up order is the order in which names arrived.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable, Sequence

import attrs
import trio

from Admin.naming import NameRegistry
from Common.names import Name, is_name
from Common.strict import show
from Remote.channel import ChannelError, MessageChannel

log = logging.getLogger(__name__)

NAME_TIME_LIMIT = 10.0
ACCEPT_RETRY_SECONDS = 0.1
_OUT_OF_RESOURCES = {errno.EMFILE, errno.ENFILE, errno.ENOMEM, errno.ENOBUFS}


@attrs.frozen
class SignedUp:
    """A connection that signed up as `name`."""

    name: Name
    channel: MessageChannel


@attrs.define
class SignUpWindow:
    """Collects sign-ups on `listeners` for `seconds`; the names in `registry` are already taken."""

    listeners: Sequence[trio.SocketListener]
    seconds: float
    max_message_bytes: int
    registry: NameRegistry = attrs.field(factory=NameRegistry)
    name_time_limit: float = NAME_TIME_LIMIT
    on_sign_up: Callable[[SignedUp], None] = lambda signed_up: None
    signed_up: list[SignedUp] = attrs.field(factory=list, init=False)
    _open: bool = attrs.field(default=True, init=False)

    async def run(self) -> list[SignedUp]:
        """Keep the window open for its time; the sign-ups, in the order their names arrived."""
        async with trio.open_nursery() as nursery:
            for listener in self.listeners:
                nursery.start_soon(self._accept, listener, nursery)
            await trio.sleep(self.seconds)
            self._open = False
            nursery.cancel_scope.cancel()
        return self.signed_up

    async def _accept(self, listener: trio.SocketListener, nursery: trio.Nursery) -> None:
        while True:
            try:
                stream = await listener.accept()
            except OSError as error:
                if error.errno not in _OUT_OF_RESOURCES:
                    raise
                log.warning("cannot accept a connection now: %s", error.strerror)
                await trio.sleep(ACCEPT_RETRY_SECONDS)
                continue
            nursery.start_soon(self._read_name, MessageChannel(stream, self.max_message_bytes))

    async def _read_name(self, channel: MessageChannel) -> None:
        closed_because = "it sent no name before the window closed"
        try:
            with trio.move_on_after(self.name_time_limit) as deadline:
                message = await channel.receive()
            if deadline.cancelled_caught:
                closed_because = f"it sent no name within {self.name_time_limit:g} s"
            elif not is_name(message):
                closed_because = f"it sent {show(message)}, which is not a name"
            elif self._open and self.registry.assign(message) is None:
                closed_because = f"{message} cannot be made unique within 64 letters"
            elif self._open:
                closed_because = None
                self.signed_up.append(SignedUp(message, channel))
                self.on_sign_up(self.signed_up[-1])
        except ChannelError as error:
            closed_because = f"it failed before signing up: {error}"
        finally:
            if closed_because is not None:
                log.info("a connection was closed: %s", closed_because)
                await trio.aclose_forcefully(channel)
