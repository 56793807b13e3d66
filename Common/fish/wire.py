"""The one strict converter between JSON values and Fish's wire types (spec section 2).

`structure(data, Type)` turns a decoded JSON value into a value of Common/fish
or raises StructureError with one line that names the offending value by its
path (`$.players[0].score`); `unstructure(value)` is the inverse. The
strictness comes from `Common/strict.py`: `"5"` is not 5, `true` is not 1,
`1e400` is not a number, a negative number is not a coordinate, a tile has
at most 5 fish, an object has exactly its keys, an array exactly its length.

| type | JSON |
|---|---|
| Name | a string of 1 to 12 ASCII letters |
| Color | "red", "white", "brown" or "black" |
| Position | [r, c], natural numbers |
| Action | [Position, Position]: from, to |
| Board | [[Fish#, ...], ...], Fish# 0 to 5; rows of any length |
| PlayerState | {"color": Color, "score": Natural, "places": [Position, ...]} |
| State | {"players": [PlayerState, ...], "board": Board}: 1 to 4 players, penguins on tiles, no two on one |
| Actions | [Action or "skip", ...] |
| Outcome | {"players": [Name, ...], "scores": [Natural or null, ...], "winners": [Name, ...]} |
| Results | [[Name, ...], [Name, ...]]: the winners, the culprits |
"""

from __future__ import annotations

import math
from typing import Any, TypeVar, overload

import cattrs

from Common.fish.board import MAX_FISH, Board
from Common.fish.geometry import SKIP, Action, Actions, Position, Skip
from Common.fish.names import NAME_RULE, Name, is_name
from Common.fish.results import Outcome, Results
from Common.fish.state import Color, PlayerState, State
from Common.strict import NOT_FINITE, array, each, elements, is_type, register_json_object, show, strict_converter, value_hook
from Common.strict import structure as structure_with

T = TypeVar("T")

START, PLAYING_AS, PLAYING_WITH, SETUP, TAKE_TURN, END = "start", "playing-as", "playing-with", "setup", "take-turn", "end"
"""The method names of the server's calls, `[MethodName, [Argument, ...]]` (spec section 3)."""
VOID = "void"
"""The reply to a call that asks for nothing: exactly this string."""


def _whole(value: Any, lowest: int, highest: int | None = None) -> int:
    """`value` if it is a JSON integer in the bounds; ValueError saying what it is otherwise."""
    if type(value) is float and not math.isfinite(value):
        raise ValueError(f"expected a whole number, got {NOT_FINITE}")
    if type(value) is not int:
        raise ValueError(f"expected a whole number, got {show(value)}")
    if value < lowest or (highest is not None and value > highest):
        bounds = f"in {lowest}..{highest}" if highest is not None else f">= {lowest}"
        raise ValueError(f"expected a whole number {bounds}, got {value}")
    return value


def natural(value: Any) -> int:
    """A natural number: a JSON integer >= 0."""
    return _whole(value, 0)


def fish(value: Any) -> int:
    """A tile's fish: a JSON integer 0 to 5."""
    return _whole(value, 0, MAX_FISH)


def name(value: Any) -> Name:
    if not is_name(value):
        raise ValueError(f"expected a name of {NAME_RULE}, got {show(value)}")
    return Name(value)


_COLOR_OF = {color.value: color for color in Color}


def color(value: Any) -> Color:
    if type(value) is not str or value not in _COLOR_OF:
        raise ValueError(f'expected a colour, "red", "white", "brown" or "black", got {show(value)}')
    return _COLOR_OF[value]


def position(value: Any, _: type = Position) -> Position:
    row, column = elements(array(value, "a position [r, c]", range(2, 3)), [natural, natural], Position)
    return Position(row, column)


def action(value: Any, _: type = Action) -> Action:
    source, target = elements(array(value, "an action [from, to]", range(2, 3)), [position, position], Action)
    return Action(source, target)


def board(value: Any, _: type = Board) -> Board:
    def row(cells: Any) -> list[int]:
        return each(array(cells, "a row of fish"), fish, int)

    return Board(each(array(value, "a board"), row, list))


def _places(value: Any) -> tuple[Position, ...]:
    return tuple(each(array(value, "a list of positions"), position, Position))


