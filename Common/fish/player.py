"""The interface every Fish player implements, local or remote (fish-design.md).

One coroutine per call of the conversation (spec section 3). The referee and
the tournament manager hold Players and cannot tell a local one from a proxy
for a remote one; they never call one directly but through the
administrator's safe call (`Admin/safe_call.py`), which bounds each call's
time and checks its answer; the rules then check its legality.

A tournament, seen by one player:

    playing_as(name)            only if its name was taken; before its first game
    tournament_starting()       before the first game ("start")
      assigned_color(color)     a game begins: this player's colour ("playing-as")
      other_colors(colors)      the other players' colours, in seat order ("playing-with")
      place(state)              6 - n times a game (n players)     -> Position ("setup")
      move(state, actions)      on each of its turns               -> Action ("take-turn")
    end_of_tournament(results)  only if it never misbehaved ("end": whether it is among the winners)
    kicked(reason)              instead, once, if it misbehaved: why it is out
"""

from __future__ import annotations

import abc

from Common.fish.geometry import Action, Actions, Position
from Common.fish.names import Name
from Common.fish.results import Results
from Common.fish.state import Color, State
from Common.participant import Participant


class Player(Participant[Name]):
    """A participant in a Fish tournament."""

    @abc.abstractmethod
    async def assigned_color(self, color: Color) -> None:
        """A game begins: you play `color`."""

    @abc.abstractmethod
    async def other_colors(self, colors: tuple[Color, ...]) -> None:
        """The other players of this game play `colors`, in seat order."""

    @abc.abstractmethod
    async def place(self, state: State) -> Position:
        """Where to place your next penguin; you are the first player of `state`."""

    @abc.abstractmethod
    async def move(self, state: State, actions: Actions) -> Action:
        """Your move; you are the first player of `state`, and `actions` happened since your previous turn."""

    @abc.abstractmethod
    async def end_of_tournament(self, results: Results) -> None:
        """The tournament is over; these are its winners and culprits."""
