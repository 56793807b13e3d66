"""A Player in the server's own process: a Strategy behind the async Player interface.

Each Strategy call runs in a worker thread that the caller may abandon: when
the caller's cancel scope expires (the safe call's time limit), the wait
ends at once even if the strategy never returns, and the event loop never
blocks on a strategy. Answers are passed on unchecked; the caller's safe call
checks them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import trio

from Common.actions import Action, Placement
from Common.board import Board
from Common.geometry import Place
from Common.names import Name
from Common.player import Player
from Common.results import Results
from Player.strategy import Strategy

T = TypeVar("T")


class LocalPlayer(Player):
    """The player called `name` that decides with `strategy`."""

    def __init__(self, name: Name, strategy: Strategy) -> None:
        self._name = name
        self._strategy = strategy
        # One thread at a time, and its own slot: an abandoned, never-returning
        # call holds a limiter token forever, and must not use up trio's
        # process-wide default limiter, shared by every local player.
        self._limiter = trio.CapacityLimiter(1)

    @property
    def name(self) -> Name:
        """The name this player plays under now (changed by `playing_as`)."""
        return self._name

    @property
    def strategy(self) -> Strategy:
        """The strategy that decides for this player."""
        return self._strategy

    async def _call(self, method: Callable[..., T], *args: object) -> T:
        return await trio.to_thread.run_sync(method, *args, abandon_on_cancel=True, limiter=self._limiter)

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

    def __repr__(self) -> str:
        return f"LocalPlayer({self._name!r}, {self._strategy!r})"
