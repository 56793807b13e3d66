"""Squares and directions of the 6 x 6 board.

A Place is a square: column x grows to the EAST, row y grows to the SOUTH,
both in 0..5. A Direction is one of the eight steps to a neighbouring square,
written on the wire as an EastWest and a NorthSouth word.
"""

from __future__ import annotations

import enum

import attrs

SIZE = 6
COORDINATES = range(SIZE)


def _on_board(instance: object, attribute: attrs.Attribute, value: object) -> None:
    if type(value) is not int or not 0 <= value < SIZE:
        raise ValueError(f"{attribute.name} must be a whole number in 0..{SIZE - 1}, got {value!r}")


@attrs.frozen(order=True)
class Place:
    """A square of the board: column x, row y."""

    x: int = attrs.field(validator=_on_board)
    y: int = attrs.field(validator=_on_board)

    def step(self, direction: Direction) -> Place | None:
        """The neighbouring square in `direction`, or None off the board."""
        x, y = self.x + direction.dx, self.y + direction.dy
        if 0 <= x < SIZE and 0 <= y < SIZE:
            return PLACES[y * SIZE + x]
        return None

    @property
    def index(self) -> int:
        """This square's position in a row-major list of all squares."""
        return self.y * SIZE + self.x


class EastWest(enum.Enum):
    """The horizontal half of a direction."""

    EAST = "EAST"
    PUT = "PUT"
    WEST = "WEST"


class NorthSouth(enum.Enum):
    """The vertical half of a direction."""

    NORTH = "NORTH"
    PUT = "PUT"
    SOUTH = "SOUTH"


_DX = {EastWest.EAST: 1, EastWest.PUT: 0, EastWest.WEST: -1}
_DY = {NorthSouth.NORTH: -1, NorthSouth.PUT: 0, NorthSouth.SOUTH: 1}


def _not_standing_still(instance: Direction, attribute: attrs.Attribute, value: NorthSouth) -> None:
    if instance.east_west is EastWest.PUT and value is NorthSouth.PUT:
        raise ValueError('["PUT", "PUT"] is not a direction')


@attrs.frozen(cache_hash=True)
class Direction:
    """A step to one of the eight neighbouring squares (its hash kept: directions are the keys of STEPS)."""

    east_west: EastWest = attrs.field(validator=attrs.validators.instance_of(EastWest))
    north_south: NorthSouth = attrs.field(validator=[attrs.validators.instance_of(NorthSouth), _not_standing_still])

    @property
    def dx(self) -> int:
        return _DX[self.east_west]

    @property
    def dy(self) -> int:
        return _DY[self.north_south]


PLACES: tuple[Place, ...] = tuple(Place(x, y) for y in COORDINATES for x in COORDINATES)
DIRECTIONS: tuple[Direction, ...] = tuple(
    Direction(east_west, north_south)
    for north_south in NorthSouth
    for east_west in EastWest
    if (east_west, north_south) != (EastWest.PUT, NorthSouth.PUT)
)


def _neighbours(place: Place) -> tuple[tuple[Direction, int], ...]:
    steps = ((direction, place.step(direction)) for direction in DIRECTIONS)
    return tuple((direction, target.index) for direction, target in steps if target is not None)


NEIGHBOURS: tuple[tuple[tuple[Direction, int], ...], ...] = tuple(_neighbours(place) for place in PLACES)
"""For each square index: (direction, neighbouring square index), in the order of DIRECTIONS."""

NEIGHBOUR_INDICES: tuple[tuple[int, ...], ...] = tuple(tuple(index for _, index in row) for row in NEIGHBOURS)
"""For each square index: the indices of its neighbouring squares, in the order of DIRECTIONS."""

STEPS: dict[Direction, tuple[int | None, ...]] = {
    direction: tuple(None if (target := place.step(direction)) is None else target.index for place in PLACES) for direction in DIRECTIONS
}
"""For each direction, for each square index: the index of the square one step away, or None off the board."""
