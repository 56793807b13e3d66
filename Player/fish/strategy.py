"""The plug-in contract: what a participant writes to play Fish in a tournament.

A Strategy decides; it does no I/O and knows nothing about time. It is
synchronous: `Player.fish.local.LocalPlayer` runs each call in a worker
thread, and the server bounds how long it may take and checks every answer.

A player file defines `make_strategy()`, which returns an instance of a
subclass of `Strategy`. The calls it receives, in order:

    playing_as(name)              only if its name was taken
    tournament_starting()         before the first game
      assigned_color(color)       a game begins: my colour
      other_colors(colors)        the other players' colours, in seat order
      place(state)                6 - n times a game (n players)   -> Position
      move(state, actions)        on each of my turns              -> Action
    end_of_tournament(results)    only if it never misbehaved

In `state` the player asked is always the first: `state.current`.
"""

from __future__ import annotations

from Common.fish.geometry import Action, Actions, Position
from Common.fish.names import Name
from Common.fish.results import Results
from Common.fish.state import Color, State


class Strategy:
    """The base of every Fish player's decisions; override `place` and `move`."""

    def playing_as(self, name: Name) -> None:
        """Your name was taken: from now on you play as `name`. Ignored by default."""

    def tournament_starting(self) -> None:
        """The tournament begins. Ignored by default."""

    def assigned_color(self, color: Color) -> None:
        """A game begins and you play `color`. Ignored by default."""

    def other_colors(self, colors: tuple[Color, ...]) -> None:
        """The other players of this game play `colors`, in seat order. Ignored by default."""

    def place(self, state: State) -> Position:
        """Where to place your next penguin (you are `state.current`)."""
        raise NotImplementedError(f"{type(self).__name__} does not say where to place a penguin")

    def move(self, state: State, actions: Actions) -> Action:
        """Your move (you are `state.current`); `actions` happened since your previous turn."""
        raise NotImplementedError(f"{type(self).__name__} does not say how to move")

    def end_of_tournament(self, results: Results) -> None:
        """The tournament is over; these are its winners and culprits. Ignored by default."""
