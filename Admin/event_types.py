"""The event log's types of event and the strict shape of each: one converter per type. Pure.

Every event is a JSON object `{"seq": N, "t": T, "type": TYPE, ...}`; the
keys each type has, and only those, are in docs/event-log.md. `check_shape`
structures an event with its type's class (strictly: `"5"` is no number,
`true` is no number, no key missing, no unknown key) and raises ShapeError,
one line naming the key, if it does not fit. A game's own events (those with
`encounter` and `game` and a type that is not the tournament's) are checked
here only for that envelope; their other keys belong to the game. So do the
keys of a `game-start` beyond its `encounter`, `game` and `players` (Fish's
`colors` and `board`), which the fold keeps in the game's record.

Whether an event fits the events before it (a name in the roster, an
encounter that has started) is the fold's question (Admin/tournament_state.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from Admin.safe_call import FAILURE_KINDS
from Common.strict import StructureError, array, finite_number, register_json_object, show, strict_converter, string, structure
from Common.strict import whole_number as _whole_number

START, SIGN_UP, ROSTER = "start", "sign-up", "roster"
ENCOUNTER_START, MISBEHAVIOUR, ENCOUNTER_END, REVISION = "encounter-start", "misbehaviour", "encounter-end", "revision"
RESULTS, STOP, RESUME = "results", "stop", "resume"
GAME_START, GAME_END = "game-start", "game-end"
STAGE, SUMMARY = "stage", "summary"
ARENA_JOIN, ARENA_LEAVE = "arena-join", "arena-leave"
"""An arena's own events (Admin/arena_state.py); its other events are the tournament's."""


class ShapeError(ValueError):
    """An event whose keys or values are not those of its type; one line."""


def _natural(value: Any) -> int:
    return _whole_number(value, 0)


def _seq(value: Any) -> int:
    return _whole_number(value, 1)


def _name(value: Any) -> str:
    return string(value, "a name")


def _name_or_none(value: Any) -> str | None:
    return None if value is None else _name(value)


def _names(value: Any) -> list[str]:
    return [_name(name) for name in array(value, "a list of names")]


def _table(value: Any) -> list[str]:
    """The players of an encounter: two or more names (a pair, or a table of a game of more than two players a game)."""
    names = array(value, "a list of two or more names")
    if len(names) < 2:
        raise ValueError(f"expected a list of two or more names, got {len(names)}")
    return [_name(name) for name in names]


def _object(value: Any) -> dict[str, Any]:
    if type(value) is not dict:
        raise ValueError(f"expected a JSON object, got {show(value)}")
    return value


def _encounter_or_none(value: Any) -> int | None:
    return None if value is None else _natural(value)


def _kind(value: Any) -> str:
    if value not in FAILURE_KINDS or type(value) is not str:
        raise ValueError(f"expected one of {', '.join(FAILURE_KINDS)}, got {show(value)}")
    return value


def _any(value: Any) -> Any:
    return value


_ENVELOPE = {"seq": _seq, "t": finite_number}


@attrs.frozen
class Start:
    seq: int
    t: float
    version: int
    tournament: str | None
    game: str
    configuration: dict
    settings: dict


@attrs.frozen
class SignUp:
    seq: int
    t: float
    requested: str
    assigned: str | None


@attrs.frozen
class Roster:
    seq: int
    t: float
    players: list
    encounters: int


@attrs.frozen
class EncounterStart:
    seq: int
    t: float
    encounter: int
    players: list
    repetition: int
    meeting: int


@attrs.frozen
class MisbehaviourEvent:
    seq: int
    t: float
    name: str
    kind: str
    reason: str
    encounter: int | None


@attrs.frozen
class EncounterEnd:
    seq: int
    t: float
    encounter: int
    players: list
    outcome: Any
    culprits: list


@attrs.frozen
class Revision:
    seq: int
    t: float
    encounter: int
    culprit: str
    outcome: Any


@attrs.frozen
class StageEvent:
    seq: int
    t: float
    stage: int
    label: str
    first: int
    pairings: list
    byes: list


@attrs.frozen
class Summary:
    seq: int
    t: float
    ratings: list
    format: dict | None


@attrs.frozen
class Results:
    seq: int
    t: float
    results: Any
    output: Any


@attrs.frozen
class Stop:
    seq: int
    t: float
    reason: str


@attrs.frozen
class Resume:
    seq: int
    t: float
    returned: list
    absent: list


@attrs.frozen
class ArenaJoin:
    seq: int
    t: float
    name: str
    rating: float
    opponent: str | None


@attrs.frozen
class ArenaLeave:
    seq: int
    t: float
    name: str


@attrs.frozen
class GameStart:
    seq: int
    t: float
    encounter: int
    game: int
    players: list


_SHAPES: dict[str, tuple[type, dict[str, Callable[[Any], Any]]]] = {
    START: (
        Start,
        {
            "version": _natural,
            "tournament": lambda value: None if value is None else string(value, "a string"),
            "game": lambda value: string(value, "a string"),
            "configuration": _object,
            "settings": _object,
        },
    ),
    SIGN_UP: (SignUp, {"requested": lambda value: string(value, "a string"), "assigned": _name_or_none}),
    ROSTER: (Roster, {"players": _names, "encounters": _natural}),
    ENCOUNTER_START: (EncounterStart, {"encounter": _natural, "players": _table, "repetition": _natural, "meeting": _natural}),
    MISBEHAVIOUR: (
        MisbehaviourEvent,
        {"name": _name, "kind": _kind, "reason": lambda value: string(value, "a string"), "encounter": _encounter_or_none},
    ),
    ENCOUNTER_END: (EncounterEnd, {"encounter": _natural, "players": _table, "outcome": _any, "culprits": _names}),
    REVISION: (Revision, {"encounter": _natural, "culprit": _name, "outcome": _any}),
    STAGE: (
        StageEvent,
        {
            "stage": lambda value: _whole_number(value, 1),
            "label": lambda value: string(value, "a string"),
            "first": _natural,
            "pairings": lambda value: [_table(pair) for pair in array(value, "a list of pairs of names")],
            "byes": _names,
        },
    ),
    SUMMARY: (
        Summary,
        {
            "ratings": lambda value: [_object(row) for row in array(value, "a list of ratings")],
            "format": lambda value: None if value is None else _object(value),
        },
    ),
    RESULTS: (Results, {"results": _any, "output": _any}),
    STOP: (Stop, {"reason": lambda value: string(value, "a string")}),
    RESUME: (Resume, {"returned": _names, "absent": _names}),
    GAME_START: (GameStart, {"encounter": _natural, "game": _natural, "players": _table}),
    ARENA_JOIN: (ArenaJoin, {"name": _name, "rating": finite_number, "opponent": _name_or_none}),
    ARENA_LEAVE: (ArenaLeave, {"name": _name}),
}
TYPES = frozenset(_SHAPES)
"""The tournament's and the arena's types of event (and `game-start`, which every game has)."""
GAME_START_KEYS = frozenset({"encounter", "game", "players"})
"""The keys of a `game-start` that every game's has; a game may add its own (they go into the game's record)."""
RECORD_KEYS = frozenset({"steps", "end"})
"""The keys of a game's record (games.ndjson) besides a game-start's: a game-start may not have them."""

_CONVERTER = strict_converter()
for _cls, _checks in _SHAPES.values():
    register_json_object(_CONVERTER, _cls, {field.name: field.name for field in attrs.fields(_cls)}, {**_ENVELOPE, **_checks})


def check_shape(event: Mapping[str, Any]) -> None:
    """Nothing if `event` has exactly the keys and kinds of value of its type; ShapeError, one line, otherwise."""
    kind = event.get("type")
    if type(kind) is not str:
        raise ShapeError(f'expected "type", a string, got {show(kind)}')
    body = {key: value for key, value in event.items() if key != "type"}
    shape = _SHAPES.get(kind)
    if kind == GAME_START:  # its own keys are checked; the others are the game's (Fish's colours and board)
        body = {key: value for key, value in body.items() if key in GAME_START_KEYS or key in _ENVELOPE}
        taken = sorted(RECORD_KEYS & set(event))
        if taken:
            raise ShapeError(f"a game-start's own keys cannot be {', '.join(map(show, taken))}: a game's record has those")
    try:
        if shape is not None:
            structure(body, shape[0], _CONVERTER)
        elif "encounter" in event and "game" in event:  # a game's own event: its envelope
            for key, check in (*_ENVELOPE.items(), ("encounter", _natural), ("game", _natural)):
                try:
                    check(event.get(key))
                except ValueError as error:
                    raise StructureError(f"{error} @ $.{key}") from None
        else:
            raise ShapeError(f"unknown type {show(kind)}")
    except StructureError as error:
        raise ShapeError(str(error)) from None
