"""An example player file for Fish: start your own from it (`make_strategy()` returns the Strategy xclients plays).

It plays as simply as the rules allow: it places each penguin on the first
free tile with fish, scanning rows top to bottom and columns left to right,
and makes the first legal move in the same order of from- and to-positions.
It never misbehaves, and it is no match for `greedy`.
"""

from __future__ import annotations

from Common.fish.geometry import Action, Actions, Position
from Common.fish.rules import legal_moves
from Common.fish.state import State
from Player.fish.strategy import Strategy


class FirstChoice(Strategy):
    """The first free tile, the first legal move."""

    def place(self, state: State) -> Position:
        occupied = state.occupied()
        return min(tile for tile in state.board.tiles() if tile not in occupied)

    def move(self, state: State, actions: Actions) -> Action:
        return min(legal_moves(state, state.current.color), key=lambda action: (action.source, action.target))


def make_strategy() -> Strategy:
    return FirstChoice()
