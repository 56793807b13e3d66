"""The one strict converter between JSON values and the classes of Common.

`structure(data, Type)` turns a decoded JSON value into a Common value or
raises StructureError with one line that names the offending value by its
path (`$[1][2]`, `$.port`); `unstructure(value)` is the inverse. Strict means
no coercion at all: `true` is not a number, `"5"` is not a number, a string is
not a list, an object must have exactly the keys its class names.

`strict_converter()` gives the same strictness to other JSON documents, such
as the configurations of the executables.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar, get_origin

import cattrs
from cattrs.cols import homogenous_tuple_structure_factory, is_sequence, list_structure_factory
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, override
from cattrs.v import transform_error

from Common.actions import MAX_PLACED_BEFORE_A_PLACEMENT, Action, GiveUp, MoveAndBuild, Placement, WinningMove
from Common.board import MAX_HEIGHT, WORKERS_PER_PLAYER, Board, WorkerPlace
from Common.geometry import DIRECTIONS, PLACES, SIZE, Direction, EastWest, NorthSouth, Place
from Common.names import Name, Worker, is_name
from Common.results import EncounterOutcome, PlayingAs, Results

T = TypeVar("T")

IRREGULAR = "irregular"
PLAYING_AS = "playing-as"


class StructureError(ValueError):
    """A JSON value does not have the shape its type demands; the message is one line."""


def show(value: Any, limit: int = 40) -> str:
    """`value` as the JSON text a person would recognise, cut to `limit` characters."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---------------------------------------------------------------------------
# Strict building blocks


def whole_number(value: Any, lowest: int | None = None, highest: int | None = None) -> int:
    """`value` if it is a JSON integer within the bounds; ValueError otherwise."""
    if type(value) is not int:
        raise ValueError(f"expected a whole number, got {show(value)}")
    if (lowest is not None and value < lowest) or (highest is not None and value > highest):
        bounds = f"in {lowest}..{highest}" if highest is not None else f">= {lowest}"
        raise ValueError(f"expected a whole number {bounds}, got {value}")
    return value


def string(value: Any, what: str) -> str:
    """`value` if it is a JSON string; ValueError describing it as `what` otherwise."""
    if type(value) is not str:
        raise ValueError(f"expected {what}, got {show(value)}")
    return value


def positive_number(value: Any) -> float:
    """`value` if it is a JSON number greater than 0; ValueError otherwise."""
    if type(value) not in (int, float) or not value > 0:
        raise ValueError(f"expected a positive number, got {show(value)}")
    return value


def odd_number(value: Any) -> int:
    """`value` if it is a positive odd JSON integer; ValueError otherwise."""
    if whole_number(value, 1) % 2 == 0:
        raise ValueError(f"expected an odd whole number, got {value}")
    return value


def array(value: Any, what: str, lengths: range | None = None) -> list:
    """`value` if it is a JSON array whose length is in `lengths`; ValueError otherwise."""
    if type(value) is not list:
        raise ValueError(f"expected {what} (a JSON array), got {show(value)}")
    if lengths is not None and len(value) not in lengths:
        if len(lengths) == 1:
            expected = str(lengths[0])
        elif lengths.step == 1:
            expected = f"{lengths[0]} to {lengths[-1]}"
        else:
            expected = " or ".join(map(str, lengths))
        raise ValueError(f"expected {what} of {expected} elements, got {len(value)}")
    return value


def elements(values: list, structure_each: list[Callable[[Any], Any]], type_: Any) -> list:
    """Structure `values[i]` with `structure_each[i]`, reporting every failure with its index, the cattrs way."""
    results, errors = [], []
    for index, (value, structure_one) in enumerate(zip(values, structure_each, strict=True)):
        try:
            results.append(structure_one(value))
        except (ValueError, TypeError, BaseValidationError) as error:
            error.add_note(IterableValidationNote(f"Structuring {type_} @ index {index}", index, type_))
            errors.append(error)
    if errors:
        raise IterableValidationError(f"While structuring {type_}", errors, type_)
    return results


def each(values: list, structure_one: Callable[[Any], T], type_: Any) -> list[T]:
    """Structure every element of `values` alike (see `elements`)."""
    return elements(values, [structure_one] * len(values), type_)


def name(value: Any) -> Name:
    if not is_name(value):
        raise ValueError(f"expected a name of 1 to 64 lowercase letters, got {show(value)}")
    return Name(value)


