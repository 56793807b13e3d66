"""The client's stand-in for the server: it reads the server's messages and has a local player answer them.

After signing up with its name (or, with a token, `["sign-up", Name,
Token]`), a ServerProxy receives values and decides by
their shape, and by whether a series has begun, what each is (spec sections
4 and 10):

    "bob"                        -> start_encounter("bob")
    ["playing-as", "alicea"]     -> playing_as("alicea")
    ["kicked", "take_turn: ..."] -> the server put this player out; the end
    [] before any series         -> Results: end_of_tournament(()), the end
    [] in a series, [[W, x, y]]  -> place_worker(placement)  -> reply Place
    [[0, "0alice1", ...], ...]   -> take_turn(board)         -> reply Action
    [["alice", "bob"], ...]      -> Results: end_of_tournament(results), the end

Messages are structured with `structure_from_server`, which also accepts
digit-string heights and nameless workers (`"1"`: the owner is found from
where this player placed its own workers in the game, see
`Common.santorini.wire.Recipient`).

Two tasks share the connection, so the client never hangs whatever the
server does. The reader never stops reading; it queues the messages that
the player must hear, and the player task hands them to the local player one
at a time, in order, and sends the answers. The reader ends the
conversation at once, whatever the player is doing, when
* a kick notice arrives: "NAME was kicked by the server: REASON" is logged;
* the Results arrive: they are recorded; an idle player hears them (it gets
  RESULTS_GRACE_SECONDS), a busy one is abandoned;
* any other message arrives while an answer is due: the server has moved on
  without this player, which is abandoned (one log line);
* the connection closes or breaks.
An abandoned player's call is cancelled; a LocalPlayer leaves its thread
behind. The player task ends the conversation when the local player raises
or answers a value of the wrong type (StrategyFailed, said before anything
is sent). The caller closes the connection after `play`.
"""

from __future__ import annotations

import logging
from typing import Any

import attrs
import trio

from Common.participant import Kicked
from Common.santorini.actions import GiveUp, MoveAndBuild, Placement, WinningMove
from Common.santorini.board import Board
from Common.santorini.geometry import Place
from Common.santorini.names import Name
from Common.santorini.player import Player
from Common.santorini.results import PlayingAs, Results
from Common.santorini.wire import KICKED, NAMELESS_WORKERS, PLAYING_AS, Recipient, structure_from_server, unstructure
from Common.strict import StructureError, shorten
from Remote.channel import ChannelError, MessageChannel
from Remote.client_errors import ServerMisbehaved, StrategyFailed
from Remote.conversation import ENDED, Conversation, Opening

log = logging.getLogger(__name__)

RESULTS_GRACE_SECONDS = 10.0
"""How long a local player may take over the Results; the server is done by then."""

EXPECTED_ANSWERS: dict[str, tuple[Any, str]] = {
    "place_worker": (Place, "a Place"),
    "take_turn": ((GiveUp, WinningMove, MoveAndBuild), "an Action"),
}
"""What each method with a reply must return, and how a person calls it."""

MESSAGE_NAMES = {Name: "an opponent's name", PlayingAs: "a renaming", Placement: "a Placement", Board: "a Board"}


def _looks_like_worker_place(entry: Any) -> bool:
    return (
        type(entry) is list
        and len(entry) == 3
        and type(entry[0]) is str
        and (entry[0][:1].isalpha() or entry[0] in NAMELESS_WORKERS)
        and type(entry[1]) is int
        and type(entry[2]) is int
    )


def classify(message: Any, in_series: bool) -> type | Any:
    """The type of a message from the server, by its shape; see the module's table."""
    if type(message) is str:
        return Name
    if type(message) is not list:
        raise ServerMisbehaved(f"unexpected message from the server: {shorten(repr(message), 80)}")
    if not message:
        return Placement if in_series else Results
    first = message[0]
    if first == PLAYING_AS:
        return PlayingAs
    if first == KICKED:
        return Kicked
    if type(first) is list and len(first) == 3 and type(first[0]) is str and type(first[1]) is int:
        if first[0][:1].isalpha():
            return Placement
        # A nameless worker ("1") could begin a short board's row of digit-string heights; a board
        # holds four workers in cells such as "0alice1", so no valid board has only rows like these.
        if first[0] in NAMELESS_WORKERS and len(message) <= 3 and all(map(_looks_like_worker_place, message)):
            return Placement
    if type(first) is list and first and type(first[0]) is str and first[0][:1].isalpha():
        return Results
    return Board


