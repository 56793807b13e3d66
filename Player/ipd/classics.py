"""The built-in strategies: the classics of IPD tournaments, each deterministic given what it is told.

* tit-for-tat: cooperates in round 1, then plays what the opponent played in
  the previous round; a forfeited move (which scores like a cooperation for
  the one facing it) is answered with cooperation.
* cooperator: always cooperates. defector: always defects.
* grudger: cooperates until the opponent defects once in a match, then
  defects to the end of that match.
* alternator: cooperates in odd rounds, defects in even ones.
* random: cooperates or defects with probability 1/2 each, from a generator
  seeded at the start of each match from what the conversation says: its
  name and the opponent's. Nothing it counts itself (matches played) enters
  the seed, so a client started again for a resumed tournament plays every
  match as the uninterrupted one did, in this process or another.
"""

from __future__ import annotations

import hashlib
import json
import random

from Common.ipd.moves import COOPERATE, DEFECT, Move, Prev
from Common.ipd.names import Name
from Player.ipd.strategy import Strategy


class TitForTat(Strategy):
    """Cooperates first, then does what the opponent did last."""

    def move(self, me: Name, round: int, prev: Prev | None) -> Move:
        if prev is None or prev.theirs is None:
            return COOPERATE
        return prev.theirs


class Cooperator(Strategy):
    """Always cooperates."""

    def move(self, me: Name, round: int, prev: Prev | None) -> Move:
        return COOPERATE


class Defector(Strategy):
    """Always defects."""

    def move(self, me: Name, round: int, prev: Prev | None) -> Move:
        return DEFECT


class Grudger(Strategy):
    """Cooperates until the opponent defects, then defects for the rest of the match."""

    def __init__(self) -> None:
        self.grudge = False

    def move(self, me: Name, round: int, prev: Prev | None) -> Move:
        if prev is None:  # round 1: a new match, a clean slate
            self.grudge = False
        elif prev.theirs == DEFECT:
            self.grudge = True
        return DEFECT if self.grudge else COOPERATE


class Alternator(Strategy):
    """Cooperates in odd rounds and defects in even ones."""

    def move(self, me: Name, round: int, prev: Prev | None) -> Move:
        return COOPERATE if round % 2 == 1 else DEFECT


def match_generator(me: Name, opponent: Name | None) -> random.Random:
    """A generator seeded by SHA-256 from what the conversation says: a strategy's name and its opponent's."""
    text = json.dumps(["random strategy", me, opponent], separators=(",", ":"))
    return random.Random(int.from_bytes(hashlib.sha256(text.encode("ascii")).digest(), "big"))


class RandomMoves(Strategy):
    """Cooperates or defects with probability 1/2 each, seeded afresh at the start of every match."""

    def __init__(self) -> None:
        self._random: random.Random | None = None

    def start_match(self, me: Name, opponent: Name) -> None:
        self._random = match_generator(me, opponent)

    def move(self, me: Name, round: int, prev: Prev | None) -> Move:
        if self._random is None:  # told of no match: seeded from its name alone
            self._random = match_generator(me, None)
        return COOPERATE if self._random.random() < 0.5 else DEFECT
