"""The server's sign-up desk: connections that send a valid name in time become players.

The desk accepts connections for as long as it serves: one sign-up window
for a single tournament, the server's whole life for one tournament after
another (so that nobody who connects while a tournament runs is turned
away). Every connection gets its own task, so a slow or silent client delays
no one: it has `name_time_limit` seconds to send its name as its first
message. A connection that sends no name in time, sends something that is
not a name, or whose name cannot be made unique among the next tournament's
names, is closed and does not count; so is one still silent when the desk
closes. The players who signed up wait in arrival order until `take` hands
them to a tournament and starts the next one's list.

With participants (Remote.participants) the only sign-up is
`["sign-up", Name, Token]` or `["sign-up", Name, Token, Options]`, judged
there; a name keeps its name (no renaming). The same name again replaces
its earlier connection, which is closed, in the same place of the list; a
name of the tournament that runs is refused. Every refusal of a first
message on such a server is told `["refused", REFUSAL]` before the close,
the same bytes whatever the cause (bad options too: a different text would
tell that the token was right). Without participants a player signs up with
its bare name, or with `["sign-up", Name, null]` and Options (the null says:
no token); a tagged sign-up that is refused is told why (`BARE_NAMES_ONLY`
for one with a token; the one-line reason otherwise, which depends on
nothing but the message), and a refused bare name is closed in silence, as
the course's server did. The refusal is sent in the connection's own task
within REFUSAL_TIME_LIMIT; a client that does not take it is closed all the
same.

The options (Common.sign_up_options) are read strictly on every server and
travel with the player (`SignedUp.options`). Only an arena pairs named
opponents (`takes_opponents`); elsewhere an "opponent" is ignored, and the
log says so the first time. No server has rooms yet: a sign-up that asks for
one is refused.

While an interrupted tournament resumes, `admit` says who may come back:
only its players, each once (no renaming: the name is checked there).

When the process runs out of descriptors (or memory for sockets), a crowd of
connections that send nothing must not lock the players out: the window
closes the nameless connections that have waited longest, says so, and
accepts again. Closures are logged once per reason, repeats summarised with a
count (Remote.repeats).
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import logging
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import trio

from Admin.naming import NameRegistry
from Common.participant import KICK_REASON_LIMIT, REFUSED, SIGN_UP
from Common.sign_up_options import NO_OPTIONS, SignUpOptions, read_sign_up_options
from Common.strict import shorten, show, show_in_sign_up
from Remote.channel import ChannelError, MessageChannel
from Remote.participants import Participants, refused
from Remote.repeats import RepeatedLines
from Remote.websocket import Door, IdleReader, WebSocketChannel, front_door

log = logging.getLogger(__name__)

NAME_TIME_LIMIT = 10.0
ACCEPT_RETRY_SECONDS = 0.1
SHED_SHARE = 16
"""When descriptors run out, 1/SHED_SHARE of the nameless connections (at least one), the oldest, are closed."""
SHED = "it had waited longest without a name when the server ran out of descriptors"
_OUT_OF_RESOURCES = {errno.EMFILE, errno.ENFILE, errno.ENOMEM, errno.ENOBUFS}
REFUSAL = "sign-up refused: unknown participant, wrong token, or name already playing"
"""The text of every refusal on a server with participants: it tells an outsider nothing about who is one."""
BARE_NAMES_ONLY = "this server takes bare names: sign up with the name alone, without a token"
"""The text of the refusal of a sign-up with a token on a server without participants (the same since the course's
days; `["sign-up", Name, null, Options]`, without a token, is the one tagged sign-up such a server takes)."""
REFUSAL_TIME_LIMIT = 0.5
"""Seconds a refused connection has to take the refusal before it is closed."""


def _shown_without_secrets(message: object) -> str:
    """`message` for the log; a tagged sign-up shows no more than its tag, since its third element is a secret."""
    if type(message) is list and message[:1] == [SIGN_UP]:
        return f'a ["{SIGN_UP}", ...] of {len(message)} elements (this server takes bare names)'
    return show(message)


def _peer_address(stream: trio.abc.Stream) -> str:
    """The source address of a connection (its host, without the port), for counting failed sign-ups."""
    try:
        return str(stream.socket.getpeername()[0])  # type: ignore[attr-defined]  # a SocketStream; or AttributeError
    except (AttributeError, OSError):
        return "an unknown address"


@attrs.frozen
class SignedUp:
    """A connection that signed up as `name`, asking for `options` (Common.sign_up_options)."""

    name: str
    channel: MessageChannel
    options: SignUpOptions = NO_OPTIONS


@attrs.define
class _Nameless:
    """A connection whose name has not arrived yet; cancelling `scope` stops the wait for it."""

    scope: trio.CancelScope = attrs.field(factory=trio.CancelScope)
    shed: bool = False


@attrs.define
class SignUpDesk:
    """Takes sign-ups on `listeners` while it serves; `registry` holds the names the next tournament has taken."""

    listeners: Sequence[trio.SocketListener]
    max_message_bytes: int
    registry: NameRegistry
    is_name: Callable[[object], bool]
    """The game's rule for names."""
    name_rule: str = "the game's rule"
    """The game's rule for names in words, for refusals (`1 to 12 ASCII letters`)."""
    takes_opponents: bool = False
    """Whether the event pairs the opponents sign-ups ask for (an arena); else they are ignored, and the log says so once."""
    name_time_limit: float = NAME_TIME_LIMIT
    on_sign_up: Callable[[SignedUp], None] = lambda signed_up: None
    participants: Participants | None = None
    """With participants, only `["sign-up", Name, Token]` signs up (Remote.participants); no renaming."""
    playing: frozenset[str] = frozenset()
    """The names of the tournament that runs: with participants, a second sign-up of one is refused."""
    admit: Callable[[str], str | None] | None = None
    """While an interrupted tournament resumes: whether a name may come back (None), or why not; no renaming."""
    websocket_listeners: Sequence[trio.SocketListener] = ()
    """Where players connect over WebSocket (Remote.websocket): the same sign-up, after the upgrade."""
    door: Door = front_door
    """What judges a WebSocket upgrade request (the host's own door, and the game's)."""
    idle_reader: IdleReader = attrs.field(factory=IdleReader)
    """Reads the signed-up WebSocket connections while nobody else does (their pings get pongs); the host runs it."""
    signed_up: list[SignedUp] = attrs.field(factory=list, init=False)
    _serving: trio.CancelScope = attrs.field(factory=trio.CancelScope, init=False)
    _nameless: dict[MessageChannel, _Nameless] = attrs.field(factory=dict, init=False)  # oldest first
    _ignoring_told: bool = attrs.field(default=False, init=False)
    _closures: RepeatedLines = attrs.field(
        factory=lambda: RepeatedLines(log, "a connection was closed: {}", "connection closed", "connections closed"),
        init=False,
    )
    _accept_failures: RepeatedLines = attrs.field(
        factory=lambda: RepeatedLines(log, "cannot accept a connection: {}", "failed accept", "failed accepts", level=logging.WARNING),
        init=False,
    )

    async def serve(self) -> None:
        """Accept and read names until `close`; then every connection still without a name is closed."""
        try:
            with self._serving:
                async with trio.open_nursery() as nursery:
                    for listener in self.listeners:
                        nursery.start_soon(self._accept, listener, nursery, False)
                    for listener in self.websocket_listeners:
                        nursery.start_soon(self._accept, listener, nursery, True)
        finally:
            self._flush_log()

    def take(self, registry: NameRegistry, most: int | None = None) -> list[SignedUp]:
        """The players who signed up so far (the first `most` of them), in arrival order.

        Those left, and later ones, are checked against `registry`.
        """
        cut = len(self.signed_up) if most is None else most
        taken, self.signed_up, self.registry = self.signed_up[:cut], self.signed_up[cut:], registry
        for left in self.signed_up:
            registry.assign(left.name)
        self._flush_log()
        return taken

    def close(self) -> None:
        """Stop accepting; `serve` returns once the nameless connections are closed."""
        self._serving.cancel()

    def _flush_log(self) -> None:
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
            self._nameless[channel] = _Nameless()
            nursery.start_soon(self._read_name, channel, self._nameless[channel], _peer_address(stream))

    async def _shed_oldest_nameless(self) -> None:
        """Close the nameless connections that have waited longest, freeing their descriptors now."""
        count = max(1, len(self._nameless) // SHED_SHARE)
        for channel, nameless in list(itertools.islice(self._nameless.items(), count)):
            del self._nameless[channel]
            nameless.shed = True
            nameless.scope.cancel()
            await trio.aclose_forcefully(channel)

    def new_window(self) -> None:
        """A sign-up window opens: with participants, the failed sign-ups of the last one are forgotten."""
        if self.participants is not None:
            self.participants.new_window()

    async def _read_name(self, channel: MessageChannel, nameless: _Nameless, address: str) -> None:
        closed_because: str | None = "it sent no name before the window closed"
        told: str | None = None  # the text of the refusal the connection hears before the close, if any
        try:
            with nameless.scope, trio.move_on_after(self.name_time_limit) as deadline:
                message: Any = await self._first_message(channel, address)  # a name once is_name says so
            if nameless.shed:  # even if the name had just arrived: the connection is closed
                closed_because = SHED
            elif deadline.cancelled_caught:
                closed_because = f"it sent no name within {self.name_time_limit:g} s"
            elif self.participants is not None:
                closed_because = await self._sign_up_participant(message, channel, address)
                told = None if closed_because is None else REFUSAL
            else:
                closed_because, told = self._sign_up_by_name(message, channel, address)
        except ChannelError as error:
            closed_because = f"it failed before signing up: {error}"
        except trio.ClosedResourceError:
            if not nameless.shed:
                raise
            closed_because = SHED
        finally:
            self._nameless.pop(channel, None)
            if closed_because is None:
                self.idle_reader.add(channel)
            else:
                self._closures.note(closed_because)
                try:
                    if told is not None:
                        await _tell_refusal(channel, told)
                finally:
                    await trio.aclose_forcefully(channel)

    def _sign_up_by_name(self, message: Any, channel: MessageChannel, address: str) -> tuple[str | None, str | None]:
        """Sign up the bare name `message`, or `["sign-up", Name, null]` with Options or without, on a server without
        participants: why not, if it does not, and the refusal it is told (None: closed in silence, as the course's)."""
        name, options = message, NO_OPTIONS
        if type(message) is list and message[:1] == [SIGN_UP]:
            if len(message) not in (3, 4) or message[2] is not None:
                return f"it sent {_shown_without_secrets(message)}, which is not a name", BARE_NAMES_ONLY
            name = message[1]
            try:
                if not self.is_name(name):
                    raise ValueError(f"its name must be a name of {self.name_rule}, got {show_in_sign_up(name)}")
                if len(message) == 4:
                    options = read_sign_up_options(message[3], self.is_name, self.name_rule)
                if (room := _room_refusal(options)) is not None:
                    raise ValueError(room)
            except ValueError as error:
                return refused(name, address, str(error)), shorten(f"sign-up refused: {error}", KICK_REASON_LIMIT)
        elif not self.is_name(message):
            return f"it sent {_shown_without_secrets(message)}, which is not a name", None
        if self.admit is not None and (refusal := self.admit(name)) is not None:
            return refusal, None
        if self.admit is None and self.registry.assign(name) is None:
            return (
                f"{name} cannot be made unique within {self.registry.max_length} letters: "
                f"the longest name assigned so far already has {self.registry.longest} letters"
            ), None
        self._signed(SignedUp(name, channel, options))
        return None, None

    def _signed(self, entry: SignedUp) -> None:
        """`entry` signed up: it waits in the list; an opponent it asked for is noted once where the event ignores it."""
        if entry.options.opponent is not None and not self.takes_opponents and not self._ignoring_told:
            self._ignoring_told = True
            log.info(
                "%s asked for %s as its opponent: only an arena pairs named opponents; this server ignores the request "
                "(and any later one, without saying so again)",
                entry.name,
                entry.options.opponent,
            )
        self.signed_up.append(entry)
        self.on_sign_up(entry)

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

    async def _sign_up_participant(self, message: object, channel: MessageChannel, address: str) -> str | None:
        """Sign up the participant that `message` names with its token; why not, if it does not."""
        assert self.participants is not None  # called only when there are participants
        verdict = self.participants.judge(message, address)
        if verdict.name is None:
            return verdict.refusal
        if (room := _room_refusal(verdict.options)) is not None:
            return refused(verdict.name, address, room, True)
        if verdict.name in self.playing:
            return refused(verdict.name, address, "it signed up again while its tournament runs (connect after it ends)", True)
        if self.admit is not None and (refusal := self.admit(verdict.name)) is not None:
            return refused(verdict.name, address, refusal, True)
        entry = SignedUp(verdict.name, channel, verdict.options)
        for index, earlier in enumerate(self.signed_up):
            if earlier.name == verdict.name:
                self.signed_up[index] = entry
                log.info("%s signed up again: it replaces its earlier connection, which is closed", verdict.name)
                await trio.aclose_forcefully(earlier.channel)
                return None
        self._signed(entry)
        return None


def _room_refusal(options: SignUpOptions) -> str | None:
    """Why a sign-up that asks for a room is refused (this server has none yet); None if it asks for none."""
    if options.room is None:
        return None
    return f"its options ask for the room {show_in_sign_up(options.room)}, and this server has no rooms"


async def _tell_refusal(channel: MessageChannel, text: str) -> None:
    """Send `["refused", text]`, giving up after REFUSAL_TIME_LIMIT or if the connection is gone."""
    with trio.move_on_after(REFUSAL_TIME_LIMIT), contextlib.suppress(ChannelError):
        await channel.send([REFUSED, text])
