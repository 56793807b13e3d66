"""Scripted Fish players for testing the referee: they play greedy, record what they hear, and fail on cue.

A ScriptedFishPlayer answers with its strategy's choice (greedy by default,
or any Strategy of Player/fish) without threads, so tests may use trio's
autojump clock, and can be told to misbehave at its n-th placement or n-th
turn, or when told its colour, in one of several ways.
"""

from __future__ import annotations

import math

import trio

from Common.fish.geometry import Action, Actions, Position
from Common.fish.names import Name
from Common.fish.player import Player
from Common.fish.results import Results
from Common.fish.state import Color, State
from Player.fish.greedy import Greedy
from Player.fish.strategy import Strategy

RAISE, HANG, ILLEGAL, WRONG_TYPE = "raise", "hang", "illegal", "wrong type"


class ScriptedFishPlayer(Player):
    """Plays `strategy`; misbehaves in `how` at its `at_placement`-th placement, its `at_turn`-th turn, or (`at_color`)
    when told its colour."""

    def __init__(
        self,
        name: str,
        strategy: Strategy | None = None,
        *,
        at_placement: int | None = None,
        at_turn: int | None = None,
        at_color: bool = False,
        how: str = RAISE,
    ) -> None:
        self.name = Name(name)
        self.strategy = strategy if strategy is not None else Greedy()
        self.at_placement, self.at_turn, self.at_color, self.how = at_placement, at_turn, at_color, how
        self.heard: list[tuple[str, tuple[object, ...]]] = []
        self.placements = self.turns = 0

    async def playing_as(self, name: Name) -> None:
        self.heard.append(("playing_as", (name,)))
        self.name = name

    async def assigned_color(self, color: Color) -> None:
        self.heard.append(("assigned_color", (color,)))
        if self.at_color:
            await self._misbehave(None)

    async def other_colors(self, colors: tuple[Color, ...]) -> None:
        self.heard.append(("other_colors", (colors,)))

    async def place(self, state: State) -> Position:
        self.heard.append(("place", (state,)))
        self.placements += 1
        if self.placements == self.at_placement:
            occupied = sorted(state.occupied())
            return await self._misbehave(occupied[0] if occupied else Position(99, 99))
        return self.strategy.place(state)

    async def move(self, state: State, actions: Actions) -> Action:
        self.heard.append(("move", (state, actions)))
        self.turns += 1
        if self.turns == self.at_turn:
            penguin = state.current.places[0]
            return await self._misbehave(Action(penguin, penguin))
        return self.strategy.move(state, actions)

    async def end_of_tournament(self, results: Results) -> None:
        self.heard.append(("end_of_tournament", (results,)))

    async def _misbehave(self, illegal: object) -> object:
        if self.how == RAISE:
            raise RuntimeError("scripted failure")
        if self.how == HANG:
            await trio.sleep(math.inf)
        if self.how == WRONG_TYPE:
            return "nowhere"
        return illegal

    def calls(self, method: str) -> list[tuple[object, ...]]:
        return [arguments for name, arguments in self.heard if name == method]
