"""Positions on Fish's hexagonal board, its six directions, an Action, and Actions (spec sections 1 and 2).

Rows are "doubled": they sit half a tile apart vertically, odd rows shifted
right by half a tile. So the tile north of `[r, c]` is `[r - 2, c]`, and the
four diagonal neighbours depend on the parity of r:

    even r:  north-west [r-1, c-1]  north-east [r-1, c]  south-west [r+1, c-1]  south-east [r+1, c]
    odd r:   north-west [r-1, c]    north-east [r-1, c+1] south-west [r+1, c]   south-east [r+1, c+1]

DIRECTIONS lists the six in the order the course's strategy scans them:
north, north-east, south-east, south, south-west, north-west.
"""

from __future__ import annotations

import enum
from typing import Literal

import attrs


def natural(instance: object, attribute: attrs.Attribute, value: object) -> None:
    """An attrs validator: a whole number >= 0 (not a bool)."""
    if type(value) is not int or value < 0:
        raise ValueError(f"{attribute.name} must be a whole number >= 0, got {value!r}")


@attrs.frozen(order=True)
class Position:
    """A tile's place: row r (north to south), column c (west to east); ordered by row, then column."""

    row: int = attrs.field(validator=natural)
    column: int = attrs.field(validator=natural)

    def __str__(self) -> str:
        return f"[{self.row}, {self.column}]"


class Direction(enum.Enum):
    """One of the six straight lines a penguin can travel along."""

    NORTH = "north"
    NORTH_EAST = "north-east"
    SOUTH_EAST = "south-east"
    SOUTH = "south"
    SOUTH_WEST = "south-west"
    NORTH_WEST = "north-west"


DIRECTIONS: tuple[Direction, ...] = tuple(Direction)
"""The six directions in the course's scanning order."""

_STEPS_FROM_EVEN_ROW = {
    Direction.NORTH: (-2, 0),
    Direction.NORTH_EAST: (-1, 0),
    Direction.SOUTH_EAST: (1, 0),
    Direction.SOUTH: (2, 0),
    Direction.SOUTH_WEST: (1, -1),
    Direction.NORTH_WEST: (-1, -1),
}
_STEPS_FROM_ODD_ROW = {
    Direction.NORTH: (-2, 0),
    Direction.NORTH_EAST: (-1, 1),
    Direction.SOUTH_EAST: (1, 1),
    Direction.SOUTH: (2, 0),
    Direction.SOUTH_WEST: (1, 0),
    Direction.NORTH_WEST: (-1, 0),
}


def step(position: Position, direction: Direction) -> Position | None:
    """The neighbouring position of `position` in `direction`, or None when a coordinate would be negative."""
    steps = _STEPS_FROM_ODD_ROW if position.row % 2 else _STEPS_FROM_EVEN_ROW
    d_row, d_column = steps[direction]
    row, column = position.row + d_row, position.column + d_column
    if row < 0 or column < 0:
        return None
    return Position(row, column)


def neighbours(position: Position) -> tuple[Position, ...]:
    """The up to six neighbouring positions of `position` (tile or not), in the order of DIRECTIONS."""
    return tuple(next_to for direction in DIRECTIONS if (next_to := step(position, direction)) is not None)


@attrs.frozen(order=True)
class Action:
    """A move: the penguin on `source` travels to `target`."""

    source: Position = attrs.field(validator=attrs.validators.instance_of(Position))
    target: Position = attrs.field(validator=attrs.validators.instance_of(Position))

    def __str__(self) -> str:
        return f"[{self.source}, {self.target}]"


Skip = Literal["skip"]
SKIP: Skip = "skip"
Actions = tuple[Action | Skip, ...]
"""The moves made since a player's previous turn, oldest first; "skip" for a player who was skipped."""