def worker(value: Any) -> Worker:
    if type(value) is not str:
        raise ValueError(f"expected a worker such as \"alice1\", got {show(value)}")
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


def _board(value: Any, _: type = Board) -> Board:
    """A Board from rows of cells; missing rows and cells are height 0 without a worker."""
    rows = array(value, "a board", range(SIZE + 1))

    def row(cells: Any) -> list[tuple[int, Worker | None]]:
        return each(array(cells, "a board row", range(SIZE + 1)), _cell, int)

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


def _action(value: Any, _: type = Action) -> Action:
    if type(value) is str:
        return GiveUp(name(value))
    parts = array(value, "an action: a name, or [worker, direction] with an optional build direction", range(3, 6, 2))
    shape = [worker, east_west, north_south, east_west, north_south][: len(parts)]
    worker_moved, *directions = elements(parts, shape, Action)
    if len(parts) == 3:
        return WinningMove(worker_moved, _direction(*directions))
    return MoveAndBuild(worker_moved, _direction(*directions[:2]), _direction(*directions[2:]))


def _outcome(value: Any, _: type = EncounterOutcome) -> EncounterOutcome:
    parts = array(value, "an encounter outcome [winner, loser] or [winner, loser, \"irregular\"]", range(2, 4))
    if len(parts) == 3 and parts[2] != IRREGULAR:
        raise ValueError(f"the third element of an outcome must be \"irregular\", got {show(parts[2])}")
    winner, loser = elements(parts[:2], [name, name], EncounterOutcome)
    if winner == loser:
        raise ValueError(f"an outcome needs two different players, got {winner} twice")
    return EncounterOutcome(winner, loser, irregular=len(parts) == 3)


def _results(value: Any, _: type = Results) -> Results:
    return tuple(each(array(value, "results"), _outcome, EncounterOutcome))


def _playing_as(value: Any, _: type = PlayingAs) -> PlayingAs:
    parts = array(value, f"[\"{PLAYING_AS}\", name]", range(2, 3))
    _, new_name = elements(parts, [_playing_as_tag, name], PlayingAs)
    return PlayingAs(new_name)


def _playing_as_tag(value: Any) -> str:
    if value != PLAYING_AS:
        raise ValueError(f"expected \"{PLAYING_AS}\", got {show(value)}")
    return value


# ---------------------------------------------------------------------------
# Unstructuring the wire types


def board_to_json(board: Board) -> list[list[int | str]]:
    """The full 6 x 6 board, rows north to south, cells west to east."""
    heights = board.heights
    rows: list[list[int | str]] = [list(heights[i : i + SIZE]) for i in range(0, SIZE * SIZE, SIZE)]
    for wp in board.workers:
        rows[wp.place.y][wp.place.x] = f"{heights[wp.place.index]}{wp.worker}"
    return rows


def action_to_json(action: Action) -> str | list[str]:
    if isinstance(action, GiveUp):
        return action.name
    move = [str(action.worker), action.move.east_west.value, action.move.north_south.value]
    if isinstance(action, WinningMove):
        return move
    return [*move, action.build.east_west.value, action.build.north_south.value]


def _outcome_to_json(outcome: EncounterOutcome) -> list[str]:
    if outcome.irregular:
        return [outcome.winner, outcome.loser, IRREGULAR]
    return [outcome.winner, outcome.loser]


# ---------------------------------------------------------------------------
# The converters


def _strict_primitive(kind: type, description: str) -> Callable[[Any, type], Any]:
    def structure(value: Any, _: type) -> Any:
        if type(value) is not kind and not (kind is float and type(value) is int):
            raise ValueError(f"expected {description}, got {show(value)}")
        return value

    return structure


def _strict_sequence_factory(type_: Any, converter: cattrs.Converter) -> Callable[[Any, type], Any]:
    origin = get_origin(type_) or type_
    make = homogenous_tuple_structure_factory if origin is tuple else list_structure_factory
    structure_elements = make(type_, converter)

    def structure(value: Any, _: type) -> Any:
        return structure_elements(array(value, "a list"), type_)

    return structure


