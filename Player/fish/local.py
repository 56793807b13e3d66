"""Fish's local player: a Strategy behind the async Player interface, each call in a thread.

The thread machinery and the traceback limited to the player file are the
game-free StrategyRunner's (`Player/local.py`); this adds one method per
call of Fish's conversation.
"""

from __future__ import annotations

from Common.fish.geometry import Action, Actions, Position
from Common.fish.names import Name
from Common.fish.player import Player
from Common.fish.results import Results
from Common.fish.state import Color, State
from Player.local import StrategyRunner


class LocalPlayer(StrategyRunner, Player):
    """A Fish player in this process that decides with its strategy (see StrategyRunner)."""

    async def playing_as(self, name: Name) -> None:
        self._name = name
        await self._call(self._strategy.playing_as, name)

    async def tournament_starting(self) -> None:
        await self._call(self._strategy.tournament_starting)

    async def assigned_color(self, color: Color) -> None:
        await self._call(self._strategy.assigned_color, color)

    async def other_colors(self, colors: tuple[Color, ...]) -> None:
        await self._call(self._strategy.other_colors, colors)

    async def place(self, state: State) -> Position:
        return await self._call(self._strategy.place, state)

    async def move(self, state: State, actions: Actions) -> Action:
        return await self._call(self._strategy.move, state, actions)

    async def end_of_tournament(self, results: Results) -> None:
        await self._call(self._strategy.end_of_tournament, results)
