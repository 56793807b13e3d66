"""Strategies that break the rules on purpose, for tests and the `late`, `breaker`, `infinite` and `flooder` kinds.

Each plays tit-for-tat until its moment comes. Moves are counted over the
strategy's whole life, not per match. A strategy that waits blocks its
thread on a `threading.Event`, so a waiting thread sleeps instead of
burning CPU, and a test can release it to end the thread.
"""

from __future__ import annotations

import threading

from Common.ipd.moves import Move, Prev
from Common.ipd.names import Name
from Common.ipd.settings import DEFAULT_TIME_PER_MOVE
from Player.ipd.classics import TitForTat

LATE_FACTOR = 1.5
"""A Late strategy answers this many times its time limit after being asked."""


def _first_move(n: object) -> int:
    if type(n) is not int or n < 1:
        raise ValueError(f"the move to misbehave at is a whole number >= 1, got {n!r}")
    return n


class _Waiting(TitForTat):
    """A strategy that can wait without using the CPU, until a test releases it."""

    def __init__(self) -> None:
        self._released = threading.Event()
        self.waiting = threading.Event()  # set once a call has started to wait

    def _wait(self, timeout: float | None) -> None:
        self.waiting.set()
        self._released.wait(timeout)

    def release(self) -> None:
        """End every wait at once, now and later (only tests do this, to end their threads)."""
        self._released.set()


class Late(_Waiting):
    """Forfeits every round: answers each move 1.5 times `time_limit` seconds after being asked.

    `time_limit` should be the server's "time per move" (1 s by default).
    """

    def __init__(self, time_limit: float = DEFAULT_TIME_PER_MOVE) -> None:
        if type(time_limit) not in (int, float) or not 0 < time_limit < float("inf"):
            raise ValueError(f"the time limit is a positive number of seconds, got {time_limit!r}")
        super().__init__()
        self.delay = time_limit * LATE_FACTOR

    def move(self, me: Name, round: int, prev: Prev | None) -> Move:
        self._wait(self.delay)
        return super().move(me, round, prev)


class Breaker(TitForTat):
    """At its `n`-th move (1: the first) answers "B", which is no move."""

    def __init__(self, n: int = 1) -> None:
        self.n = _first_move(n)
        self.moves = 0

    def move(self, me: Name, round: int, prev: Prev | None) -> Move:
        self.moves += 1
        if self.moves == self.n:
            return "B"  # type: ignore[return-value]  # misbehaving on purpose
        return super().move(me, round, prev)


class Infinite(_Waiting):
    """Never answers its `n`-th move (1: the first): waits on an Event nobody sets."""

    def __init__(self, n: int = 1) -> None:
        super().__init__()
        self.n = _first_move(n)
        self.moves = 0

    def move(self, me: Name, round: int, prev: Prev | None) -> Move:
        self.moves += 1
        if self.moves == self.n:
            self._wait(None)
        return super().move(me, round, prev)


FLOOD_REPLIES = 10_000


class Flooder(TitForTat):
    """Sends replies ahead: a flag for the client-side proxy, which does the flooding.

    As a strategy it plays tit-for-tat. When the client-side proxy sees that
    its strategy is a Flooder, it answers its first move request, for round
    k, by writing `replies_ahead` replies at once, `[k, "C"]`, `[k + 1, "C"]`,
    ..., without waiting for the requests of those rounds. The server must
    put it out at its first surplus value (a reply for a round ahead), with
    bounded memory, while other matches keep their pace.
    """

    replies_ahead: int = FLOOD_REPLIES
