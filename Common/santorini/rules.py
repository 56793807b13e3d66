"""The rules of Santorini: which placements and actions are legal, and what they do.

Every check returns the reason a choice is illegal, or None when it is legal,
so that a referee can tell a misbehaving player exactly what it did wrong.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from Common.santorini.actions import Action, GiveUp, MoveAndBuild, WinningMove
from Common.santorini.board import MAX_HEIGHT, WINNING_HEIGHT, Board
from Common.santorini.geometry import DIRECTIONS, NEIGHBOUR_INDICES, PLACES, SIZE, STEPS, Direction, Place
from Common.santorini.names import Name, Worker


def placement_error(board: Board, place: Place) -> str | None:
    """Why a worker may not be put on `place`, or None."""
    if not board.is_free(place):
        return f"square [{place.x}, {place.y}] is occupied"
    if board.height(place) == MAX_HEIGHT:
        return f"square [{place.x}, {place.y}] is a capped tower"
    return None


def move_target(board: Board, worker: Worker, direction: Direction) -> tuple[Place | None, str | None]:
    """Where `worker` lands stepping in `direction`, or the reason it cannot."""
    _, target, error = _step(board, worker, direction)
    return target, error


def _step(board: Board, worker: Worker, direction: Direction) -> tuple[Place | None, Place | None, str | None]:
    """Where `worker` stands and lands stepping in `direction`, or the reason it cannot."""
    start = board.place_of(worker)
    if start is None:
        return None, None, f"worker {worker} is not on the board"
    target = start.step(direction)
    if target is None:
        return start, None, f"worker {worker} would step off the board"
    if not board.is_free(target):
        return start, None, f"worker {worker} would step onto another worker at [{target.x}, {target.y}]"
    height = board.height(target)
    if height == MAX_HEIGHT:
        return start, None, f"worker {worker} would step onto a capped tower at [{target.x}, {target.y}]"
    if height > board.height(start) + 1:
        return start, None, f"worker {worker} would climb more than one floor to [{target.x}, {target.y}]"
    return start, target, None


def build_error(board: Board, place: Place | None, vacated: Place | None = None, arrived: Place | None = None) -> str | None:
    """Why no floor may be built on `place` (None: off the board), or None.

    `vacated` and `arrived` describe the move just made: the square left is
    free, the square reached is not.
    """
    if place is None:
        return "the build is off the board"
    if place == arrived or (place != vacated and not board.is_free(place)):
        return f"the build at [{place.x}, {place.y}] is on a worker"
    if board.height(place) == MAX_HEIGHT:
        return f"the build at [{place.x}, {place.y}] is on a capped tower"
    return None


@attrs.frozen
class Verdict:
    """What an action comes to: illegal (`error` says why), giving up, winning, or the board after it."""

    error: str | None = None
    gives_up: bool = False
    wins: bool = False
    board: Board | None = None


_GIVES_UP = Verdict(gives_up=True)
_WINS = Verdict(wins=True)


def judge_turn(board: Board, player: Name, action: Action) -> Verdict:
    """Judge `player`'s `action` on `board` and, if it is legal and the game goes on, apply it.

    The checks and their reasons are those of `move_target` and `build_error`,
    made on square indices (`STEPS`) rather than Places.
    """
    if isinstance(action, GiveUp):
        if action.name != player:
            return Verdict(error=f"gave up in the name of {action.name}, not {player}")
        return _GIVES_UP
    worker = action.worker
    if worker.owner != player:
        return Verdict(error=f"worker {worker} belongs to {worker.owner}, not {player}")
    start = None
    occupied = []
    for wp in board.workers:
        place, standing = wp.place, wp.worker
        square = place.y * SIZE + place.x
        occupied.append(square)
        if start is None and standing.__class__ is worker.__class__ and standing.number == worker.number and standing.owner == worker.owner:
            start = square  # the first worker that == `worker`, as attrs compares them
    if start is None:
        return Verdict(error=f"worker {worker} is not on the board")
    target = (STEPS.get(action.move) or _steps(action.move))[start]
    if target is None:
        return Verdict(error=f"worker {worker} would step off the board")
    if target in occupied:
        return Verdict(error=f"worker {worker} would step onto another worker at {_show(target)}")
    heights = board.heights
    height = heights[target]
    if height == MAX_HEIGHT:
        return Verdict(error=f"worker {worker} would step onto a capped tower at {_show(target)}")
    if height > heights[start] + 1:
        return Verdict(error=f"worker {worker} would climb more than one floor to {_show(target)}")
    if isinstance(action, WinningMove):
        if height != WINNING_HEIGHT:
            return Verdict(error=f"a move without a build must reach height 3, {_show(target)} has height {height}")
        return _WINS
    build = (STEPS.get(action.build) or _steps(action.build))[target]
    if build is None:
        return Verdict(error="the build is off the board")
    if build == target or (build != start and build in occupied):
        return Verdict(error=f"the build at {_show(build)} is on a worker")
    if heights[build] == MAX_HEIGHT:
        return Verdict(error=f"the build at {_show(build)} is on a capped tower")
    if height == WINNING_HEIGHT:
        return _WINS
    return Verdict(board=board.after_turn(worker, PLACES[target], PLACES[build]))


def _steps(direction: Direction) -> tuple[int | None, ...]:
    """What STEPS would hold for a Direction that is not a key of it (an instance of a subclass)."""
    return tuple(None if (target := place.step(direction)) is None else target.index for place in PLACES)


def _show(square: int) -> str:
    return f"[{square % SIZE}, {square // SIZE}]"


def action_error(board: Board, player: Name, action: Action) -> str | None:
    """Why `player` may not take `action` on `board`, or None."""
    return judge_turn(board, player, action).error


def is_winning(board: Board, action: Action) -> bool:
    """Whether the legal `action` wins the game at once (its worker reaches height 3)."""
    return not isinstance(action, GiveUp) and judge_turn(board, action.worker.owner, action).wins


def apply_action(board: Board, action: MoveAndBuild) -> Board:
    """The board after the legal, not winning `action`."""
    after = judge_turn(board, action.worker.owner, action).board
    assert after is not None  # a legal turn that does not win leaves a board
    return after


def legal_actions(board: Board, player: Name) -> Iterator[WinningMove | MoveAndBuild]:
    """Every legal turn of `player` but giving up: winning moves, then moves with builds."""
    for wp in board.workers_of(player):
        for move in DIRECTIONS:
            target, _ = move_target(board, wp.worker, move)
            if target is None:  # exactly when the move is illegal
                continue
            if board.height(target) == WINNING_HEIGHT:
                yield WinningMove(wp.worker, move)
            for build in DIRECTIONS:
                if build_error(board, target.step(build), vacated=wp.place, arrived=target) is None:
                    yield MoveAndBuild(wp.worker, move, build)


def has_legal_turn(board: Board, player: Name) -> bool:
    """Whether `player` can take any turn but giving up.

    That is whether any of its workers can move: a move onto height 3 wins
    without a build, and after any other move the square just left takes one.
    """
    heights = board.heights
    workers = board.workers
    occupied = [wp.place.y * SIZE + wp.place.x for wp in workers]
    for wp, start in zip(workers, occupied, strict=True):
        if wp.worker.owner != player:
            continue
        ceiling = min(heights[start] + 1, WINNING_HEIGHT)
        for square in NEIGHBOUR_INDICES[start]:
            if heights[square] <= ceiling and square not in occupied:
                return True
    return False
