"""The board: a height for each square and where the workers stand.

Heights are 0..4 (0: no building, 4: a capped tower). A Board never changes;
placing, moving and building return a new Board. During the placement phase
a board holds fewer than four workers; at most two players own workers, at
most two each, never two on one square, never one on height 4.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from Common.santorini.geometry import PLACES, SIZE, Place
from Common.santorini.names import Name, Worker

MAX_HEIGHT = 4
WINNING_HEIGHT = 3
WORKERS_PER_PLAYER = 2


@attrs.frozen(order=True)
class WorkerPlace:
    """A worker and the square it stands on."""

    worker: Worker = attrs.field(validator=attrs.validators.instance_of(Worker))
    place: Place = attrs.field(validator=attrs.validators.instance_of(Place))


def _heights(board: Board, attribute: attrs.Attribute, heights: tuple[int, ...]) -> None:
    if len(heights) != SIZE * SIZE:
        raise ValueError(f"a board has {SIZE * SIZE} squares, got {len(heights)}")
    for height in heights:
        if type(height) is not int or not 0 <= height <= MAX_HEIGHT:
            raise ValueError(f"a height is a whole number in 0..{MAX_HEIGHT}, got {height!r}")


def _as_heights(heights: Iterable[int]) -> tuple[int, ...]:
    return tuple(heights)


def _in_name_order(workers: Iterable[WorkerPlace]) -> tuple[WorkerPlace, ...]:
    return tuple(sorted(workers, key=lambda wp: (wp.worker.owner, wp.worker.number)))


def _workers(board: Board, attribute: attrs.Attribute, workers: tuple[WorkerPlace, ...]) -> None:
    if len({wp.worker for wp in workers}) != len(workers):
        raise ValueError("a worker stands on the board twice")
    if len({wp.place for wp in workers}) != len(workers):
        raise ValueError("two workers stand on one square")
    owners = [wp.worker.owner for wp in workers]
    if len(set(owners)) > 2:
        raise ValueError("workers of more than two players stand on the board")
    for wp in workers:
        if board.heights[wp.place.index] == MAX_HEIGHT:
            raise ValueError(f"worker {wp.worker} stands on a capped tower")


@attrs.frozen
class Board:
    """Heights in row-major order (north to south, west to east) and the workers."""

    heights: tuple[int, ...] = attrs.field(converter=_as_heights, validator=_heights)
    workers: tuple[WorkerPlace, ...] = attrs.field(converter=_in_name_order, validator=_workers)

    @classmethod
    def empty(cls) -> Board:
        """The board a game starts on: no buildings, no workers."""
        return cls((0,) * (SIZE * SIZE), ())

    def height(self, place: Place) -> int:
        return self.heights[place.index]

    def worker_at(self, place: Place) -> Worker | None:
        for wp in self.workers:
            if wp.place == place:
                return wp.worker
        return None

    def place_of(self, worker: Worker) -> Place | None:
        for wp in self.workers:
            if wp.worker == worker:
                return wp.place
        return None

    def workers_of(self, owner: Name) -> tuple[WorkerPlace, ...]:
        return tuple(wp for wp in self.workers if wp.worker.owner == owner)

    def is_free(self, place: Place) -> bool:
        """Whether no worker stands on `place`."""
        return not any(wp.place == place for wp in self.workers)

    def with_worker(self, worker: Worker, place: Place) -> Board:
        """This board with `worker` put on `place`."""
        return Board(self.heights, (*self.workers, WorkerPlace(worker, place)))

    def with_floor(self, place: Place) -> Board:
        """This board with one more floor on `place`."""
        heights = list(self.heights)
        heights[place.index] += 1
        return Board(heights, self.workers)

    def after_turn(self, worker: Worker, target: Place, floor: Place) -> Board:
        """This board after `worker` steps to `target` and builds on `floor`.

        Only for a turn the rules found legal: the result is not validated again,
        because a legal turn keeps every invariant of a Board.
        """
        workers = tuple(WorkerPlace(worker, target) if wp.worker == worker else wp for wp in self.workers)
        heights = list(self.heights)
        heights[floor.index] += 1
        board = object.__new__(Board)
        object.__setattr__(board, "heights", tuple(heights))
        object.__setattr__(board, "workers", workers)
        return board

    def rows(self) -> Iterable[tuple[tuple[int, Worker | None], ...]]:
        """The squares row by row, north to south, each as (height, worker or None)."""
        standing = {wp.place: wp.worker for wp in self.workers}
        for y in range(SIZE):
            yield tuple((self.heights[place.index], standing.get(place)) for place in PLACES[y * SIZE : (y + 1) * SIZE])
