"""Santorini's part of the client's conversation, pure: what each server message is, what the player hears, what is sent back.

The server's messages are told apart by their shape, and by whether a
series has begun (spec sections 4 and 10):

    "bob"                        -> start_encounter("bob")
    ["playing-as", "alicea"]     -> playing_as("alicea")
    ["kicked", "take_turn: ..."] -> the server put this player out; the end (`Remote/client_conversation.py`)
    [] before any series         -> Results: end_of_tournament(()), the end
    [] in a series, [[W, x, y]]  -> place_worker(placement)  -> reply Place
    [[0, "0alice1", ...], ...]   -> take_turn(board)         -> reply Action
    [["alice", "bob"], ...]      -> Results: end_of_tournament(results), the end

Messages are structured with `structure_from_server`, which also accepts
digit-string heights and nameless workers (`"1"`: the owner is found from
where this player placed its own workers in the game, see
`Common.santorini.wire.Recipient`).

At most one answer is due at a time. Any message other than a kick notice
or the Results that arrives while an answer is due means that the server
has moved on without this player: the end. The Results are heard only by
a player that is done with everything it was handed; a busy one is abandoned.
An answer is checked before anything is sent: one of the wrong type ends the
conversation (StrategyFailed), and nothing is sent.
"""

from __future__ import annotations

from typing import Any

from Common.participant import Kicked
from Common.santorini.actions import GiveUp, MoveAndBuild, Placement, WinningMove
from Common.santorini.board import Board
from Common.santorini.geometry import Place
from Common.santorini.names import Name
from Common.santorini.results import PlayingAs, Results
from Common.santorini.wire import KICKED, NAMELESS_WORKERS, PLAYING_AS, Recipient, structure_from_server, unstructure
from Common.strict import StructureError, shorten
from Remote.client_conversation import Call, Conversation, ConversationEnded, Event, Failed, Hear, Opening, Send
from Remote.client_errors import ServerMisbehaved, StrategyFailed

EXPECTED_ANSWERS: dict[str, tuple[Any, str]] = {
    "place_worker": (Place, "a Place"),
    "take_turn": ((GiveUp, WinningMove, MoveAndBuild), "an Action"),
}
"""What each method with a reply must return, and how a person calls it."""

MESSAGE_NAMES = {Name: "an opponent's name", PlayingAs: "a renaming", Placement: "a Placement", Board: "a Board"}
METHODS = {Name: "start_encounter", PlayingAs: "playing_as", Placement: "place_worker", Board: "take_turn"}
"""The player method that hears each kind of message."""


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


def recognises_server_message(message: Any) -> bool:
    """Whether `message` has the shape of one Santorini's server sends (the module's table), whatever its content."""
    if type(message) is str:
        return True
    return type(message) is list and (not message or type(message[0]) is list or message[0] in (PLAYING_AS, KICKED))


class SantoriniConversation(Conversation):
    """The client's conversation for a Santorini player signed up as `name`."""

    def __init__(self, name: Name, token: str | None = None, opening: Opening | None = None) -> None:
        super().__init__(name, token, opening)
        self.in_series = False
        self.opponent: Name | None = None
        self.my_places: list[Place] = []
        """Where this player placed its workers in the game at hand (its answers): owners for nameless workers."""
        self.unanswered: str | None = None
        """The method whose answer is due, if one is."""

    def _hear(self, message: Any) -> list[Event]:
        kind = classify(message, self.in_series)
        if kind is Placement and len(message) <= 1:
            self.my_places.clear()  # a new game begins
        value = self._structure(message, kind)
        if kind is Results:
            if self.outstanding:
                what = self.unanswered or self.busy or "its earlier messages"
                note = f"{self.name}: the Results arrived before the player was done with {what}; the player is abandoned"
                return [self.results_arrived(value, hear=False, note=note)]
            return [self.results_arrived(value, hear=True)]
        assert kind is not Kicked, "a kick notice of any text is the game-free part's, a malformed one fails _structure"
        if self.unanswered is not None:
            note = (
                f"{self.name}: the server sent {MESSAGE_NAMES[kind]} while {self.unanswered} was not answered yet: "
                "it has moved on; the player is abandoned"
            )
            return [ConversationEnded(note=note)]
        method = METHODS[kind]
        if kind is Name:
            self.in_series, self.opponent = True, value
        elif kind is PlayingAs:
            self.name = value.name
            value = value.name
        else:
            self.unanswered = method
        return [Hear(Call(method, (value,), reply=method in EXPECTED_ANSWERS))]

    def _structure(self, message: Any, kind: Any) -> Any:
        recipient = Recipient(self.name, self.opponent, tuple(self.my_places)) if self.opponent else None
        try:
            return structure_from_server(message, kind, recipient)
        except StructureError as error:
            raise ServerMisbehaved(f"malformed message from the server: {error}") from None

    def _answer(self, call: Call, answer: Any) -> Send | Failed:
        if not call.reply:
            return Send()
        expected, what = EXPECTED_ANSWERS[call.method]
        if not isinstance(answer, expected):
            return self._failed(StrategyFailed(f"{call.method} returned {shorten(repr(answer), 60)}, not {what}"))
        if call.method == "place_worker":
            self.my_places.append(answer)
        self.unanswered = None
        return Send((unstructure(answer),))
