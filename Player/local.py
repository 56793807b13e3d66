"""What every game's local player does alike: run a synchronous strategy in threads, and show its own traceback.

A game's LocalPlayer (`Player/santorini/local.py`, `Player/ipd/local.py`)
is a StrategyRunner plus one method per call of its game. Each strategy call
runs in a worker thread that the caller may abandon: when the caller's
cancel scope expires (a safe call's time limit, the client's proxy moving
on), the wait ends at once even if the strategy never returns, and the event
loop never blocks on a strategy. The abandoned thread still holds the
player's own CapacityLimiter(1), so the next call starts only once it has
finished: a strategy is never called twice at once and hears its calls in
order. Answers and exceptions are passed on unchanged; the caller checks
them (the server's safe call and referee, the client's proxy).

A StrategyRunner knows the file its strategy comes from (the player file the
loader read, or the module of a built-in strategy), so that the traceback of
an exception can be shown limited to that file's frames: `user_traceback`.
"""

from __future__ import annotations

import inspect
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import trio

T = TypeVar("T")


class StrategyRunner:
    """The player called `name` that decides with `strategy`, written in the file `source`.

    Without a `source`, the file that defines the strategy's class is taken.
    """

    def __init__(self, name: str, strategy: Any, source: Path | None = None) -> None:
        self._name = name
        self._strategy = strategy
        self._source = source if source is not None else defining_file(strategy)
        # One thread at a time, and a slot of its own: an abandoned, never-returning
        # call holds its token forever, and must not use up trio's process-wide
        # default limiter, which every local player shares.
        self._limiter = trio.CapacityLimiter(1)

    @property
    def name(self) -> str:
        """The name this player plays under now (changed by `playing_as`)."""
        return self._name

    @property
    def strategy(self) -> Any:
        """The strategy that decides for this player."""
        return self._strategy

    @property
    def source(self) -> Path | None:
        """The file the strategy is written in, if known."""
        return self._source

    async def _call(self, method: Callable[..., T], *args: object) -> T:
        return await trio.to_thread.run_sync(method, *args, abandon_on_cancel=True, limiter=self._limiter)

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

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._name!r}, {self._strategy!r})"


def defining_file(strategy: object) -> Path | None:
    """The file that defines the class of `strategy`, resolved; None when Python cannot tell."""
    try:
        file = inspect.getsourcefile(type(strategy))
    except TypeError:
        return None
    return Path(file).resolve() if file else None
