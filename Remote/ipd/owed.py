"""The replies a connection still owes: forfeited rounds whose late reply may yet come, kept across matches.

A reply names only its round number, so `[1, "D"]` could answer round 1 of
this match or be the late reply for round 1 of an earlier one. TCP keeps
order, and a client answers its requests in the order they came: a late
reply that is owed arrives before the answer to anything asked after it. So:

* a reply whose round is owed is that late reply (the oldest owed round of
  that number), discarded; every round owed before it is forgotten, since its
  reply, had it been sent, would have come first;
* otherwise a reply for the round asked is its answer, and everything owed is
  forgotten, for the same reason;
* anything else awaits no reply (UNOWED): ahead, a second reply, out of order.

A move therefore never counts in a match other than the one it was asked
in. A client that drops a late reply instead of sending it may see its next
reply taken for that late one when both have the same round number: that
round is then forfeited, never scored with the wrong move.

Pure: no I/O, no clock; `Remote/ipd/remote_player.py` drives it.
"""

from __future__ import annotations

from collections import deque

ANSWER = "answer"
"""The reply answers the round asked."""
LATE_COPY = "late copy"
"""The reply is the late one of an owed round: discard it."""
UNOWED = "unowed"
"""No round awaits this reply."""


class OwedReplies:
    """The forfeited rounds whose reply has not come (yet), oldest first, whatever match they were asked in."""

    def __init__(self) -> None:
        self._rounds: deque[int] = deque()

    @property
    def rounds(self) -> tuple[int, ...]:
        """The owed rounds, oldest first."""
        return tuple(self._rounds)

    def __bool__(self) -> bool:
        """Whether any round is owed."""
        return bool(self._rounds)

    def forfeit(self, round_: int) -> None:
        """Round `round_` was asked and its reply did not come in time: it is owed."""
        self._rounds.append(round_)

    def take(self, round_: int, asked: int | None) -> str:
        """What a reply for `round_` is while `asked` is the round asked (None: none is): ANSWER, LATE_COPY or UNOWED."""
        if round_ in self._rounds:
            while self._rounds.popleft() != round_:
                pass
            return LATE_COPY
        if round_ == asked:
            self._rounds.clear()
            return ANSWER
        return UNOWED
