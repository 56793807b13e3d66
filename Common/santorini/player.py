"""The interface every player implements, local or remote.

One method per message of the conversation (spec section 4). The referee and
the tournament manager hold Players and cannot tell a local one from a proxy
for a remote one. Methods are coroutines so that a proxy can do its I/O; this
module itself does none. A caller never trusts a Player: every call goes
through the administrator's safe call, which bounds its time and checks its
answer.

A tournament, seen by one player:

    playing_as(name)            only if its name was taken; before its first encounter
    start_encounter(opponent)   at the start of each best-of-N series
      place_worker(placement)   twice per game         -> Place
      take_turn(board)          until the game ends    -> Action
    end_of_tournament(results)  only if it never misbehaved
    kicked(reason)              instead, once, if it misbehaved: why it is out
"""

from __future__ import annotations

import abc

from Common.participant import Participant
from Common.santorini.actions import Action, Placement
from Common.santorini.board import Board
from Common.santorini.geometry import Place
from Common.santorini.names import Name
from Common.santorini.results import Results


class Player(Participant[Name]):
    """A participant in a Santorini tournament."""

    @abc.abstractmethod
    async def playing_as(self, name: Name) -> None:
        """Your name was taken: from now on you play as `name`."""

    @abc.abstractmethod
    async def start_encounter(self, opponent: Name) -> None:
        """A best-of-N series against `opponent` begins."""

    @abc.abstractmethod
    async def place_worker(self, placement: Placement) -> Place:
        """Where to put your next worker, given the workers placed so far in this game."""

    @abc.abstractmethod
    async def take_turn(self, board: Board) -> Action:
        """Your turn on `board`."""

    @abc.abstractmethod
    async def end_of_tournament(self, results: Results) -> None:
        """The tournament is over; these are its results."""