def _players(value: Any) -> tuple[PlayerState, ...]:
    return tuple(each(array(value, "a list of players", range(1, 5)), lambda player: WIRE.structure(player, PlayerState), PlayerState))


def _step(value: Any) -> Action | Skip:
    if value == SKIP and type(value) is str:
        return SKIP
    if type(value) is str:
        raise ValueError(f'expected an action or "skip", got {show(value)}')
    return action(value)


def _actions(value: Any, _: Any = Actions) -> Actions:
    return tuple(each(array(value, 'a list of actions and "skip"s'), _step, Action))


def _score(value: Any) -> int | None:
    return None if value is None else natural(value)


def _results(value: Any, _: type = Results) -> Results:
    def names(part: Any) -> list[Name]:
        return each(array(part, "a list of names"), name, str)

    winners, culprits = elements(array(value, "results [winners, culprits]", range(2, 3)), [names, names], Results)
    return Results(winners, culprits)


def _converter() -> cattrs.Converter:
    converter = strict_converter()
    converter.register_structure_hook(Name, value_hook(name))
    converter.register_structure_hook(Color, value_hook(color))
    converter.register_structure_hook(Position, position)
    converter.register_structure_hook(Action, action)
    converter.register_structure_hook(Board, board)
    converter.register_structure_hook(Results, _results)
    converter.register_structure_hook_func(is_type(Actions), _actions)
    keys = {"color": "color", "score": "score", "places": "places"}
    register_json_object(converter, PlayerState, keys, {"color": color, "score": natural, "places": _places})
    register_json_object(converter, State, {"players": "players", "board": "board"}, {"players": _players, "board": board})
    scores = {"players": "players", "scores": "scores", "winners": "winners"}
    checks = {
        "players": lambda value: tuple(each(array(value, "a list of 2 to 4 names", range(2, 5)), name, str)),
        "scores": lambda value: tuple(each(array(value, "a list of scores"), _score, int)),
        "winners": lambda value: tuple(each(array(value, "a list of names"), name, str)),
    }
    register_json_object(converter, Outcome, scores, checks)

    converter.register_unstructure_hook(Color, lambda value: value.value)
    converter.register_unstructure_hook(Position, position_to_json)
    converter.register_unstructure_hook(Action, action_to_json)
    converter.register_unstructure_hook(Board, board_to_json)
    converter.register_unstructure_hook(PlayerState, player_to_json)
    converter.register_unstructure_hook(State, state_to_json)
    converter.register_unstructure_hook(Outcome, outcome_to_json)
    converter.register_unstructure_hook(Results, lambda results: [list(results.winners), list(results.culprits)])
    return converter


def position_to_json(value: Position) -> list[int]:
    return [value.row, value.column]


def action_to_json(value: Action) -> list[list[int]]:
    return [position_to_json(value.source), position_to_json(value.target)]


def step_to_json(value: Action | Skip) -> list[list[int]] | str:
    """An element of Actions: an action, or "skip"."""
    return SKIP if isinstance(value, str) else action_to_json(value)


def actions_to_json(values: Actions) -> list[Any]:
    return [step_to_json(value) for value in values]


def board_to_json(value: Board) -> list[list[int]]:
    return [list(row) for row in value.rows]


def player_to_json(value: PlayerState) -> dict[str, Any]:
    return {"color": value.color.value, "score": value.score, "places": [position_to_json(place) for place in value.places]}


def state_to_json(value: State) -> dict[str, Any]:
    return {"players": [player_to_json(player) for player in value.players], "board": board_to_json(value.board)}


def outcome_to_json(value: Outcome) -> dict[str, Any]:
    return {"players": list(value.players), "scores": list(value.scores), "winners": list(value.winners)}


WIRE = _converter()


@overload
def structure(data: Any, type_: type[T]) -> T: ...
@overload
def structure(data: Any, type_: Any) -> Any: ...
def structure(data: Any, type_: Any) -> Any:
    """`data` as a value of the wire type `type_`, or StructureError naming what is wrong and where."""
    return structure_with(data, type_, WIRE)


def unstructure(value: Any) -> Any:
    """`value` as plain JSON data (lists, strings, numbers, objects)."""
    if isinstance(value, tuple):
        return [WIRE.unstructure(element) for element in value]  # Actions' "skip" stays itself
    if isinstance(value, Color):
        return value.value
    return WIRE.unstructure(value)
