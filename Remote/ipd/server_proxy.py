"""The IPD client's stand-in for the server: it reads the server's messages and has a local player answer them.

After signing up (a bare Name, or `["sign-up", Name, Token]`), a ServerProxy
receives values, structures each strictly as one of the server's messages
(`Common.ipd.wire`), and hands it to its Player:

    ["playing-as", N]           -> playing_as(N)
    ["match", Opponent]         -> start_match(Opponent)
    ["move", k, Prev]           -> move(k, prev)            -> reply [k, Move]
    ["match-over", P, T, n]     -> match_over(prev, totals, n)
    ["results", Outcomes, S]    -> end_of_tournament(results); the end
    ["kicked", Reason]          -> logged: "NAME was kicked by the server: REASON"; the end

Two tasks share the connection, so the client never hangs whatever the
server does (as Santorini's `Remote/santorini/server_proxy.py`). The reader never
stops reading; it queues what the player must hear, and the player task
hands it to the player one message at a time, in order, and sends the
replies. The reader ends the conversation at once, whatever the player is
doing, at a kick notice or when the connection closes or breaks; at the
Results it waits for the player to hear them (RESULTS_GRACE_SECONDS at most,
earlier messages included).

A move the server no longer waits for. Any message that arrives while a
move is due means that the server settled that round without this player's
reply: it was forfeited. The proxy abandons that move: a call still queued is
never made, a call in progress is cancelled (a LocalPlayer leaves its thread
behind, and the player's next call waits for that thread). The reply the
server is still owed goes at once, in order, as a stand-in `[k, "C"]` (STAND_IN):
the server discards it as the late copy, so no reply of ours can be taken
for a later round's, also when the next match asks the same round number
(`Remote/ipd/owed.py`). Nothing is owed once the Results came. The
conversation goes on: a forfeit is not the end, the server says when the
player is out.

Answers. A move that is a string is sent as the player gave it (the server
alone judges moves: the `breaker` kind's "B" reaches it and is refused
there, and the kick notice says why). An answer that is not a string, or an
exception, is the player's bug: it is reported locally (StrategyFailed, with
the traceback of the player's own file) and ends that conversation, which
the server sees as a closed connection.

Flooding. A player whose strategy has `replies_ahead` (the `flooder` kind,
`Player/ipd/misbehaving.py`) answers its first move request, for round k, by
writing that many replies at once: its answer for k, then `[k + 1, "C"]`,
`[k + 2, "C"]`, ..., without waiting for their requests; the server must put
it out at its first surplus value.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import attrs
import trio

from Common.ipd.messages import REASON_LIMIT, ErrorReport, MatchOver, MatchStart, MoveRequest, PlayingAs, ServerMessage, TournamentResults
from Common.ipd.names import Name, Token
from Common.ipd.player import Player
from Common.ipd.wire import MATCH, MATCH_OVER, MOVE, PLAYING_AS, RESULTS, structure_server_message, unstructure
from Common.participant import KICKED
from Common.strict import StructureError, shorten
from Remote.channel import ChannelError, MessageChannel
from Remote.client_errors import ServerMisbehaved, StrategyFailed
from Remote.conversation import ENDED, Conversation, Opening

__all__ = ["ServerMisbehaved", "ServerProxy", "StrategyFailed", "replies_ahead_of"]

log = logging.getLogger(__name__)

STAND_IN = "C"
"""The move sent for a round the server forfeited before the player answered: the reply owed, discarded there."""

REPORT_SECONDS = 2.0
"""How long the error report may take to go out before the connection is closed all the same."""

RESULTS_GRACE_SECONDS = 10.0
"""How long a local player may take over the Results (and whatever it was still doing); the server is done by then."""



def replies_ahead_of(player: Player) -> int:
    """How many replies `player` writes at its first move request: its strategy's `replies_ahead`, else 1."""
    strategy = getattr(player, "strategy", None)
    ahead = getattr(strategy, "replies_ahead", 1)
    return ahead if type(ahead) is int and ahead >= 1 else 1


@attrs.define(eq=False)
class _Due:
    """A move request handed to the player; `abandoned` once the server moved on without its reply, `owed` if it still expects one."""

    round: int
    abandoned: bool = False
    owed: bool = False
    scope: trio.CancelScope | None = None

    def abandon(self, owed: bool) -> None:
        self.abandoned = True
        self.owed = owed
        if self.scope is not None:
            self.scope.cancel()


