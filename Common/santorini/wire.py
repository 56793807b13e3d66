"""The one strict converter between JSON values and the wire types of Common (spec section 2).

`structure(data, Type)` turns a decoded JSON value into a Common value or
raises StructureError with one line that names the offending value by its
path (`$[1][2]`); `unstructure(value)` is the inverse. The strictness comes
from `Common/strict.py`; the shapes of the messages are here. Boards may
arrive short (missing cells are height 0) and always leave as the full 6 x 6.

The server reads its players' replies with `read_action` and `read_place`:
the converter's values and its StructureErrors, a well-formed reply read by
hand in a few steps and every other value left to the converter.

`structure_from_server` is for a client only: it also accepts two things
that other servers send beyond the spec (section 10), heights written as
digit strings (`"3"`) in a Board and workers written without their player's
name (`"1"`) in a Placement. The server uses `structure`, which stays strict.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from typing import Any, TypeVar, overload

import attrs
import cattrs

from Common.participant import KICK_REASON_LIMIT, Kicked
from Common.santorini.actions import MAX_PLACED_BEFORE_A_PLACEMENT, Action, GiveUp, MoveAndBuild, Placement, WinningMove
from Common.santorini.board import MAX_HEIGHT, WORKERS_PER_PLAYER, Board, WorkerPlace
from Common.santorini.geometry import DIRECTIONS, PLACES, SIZE, Direction, EastWest, NorthSouth, Place
from Common.santorini.names import NAME_RULE, Name, Worker, is_name
from Common.santorini.results import EncounterOutcome, PlayingAs, Results
from Common.strict import array, each, elements, is_type, show, strict_converter, value_hook, whole_number
from Common.strict import structure as structure_with

T = TypeVar("T")

IRREGULAR = "irregular"
PLAYING_AS = "playing-as"
KICKED = "kicked"


def name(value: Any) -> Name:
    if not is_name(value):
        raise ValueError(f"expected a name of {NAME_RULE}, got {show(value)}")
    return Name(value)


def worker(value: Any) -> Worker:
    if type(value) is not str:
        raise ValueError(f'expected a worker such as "alice1", got {show(value)}')
    return _parse_worker(value)


@functools.lru_cache(maxsize=4096)
def _parse_worker(text: str) -> Worker:
    """Workers are immutable, and every reply names one: a few thousand parsed ones are kept."""
    return Worker.parse(text)


def coordinate(value: Any) -> int:
    return whole_number(value, 0, SIZE - 1)


def east_west(value: Any) -> EastWest:
    if type(value) is not str or value not in _EAST_WEST:
        raise ValueError(f"expected EAST, PUT or WEST, got {show(value)}")
    return EastWest(value)


def north_south(value: Any) -> NorthSouth:
    if type(value) is not str or value not in _NORTH_SOUTH:
        raise ValueError(f"expected NORTH, PUT or SOUTH, got {show(value)}")
    return NorthSouth(value)


_EAST_WEST = frozenset(e.value for e in EastWest)
_NORTH_SOUTH = frozenset(n.value for n in NorthSouth)


# ---------------------------------------------------------------------------
# Structuring the wire types


def _place(value: Any, _: type = Place) -> Place:
    x, y = elements(array(value, "a place [x, y]", range(2, 3)), [coordinate, coordinate], Place)
    return PLACES[y * SIZE + x]


def _worker_place(value: Any, _: type = WorkerPlace) -> WorkerPlace:
    parts = array(value, "a worker place [worker, x, y]", range(3, 4))
    standing, x, y = elements(parts, [worker, coordinate, coordinate], WorkerPlace)
    return WorkerPlace(standing, PLACES[y * SIZE + x])


def _placement(value: Any, _: type = Placement) -> Placement:
    entries = array(value, "a placement", range(MAX_PLACED_BEFORE_A_PLACEMENT + 1))
    return tuple(each(entries, _worker_place, WorkerPlace))


def _cell(value: Any) -> tuple[int, Worker | None]:
    if type(value) is int:
        return whole_number(value, 0, MAX_HEIGHT), None
    if type(value) is str and value[:1].isascii() and value[:1].isdigit():
        height = int(value[0])
        if height >= MAX_HEIGHT:
            raise ValueError(f"a worker stands on height 0..3, got {show(value)}")
        return height, worker(value[1:])
    raise ValueError(f"expected a height 0..4 or a height followed by a worker, got {show(value)}")


def _board(value: Any, _: type = Board, cell: Callable[[Any], tuple[int, Worker | None]] = _cell) -> Board:
    """A Board from rows of cells; missing rows and cells are height 0 without a worker."""
    rows = array(value, "a board", range(SIZE + 1))

    def row(cells: Any) -> list[tuple[int, Worker | None]]:
        return each(array(cells, "a board row", range(SIZE + 1)), cell, int)

    heights = [0] * (SIZE * SIZE)
    workers = []
    for y, cells in enumerate(each(rows, row, list)):
        for x, (height, standing) in enumerate(cells):
            heights[y * SIZE + x] = height
            if standing is not None:
                workers.append(WorkerPlace(standing, Place(x, y)))
    owners = [wp.worker.owner for wp in workers]
    if len(workers) != 2 * WORKERS_PER_PLAYER or any(owners.count(o) != WORKERS_PER_PLAYER for o in owners):
        raise ValueError(f"a board holds two workers of each of two players, got {sorted(map(str, (wp.worker for wp in workers)))}")
    return Board(heights, workers)


_DIRECTION_OF = {(direction.east_west, direction.north_south): direction for direction in DIRECTIONS}


def _direction(east_west: EastWest, north_south: NorthSouth) -> Direction:
    direction = _DIRECTION_OF.get((east_west, north_south))
    if direction is None:
        raise ValueError('["PUT", "PUT"] is not a direction')
    return direction


def _action(value: Any, _: Any = Action) -> Action:
    if type(value) is str:
        return GiveUp(name(value))
    parts = array(value, "an action: a name, or [worker, direction] with an optional build direction", range(3, 6, 2))
    shape = [worker, east_west, north_south, east_west, north_south][: len(parts)]
    worker_moved, *directions = elements(parts, shape, Action)
    if len(parts) == 3:
        return WinningMove(worker_moved, _direction(*directions))
    return MoveAndBuild(worker_moved, _direction(*directions[:2]), _direction(*directions[2:]))


def _outcome(value: Any, _: type = EncounterOutcome) -> EncounterOutcome:
    parts = array(value, 'an encounter outcome [winner, loser] or [winner, loser, "irregular"]', range(2, 4))
    if len(parts) == 3 and parts[2] != IRREGULAR:
        raise ValueError(f'the third element of an outcome must be "irregular", got {show(parts[2])}')
    winner, loser = elements(parts[:2], [name, name], EncounterOutcome)
    if winner == loser:
        raise ValueError(f"an outcome needs two different players, got {winner} twice")
    return EncounterOutcome(winner, loser, irregular=len(parts) == 3)


def _results(value: Any, _: type = Results) -> Results:
    return tuple(each(array(value, "results"), _outcome, EncounterOutcome))


def _playing_as(value: Any, _: type = PlayingAs) -> PlayingAs:
    parts = array(value, f'["{PLAYING_AS}", name]', range(2, 3))
    _, new_name = elements(parts, [lambda tag: _tag(tag, PLAYING_AS), name], PlayingAs)
    return PlayingAs(new_name)


def _tag(value: Any, tag: str) -> str:
    if value != tag:
        raise ValueError(f'expected "{tag}", got {show(value)}')
    return value


def _kick_reason(value: Any) -> str:
    if type(value) is not str or len(value) > KICK_REASON_LIMIT:
        raise ValueError(f"expected a reason of at most {KICK_REASON_LIMIT} characters, got {show(value)}")
    return value


def _kicked(value: Any, _: type = Kicked) -> Kicked:
    parts = array(value, f'["{KICKED}", reason]', range(2, 3))
    _, reason = elements(parts, [lambda tag: _tag(tag, KICKED), _kick_reason], Kicked)
    return Kicked(reason)


# ---------------------------------------------------------------------------
# The server's readers of replies: `structure` for Action and Place, in fewer steps


def read_action(value: Any) -> Action:
    """`structure(value, Action)`: the same Action, or the same StructureError.

    A well-formed turn is read without the converter, and the Actions read are
    kept (a few thousand: a player's turns repeat); `structure` reads every
    other value, and so says what is wrong with it.
    """
    if type(value) is list:
        length = len(value)
        if (length == 5 or length == 3) and all(type(part) is str for part in value):
            action = _turn(*value)
            if action is not None:
                return action
    elif type(value) is str and is_name(value):
        return GiveUp(Name(value))
    return structure(value, Action)


@functools.lru_cache(maxsize=4096)
def _turn(worker_text: str, east_west: str, north_south: str, *build: str) -> Action | None:
    """The WinningMove (no `build` words) or MoveAndBuild (two) these words make, or None if they make none."""
    try:
        moved = _parse_worker(worker_text)
    except ValueError:
        return None
    move = _DIRECTION_OF_WORDS.get((east_west, north_south))
    if move is None:
        return None
    if not build:
        return WinningMove(moved, move)
    built = _DIRECTION_OF_WORDS.get((build[0], build[1]))
    return None if built is None else MoveAndBuild(moved, move, built)


_DIRECTION_OF_WORDS = {(direction.east_west.value, direction.north_south.value): direction for direction in DIRECTIONS}


def read_place(value: Any) -> Place:
    """`structure(value, Place)`: the same Place, or the same StructureError (`structure` reads what is not one)."""
    if type(value) is list and len(value) == 2:
        x, y = value
        if type(x) is int and type(y) is int and 0 <= x < SIZE and 0 <= y < SIZE:
            return PLACES[y * SIZE + x]
    return structure(value, Place)


# ---------------------------------------------------------------------------
# Unstructuring the wire types


assert SIZE == 6  # board_to_json writes the rows out


def board_to_json(board: Board) -> list[list[int | str]]:
    """The full 6 x 6 board, rows north to south, cells west to east."""
    heights = board.heights
    cells: list[int | str] = list(heights)
    for wp in board.workers:
        place, standing = wp.place, wp.worker
        square = place.y * SIZE + place.x
        cells[square] = f"{heights[square]}{standing.owner}{standing.number}"  # the height, then str(worker)
    return [cells[0:6], cells[6:12], cells[12:18], cells[18:24], cells[24:30], cells[30:36]]


def placement_to_json(placement: Placement) -> list[list[str | int]]:
    """The workers placed so far, each as [worker, x, y] (what `unstructure` makes of a Placement)."""
    return [[str(wp.worker), wp.place.x, wp.place.y] for wp in placement]


_WORDS: dict[Direction, tuple[str, str]] = {direction: (direction.east_west.value, direction.north_south.value) for direction in DIRECTIONS}


def _words(direction: Direction) -> tuple[str, str]:
    """`direction` as its two words on the wire."""
    words = _WORDS.get(direction)
    return (direction.east_west.value, direction.north_south.value) if words is None else words


def action_to_json(action: Action) -> str | list[str]:
    if isinstance(action, GiveUp):
        return action.name
    if isinstance(action, WinningMove):
        return [str(action.worker), *_words(action.move)]
    return [str(action.worker), *_words(action.move), *_words(action.build)]


def _outcome_to_json(outcome: EncounterOutcome) -> list[str]:
    if outcome.irregular:
        return [outcome.winner, outcome.loser, IRREGULAR]
    return [outcome.winner, outcome.loser]


# ---------------------------------------------------------------------------
# The converters


def _wire_converter(board: Callable[[Any, type], Board] = _board) -> cattrs.Converter:
    converter = strict_converter()
    converter.register_structure_hook(Name, lambda value, _: name(value))
    hooks: list[tuple[type, Callable[[Any, Any], Any]]] = [
        (Place, _place),
        (WorkerPlace, _worker_place),
        (Board, board),
        (EncounterOutcome, _outcome),
        (PlayingAs, _playing_as),
        (Kicked, _kicked),
    ]
    for cls, structure_hook in hooks:
        converter.register_structure_hook(cls, structure_hook)
    converter.register_structure_hook(Worker, value_hook(worker))
    for alias, structure_hook in [(Placement, _placement), (Results, _results), (Action, _action)]:
        converter.register_structure_hook_func(is_type(alias), structure_hook)

    converter.register_unstructure_hook(Place, lambda p: [p.x, p.y])
    converter.register_unstructure_hook(Worker, str)
    converter.register_unstructure_hook(WorkerPlace, lambda wp: [str(wp.worker), wp.place.x, wp.place.y])
    converter.register_unstructure_hook(Board, board_to_json)
    converter.register_unstructure_hook(EncounterOutcome, _outcome_to_json)
    converter.register_unstructure_hook(PlayingAs, lambda pa: [PLAYING_AS, pa.name])
    converter.register_unstructure_hook(Kicked, lambda kicked: [KICKED, kicked.reason])
    for cls in (GiveUp, WinningMove, MoveAndBuild):
        converter.register_unstructure_hook(cls, action_to_json)
    return converter


WIRE = _wire_converter()


@overload
def structure(data: Any, type_: type[T]) -> T: ...
@overload
def structure(data: Any, type_: Any) -> Any: ...
def structure(data: Any, type_: Any) -> Any:
    """`data` as a value of the wire type `type_`, or StructureError naming what is wrong and where."""
    return structure_with(data, type_, WIRE)


# ---------------------------------------------------------------------------
# As a client only: what other servers send beyond the spec (section 10)

DIGIT_HEIGHTS = {str(height): height for height in range(MAX_HEIGHT + 1)}
"""A height written as a string, `"0"`..`"4"`, as some servers write the cells of a Board."""

NAMELESS_WORKERS = ("1", "2")
"""A worker written as its number only, as some servers write the workers of a Placement."""


@attrs.frozen
class Recipient:
    """The player a Placement is for, as its client knows it: enough to give nameless workers an owner.

    A nameless worker that stands where `me` placed a worker in this game
    (`my_places`) is mine; every other nameless worker is the opponent's.
    The number the server wrote ("1" or "2") is kept.
    """

    me: Name
    opponent: Name
    my_places: Collection[Place] = ()


def _lenient_cell(value: Any) -> tuple[int, Worker | None]:
    if type(value) is str and value in DIGIT_HEIGHTS:
        return DIGIT_HEIGHTS[value], None
    return _cell(value)


def _lenient_board(value: Any, _: type = Board) -> Board:
    return _board(value, Board, _lenient_cell)


def _with_owners(data: Any, recipient: Recipient) -> Any:
    """`data` with every nameless worker of a Placement written under the name of its owner."""
    if type(data) is not list:
        return data
    mine = {(place.x, place.y) for place in recipient.my_places}

    def named(entry: Any) -> Any:
        if type(entry) is not list or len(entry) != 3 or type(entry[0]) is not str or entry[0] not in NAMELESS_WORKERS:
            return entry
        number, x, y = entry
        is_mine = type(x) is int and type(y) is int and (x, y) in mine
        return [f"{recipient.me if is_mine else recipient.opponent}{number}", x, y]

    return [named(entry) for entry in data]


WIRE_FROM_SERVER = _wire_converter(board=_lenient_board)


@overload
def structure_from_server(data: Any, type_: type[T], recipient: Recipient | None = None) -> T: ...
@overload
def structure_from_server(data: Any, type_: Any, recipient: Recipient | None = None) -> Any: ...
def structure_from_server(data: Any, type_: Any, recipient: Recipient | None = None) -> Any:
    """As a client: `structure`, also accepting digit-string heights in a Board and nameless workers in a Placement.

    A Placement's nameless workers need the `recipient` to get an owner;
    without one they are refused like any other malformed worker.
    """
    if recipient is not None and type_ == Placement:
        data = _with_owners(data, recipient)
    return structure_with(data, type_, WIRE_FROM_SERVER)


def unstructure(value: Any) -> Any:
    """`value` as plain JSON data (lists, strings, numbers)."""
    if isinstance(value, tuple):
        return [WIRE.unstructure(element) for element in value]
    return WIRE.unstructure(value)
