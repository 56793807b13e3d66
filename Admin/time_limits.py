"""The clock and the time limits of calls to players, under either of the two loops that can run a referee.

A referee usually runs as a trio task: the clock is trio's, and a time limit
is a trio cancel scope. An encounter between remote players alone runs
instead in the encounter loop (Remote/encounter_loop.py), a small loop of
our own in a worker thread: there the clock is `time.monotonic`, and a time
limit is a deadline on the encounter's LoopShell, which the loop honours by
throwing DeadlinePassed into the referee where it waits, to unwind to the
limit's scope, as trio throws Cancelled to its cancel scope.

Code that calls players takes the time from `now()`, bounds a call with
`move_on_after(seconds)`, and catches `CUT_SHORT` where it must tidy up
after a call cut short; it then runs unchanged in both loops. Waiting
itself is the transport's (Remote/channel.py): outside a trio run it hands
its waits to the encounter loop.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import trio


class DeadlinePassed(BaseException):
    """An encounter loop's time limit passed during a wait: it unwinds to the `move_on_after` scope that set it."""

    def __init__(self, scope: LoopScope) -> None:
        super().__init__("a time limit passed")
        self.scope = scope


class Stopped(BaseException):
    """The event is stopping while the encounter runs in the encounter loop: it unwinds the referee, as trio.Cancelled would."""


CUT_SHORT = (trio.Cancelled, DeadlinePassed, Stopped)
"""What a wait raises when a time limit, or the event's end, cuts it short, in either loop."""


class LoopShell:
    """An encounter's part in the encounter loop: its open time limits, outermost first, and whether it may wait on its own.

    `alone` is the loop's wake descriptor while the step running is the
    loop's only business (no other encounter, no other ready descriptor):
    the encounter may then block on its own sockets and that descriptor,
    until its nearest deadline, rather than yield its wait to the loop; it
    yields as usual when the descriptor is readable (the trio side told the
    loop something: an encounter starts, or this one stops) or the time is
    up. -1: it may not.
    """

    __slots__ = ("alone", "nearest", "scopes")

    def __init__(self) -> None:
        self.scopes: list[LoopScope] = []
        self.nearest: list[float] = []  # the nearest deadline of the scopes up to each, outermost first
        self.alone = -1

    def deadline(self) -> float | None:
        """The nearest deadline (`time.monotonic`); None without a time limit."""
        return self.nearest[-1] if self.nearest else None

    def passed(self, moment: float) -> LoopScope | None:
        """The outermost time limit that has passed at `moment`; None if none has."""
        for scope in self.scopes:
            if scope.deadline <= moment:
                return scope
        return None


class LoopScope:
    """`move_on_after` in the encounter loop: a deadline while the block runs; `cancelled_caught` if it cut the block short."""

    __slots__ = ("_shell", "cancelled_caught", "deadline")

    def __init__(self, shell: LoopShell, deadline: float) -> None:
        self._shell = shell
        self.deadline = deadline
        self.cancelled_caught = False

    def __enter__(self) -> LoopScope:
        shell = self._shell
        shell.nearest.append(min(self.deadline, shell.nearest[-1]) if shell.nearest else self.deadline)
        shell.scopes.append(self)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: Any) -> bool:
        shell = self._shell
        assert shell.scopes[-1] is self, "time limits end innermost first"
        shell.scopes.pop()
        shell.nearest.pop()
        if isinstance(error, DeadlinePassed) and error.scope is self:
            self.cancelled_caught = True
            return True
        return False


_this_thread = threading.local()


def loop_shell() -> LoopShell | None:
    """The shell of the encounter this thread is running a step of, in the encounter loop; None under trio."""
    return getattr(_this_thread, "shell", None)


def step_in(shell: LoopShell | None) -> None:
    """The encounter loop runs a step of the encounter of `shell` in this thread now (None: the step ended)."""
    _this_thread.shell = shell


def now() -> float:
    """The clock of the loop this code runs in, in seconds (only differences mean anything)."""
    if getattr(_this_thread, "shell", None) is not None:
        return time.monotonic()
    return trio.current_time()


def move_on_after(seconds: float) -> Any:
    """A scope that ends its block quietly after `seconds`, setting its `cancelled_caught`: trio's, or the encounter loop's."""
    shell = getattr(_this_thread, "shell", None)
    if shell is None:
        return trio.move_on_after(seconds)
    return LoopScope(shell, time.monotonic() + seconds)