@attrs.define(eq=False)
class ServerProxy(Conversation):
    """Plays `player`, signed up as `name` (with `token`, if given), against the server at the other end of `channel`.

    `results` holds the Results once they arrived, even if the player could
    not hear them; `kicked_because` the reason of a kick notice.
    """

    channel: MessageChannel
    player: Player
    name: Name
    token: Token | None = attrs.field(default=None, repr=False)
    opening: Opening | None = attrs.field(default=None, repr=False)
    """Which game the server runs, judged by its first messages (xclients gives one); None: not judged."""
    replies_ahead: int | None = None
    """Replies written at the first move request; None: as the player's strategy says (`replies_ahead_of`)."""
    results: TournamentResults | None = None
    kicked_because: str | None = None
    abandoned_rounds: int = 0
    """Moves the server settled without this player's reply (forfeited)."""
    _due: _Due | None = None  # the move whose reply is due, if one is
    _busy: str | None = None  # the player method running now
    _heard_results: trio.Event = attrs.field(factory=trio.Event)
    _moves_answered: int = 0
    _failure: Exception | None = None

    def __attrs_post_init__(self) -> None:
        if self.replies_ahead is None:
            self.replies_ahead = replies_ahead_of(self.player)

    # --- the reader ------------------------------------------------------------------

    async def _read(self, to_player: trio.MemorySendChannel) -> None:
        """Read until the conversation ends; queue what the player must hear."""
        while (message := await self._receive()) is not ENDED:
            if _is_kick_notice(message):
                self.kicked_because = message[1]
                log.info("%s was kicked by the server: %s", self.name, shorten(message[1], 200))
                return
            value = self._structure(message)
            self._abandon_due_move(owed=not isinstance(value, TournamentResults))
            if isinstance(value, TournamentResults):
                self.results = value
                await self._tell_results(value, to_player)
                return
            due = None
            if isinstance(value, PlayingAs):
                self.name = value.name
                call: tuple[str, tuple[Any, ...]] = ("playing_as", (value.name,))
            elif isinstance(value, MatchStart):
                call = ("start_match", (value.opponent,))
            elif isinstance(value, MoveRequest):
                due = self._due = _Due(value.round)
                call = ("move", (value.round, value.prev))
            else:
                assert isinstance(value, MatchOver)
                call = ("match_over", (value.prev, value.totals, value.rounds))
            to_player.send_nowait((*call, due))

    def _structure(self, message: Any) -> ServerMessage:
        try:
            return structure_server_message(message)
        except StructureError as error:
            raise ServerMisbehaved(f"malformed message from the server: {error}") from None

    def _abandon_due_move(self, owed: bool) -> None:
        """The server sent something while a move was due: it settled that round without our reply (still `owed` to it)."""
        due, self._due = self._due, None
        if due is not None:
            due.abandon(owed)
            self.abandoned_rounds += 1
            log.info("%s: the server moved on before the move for round %d was answered: forfeited", self.name, due.round)

    async def _tell_results(self, results: TournamentResults, to_player: trio.MemorySendChannel) -> None:
        to_player.send_nowait(("end_of_tournament", (results,), None))
        with trio.move_on_after(RESULTS_GRACE_SECONDS):
            await self._heard_results.wait()
            return
        what = self._busy or "its earlier messages"
        log.info("%s: the player was not done with %s within %g s of the Results; abandoned", self.name, what, RESULTS_GRACE_SECONDS)

    # --- the player task ---------------------------------------------------------------

    async def _answer(self, for_player: trio.MemoryReceiveChannel, conversation: trio.CancelScope) -> None:
        """Hand each queued message to the player, in order; send the replies."""
        async for method, arguments, due in for_player:
            if due is not None and due.abandoned:
                await self._send_stand_in(due)
                continue
            self._busy = method
            with trio.CancelScope() as scope:
                if due is not None:
                    due.scope = scope
                try:
                    answer = await getattr(self.player, method)(*arguments)
                except Exception as error:  # noqa: BLE001 - a participant's bug ends its conversation, not the client
                    self._failure = self._raised(method, error)
                    await self._report(self._failure)
                    conversation.cancel()
                    return
            self._busy = None
            if method == "end_of_tournament":
                self._heard_results.set()
            if due is None:
                continue
            if due.abandoned:
                await self._send_stand_in(due)
                continue
            if self._due is due:
                self._due = None
            if type(answer) is not str:
                self._failure = StrategyFailed(f"move returned {shorten(repr(answer), 60)}, not a move (\"C\" or \"D\")")
                await self._report(self._failure)
                conversation.cancel()
                return
            try:
                await self._send_reply(due.round, answer)
            except ChannelError:
                return  # the reader notices the end of the connection

    async def _report(self, failure: StrategyFailed) -> None:
        """Tell the server why this player gives up, `["error", Reason]`, before the connection closes."""
        with trio.move_on_after(REPORT_SECONDS), contextlib.suppress(ChannelError):
            await self.channel.send(unstructure(ErrorReport(shorten(str(failure), REASON_LIMIT))))

    async def _send_stand_in(self, due: _Due) -> None:
        """Send the reply the server is owed for the abandoned round `due`, which it discards; a closed connection is the reader's."""
        if due.owed:
            due.owed = False
            with contextlib.suppress(ChannelError):
                await self.channel.send([due.round, STAND_IN])

    async def _send_reply(self, round_: int, move: str) -> None:
        self._moves_answered += 1
        if self._moves_answered > 1 or not self.replies_ahead or self.replies_ahead <= 1:
            await self.channel.send([round_, move])
            return
        log.info("%s: flooding: %d replies ahead of round %d, in one write", self.name, self.replies_ahead - 1, round_)
        flood = [[ahead, "C"] for ahead in range(round_ + 1, round_ + self.replies_ahead)]
        await send_at_once(self.channel, [[round_, move], *flood])

async def send_at_once(channel: MessageChannel, values: list[Any]) -> None:
    """Write `values` to `channel` in one write, as a client that floods the server does."""
    await channel.send_many(values)


def recognises_server_message(message: Any) -> bool:
    """Whether `message` has the shape of one the IPD's server sends: a list tagged as the module's table says."""
    return type(message) is list and bool(message) and message[0] in (PLAYING_AS, MATCH, MOVE, MATCH_OVER, RESULTS, KICKED)


def _is_kick_notice(message: Any) -> bool:
    return type(message) is list and len(message) == 2 and message[0] == KICKED and type(message[1]) is str
