"""The encounter loop: every encounter between remote players alone, driven in one worker thread by a small loop of our own.

A referee is a coroutine function, written once. As a trio task, each call
of a player costs a trip through trio's scheduler and a cancel scope; an
encounter whose players are all RemoteParticipants on sockets needs
neither. `InEncounterLoop` hands such an encounter's coroutine to the
EncounterLoop instead: one worker thread, one epoll, and a step of a
coroutine whenever the socket it waits for is ready. A wait is a LoopWait
that the transport yields (Remote/channel.py); a time limit is a deadline
on the encounter's LoopShell (Admin/time_limits.py), delivered by throwing
DeadlinePassed into the coroutine where it waits. The conversation with each
player is the same pure PlayerConversation, so both loops give the same
answers, Failures and events; any other encounter (a local player, a player
absent on resume, a stream that is no socket) runs as a trio task as before.

All encounters share the one thread, so they never contend with each other
for the interpreter, and the trio thread sleeps while only encounters run.

An encounter stepped while it is the loop's only business (no other
encounter waits, no other descriptor is ready) hears so through its shell
(`LoopShell.alone`): the steady round of two (`ask_together`) then waits
on its own sockets and the loop's wake pipe, until its nearest deadline,
without a trip through the loop; anything else (the pipe: an encounter
starts or this one stops; the time limit) ends that wait, and the wait is
the loop's, as before.

The trio task that awaits an encounter (`EncounterLoop.play`) is woken
once, when it ends. When that task is cancelled (the event stops), the loop
throws Stopped into the coroutine and the task ends Cancelled, as under
trio. `encounter_loop()` starts the thread and stops it when the
tournament is over.
"""

from __future__ import annotations

import contextvars
import os
import select
import threading
import time
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager, suppress
from functools import partial
from typing import Any

import attrs
import trio

from Admin.encounter import Encounter, EncounterResult, Entrant, RefereeFunction
from Admin.time_limits import DeadlinePassed, LoopShell, Stopped, step_in
from Remote.channel import LONGEST_WAIT, LoopWait
from Remote.remote_participant import RemoteParticipant

ENCOUNTER_LOOP = True
"""Whether tournaments run their encounters of remote players in the encounter loop (tests turn it off to compare)."""


