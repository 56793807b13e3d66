"""The board: a number of fish, 0 to 5, for each tile; 0 is a hole (spec section 1).

`rows[r][c]` is the fish on the tile `[r, c]`. Rows may differ in length; a
position beyond the end of its row, or beyond the last row, is a hole as
well. A Board never changes: taking a tile returns a new Board. Penguins are
not on the Board but in the State (`state.py`), which knows whose they are.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator

import attrs

from Common.fish.geometry import DIRECTIONS, Position, step

MAX_FISH = 5


def _as_rows(rows: Iterable[Iterable[int]]) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(row) for row in rows)


def _fish_counts(board: Board, attribute: attrs.Attribute, rows: tuple[tuple[int, ...], ...]) -> None:
    for row in rows:
        for fish in row:
            if type(fish) is not int or not 0 <= fish <= MAX_FISH:
                raise ValueError(f"a tile holds a whole number of fish in 0..{MAX_FISH}, got {fish!r}")


@attrs.frozen
class Board:
    """Fish per tile, row by row (north to south), each row west to east."""

    rows: tuple[tuple[int, ...], ...] = attrs.field(converter=_as_rows, validator=_fish_counts)

    @classmethod
    def uniform(cls, rows: int, columns: int, fish: int) -> Board:
        """A `rows` x `columns` board with `fish` fish on every tile."""
        return cls([[fish] * columns for _ in range(rows)])

    def fish(self, position: Position) -> int:
        """The fish on the tile at `position`; 0 for a hole, missing or not."""
        if position.row < len(self.rows):
            row = self.rows[position.row]
            if position.column < len(row):
                return row[position.column]
        return 0

    def is_tile(self, position: Position) -> bool:
        """Whether `position` holds a tile (fish, not a hole)."""
        return self.fish(position) > 0

    def positions(self) -> Iterator[Position]:
        """Every position the rows name, holes included, row by row, west to east."""
        for r, row in enumerate(self.rows):
            for c in range(len(row)):
                yield Position(r, c)

    def tiles(self) -> Iterator[Position]:
        """The positions of the tiles (not holes), row by row, west to east: the course's scanning order."""
        for r, row in enumerate(self.rows):
            for c, fish in enumerate(row):
                if fish > 0:
                    yield Position(r, c)

    def without(self, position: Position) -> Board:
        """This board with the tile at `position` turned into a hole."""
        rows = [list(row) for row in self.rows]
        rows[position.row][position.column] = 0
        return Board(rows)

    def reachable(self, start: Position, blocked: Collection[Position] = ()) -> Iterator[Position]:
        """The positions a penguin on `start` can travel to, direction by direction (the order of DIRECTIONS),
        nearest first: along a straight line, stopping before a hole, the edge, or a position in `blocked`."""
        for direction in DIRECTIONS:
            position = step(start, direction)
            while position is not None and self.is_tile(position) and position not in blocked:
                yield position
                position = step(position, direction)

    def size(self) -> int:
        """How many tiles (not holes) the board has."""
        return sum(1 for row in self.rows for fish in row if fish > 0)
