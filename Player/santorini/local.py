"""Santorini's local player: a Strategy behind the async Player interface, each call in a thread.

The thread machinery and the traceback limited to the player file are the
game-free StrategyRunner's (`Player/local.py`); this adds one method per
call of Santorini's conversation.
"""

from __future__ import annotations

from Common.santorini.actions import Action, Placement
from Common.santorini.board import Board
from Common.santorini.geometry import Place
from Common.santorini.names import Name
from Common.santorini.player import Player
from Common.santorini.results import Results
from Player.local import StrategyRunner


class LocalPlayer(StrategyRunner, Player):
    """A player in this process that decides with its strategy (see StrategyRunner)."""

    async def playing_as(self, name: Name) -> None:
        self._name = name
        await self._call(self._strategy.playing_as, name)

    async def start_encounter(self, opponent: Name) -> None:
        await self._call(self._strategy.start_encounter, self._name, opponent)

    async def place_worker(self, placement: Placement) -> Place:
        return await self._call(self._strategy.place_worker, self._name, placement)

    async def take_turn(self, board: Board) -> Action:
        return await self._call(self._strategy.take_turn, self._name, board)

    async def end_of_tournament(self, results: Results) -> None:
        await self._call(self._strategy.end_of_tournament, results)
