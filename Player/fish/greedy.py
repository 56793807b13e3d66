"""The course's strategy, `greedy` (spec section 6), and a random legal player for tests; `greedy.py` is also a player file.

* Placement: the free tile with the most fish; among equals, the first in
  the course's scan, rows top to bottom and columns left to right.
* Move: to the reachable tile with the most fish; among equals, the move
  from the smallest position (row, then column), then to the smallest
  position. (The course scans the directions north, north-east, south-east,
  south, south-west, north-west; with both positions compared, the order of
  the scan decides nothing more.)
"""

from __future__ import annotations

import random

from Common.fish.geometry import Action, Actions, Position
from Common.fish.rules import legal_moves
from Common.fish.state import State
from Player.fish.strategy import Strategy


def greedy_place(state: State) -> Position:
    """The free tile with the most fish, the first such in row-major order; ValueError when no tile is free."""
    occupied = state.occupied()
    best: Position | None = None
    for tile in state.board.tiles():
        if tile not in occupied and (best is None or state.board.fish(tile) > state.board.fish(best)):
            best = tile
    if best is None:
        raise ValueError("no free tile to place a penguin on")
    return best


def greedy_move(state: State) -> Action:
    """The current player's move to the reachable tile with the most fish, ties broken by the smaller from-position,
    then the smaller to-position; ValueError when it has no move."""
    fish = state.board.fish
    moves = legal_moves(state, state.current.color)
    best = min(moves, key=lambda move: (-fish(move.target), move.source, move.target), default=None)
    if best is None:
        raise ValueError("no move to make")
    return best


class Greedy(Strategy):
    """The course's strategy: the most fish now (see the module's docstring)."""

    def place(self, state: State) -> Position:
        return greedy_place(state)

    def move(self, state: State, actions: Actions) -> Action:
        return greedy_move(state)


class RandomLegal(Strategy):
    """Places on a free tile and makes a move, each drawn from its own generator seeded with `seed`: always legal."""

    def __init__(self, seed: int = 0) -> None:
        self._random = random.Random(seed)

    def place(self, state: State) -> Position:
        occupied = state.occupied()
        return self._random.choice([tile for tile in state.board.tiles() if tile not in occupied])

    def move(self, state: State, actions: Actions) -> Action:
        return self._random.choice(list(legal_moves(state, state.current.color)))


def make_strategy() -> Strategy:
    """This file as a player file: the greedy strategy."""
    return Greedy()
