"""The event log's writer: one task owns a tournament's `events.ndjson`, its seq and the order of its events.

`"event log": DIR` gives each tournament a directory under DIR, named by a
sortable id (`20261201T120000Z-000000`: the time it started, and a count),
holding `events.ndjson`: one JSON object per line (docs/event-log.md). The server holds a lock on DIR for its
whole life, so a second server on the same directory is refused.

`EventLogWriter` is the manager's EventLog. `write` never waits: it stamps the
event with the next `seq` and the time, and queues it. The writer task
(`run`) takes whatever has queued, every BATCH_SECONDS or at once when
somebody awaits `durable`, appends it to the file, and for `durable` also
`fsync`s, in a thread, so that the event loop never
waits for the disk; everything that queued meanwhile goes in the next batch
(a group commit). Only then do the batch's events reach the live state (the
fold) and the subscribers (the watchers), so that nobody learns of an
encounter's end before it is on disk. After each batch with an encounter's
end, the exports are rewritten, at most once a second (less often when they
take long to render: at most 5 % of the time) and once more when the log closes:
`exports(state)`, on the event loop, renders them and returns the function that
writes them, which runs in a thread.

Without a directory (watching without a log) nothing is written; the
state and the subscribers are fed all the same.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, Protocol, TextIO, TypeVar, cast

import trio

from Admin.arena_state import ArenaState
from Admin.event_log import EventLog
from Admin.tournament_state import ENCOUNTER_END, MISBEHAVIOUR, RESULTS, STOP, TournamentState
from Remote.arena_exports import ArenaExports

EVENTS_FILE = "events.ndjson"
LOCK_FILE = ".lock"
TOURNAMENT_NAME = re.compile(r"\d{8}T\d{6}Z-\d{6}")
COUNTER_DIGITS = 6
BATCH_SECONDS = 0.02
"""How long events may wait in memory before they are written, unless somebody awaits `durable`."""
STOP_TIME_LIMIT = 1.0
"""Seconds a stop waits for the writer to put the `stop` event on disk."""
EXPORT_INTERVAL = 1.0
"""Seconds between two rewrites of the exports while encounters end, at least."""
EXPORT_SHARE = 20
"""...and at least this many times the time the last rendering took: the exports never take more than 5 % of the loop."""

_DURABLE = frozenset({ENCOUNTER_END, MISBEHAVIOUR, RESULTS, STOP})
"""The events that are synced as soon as they are written: nobody may learn of them before they are on disk."""

_ENCODE = json.JSONEncoder(separators=(",", ":"), check_circular=False, allow_nan=False).encode
"""One event as its line: compact, and never a NaN or an infinity (which strict readers refuse)."""


class FoldedState(Protocol):
    """A log's fold, which the writer keeps up to date: a tournament's (Admin/tournament_state.py) or an arena's
    (Admin/arena_state.py)."""

    last_seq: int

    def apply(self, event: dict[str, Any], shaped: bool = False) -> None: ...


State = TypeVar("State", bound=FoldedState)

Subscriber = Callable[[list[dict[str, Any]], list[str]], None]
"""Told each durable batch: its events and their lines (each serialised once, without newline)."""


class EventLogError(Exception):
    """The event log cannot be used; the message is one line for the organiser."""


class LogDirectory:
    """DIR of `"event log": DIR`, locked by this process: one directory per tournament inside."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.mkdir(parents=True, exist_ok=True)
            self._lock = open(path / LOCK_FILE, "a")  # noqa: SIM115 - held for the server's life
        except OSError as error:
            raise EventLogError(f"cannot use {path} as the event log: {error.strerror or error}") from None
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            self._lock.close()
            if error.errno in (errno.EWOULDBLOCK, errno.EACCES):
                raise EventLogError(f"another server is using the event log {path}") from None
            raise EventLogError(f"cannot lock the event log {path}: {error.strerror or error}") from None
        try:
            self._probe()
        except OSError as error:
            self._lock.close()
            raise EventLogError(f"cannot write in the event log {path}: {error.strerror or error}") from None

    def _probe(self) -> None:
        """Make what a tournament makes, a directory with a file in it (names as long as its), and remove it again.

        So a directory that takes no new entries (read-only, immutable, on a full disk) is refused at
        start, not when the sign-up window closes and the players are waiting.
        """
        probe = self.path / f".probe-{os.getpid():0{COUNTER_DIGITS + 10}d}"  # as long as a tournament's name
        probe.mkdir(exist_ok=True)
        try:
            (probe / EVENTS_FILE).write_bytes(b"")
            (probe / EVENTS_FILE).unlink()
        finally:
            probe.rmdir()

    def close(self) -> None:
        self._lock.close()

    def tournaments(self) -> list[Path]:
        """The tournaments' directories, oldest first (their names sort by time)."""
        return [self.path / name for name in self._names() if (self.path / name / EVENTS_FILE).exists()]

    def newest(self) -> Path | None:
        tournaments = self.tournaments()
        return tournaments[-1] if tournaments else None

    def new_tournament(self, now: float | None = None) -> Path:
        """A new, empty directory for a tournament that starts `now`, named so that it sorts after every other.

        If the clock was set back, the name continues the newest one's count instead.
        """
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if now is None else now))
        name = f"{stamp}-{0:0{COUNTER_DIGITS}d}"
        names = self._names()
        if names and name <= names[-1]:
            newest_stamp, _, counter = names[-1].rpartition("-")
            name = f"{newest_stamp}-{int(counter) + 1:0{COUNTER_DIGITS}d}"
        directory = self.path / name
        directory.mkdir()
        return directory

    def _names(self) -> list[str]:
        """The names of the tournaments' directories, sorted (other entries of DIR are left alone)."""
        return sorted(entry.name for entry in self.path.iterdir() if TOURNAMENT_NAME.fullmatch(entry.name) and entry.is_dir())


