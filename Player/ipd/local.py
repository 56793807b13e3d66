"""An IPD Player in our own process: a Strategy behind the async Player interface, each call in a thread.

The thread machinery and the traceback limited to the player file are the
game-free StrategyRunner's (`Player/local.py`); this adds one method per
call of the prisoner's dilemma's conversation.
"""

from __future__ import annotations

from Common.ipd.messages import TournamentResults
from Common.ipd.moves import Move, Prev, Totals
from Common.ipd.names import Name
from Common.ipd.player import Player
from Player.local import StrategyRunner


class LocalPlayer(StrategyRunner, Player):
    """A player in this process that decides with its strategy (see StrategyRunner)."""

    async def playing_as(self, name: Name) -> None:
        self._name = name
        await self._call(self._strategy.playing_as, name)

    async def start_match(self, opponent: Name) -> None:
        await self._call(self._strategy.start_match, self._name, opponent)

    async def move(self, round: int, prev: Prev | None) -> Move:
        return await self._call(self._strategy.move, self._name, round, prev)

    async def match_over(self, prev: Prev | None, totals: Totals, rounds: int) -> None:
        await self._call(self._strategy.match_over, self._name, prev, totals, rounds)

    async def end_of_tournament(self, results: TournamentResults) -> None:
        await self._call(self._strategy.end_of_tournament, results.outcomes, results.standings)
