"""The plug-in contract: what a participant writes to take part in a tournament.

A Strategy decides; it does no I/O and knows nothing about time. It is
synchronous: `Player.santorini.local.LocalPlayer` runs each call in a worker thread
and the server bounds how long it may take and checks every answer.

A player file (see README.md) defines `make_strategy()`, which returns an
instance of a subclass of `Strategy`. The calls it receives, in order:

    playing_as(name)                    only if its name was taken
    start_encounter(me, opponent)       at the start of each best-of-N series
      place_worker(me, placement)       twice per game           -> Place
      take_turn(me, board)              until the game ends      -> Action
    end_of_tournament(results)          only if it never misbehaved

`me` is always the player's current name, the assigned one after a rename;
its workers on the board are `<me>1` and `<me>2`.
"""

from __future__ import annotations

from Common.santorini.actions import Action, Placement
from Common.santorini.board import Board
from Common.santorini.geometry import Place
from Common.santorini.names import Name
from Common.santorini.results import Results


class Strategy:
    """The base of every player's decisions; override `place_worker` and `take_turn`."""

    def playing_as(self, name: Name) -> None:
        """Your name was taken: from now on you play as `name`. Ignored by default."""

    def start_encounter(self, me: Name, opponent: Name) -> None:
        """A best-of-N series between `me` and `opponent` begins. Ignored by default."""

    def place_worker(self, me: Name, placement: Placement) -> Place:
        """Where to put your next worker, given the workers placed so far in this game."""
        raise NotImplementedError(f"{type(self).__name__} does not say where to place a worker")

    def take_turn(self, me: Name, board: Board) -> Action:
        """Your turn on `board`: give up, make a winning move, or move and build."""
        raise NotImplementedError(f"{type(self).__name__} does not say how to take a turn")

    def end_of_tournament(self, results: Results) -> None:
        """The tournament is over; these are its results. Ignored by default."""