class EventLogWriter(EventLog, Generic[State]):
    """A tournament's events: numbered, written in order, made durable on demand, then folded and published.

    `directory` None: nothing is written. `state` and `seq` continue a log
    that already holds events (a resumed tournament). `crash_after` is a
    test's hook: after the event with that seq is written (and synced), the
    log writes nothing more and calls `on_crash`, as if the process died.
    """

    def __init__(
        self,
        directory: Path | None,
        state: State | None = None,
        exports: Callable[[State], Callable[[], None]] | None = None,
        crash_after: int | None = None,
        on_crash: Callable[[], None] = lambda: None,
        arena_exports: ArenaExports | None = None,
    ) -> None:
        self.directory = directory
        self.arena_exports = arena_exports
        """An arena's appended files, which the watch page serves (and reads game records from)."""
        self.tournament = None if directory is None else directory.name
        self.state: State = state if state is not None else cast(State, TournamentState())
        self.seq = self.state.last_seq
        if isinstance(self.state, ArenaState):
            self.state.served = True  # it forgets after each batch (`_publish`): the subscribers read the encounters it ended
        self.subscribers: list[Subscriber] = []
        self._exports = exports
        self._crash_after = crash_after
        self._on_crash = on_crash
        self.crashed = False
        self._closed = False
        self._file: TextIO | None = None
        if directory is not None:
            self._file = open(directory / EVENTS_FILE, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()
        self._queued: list[dict[str, Any]] = []
        self._numbering = threading.Lock()
        self._wake = trio.Event()
        self._written_seq = self._synced_seq = self.seq
        self._durable_now = trio.Event()
        self._sync_wanted = False
        self._exports_due = False
        self._exported_at = -float("inf")
        self._export_interval = EXPORT_INTERVAL

    def write(self, event: dict[str, Any]) -> None:
        """Queue `event` with the next seq; from any thread (a referee may run in a worker thread).

        Its `t` is the time now, unless it carries its own (an arena's events carry the time its matchmaking read).
        """
        with self._numbering:
            if self.crashed or self._closed:
                return
            self.seq += 1
            self._queued.append({"seq": self.seq, "t": round(time.time(), 3), **event})

    async def durable(self) -> None:
        target = self.seq
        while self._synced_seq < target and not self.crashed:
            self._sync_wanted = True
            self._wake.set()
            await self._durable_now.wait()

    async def run(self) -> None:
        """The writer task: batch after batch, until cancelled; then whatever queued is written and synced."""
        try:
            while True:
                with trio.move_on_after(BATCH_SECONDS):  # a batch: whatever queued meanwhile, or at once for `durable`
                    await self._wake.wait()
                self._wake = trio.Event()
                if self._queued or self._sync_wanted:
                    await self._write_batch()
        finally:
            self.flush()

    def flush(self) -> None:
        """Write and sync whatever has queued, now, without the event loop (at a stop: the last events)."""
        batch, lines, _ = self._take_batch()
        self._store(lines, True)
        self._publish(batch, lines, True)
        if self._exports_due and self._exports is not None:
            self._exports(self.state)()
            self._exports_due = False

    async def stop(self, reason: str) -> None:
        """The server is being stopped: a `stop` event, on disk (within a second), then nothing more."""
        self.write({"type": STOP, "reason": reason})
        self._closed = True  # the tournament goes on until the stop reaches it: nothing after `stop` is written
        with trio.move_on_after(STOP_TIME_LIMIT):
            await self.durable()
        self.close()

    def close(self) -> None:
        """Write what has queued; later events are not written (the tournament stopped or ended)."""
        self.flush()
        self._closed = True
        if self._file is not None:
            self._file.close()
            self._file = None

    def _take_batch(self) -> tuple[list[dict[str, Any]], list[str], bool]:
        with self._numbering:
            batch, self._queued = self._queued, []
        if self._crash_after is not None and batch and batch[-1]["seq"] >= self._crash_after:
            batch = [event for event in batch if event["seq"] <= self._crash_after]
        sync, self._sync_wanted = self._sync_wanted, False
        sync = sync or any(event["type"] in _DURABLE for event in batch)
        return batch, [_ENCODE(event) for event in batch], sync

    async def _write_batch(self) -> None:
        batch, lines, sync = self._take_batch()
        stored = self._file is None or not (batch or sync)
        try:
            if not stored:
                await trio.to_thread.run_sync(self._store, lines, sync)
                stored = True
        finally:  # also when cancelled while the thread wrote: the batch is on disk, so it is published
            if stored:
                self._publish(batch, lines, sync)
        if self._exports_due and self._exports is not None and trio.current_time() - self._exported_at >= self._export_interval:
            self._exports_due = False
            rendering = time.perf_counter()
            write = self._exports(self.state)
            self._export_interval = max(EXPORT_INTERVAL, EXPORT_SHARE * (time.perf_counter() - rendering))
            self._exported_at = trio.current_time()
            await trio.to_thread.run_sync(write)

    def _store(self, lines: list[str], sync: bool) -> None:
        """Append `lines` to the file; with `sync`, wait until the disk has them."""
        if self._file is None:
            return
        if lines:
            self._file.write("\n".join(lines) + "\n")
            self._file.flush()
        if sync:
            os.fsync(self._file.fileno())

    def _publish(self, batch: list[dict[str, Any]], lines: list[str], synced: bool) -> None:
        """The batch is stored (`synced`: on disk): fold it into the state, tell the subscribers, wake who waits."""
        for event in batch:
            self.state.apply(event, shaped=True)  # made here: its shape is ours
            if event["type"] in (ENCOUNTER_END, RESULTS):
                self._exports_due = True
        for subscriber in self.subscribers:
            subscriber(batch, lines)
        if isinstance(self.state, ArenaState):  # the subscribers have read each encounter of the batch that ended
            self.state.forget_ended()
        if batch:
            self._written_seq = batch[-1]["seq"]
        if synced:
            self._synced_seq = self._written_seq
        if self._crash_after is not None and self._written_seq >= self._crash_after and not self.crashed:
            self.crashed = True
            self._on_crash()
        self._durable_now.set()
        self._durable_now = trio.Event()
