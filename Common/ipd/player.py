"""The interface every IPD player implements, local or remote.

One coroutine per message of the conversation (see README.md). The referee
and the tournament manager hold Players and cannot tell a local one from a
proxy for a remote one; they never trust a Player, and call it only through
the administrator's safe call, which bounds each call's time and checks
its answer. This module itself does no I/O.

A Player is a game-free `Common.participant.Participant`: the tournament
manager makes the calls every game shares (`playing_as`,
`end_of_tournament`, `kicked`), the IPD's referee the others.

A tournament, seen by one player:

    playing_as(name)                      only if its name was taken; before its first match
    start_match(opponent)                 at the start of each match
      move(round, prev)                   every round              -> Move
    match_over(prev, totals, rounds)      at the end of each match
    end_of_tournament(results)            only if it never misbehaved: the outcomes and Standings
    kicked(reason)                        instead, once, if it misbehaved: why it is out
"""

from __future__ import annotations

import abc

from Common.ipd.messages import TournamentResults
from Common.ipd.moves import Move, Prev, Totals
from Common.ipd.names import Name
from Common.participant import Participant


class Player(Participant[Name]):
    """A participant in an IPD tournament."""

    @abc.abstractmethod
    async def playing_as(self, name: Name) -> None:
        """Your name was taken: from now on you play as `name`."""

    @abc.abstractmethod
    async def start_match(self, opponent: Name) -> None:
        """A match against `opponent` begins."""

    @abc.abstractmethod
    async def move(self, round: int, prev: Prev | None) -> Move:
        """Your move for round `round`; `prev` is the previous round as scored (None in round 1)."""

    @abc.abstractmethod
    async def match_over(self, prev: Prev | None, totals: Totals, rounds: int) -> None:
        """The match is over after `rounds` rounds: its last round and its totals, seen by you."""

    @abc.abstractmethod
    async def end_of_tournament(self, results: TournamentResults) -> None:
        """The tournament is over; these are its outcomes and Standings (`results.outcomes`, `results.standings`)."""
