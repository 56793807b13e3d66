"""A Player in the server's own process: a Strategy behind the async Player interface.

Each Strategy call runs in a worker thread that the caller may abandon: when
the caller's cancel scope expires (the safe call's time limit), the wait
ends at once even if the strategy never returns, and the event loop never
blocks on a strategy. Answers and exceptions are passed on unchanged; the
caller checks them (the server's safe call, the client's ServerProxy).

A LocalPlayer knows the file its strategy comes from (the player file the
loader read, or the module of a built-in strategy), so that the traceback of
an exception can be shown limited to that file's frames: `user_traceback`.
"""

from __future__ import annotations

import inspect
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import trio

from Common.santorini.actions import Action, Placement
from Common.santorini.board import Board
from Common.santorini.geometry import Place
from Common.santorini.names import Name
from Common.santorini.player import Player
from Common.santorini.results import Results
from Player.santorini.strategy import Strategy

T = TypeVar("T")


class LocalPlayer(Player):
    """The player called `name` that decides with `strategy`, written in the file `source`.

    Without a `source`, the file that defines the strategy's class is taken.
    """

    def __init__(self, name: Name, strategy: Strategy, source: Path | None = None) -> None:
        self._name = name
        self._strategy = strategy
        self._source = source if source is not None else _defining_file(strategy)
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

    @property
    def source(self) -> Path | None:
        """The file the strategy is written in, if known."""
        return self._source

    def user_traceback(self, error: BaseException) -> str:
        """The traceback of `error` as Python prints it, limited to the frames of `source`.

        The frames of trio, of the worker thread and of this project are left
        out: the author of a player file sees only the lines they wrote.
        """
        shown = self._source.name if self._source is not None else "the strategy's file"
        frames = [frame for frame in traceback.extract_tb(error.__traceback__) if self._is_source(frame.filename)]
        lines = [f"Traceback (most recent call last; only the frames of {shown}):\n"]
        lines += traceback.format_list(frames) if frames else [f"  (no frame of {shown})\n"]
        lines += traceback.format_exception_only(type(error), error)
        return "".join(lines).rstrip("\n")

    def _is_source(self, filename: str) -> bool:
        if self._source is None:
            return False
        try:
            return Path(filename).resolve() == self._source
        except OSError:
            return False

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


def _defining_file(strategy: Strategy) -> Path | None:
    try:
        file = inspect.getsourcefile(type(strategy))
    except TypeError:
        return None
    return Path(file).resolve() if file else None
