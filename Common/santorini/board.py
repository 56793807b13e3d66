"""The board: a height for each square and where the workers stand.

Heights are 0..4 (0: no building, 4: a capped tower). A Board never changes;
placing, moving and building return a new Board. During the placement phase
a board holds fewer than four workers; at most two players own workers, at
most two each, never two on one square, never one on height 4.
"""

from __future__ import annotations

import operator
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


_HEIGHTS = frozenset(range(MAX_HEIGHT + 1))


def _heights(board: Board, attribute: attrs.Attribute, heights: tuple[int, ...]) -> None:
    if len(heights) != SIZE * SIZE:
        raise ValueError(f"a board has {SIZE * SIZE} squares, got {len(heights)}")
    if set(map(type, heights)) == {int} and _HEIGHTS.issuperset(heights):
        return  # every height a whole number (not a bool or float equal to one), all in range
    for height in heights:
        if type(height) is not int or not 0 <= height <= MAX_HEIGHT:
            raise ValueError(f"a height is a whole number in 0..{MAX_HEIGHT}, got {height!r}")


def _as_heights(heights: Iterable[int]) -> tuple[int, ...]:
    return tuple(heights)


_NAME_ORDER = operator.attrgetter("worker.owner", "worker.number")


def _in_name_order(workers: Iterable[WorkerPlace]) -> tuple[WorkerPlace, ...]:
    return tuple(sorted(workers, key=_NAME_ORDER))


def _workers(board: Board, attribute: attrs.Attribute, workers: tuple[WorkerPlace, ...]) -> None:
    # Workers and places are told apart as their attrs equality does: by class and fields.
    if len({(type(w), w.owner, w.number) for w in (wp.worker for wp in workers)}) != len(workers):
        raise ValueError("a worker stands on the board twice")
    if len({(type(p), p.x, p.y) for p in (wp.place for wp in workers)}) != len(workers):
        raise ValueError("two workers stand on one square")
    if len({wp.worker.owner for wp in workers}) > 2:
        raise ValueError("workers of more than two players stand on the board")
    heights = board.heights
    for wp in workers:
        if heights[wp.place.y * SIZE + wp.place.x] == MAX_HEIGHT:
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
        """This board with `worker` put on `place`; ValueError if that breaks an invariant.

        The same board and the same ValueError as `Board(self.heights, (*self.workers,
        WorkerPlace(worker, place)))`, checking only what the worker added can break.
        """
        added = WorkerPlace(worker, place)
        workers = self.workers
        if any(wp.worker == worker for wp in workers):
            raise ValueError("a worker stands on the board twice")
        if any(wp.place == place for wp in workers):
            raise ValueError("two workers stand on one square")
        if len({worker.owner, *(wp.worker.owner for wp in workers)}) > 2:
            raise ValueError("workers of more than two players stand on the board")
        if self.heights[place.y * SIZE + place.x] == MAX_HEIGHT:
            raise ValueError(f"worker {worker} stands on a capped tower")
        return _unchecked(self.heights, _in_name_order((*workers, added)))

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
        moved = object.__new__(WorkerPlace)  # attrs' own way round a frozen class's __setattr__, without the validators
        object.__setattr__(moved, "worker", worker)
        object.__setattr__(moved, "place", target)
        workers = list(self.workers)
        for position, wp in enumerate(workers):
            standing = wp.worker
            if standing.__class__ is worker.__class__ and standing.number == worker.number and standing.owner == worker.owner:
                workers[position] = moved  # standing == worker, as attrs compares them
        heights = list(self.heights)
        heights[floor.y * SIZE + floor.x] += 1
        return _unchecked(tuple(heights), tuple(workers))

    def rows(self) -> Iterable[tuple[tuple[int, Worker | None], ...]]:
        """The squares row by row, north to south, each as (height, worker or None)."""
        standing = {wp.place: wp.worker for wp in self.workers}
        for y in range(SIZE):
            yield tuple((self.heights[place.index], standing.get(place)) for place in PLACES[y * SIZE : (y + 1) * SIZE])


def _unchecked(heights: tuple[int, ...], workers: tuple[WorkerPlace, ...]) -> Board:
    """The Board of `heights` and `workers` (in name order), which keep its invariants: not validated again."""
    board = object.__new__(Board)  # attrs' own way round a frozen class's __setattr__
    object.__setattr__(board, "heights", heights)
    object.__setattr__(board, "workers", workers)
    return board
