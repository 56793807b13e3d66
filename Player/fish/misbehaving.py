"""Fish strategies that break the rules on purpose, for tests and the `breaker` and `infinite` kinds.

Each plays greedy until its moment comes, then misbehaves once in its own
way: a placement on an occupied tile, a placement that is not a Position, a
move of a penguin that is not its own at its n-th turn, an exception, or no
answer at all. Turns and placements are counted over the strategy's whole
life, not per game. A strategy that never answers blocks its thread on an
Event nobody sets, so the abandoned thread sleeps instead of burning CPU.
"""

from __future__ import annotations

from typing import Literal

from Common.fish.geometry import Action, Actions, Position
from Common.fish.state import State
from Player.blocking import Blocking
from Player.fish.greedy import Greedy

When = Literal["placement", "turn"]
WHEN: tuple[When, ...] = ("placement", "turn")


class OccupiedPlacement(Greedy):
    """Places its penguin on a tile where a penguin stands, the first time there is one."""

    def __init__(self) -> None:
        self.broke = False

    def place(self, state: State) -> Position:
        occupied = sorted(state.occupied())
        if not self.broke and occupied:
            self.broke = True
            return occupied[0]
        return super().place(state)


class MalformedPlacement(Greedy):
    """Answers its first placement with the string "nowhere" instead of a Position."""

    def __init__(self) -> None:
        self.broke = False

    def place(self, state: State) -> Position:
        if not self.broke:
            self.broke = True
            return "nowhere"  # type: ignore[return-value]  # misbehaving on purpose
        return super().place(state)


class IllegalMove(Greedy):
    """At its `n`-th turn (1: the first) moves a penguin that is not its own (or, alone, stays where it is)."""

    def __init__(self, n: int = 1) -> None:
        if type(n) is not int or n < 1:
            raise ValueError(f"the turn to break a rule at is a whole number >= 1, got {n!r}")
        self.n = n
        self.turns = 0

    def move(self, state: State, actions: Actions) -> Action:
        self.turns += 1
        if self.turns == self.n:
            others = [place for player in state.players[1:] for place in player.places]
            if others:
                return Action(others[0], others[0])
            own = state.current.places[0]
            return Action(own, own)
        return super().move(state, actions)


class DeliberateFailure(Exception):
    """What a `Raising` strategy raises."""


class Raising(Greedy):
    """Raises DeliberateFailure at its first placement or at its first turn (`when`)."""

    def __init__(self, when: When = "turn") -> None:
        if when not in WHEN:
            raise ValueError(f"a strategy raises at one of {', '.join(WHEN)}, got {when!r}")
        self.when = when

    def place(self, state: State) -> Position:
        if self.when == "placement":
            raise DeliberateFailure("raises instead of placing a penguin")
        return super().place(state)

    def move(self, state: State, actions: Actions) -> Action:
        if self.when == "turn":
            raise DeliberateFailure("raises instead of moving")
        return super().move(state, actions)


class _Blocking(Blocking, Greedy):
    """Greedy, until a call waits forever."""


class NeverPlaces(_Blocking):
    """Never answers its first placement."""

    def place(self, state: State) -> Position:
        if not self.blocked.is_set():
            self.wait_forever()
        return super().place(state)


class NeverMoves(_Blocking):
    """Never answers its first turn."""

    def move(self, state: State, actions: Actions) -> Action:
        if not self.blocked.is_set():
            self.wait_forever()
        return super().move(state, actions)
