"""The server's sign-up window: connections that send a valid name in time become players.

The window is open for a fixed number of seconds. Every connection gets its
own task, so a slow or silent client delays no one: it has `name_time_limit`
seconds to send its name as its first message. A connection that sends no
name in time, sends something that is not a name, or whose name cannot be
made unique, is closed and does not count; so is one still silent when the
window closes. A player counts when its valid name has arrived before the
window closes, and sign-up order is the order in which names arrived.

When the process runs out of descriptors (or memory for sockets), a crowd of
connections that send nothing must not lock the players out: the window
closes the nameless connections that have waited longest, says so, and
accepts again. Closures are logged once per reason, repeats summarised with a
count (Remote.repeats).
"""

from __future__ import annotations

import errno
import itertools
import logging
from collections.abc import Callable, Sequence

import attrs
import trio

from Admin.naming import NameRegistry
from Common.names import MAX_NAME_LENGTH, Name, is_name
from Common.strict import show
from Remote.channel import ChannelError, MessageChannel
from Remote.repeats import RepeatedLines

log = logging.getLogger(__name__)

NAME_TIME_LIMIT = 10.0
ACCEPT_RETRY_SECONDS = 0.1
SHED_SHARE = 16
"""When descriptors run out, 1/SHED_SHARE of the nameless connections (at least one), the oldest, are closed."""
SHED = "it had waited longest without a name when the server ran out of descriptors"
_OUT_OF_RESOURCES = {errno.EMFILE, errno.ENFILE, errno.ENOMEM, errno.ENOBUFS}


@attrs.frozen
class SignedUp:
    """A connection that signed up as `name`."""

    name: Name
    channel: MessageChannel


@attrs.define
class _Nameless:
    """A connection whose name has not arrived yet; cancelling `scope` stops the wait for it."""

    scope: trio.CancelScope = attrs.field(factory=trio.CancelScope)
    shed: bool = False


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
    _nameless: dict[MessageChannel, _Nameless] = attrs.field(factory=dict, init=False)  # oldest first
    _closures: RepeatedLines = attrs.field(
        factory=lambda: RepeatedLines(log, "a connection was closed: {}", "connection closed", "connections closed"),
        init=False,
    )
    _accept_failures: RepeatedLines = attrs.field(
        factory=lambda: RepeatedLines(
            log, "cannot accept a connection: {}", "failed accept", "failed accepts", level=logging.WARNING
        ),
        init=False,
    )

    async def run(self) -> list[SignedUp]:
        """Keep the window open for its time; the sign-ups, in the order their names arrived."""
        try:
            async with trio.open_nursery() as nursery:
                for listener in self.listeners:
                    nursery.start_soon(self._accept, listener, nursery)
                await trio.sleep(self.seconds)
                self._open = False
                nursery.cancel_scope.cancel()
        finally:
            self._accept_failures.flush()
            self._closures.flush()
        return self.signed_up

    async def _accept(self, listener: trio.SocketListener, nursery: trio.Nursery) -> None:
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
                        f"{error.strerror}; every open connection is a player that signed up; "
                        f"trying again every {ACCEPT_RETRY_SECONDS:g} s"
                    )
                    await trio.sleep(ACCEPT_RETRY_SECONDS)
                continue
            channel = MessageChannel(stream, self.max_message_bytes)
            self._nameless[channel] = _Nameless()
            nursery.start_soon(self._read_name, channel, self._nameless[channel])

    async def _shed_oldest_nameless(self) -> None:
        """Close the nameless connections that have waited longest, freeing their descriptors now."""
        count = max(1, len(self._nameless) // SHED_SHARE)
        for channel, nameless in list(itertools.islice(self._nameless.items(), count)):
            del self._nameless[channel]
            nameless.shed = True
            nameless.scope.cancel()
            await trio.aclose_forcefully(channel)

    async def _read_name(self, channel: MessageChannel, nameless: _Nameless) -> None:
        closed_because = "it sent no name before the window closed"
        try:
            with nameless.scope, trio.move_on_after(self.name_time_limit) as deadline:
                message = await channel.receive()
            if nameless.shed:  # even if the name had just arrived: the connection is closed
                closed_because = SHED
            elif deadline.cancelled_caught:
                closed_because = f"it sent no name within {self.name_time_limit:g} s"
            elif not is_name(message):
                closed_because = f"it sent {show(message)}, which is not a name"
            elif self._open and self.registry.assign(message) is None:
                closed_because = (
                    f"{message} cannot be made unique within {MAX_NAME_LENGTH} letters: "
                    f"the longest name assigned so far already has {self.registry.longest} letters"
                )
            elif self._open:
                closed_because = None
                self.signed_up.append(SignedUp(message, channel))
                self.on_sign_up(self.signed_up[-1])
        except ChannelError as error:
            closed_because = f"it failed before signing up: {error}"
        except trio.ClosedResourceError:
            if not nameless.shed:
                raise
            closed_because = SHED
        finally:
            self._nameless.pop(channel, None)
            if closed_because is not None:
                self._closures.note(closed_because)
                await trio.aclose_forcefully(channel)