def strict_converter() -> cattrs.Converter:
    """A converter that coerces nothing: exact JSON types, lists only from arrays, no unknown keys."""
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    converter.register_structure_hook(int, _strict_primitive(int, "a whole number"))
    converter.register_structure_hook(float, _strict_primitive(float, "a number"))
    converter.register_structure_hook(str, _strict_primitive(str, "a string"))
    converter.register_structure_hook(bool, _strict_primitive(bool, "true or false"))
    converter.register_structure_hook_factory(is_sequence, _strict_sequence_factory)
    converter.register_structure_hook(Name, lambda value, _: name(value))
    return converter


def register_json_object(
    converter: cattrs.Converter,
    cls: type,
    keys: dict[str, str],
    checks: dict[str, Callable[[Any], Any]] | None = None,
) -> None:
    """Structure the attrs class `cls` from a JSON object.

    `keys` maps field names to JSON keys; `checks` maps field names to
    functions that structure (and range-check) that key's value.
    """
    checks = checks or {}
    overrides = {
        field: override(rename=key, struct_hook=(lambda value, _, check=checks[field]: check(value)) if field in checks else None)
        for field, key in keys.items()
    }
    structure_fields = make_dict_structure_fn(cls, converter, _cattrs_forbid_extra_keys=True, **overrides)

    def structure(value: Any, _: type) -> Any:
        if type(value) is not dict:
            raise ValueError(f"expected a JSON object, got {show(value)}")
        try:
            return structure_fields(value, cls)
        except ClassValidationError as error:
            _name_keys(error, keys)
            raise

    converter.register_structure_hook(cls, structure)


def _name_keys(error: ClassValidationError, keys: dict[str, str]) -> None:
    """Make the paths of `error` name the JSON keys a person wrote, not the fields they are renamed to."""
    for exception in error.exceptions:
        exception.__notes__ = [
            AttributeValidationNote(note, keys.get(note.name, note.name), note.type)
            if isinstance(note, AttributeValidationNote)
            else note
            for note in getattr(exception, "__notes__", [])
        ]


def _wire_converter() -> cattrs.Converter:
    converter = strict_converter()
    for cls, structure_hook in [
        (Place, _place),
        (WorkerPlace, _worker_place),
        (Board, _board),
        (EncounterOutcome, _outcome),
        (PlayingAs, _playing_as),
    ]:
        converter.register_structure_hook(cls, structure_hook)
    converter.register_structure_hook(Worker, lambda value, _: worker(value))
    for alias, structure_hook in [(Placement, _placement), (Results, _results), (Action, _action)]:
        converter.register_structure_hook_func(lambda type_, alias=alias: type_ == alias, structure_hook)

    converter.register_unstructure_hook(Place, lambda p: [p.x, p.y])
    converter.register_unstructure_hook(Worker, str)
    converter.register_unstructure_hook(WorkerPlace, lambda wp: [str(wp.worker), wp.place.x, wp.place.y])
    converter.register_unstructure_hook(Board, board_to_json)
    converter.register_unstructure_hook(EncounterOutcome, _outcome_to_json)
    converter.register_unstructure_hook(PlayingAs, lambda pa: [PLAYING_AS, pa.name])
    for cls in (GiveUp, WinningMove, MoveAndBuild):
        converter.register_unstructure_hook(cls, action_to_json)
    return converter


WIRE = _wire_converter()


def _describe(error: BaseException, type_: type | None) -> str:
    if isinstance(error, ForbiddenExtraKeysError):
        return f"unknown key {', '.join(show(key) for key in sorted(error.extra_fields))}"
    if isinstance(error, KeyError):
        return "required key missing"
    return str(error)


def structure(data: Any, type_: type[T] | Any, converter: cattrs.Converter = WIRE) -> T:
    """`data` as a value of `type_`, or StructureError naming what is wrong and where."""
    try:
        return converter.structure(data, type_)
    except (ValueError, TypeError, BaseValidationError) as error:
        raise StructureError("; ".join(transform_error(error, format_exception=_describe))) from None


def parse_document(text: str, type_: type[T], converter: cattrs.Converter) -> T:
    """The JSON document `text` as a `type_`, or StructureError saying what is wrong and where."""
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except ValueError as error:
        raise StructureError(f"not JSON: {error}") from None
    return structure(data, type_, converter)


def _no_constant(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")


def unstructure(value: Any) -> Any:
    """`value` as plain JSON data (lists, strings, numbers)."""
    if isinstance(value, tuple):
        return [WIRE.unstructure(element) for element in value]
    return WIRE.unstructure(value)

