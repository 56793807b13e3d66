"""Fish's part of the client's conversation, pure: what each server message is, what the player hears, what is sent back.

Every server message is a call `[MethodName, [Argument, ...]]` (docs/fish-protocol.md
section 4), its arguments read strictly (`Common/fish/wire.py`), and every
call gets exactly one reply:

    ["start", [true]]                 -> tournament_starting()        -> reply "void"
    ["playing-as", [Color]]           -> assigned_color(color)        -> reply "void"
    ["playing-with", [[Color, ...]]]  -> other_colors(colors)         -> reply "void"
    ["setup", [State]]                -> place(state)                 -> reply Position
    ["take-turn", [State, Actions]]   -> move(state, actions)         -> reply Action
    ["end", [Boolean]]                -> Results: end_of_tournament(results) -> reply "void"; the end
    ["kicked", Reason]                -> the server put this player out; the end (`Remote/client_conversation.py`)

A client knows only whether it won: the Results its player hears at `end`
list the player itself as the one winner (`true`) or nobody (`false`), and
no culprits. The server never renames a Fish player to its face, so the
name is the one signed up with.

The server waits for each reply before its next call, so at most one answer
is due at a time; a call that arrives while one is due means that the
server has moved on without this player (it was too late): the end. An
answer is checked before anything is sent: one of the wrong type ends the
conversation (StrategyFailed), and nothing is sent.
"""

from __future__ import annotations

from typing import Any

from Common.fish.geometry import Action, Actions, Position
from Common.fish.names import Name
from Common.fish.results import Results
from Common.fish.state import Color, State
from Common.fish.wire import END, PLAYING_AS, PLAYING_WITH, SETUP, START, TAKE_TURN, VOID, WIRE, action_to_json, position_to_json
from Common.participant import KICKED
from Common.strict import StructureError, array, each, elements, shorten, show, strict_converter
from Common.strict import structure as structure_strictly
from Remote.client_conversation import END_OF_TOURNAMENT, Call, Conversation, ConversationEnded, Event, Failed, Hear, Opening, Send
from Remote.client_errors import ServerMisbehaved, StrategyFailed

METHODS = {
    START: "tournament_starting",
    PLAYING_AS: "assigned_color",
    PLAYING_WITH: "other_colors",
    SETUP: "place",
    TAKE_TURN: "move",
    END: END_OF_TOURNAMENT,
}
"""The player method that hears each call."""
EXPECTED_ANSWERS: dict[str, tuple[type, str]] = {"place": (Position, "a Position"), "move": (Action, "an Action")}
"""What each method with an answer of its own must return, and how a person calls it; the others are answered "void"."""


def recognises_server_message(message: Any) -> bool:
    """Whether `message` has the shape of one Fish's server sends: a call with its arguments in a list, or a kick notice."""
    if type(message) is not list or len(message) != 2:
        return False
    method, arguments = message
    return (type(method) is str and method in METHODS and type(arguments) is list) or (method == KICKED and type(arguments) is str)


def _boolean(value: Any) -> bool:
    if type(value) is not bool:
        raise ValueError(f"expected true or false, got {show(value)}")
    return value


def _color(value: Any) -> Color:
    return WIRE.structure(value, Color)


def _colors(value: Any) -> tuple[Color, ...]:
    return tuple(each(array(value, "a list of colours", range(0, 4)), _color, Color))


def _state(value: Any) -> State:
    return WIRE.structure(value, State)


def _actions(value: Any) -> Actions:
    return WIRE.structure(value, Actions)


_ARGUMENTS: dict[str, list[Any]] = {
    START: [_boolean],
    PLAYING_AS: [_color],
    PLAYING_WITH: [_colors],
    SETUP: [_state],
    TAKE_TURN: [_state, _actions],
    END: [_boolean],
}
"""How each call's arguments are read, in order."""


def _arguments_hook(method: str) -> Any:
    readers = _ARGUMENTS[method]
    what = f"{method}'s arguments"
    return lambda value, _: tuple(elements(array(value, what, range(len(readers), len(readers) + 1)), readers, tuple))


_MARKERS = {method: type(f"Arguments of {method}", (), {}) for method in _ARGUMENTS}
"""A type per call, whose structure hook reads that call's arguments."""
_CONVERTER = strict_converter()
for _method, _marker in _MARKERS.items():
    _CONVERTER.register_structure_hook(_marker, _arguments_hook(_method))


def read_call(message: Any) -> tuple[str, tuple[Any, ...]]:
    """A server message that is a call: its method name and its arguments, read strictly; StructureError otherwise."""
    if not recognises_server_message(message) or message[0] == KICKED:
        raise StructureError(f"expected a call [MethodName, [Argument, ...]], got {show(message, 80)} @ $")
    method, arguments = message
    return method, structure_strictly(arguments, _MARKERS[method], _CONVERTER)


class FishConversation(Conversation):
    """The client's conversation for a Fish player signed up as `name`."""

    def __init__(self, name: Name, token: str | None = None, opening: Opening | None = None) -> None:
        super().__init__(name, token, opening)
        self.due: str | None = None
        """The method whose answer the server awaits, if one is."""
        self.won: bool | None = None
        """What `end` said, once it came."""

    def _hear(self, message: Any) -> list[Event]:
        try:
            method, arguments = read_call(message)
        except StructureError as error:
            raise ServerMisbehaved(f"malformed message from the server: {error}") from None
        if self.due is not None:
            note = f"{self.name}: the server sent {method} while {self.due} was not answered yet: it has moved on; the player is abandoned"
            return [ConversationEnded(note=note)]
        heard = METHODS[method]
        self.due = heard
        if method == END:
            (self.won,) = arguments
            results = Results((self.name,) if self.won else (), ())
            return [self.results_arrived(results, hear=True)]
        if method == START:
            arguments = ()
        return [Hear(Call(heard, arguments, reply=True))]

    def _answer(self, call: Call, answer: Any) -> Send | Failed:
        expected = EXPECTED_ANSWERS.get(call.method)
        if expected is None:
            self.due = None
            return Send((VOID,))
        kind, what = expected
        if isinstance(answer, Position) and kind is Position:
            reply: Any = position_to_json(answer)
        elif isinstance(answer, Action) and kind is Action:
            reply = action_to_json(answer)
        else:
            return self._failed(StrategyFailed(f"{call.method} returned {shorten(repr(answer), 60)}, not {what}"))
        self.due = None
        return Send((reply,))
