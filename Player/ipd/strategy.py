"""The plug-in contract of the IPD: what a participant writes to take part in a tournament.

A Strategy decides; it does no I/O and knows nothing about time. It is
synchronous: the local player that will hold it runs each call in a worker
thread, and the server bounds how long a move may take and checks it.

A strategy file (see README.md) defines `make_strategy()`, which returns an
instance of a subclass of `Strategy`. The calls it receives, in order:

    playing_as(name)                          only if its name was taken
    start_match(me, opponent)                 at the start of each match
      move(me, round, prev)                   every round             -> "C" or "D"
    match_over(me, prev, totals, rounds)      at the end of each match
    end_of_tournament(outcomes, standings)    only if it never misbehaved

`me` is always the player's current name, the assigned one after a rename.
`prev` is the previous round as scored, from its own side (`prev.mine`,
`prev.theirs`: "C", "D", or None for a forfeited move), None in round 1.
Nobody knows how many rounds a match has: `match_over` says when it ended.
"""

from __future__ import annotations

from Common.ipd.moves import Move, Prev, Totals
from Common.ipd.names import Name
from Common.ipd.outcomes import Outcomes, Standings


class Strategy:
    """The base of every IPD player's decisions; override `move`."""

    def playing_as(self, name: Name) -> None:
        """Your name was taken: from now on you play as `name`. Ignored by default."""

    def start_match(self, me: Name, opponent: Name) -> None:
        """A match between `me` and `opponent` begins. Ignored by default."""

    def move(self, me: Name, round: int, prev: Prev | None) -> Move:
        """Your move for round `round` ("C" or "D"), given the previous round as scored (None in round 1)."""
        raise NotImplementedError(f"{type(self).__name__} does not say how to move")

    def match_over(self, me: Name, prev: Prev | None, totals: Totals, rounds: int) -> None:
        """The match is over after `rounds` rounds; its last round and its totals, seen by you. Ignored by default."""

    def end_of_tournament(self, outcomes: Outcomes, standings: Standings) -> None:
        """The tournament is over; these are its outcomes and Standings. Ignored by default."""
