"""Strategies that break the rules on purpose, for tests and the `breaker` and `infinite` kinds.

Each plays like the good strategy until its moment comes, then misbehaves
once in its own way: a placement on an occupied square, a placement that is
not a Place, an illegal action at its n-th turn, an exception, or no answer
at all. Turns and placements are counted over the strategy's whole life, not
per game. A strategy that never answers blocks its thread on an Event nobody
sets, so the abandoned thread sleeps instead of burning CPU.
"""

from __future__ import annotations

from typing import Literal

from Common.santorini.actions import Action, MoveAndBuild, Placement
from Common.santorini.board import Board
from Common.santorini.geometry import DIRECTIONS, Place
from Common.santorini.names import Name, Worker
from Player.blocking import Blocking
from Player.santorini.strategic import GoodStrategy

When = Literal["placement", "turn"]
WHEN: tuple[When, ...] = ("placement", "turn")


class OccupiedPlacement(GoodStrategy):
    """Puts its worker on an occupied square the first time there is one to hit."""

    def __init__(self) -> None:
        self.broke = False

    def place_worker(self, me: Name, placement: Placement) -> Place:
        if not self.broke and placement:
            self.broke = True
            return placement[0].place
        return super().place_worker(me, placement)


class MalformedPlacement(GoodStrategy):
    """Answers its first placement with the string "nowhere" instead of a Place."""

    def __init__(self) -> None:
        self.broke = False

    def place_worker(self, me: Name, placement: Placement) -> Place:
        if not self.broke:
            self.broke = True
            return "nowhere"  # type: ignore[return-value]  # misbehaving on purpose
        return super().place_worker(me, placement)


class IllegalAction(GoodStrategy):
    """At its `n`-th turn (1: the first) moves a worker that is not its own."""

    def __init__(self, n: int = 1) -> None:
        if type(n) is not int or n < 1:
            raise ValueError(f"the turn to break a rule at is a whole number >= 1, got {n!r}")
        self.n = n
        self.turns = 0

    def take_turn(self, me: Name, board: Board) -> Action:
        self.turns += 1
        if self.turns == self.n:
            return MoveAndBuild(_someone_elses_worker(me, board), DIRECTIONS[0], DIRECTIONS[0])
        return super().take_turn(me, board)


def _someone_elses_worker(me: Name, board: Board) -> Worker:
    """The opponent's first worker on `board`, or a worker of an invented other player."""
    for wp in board.workers:
        if wp.worker.owner != me:
            return wp.worker
    return Worker(Name("b" if me == "a" else "a"), 1)


class DeliberateFailure(Exception):
    """What a `Raising` strategy raises."""


class Raising(GoodStrategy):
    """Raises DeliberateFailure at its first placement or at its first turn (`when`)."""

    def __init__(self, when: When = "turn") -> None:
        if when not in WHEN:
            raise ValueError(f"a strategy raises at one of {', '.join(WHEN)}, got {when!r}")
        self.when = when

    def place_worker(self, me: Name, placement: Placement) -> Place:
        if self.when == "placement":
            raise DeliberateFailure(f"{me} raises instead of placing a worker")
        return super().place_worker(me, placement)

    def take_turn(self, me: Name, board: Board) -> Action:
        if self.when == "turn":
            raise DeliberateFailure(f"{me} raises instead of taking a turn")
        return super().take_turn(me, board)


class _Blocking(Blocking, GoodStrategy):
    """GoodStrategy, until a call waits forever."""


class NeverPlaces(_Blocking):
    """Never answers its first placement."""

    def place_worker(self, me: Name, placement: Placement) -> Place:
        if not self.blocked.is_set():
            self.wait_forever()
        return super().place_worker(me, placement)


class NeverTakesTurn(_Blocking):
    """Never answers its first turn."""

    def take_turn(self, me: Name, board: Board) -> Action:
        if not self.blocked.is_set():
            self.wait_forever()
        return super().take_turn(me, board)
