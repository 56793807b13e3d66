"""The rules of Santorini: which placements and actions are legal, and what they do.

Every check returns the reason a choice is illegal, or None when it is legal,
so that a referee can tell a misbehaving player exactly what it did wrong.
"""

from __future__ import annotations

from collections.abc import Iterator

from Common.actions import Action, GiveUp, MoveAndBuild, WinningMove
from Common.board import MAX_HEIGHT, WINNING_HEIGHT, Board
from Common.geometry import DIRECTIONS, Direction, Place
from Common.names import Name, Worker


def placement_error(board: Board, place: Place) -> str | None:
    """Why a worker may not be put on `place`, or None."""
    if not board.is_free(place):
        return f"square [{place.x}, {place.y}] is occupied"
    if board.height(place) == MAX_HEIGHT:
        return f"square [{place.x}, {place.y}] is a capped tower"
    return None


def move_target(board: Board, worker: Worker, direction: Direction) -> tuple[Place | None, str | None]:
    """Where `worker` lands stepping in `direction`, or the reason it cannot."""
    start = board.place_of(worker)
    if start is None:
        return None, f"worker {worker} is not on the board"
    target = start.step(direction)
    if target is None:
        return None, f"worker {worker} would step off the board"
    if not board.is_free(target):
        return None, f"worker {worker} would step onto another worker at [{target.x}, {target.y}]"
    height = board.height(target)
    if height == MAX_HEIGHT:
        return None, f"worker {worker} would step onto a capped tower at [{target.x}, {target.y}]"
    if height > board.height(start) + 1:
        return None, f"worker {worker} would climb more than one floor to [{target.x}, {target.y}]"
    return target, None


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


def action_error(board: Board, player: Name, action: Action) -> str | None:
    """Why `player` may not take `action` on `board`, or None."""
    if isinstance(action, GiveUp):
        return None if action.name == player else f"gave up in the name of {action.name}, not {player}"
    if action.worker.owner != player:
        return f"worker {action.worker} belongs to {action.worker.owner}, not {player}"
    target, error = move_target(board, action.worker, action.move)
    if error is not None:
        return error
    if isinstance(action, WinningMove):
        if board.height(target) != WINNING_HEIGHT:
            return f"a move without a build must reach height 3, [{target.x}, {target.y}] has height {board.height(target)}"
        return None
    return build_error(board, target.step(action.build), vacated=board.place_of(action.worker), arrived=target)


def is_winning(board: Board, action: Action) -> bool:
    """Whether the legal `action` wins the game at once (its worker reaches height 3)."""
    if isinstance(action, GiveUp):
        return False
    target, _ = move_target(board, action.worker, action.move)
    return target is not None and board.height(target) == WINNING_HEIGHT


def apply_action(board: Board, action: MoveAndBuild) -> Board:
    """The board after the legal, not winning `action`."""
    target, _ = move_target(board, action.worker, action.move)
    return board.after_turn(action.worker, target, target.step(action.build))


def legal_actions(board: Board, player: Name) -> Iterator[WinningMove | MoveAndBuild]:
    """Every legal turn of `player` but giving up: winning moves, then moves with builds."""
    for wp in board.workers_of(player):
        for move in DIRECTIONS:
            target, error = move_target(board, wp.worker, move)
            if error is not None:
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
    return any(
        move_target(board, wp.worker, move)[1] is None for wp in board.workers_of(player) for move in DIRECTIONS
    )
