"""Which placements and moves are legal, whose turn comes next, when the game is over, and who won (spec section 1).

A check says why not, in one sentence a person reads, or None when legal:
an organiser's log then tells what a misbehaving player did. Turns rotate in
seat order; a player without a move while another can move is skipped
without being asked; the game is over when nobody can move.
"""

from __future__ import annotations

from collections.abc import Iterator

from Common.fish.geometry import Action, Position
from Common.fish.state import Color, State


def placement_error(state: State, position: Position) -> str | None:
    """Why the current player may not place a penguin on `position`, or None."""
    if not state.board.is_tile(position):
        return f"{position} is {'a hole' if _named(state, position) else 'not on the board'}"
    if position in state.occupied():
        return f"a penguin already stands on {position}"
    return None


def _named(state: State, position: Position) -> bool:
    """Whether the board's rows name `position` (a hole made by a move), rather than lying beyond them."""
    rows = state.board.rows
    return position.row < len(rows) and position.column < len(rows[position.row])


def move_error(state: State, action: Action) -> str | None:
    """Why the current player may not make `action`, or None."""
    current = state.current
    if action.source not in current.places:
        return f"no penguin of {current.color.value} stands on {action.source}"
    if action.target == action.source:
        return f"the penguin on {action.source} must travel at least one tile"
    if action.target not in state.board.reachable(action.source, state.occupied()):
        return f"{action.target} cannot be reached from {action.source} in a straight line over free tiles"
    return None


def legal_moves(state: State, color: Color) -> Iterator[Action]:
    """Every move of the player of `color`: its penguins in the order of its places, each direction by direction."""
    occupied = state.occupied()
    for source in state.player(color).places:
        for target in state.board.reachable(source, occupied):
            yield Action(source, target)


def can_move(state: State, color: Color) -> bool:
    """Whether the player of `color` has a move."""
    return next(legal_moves(state, color), None) is not None


def is_over(state: State) -> bool:
    """Whether the game is over: nobody can move."""
    return not any(can_move(state, color) for color in state.colors)


def next_turn(state: State) -> tuple[State, tuple[Color, ...]]:
    """After the current player's turn: the state with the next player to move first, and the colours skipped on
    the way (players without a move, in turn order). When the game is over, the state rotated once and no skips."""
    return to_mover(state.rotated())


def to_mover(state: State) -> tuple[State, tuple[Color, ...]]:
    """From the current player on, in turn order: the state with the first player that can move first, and the
    colours skipped on the way. When the game is over, the state as it is and no skips."""
    if is_over(state):
        return state, ()
    skipped = []
    while not can_move(state, state.current.color):
        skipped.append(state.current.color)
        state = state.rotated()
    return state, tuple(skipped)


def winners(state: State) -> tuple[Color, ...]:
    """The players with the highest score (all of them when tied), in the state's turn order."""
    best = max(player.score for player in state.players)
    return tuple(player.color for player in state.players if player.score == best)