@attrs.define(eq=False)
class ServerProxy(Conversation):
    """Plays `player`, signed up as `name`, against the server at the other end of `channel`.

    `results` holds the Results once they arrived, even if the player could
    not hear them.
    """

    channel: MessageChannel
    player: Player
    name: Name
    token: str | None = attrs.field(default=None, repr=False)
    """The participant's secret, if the organiser handed one out: the sign-up is then `["sign-up", Name, Token]`."""
    opening: Opening | None = attrs.field(default=None, repr=False)
    """Which game the server runs, judged by its first messages (xclients gives one); None: not judged."""
    results: Results | None = None
    _in_series: bool = False
    _opponent: Name | None = None
    _my_places: list[Place] = attrs.field(factory=list)
    _queued: int = 0  # messages the reader queued that the player task has not finished with
    _unanswered: str | None = None  # the method whose answer is due, if one is
    _busy: str | None = None  # the player method running now
    _failure: Exception | None = None

    # --- the reader ------------------------------------------------------------------

    async def _read(self, to_player: trio.MemorySendChannel) -> None:
        """Read until the conversation ends; queue what the player must hear."""
        while (message := await self._receive()) is not ENDED:
            kind = classify(message, self._in_series)
            if kind is Placement and len(message) <= 1:
                self._my_places.clear()  # a new game begins
            value = self._structure(message, kind)
            if kind is Kicked:
                log.info("%s was kicked by the server: %s", self.name, value.reason)
                return
            if kind is Results:
                self.results = value
                await self._tell_results(value)
                return
            if self._unanswered is not None:
                log.info(
                    "%s: the server sent %s while %s was not answered yet: it has moved on; the player is abandoned",
                    self.name, MESSAGE_NAMES[kind], self._unanswered,
                )
                return
            if kind is Name:
                self._in_series, self._opponent = True, value
            elif kind is PlayingAs:
                self.name = value.name
            else:
                self._unanswered = _method_for(kind)
            self._queued += 1
            to_player.send_nowait((kind, value))

    def _structure(self, message: Any, kind: Any) -> Any:
        recipient = Recipient(self.name, self._opponent, tuple(self._my_places)) if self._opponent else None
        try:
            return structure_from_server(message, kind, recipient)
        except StructureError as error:
            raise ServerMisbehaved(f"malformed message from the server: {error}") from None

    async def _tell_results(self, results: Results) -> None:
        if self._queued:
            what = self._unanswered or self._busy or "its earlier messages"
            log.info("%s: the Results arrived before the player was done with %s; the player is abandoned", self.name, what)
            return
        with trio.move_on_after(RESULTS_GRACE_SECONDS):
            try:
                await self.player.end_of_tournament(results)
            except Exception as error:  # noqa: BLE001 - a participant's bug, reported, not raised through
                self._failure = self._raised("end_of_tournament", error)

    # --- the player task ---------------------------------------------------------------

    async def _answer(self, for_player: trio.MemoryReceiveChannel, conversation: trio.CancelScope) -> None:
        """Hand each queued message to the player, in order; send the answers."""
        async for kind, value in for_player:
            method = _method_for(kind)
            self._busy = method
            try:
                answer = await getattr(self.player, method)(value.name if kind is PlayingAs else value)
            except Exception as error:  # noqa: BLE001 - a participant's bug ends its conversation, not the client
                self._failure = self._raised(method, error)
                conversation.cancel()
                return
            self._busy = None
            self._queued -= 1
            if method not in EXPECTED_ANSWERS:
                continue
            expected, what = EXPECTED_ANSWERS[method]
            if not isinstance(answer, expected):
                self._failure = StrategyFailed(f"{method} returned {shorten(repr(answer), 60)}, not {what}")
                conversation.cancel()
                return
            if kind is Placement:
                self._my_places.append(answer)
            self._unanswered = None
            try:
                await self.channel.send(unstructure(answer))
            except ChannelError:
                return  # the reader notices the end of the connection

def recognises_server_message(message: Any) -> bool:
    """Whether `message` has the shape of one Santorini's server sends (the module's table), whatever its content."""
    if type(message) is str:
        return True
    return type(message) is list and (not message or type(message[0]) is list or message[0] in (PLAYING_AS, KICKED))


def _method_for(kind: Any) -> str:
    """The player method that hears a message of type `kind`."""
    return {Name: "start_encounter", PlayingAs: "playing_as", Placement: "place_worker", Board: "take_turn"}[kind]