class _Encounter:
    """One coroutine in the loop: what it waits for, until when, and how it ended."""

    __slots__ = ("coroutine", "deadline", "done", "error", "shell", "value", "waiting_on", "watched")

    def __init__(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        self.coroutine = coroutine
        self.watched: dict[int, int] = {}  # descriptor -> the events the epoll watches it for (0: none)
        self.shell = LoopShell()
        self.waiting_on: tuple[int, ...] = ()
        self.deadline: float | None = None
        self.done = trio.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class EncounterLoop:
    """The worker thread's loop (`run`) and the trio side's door to it (`play`, `quit`)."""

    def __init__(self, token: trio.lowlevel.TrioToken) -> None:
        self._token = token
        self._epoll = select.epoll()
        self._wake_reading, self._wake_writing = os.pipe()
        os.set_blocking(self._wake_reading, False)
        os.set_blocking(self._wake_writing, False)
        self._epoll.register(self._wake_reading, select.EPOLLIN)
        self._lock = threading.Lock()
        self._inbox: list[tuple[bool, _Encounter]] = []  # (start: True, stop: False), in the order told
        self._quitting = False
        self._parked: dict[int, _Encounter] = {}  # descriptor -> the encounter waiting for it
        self._waiting: dict[_Encounter, None] = {}  # every parked encounter, in order
        self._unhandled = 0  # the events of the last poll not handled yet

    # The trio side

    async def play(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        """Run `coroutine` in the loop to its end: its value or its exception; Cancelled if this task is."""
        encounter = _Encounter(coroutine)
        self._tell(True, encounter)
        try:
            await encounter.done.wait()
        except trio.Cancelled:
            self._tell(False, encounter)
            with trio.CancelScope(shield=True):
                await encounter.done.wait()  # Stopped unwinds it at once
            raise
        if encounter.error is not None:
            raise encounter.error
        return encounter.value

    def quit(self) -> None:
        """Tell the thread to stop every encounter left and return."""
        with self._lock:
            self._quitting = True
        self._wake()

    def _tell(self, start: bool, encounter: _Encounter) -> None:
        with self._lock:
            self._inbox.append((start, encounter))
        self._wake()

    def _wake(self) -> None:
        with suppress(BlockingIOError):  # the pipe is full: the loop wakes anyway
            os.write(self._wake_writing, b".")

    def close(self) -> None:
        """Release the epoll and the pipe (after `run` has returned)."""
        self._epoll.close()
        os.close(self._wake_reading)
        os.close(self._wake_writing)

    # The worker thread

    def run(self) -> None:
        """The loop: wait for sockets, the time limits and the trio side; step each encounter as its wait ends."""
        try:
            timeout = -1.0
            while True:
                events = self._epoll.poll(timeout)
                self._unhandled = len(events)
                for fd, _ in events:
                    self._unhandled -= 1
                    if fd == self._wake_reading:
                        if self._take_inbox():
                            return
                    else:
                        encounter = self._parked.get(fd)
                        if encounter is not None:
                            self._ready(encounter, fd)
                        else:
                            self._stray(fd)
                timeout = self._expire()
                if timeout > LONGEST_WAIT:  # the system call's limit: the loop wakes, finds nothing expired, and waits on
                    timeout = LONGEST_WAIT
        except BaseException as error:  # a fault of the loop itself: no encounter may wait forever for it
            for encounter in list(self._waiting):
                self._unpark(encounter)
                self._finish(encounter, None, error)
            raise
        finally:
            step_in(None)  # the thread may serve trio again

    def _expire(self) -> float:
        """Throw DeadlinePassed into every encounter whose time limit has passed; the seconds until the next one (-1: none).

        Those thrown into may wait again under new limits, which are looked at in turn.
        """
        while True:
            moment = time.monotonic()
            nearest = None
            expired = []
            for encounter in self._waiting:
                deadline = encounter.deadline
                if deadline is None:
                    continue
                if deadline <= moment:
                    expired.append(encounter)
                elif nearest is None or deadline < nearest:
                    nearest = deadline
            if not expired:
                return -1.0 if nearest is None else nearest - moment
            for encounter in expired:
                scope = encounter.shell.passed(moment)
                assert scope is not None
                self._resume(encounter, DeadlinePassed(scope))

    def _take_inbox(self) -> bool:
        """Start and stop what the trio side asked for; whether to quit."""
        with suppress(BlockingIOError):
            while os.read(self._wake_reading, 4096):
                pass
        with self._lock:
            told, self._inbox = self._inbox, []
            quitting = self._quitting
        for start, encounter in told:
            if start:
                self._step(encounter)
            elif encounter in self._waiting:
                self._resume(encounter, Stopped())
        if quitting:
            for encounter in list(self._waiting):
                self._resume(encounter, Stopped())
        return quitting

    def _resume(self, encounter: _Encounter, what: int | BaseException | None = None) -> None:
        """Step `encounter` on: with the descriptor that is ready, or throwing the exception in."""
        self._unpark(encounter)
        self._step(encounter, what)

    def _ready(self, encounter: _Encounter, fd: int) -> None:
        """`_resume(encounter, fd)` written out for the usual case: the referee waits again on sockets, for reading."""
        parked = self._parked
        for waited in encounter.waiting_on:
            if parked.get(waited) is encounter:
                del parked[waited]
        shell = encounter.shell
        shell.alone = self._wake_reading if not self._unhandled and len(self._waiting) == 1 else -1  # only this encounter waits
        step_in(shell)
        try:
            wait = encounter.coroutine.send(fd)
        except BaseException as error:  # noqa: BLE001 - it ended or failed: as in `_step`
            encounter.waiting_on = ()
            encounter.deadline = None
            self._waiting.pop(encounter, None)
            self._finish_after(encounter, error)
            return
        if type(wait) is not LoopWait or wait.events != select.EPOLLIN:
            encounter.waiting_on = ()
            self._waiting.pop(encounter, None)
            self._after_step(encounter, wait)
            return
        watched = encounter.watched
        descriptors = encounter.waiting_on = wait.descriptors
        for waited in descriptors:
            if watched.get(waited) != select.EPOLLIN:
                self._watch(encounter, waited, select.EPOLLIN)
            parked[waited] = encounter
        nearest = encounter.shell.nearest
        encounter.deadline = nearest[-1] if nearest else None
        self._waiting[encounter] = None  # kept in its place: the order of waiting encounters does not matter

    def _unpark(self, encounter: _Encounter) -> None:
        parked = self._parked
        for fd in encounter.waiting_on:
            if parked.get(fd) is encounter:
                del parked[fd]
        encounter.waiting_on = ()
        encounter.deadline = None
        self._waiting.pop(encounter, None)

    def _step(self, encounter: _Encounter, what: int | BaseException | None = None) -> None:
        """Run `encounter` until it waits again (parked) or ends (finished).

        The thread stays in the encounter's shell after the step (`step_in`):
        every step says whose it is, and `run` leaves none behind.
        """
        encounter.shell.alone = -1  # a start, or a throw: the loop may have more to do at once
        step_in(encounter.shell)
        try:
            wait = encounter.coroutine.throw(what) if isinstance(what, BaseException) else encounter.coroutine.send(what)
        except BaseException as error:  # noqa: BLE001 - the referee's own error, or Stopped: the trio side raises it (or Cancelled)
            self._finish_after(encounter, error)
            return
        self._after_step(encounter, wait)

    def _finish_after(self, encounter: _Encounter, error: BaseException | None) -> None:
        """The coroutine raised `error` from a step: its value (StopIteration) or its error is how the encounter ends."""
        if isinstance(error, StopIteration):
            self._finish(encounter, error.value, None)
        else:
            self._finish(encounter, None, error)

    def _after_step(self, encounter: _Encounter, wait: Any) -> None:
        """The coroutine yielded `wait`: park it, or end it if it awaited something other than the loop."""
        if type(wait) is LoopWait:
            self._park(encounter, wait)
        else:
            encounter.coroutine.close()
            self._finish(encounter, None, RuntimeError("a referee in the encounter loop awaited trio, not a player's socket"))

    def _park(self, encounter: _Encounter, wait: LoopWait) -> None:
        watched, parked, events = encounter.watched, self._parked, wait.events
        for fd in wait.descriptors:
            if watched.get(fd) != events:
                self._watch(encounter, fd, events)
            parked[fd] = encounter
        encounter.waiting_on = wait.descriptors
        nearest = encounter.shell.nearest
        encounter.deadline = nearest[-1] if nearest else None  # encounter.shell.deadline()
        self._waiting[encounter] = None

    def _watch(self, encounter: _Encounter, fd: int, events: int) -> None:
        """Have the epoll watch `fd` of `encounter` for `events` (level-triggered) from now until it changes or the encounter ends.

        A socket stays watched between waits, so that a wait costs no system
        call; one that is ready while nobody waits for it is `_stray`.
        """
        if fd in encounter.watched:
            self._epoll.modify(fd, events)
        else:
            self._epoll.register(fd, events)
        encounter.watched[fd] = events

    def _stray(self, fd: int) -> None:
        """`fd` is ready while its encounter waits for another: watch it for nothing until it is waited for again."""
        for encounter in self._waiting:
            if encounter.watched.get(fd):
                self._watch(encounter, fd, 0)
                return

    def _finish(self, encounter: _Encounter, value: Any, error: BaseException | None) -> None:
        for fd in encounter.watched:
            with suppress(OSError):  # closed already: the system forgot it
                self._epoll.unregister(fd)
        encounter.watched.clear()
        encounter.value, encounter.error = value, error
        with suppress(trio.RunFinishedError):  # nobody waits any more
            self._token.run_sync_soon(encounter.done.set)


@asynccontextmanager
async def encounter_loop() -> AsyncIterator[EncounterLoop]:
    """An EncounterLoop whose thread runs while the block does (the block's exceptions pass through as they are)."""
    token = trio.lowlevel.current_trio_token()
    loop = EncounterLoop(token)
    returned = trio.Event()

    def say_returned(_: object) -> None:  # in the loop's thread, when `run` has returned
        with suppress(trio.RunFinishedError):
            token.run_sync_soon(returned.set)

    # the thread runs in the context of the task that starts it: a room's log lines say its name (Remote.cli.LOG_ROOM)
    trio.lowlevel.start_thread_soon(partial(contextvars.copy_context().run, loop.run), say_returned, name="encounter loop")
    try:
        yield loop
    finally:
        loop.quit()
        with trio.CancelScope(shield=True):
            await returned.wait()
        loop.close()


@attrs.frozen
class InEncounterLoop:
    """`referee`, run in `loop` for each encounter between players on sockets (see the module's docstring); None: never."""

    referee: RefereeFunction
    loop: EncounterLoop | None

    async def __call__(self, first: Entrant, second: Entrant, encounter: Encounter = Encounter()) -> EncounterResult:
        playing = self.referee(first, second, encounter)
        if self.loop is not None and isinstance(playing, Coroutine) and _on_a_socket(first.player) and _on_a_socket(second.player):
            first.player.lent = second.player.lent = True  # the loop's thread alone reads their sockets now
            try:
                return await self.loop.play(playing)
            finally:
                first.player.lent = second.player.lent = False
        return await playing


def _on_a_socket(player: Any) -> bool:
    return isinstance(player, RemoteParticipant) and player.on_a_socket
