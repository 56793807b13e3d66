"""The server's sign-up desk: connections that send a valid name in time become players.

The desk takes sign-ups for as long as it serves: one sign-up window for a
single tournament, the server's whole life for one tournament after another
(so that nobody who connects while a tournament runs is turned away). Its
connections come through a doorway (Remote.doorway): its own on its
listeners, or on a server with rooms the lobby's (Remote.lobby), which hands
it the sign-ups that name its room while it serves. A connection that sends
something that is not a name, or whose name cannot be made unique among the
next tournament's names, is closed and does not count. The players who
signed up wait in arrival order until `take` hands them to a tournament and
starts the next one's list.

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
the course's server did. The refusal is sent within REFUSAL_TIME_LIMIT; a
client that does not take it is closed all the same.

The options (Common.sign_up_options) are read strictly on every server and
travel with the player (`SignedUp.options`). Only an arena pairs named
opponents (`takes_opponents`); elsewhere an "opponent" is ignored, and the
log says so the first time. A desk of a room takes the sign-ups that name
its room or none; on a server without rooms a sign-up that names one is
refused.

While an interrupted tournament resumes, `admit` says who may come back:
only its players, each once (no renaming: the name is checked there).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import trio

from Admin.naming import NameRegistry
from Common.participant import KICK_REASON_LIMIT, SIGN_UP
from Common.sign_up_options import NO_OPTIONS, SignUpOptions, read_sign_up_options
from Common.strict import shorten, show, show_in_sign_up
from Remote.channel import MessageChannel
from Remote.doorway import NAME_TIME_LIMIT, Doorway, Refused
from Remote.participants import Participants, refused
from Remote.websocket import Door, IdleReader, front_door

log = logging.getLogger(__name__)

REFUSAL = "sign-up refused: unknown participant, wrong token, or name already playing"
"""The text of every refusal on a server with participants: it tells an outsider nothing about who is one."""
BARE_NAMES_ONLY = "this server takes bare names: sign up with the name alone, without a token"
"""The text of the refusal of a sign-up with a token on a server without participants (the same since the course's
days; `["sign-up", Name, null, Options]`, without a token, is the one tagged sign-up such a server takes)."""


def _shown_without_secrets(message: object) -> str:
    """`message` for the log; a tagged sign-up shows no more than its tag, since its third element is a secret."""
    if type(message) is list and message[:1] == [SIGN_UP]:
        return f'a ["{SIGN_UP}", ...] of {len(message)} elements (this server takes bare names)'
    return show(message)


@attrs.frozen
class SignedUp:
    """A connection that signed up as `name`, asking for `options` (Common.sign_up_options)."""

    name: str
    channel: MessageChannel
    options: SignUpOptions = NO_OPTIONS


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
    room: str | None = None
    """The room whose sign-ups the desk takes (Remote.lobby); None on a server without rooms."""
    lobby_doorway: Doorway | None = None
    """On a server with rooms, the lobby's doorway, which hands the desk the sign-ups that name its room while it
    serves; None: the desk accepts on its own listeners."""
    signed_up: list[SignedUp] = attrs.field(factory=list, init=False)
    serving: bool = attrs.field(default=False, init=False)
    """Whether it takes sign-ups now."""
    _serving: trio.CancelScope = attrs.field(factory=trio.CancelScope, init=False)
    _doorway: Doorway = attrs.field(init=False)
    _ignoring_told: bool = attrs.field(default=False, init=False)

    def __attrs_post_init__(self) -> None:
        if self.lobby_doorway is not None:
            self._doorway = self.lobby_doorway
            self.idle_reader = self.lobby_doorway.idle_reader
        else:
            self._doorway = Doorway(
                self.listeners,
                self.max_message_bytes,
                self.judge,
                self.name_time_limit,
                self.websocket_listeners,
                self.door,
                self.idle_reader,
            )

    @property
    def doorway(self) -> Doorway:
        """Where its connections come from: its own doorway, or the lobby's."""
        return self._doorway

    async def serve(self) -> None:
        """Take sign-ups until `close`: accept on its own listeners (then every connection still without a name is
        closed), or take those the lobby hands it."""
        self.serving = True
        try:
            with self._serving:
                if self.lobby_doorway is None:
                    await self._doorway.serve()
                else:
                    await trio.sleep_forever()
        finally:
            self.serving = False

    def take(self, registry: NameRegistry, most: int | None = None) -> list[SignedUp]:
        """The players who signed up so far (the first `most` of them), in arrival order.

        Those left, and later ones, are checked against `registry`.
        """
        cut = len(self.signed_up) if most is None else most
        taken, self.signed_up, self.registry = self.signed_up[:cut], self.signed_up[cut:], registry
        for left in self.signed_up:
            registry.assign(left.name)
        self.flush_log()
        return taken

    def close(self) -> None:
        """Stop taking sign-ups; `serve` returns once the nameless connections of its own doorway are closed."""
        self._serving.cancel()

    def flush_log(self) -> None:
        """Write the summaries of the repeated lines so far."""
        self._doorway.flush_log()

    def new_window(self) -> None:
        """A sign-up window opens: with participants, the failed sign-ups of the last one are forgotten."""
        if self.participants is not None:
            self.participants.new_window()

    async def judge(self, message: Any, channel: MessageChannel, address: str) -> Refused | None:
        """Sign up the connection whose first message is `message`: None, or why not and what it is told."""
        if self.participants is not None:
            why = await self._sign_up_participant(message, channel, address)
            return None if why is None else Refused(why, REFUSAL)
        why, told = self._sign_up_by_name(message, channel, address)
        return None if why is None else Refused(why, told)

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
                if (room := _room_refusal(options, self.room)) is not None:
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

    async def _sign_up_participant(self, message: object, channel: MessageChannel, address: str) -> str | None:
        """Sign up the participant that `message` names with its token; why not, if it does not."""
        assert self.participants is not None  # called only when there are participants
        verdict = self.participants.judge(message, address)
        if verdict.name is None:
            return verdict.refusal
        if (room := _room_refusal(verdict.options, self.room)) is not None:
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


def _room_refusal(options: SignUpOptions, room: str | None) -> str | None:
    """Why a sign-up that asks for a room is refused by the desk of `room` (None: a server without rooms); None if it
    asks for that room or for none (the lobby hands a desk only the sign-ups of its room)."""
    if options.room is None or options.room == room:
        return None
    if room is None:
        return f"its options ask for the room {show_in_sign_up(options.room)}, and this server has no rooms"
    return f"its options ask for the room {show_in_sign_up(options.room)}, not {room}"
