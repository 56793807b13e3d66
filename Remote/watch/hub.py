"""The watch hub: one tournament's events fanned out to every watcher without ever waiting for one.

The hub subscribes to the tournament's EventLogWriter (`attach`). Each batch of
events the log makes durable becomes, once, one chunk of SSE frames (each
event's line as the log serialised it), which is offered to every watcher's
queue; offering never waits. A watcher's queue holds at most its
`queue_bytes`: past that it is emptied and the watcher is sent a fresh
snapshot when its writer catches up, and a watcher that overflows again
within `overflow_grace` seconds is dropped. The chunks are shared by all
queues, so the memory they hold is at most one watcher's limit plus a
snapshot each.

A watcher that comes back with the id of the last event it saw (`watch`
with `resume_from`) is sent the events after it: from the recent frames kept
in memory, else from the log file (line k is seq k), else a fresh snapshot.
It is registered in the same step as its catching up is decided, so that
nothing falls between the catching up and the queue, and nothing is twice.

Frames are handed out at most every FLUSH_INTERVAL (`keep_flushing`), so
that a watcher costs one write per interval however small the batches; a
new watcher first flushes what is pending to the others.

The standings are derived, not logged: after a batch that ends an encounter
(or revises, or puts a player out) `keep_standings` computes them in a
thread from a copy of the state, at most once a second, and offers them to
everyone as a `standings` frame, through the same `flush` as the events.
For a format played in stages they carry the summary so far beside the
game's rows: the ratings with their intervals and the format's summary of
its ended stages (snapshot.standings_json), computed in the same thread.
"""

from __future__ import annotations

import collections
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import attrs
import trio

from Admin.arena_state import ArenaState
from Admin.tournament_state import ENCOUNTER_END, MISBEHAVIOUR, RESULTS, RESUME, REVISION, TournamentState
from Remote.arena_exports import ArenaExports
from Remote.game_description import Game
from Remote.watch.snapshot import (
    Places,
    Words,
    changed_words,
    encounter_places,
    encounter_ratings,
    encounter_words,
    frozen_for_standings,
    snapshot_json,
    standings_json,
)
from Remote.watch.sse import event_frame, http_chunk, snapshot_frame, standings_frame

log = logging.getLogger("xserver.watch")

EVENTS_FILE = "events.ndjson"
FLUSH_INTERVAL = 0.2
"""Seconds between two hand-outs of the frames published meanwhile: a watcher gets one write per interval, not one per batch."""
STANDINGS_INTERVAL = 1.0
"""Seconds between two computations of the standings."""
FINISH_GRACE = 2.0
"""Seconds the watchers have, when the server ends, to take what is left and the end of their streams."""
REPLAY_BYTES = 1 << 20
"""How much of the log file one read takes, when a watcher catches up from it."""
_CHANGES_STANDINGS = frozenset({ENCOUNTER_END, REVISION, MISBEHAVIOUR, RESULTS, RESUME})


class ServerEnding(Exception):
    """The server is ending: the watcher has had everything, and its stream ends here (the body's last chunk)."""


class Dropped(Exception):
    """The watcher fell behind twice in a short time (or the hub let it go): its stream ends."""


@attrs.frozen
class LogRange:
    """Events `first` to `last` of a tournament's log file, to be read when a watcher catches up."""

    path: Path
    first: int
    last: int


class Watcher:
    """One open event stream: a bounded queue of shared chunks, which its writer task empties."""

    def __init__(self, hub: WatchHub, address: str, queue_bytes: int, overflow_grace: float) -> None:
        self.hub = hub
        self.address = address
        self.limit = queue_bytes
        self.grace = overflow_grace
        self.pending = 0
        self.peak = 0
        """The most bytes that ever waited in the queue (never above `limit`)."""
        self.needs_snapshot = False
        self.dropped = False
        self.overflows = 0
        self._chunks: collections.deque[bytes] = collections.deque()
        self._wake = trio.Event()
        self._last_overflow: float | None = None
        self.scope: trio.CancelScope | None = None
        """The writer's scope: cancelled when the watcher is dropped."""

    def offer(self, chunk: bytes) -> None:
        """Queue `chunk` without waiting; an overflow asks for a snapshot instead, or drops the watcher."""
        if self.dropped or self.needs_snapshot:
            return
        if self.pending + len(chunk) > self.limit:
            self._overflow()
            return
        self._chunks.append(chunk)
        self.pending += len(chunk)
        self.peak = max(self.peak, self.pending)
        self._wake.set()

    def resnapshot(self) -> None:
        """Forget what is queued: the next thing this watcher is sent is a fresh snapshot."""
        self._chunks.clear()
        self.pending = 0
        self.needs_snapshot = True
        self._wake.set()

    def drop(self) -> None:
        self.dropped = True
        self._chunks.clear()
        self.pending = 0
        self._wake.set()
        if self.scope is not None:
            self.scope.cancel()

    def _overflow(self) -> None:
        now = trio.current_time()
        self.overflows += 1
        self.hub.overflows += 1
        if self._last_overflow is not None and now - self._last_overflow < self.grace:
            log.info("watch: dropped a watcher from %s: it fell behind twice within %g s", self.address, self.grace)
            self.hub.dropped += 1
            self.drop()
            return
        self._last_overflow = now
        self.resnapshot()

    def wake(self) -> None:
        self._wake.set()

    async def next(self, timeout: float) -> bytes | None:  # noqa: ASYNC109 - None after `timeout` is the keep-alive cue, not a cancellation
        """What to send next, as chunks of the HTTP body (a snapshot when one is due), or None after `timeout` seconds of nothing.

        Dropped when the watcher was dropped; ServerEnding once the hub is finishing and nothing is left to send.
        """
        with trio.move_on_after(timeout):
            while not (self._chunks or self.needs_snapshot or self.dropped or self.hub.finishing):
                self._wake = trio.Event()
                await self._wake.wait()
        if self.dropped:
            raise Dropped
        if self.needs_snapshot:
            self.needs_snapshot = False
            return http_chunk(self.hub.snapshot_bytes())
        if not self._chunks:
            if self.hub.finishing:
                raise ServerEnding
            return None
        data = b"".join(self._chunks)
        self._chunks.clear()
        self.pending = 0
        return data


class WatchHub:
    """The tournament being watched, its recent frames, and everyone watching it."""

    def __init__(self, memory_bytes: int = 4 << 20) -> None:
        self.run = 0
        """How many tournaments have been attached: the `run` of the snapshots, 0 before the first."""
        self.state: TournamentState | ArenaState = TournamentState()
        self.game: Game | None = None
        self.directory: Path | None = None
        self.memory_bytes = memory_bytes
        self.watchers: set[Watcher] = set()
        self.per_address: collections.Counter[str] = collections.Counter()
        self.standings: dict[str, Any] | None = None
        self._event_log: Any = None
        self._recent: collections.deque[tuple[int, bytes]] = collections.deque()
        self._recent_bytes = 0
        self._words: dict[int, Words | None] = {}
        self._places: dict[int, Places | None] | None = None
        """For a game seating more than two, each ended encounter's places (None for a game of two)."""
        self._snapshot: tuple[tuple[int, int, int], bytes] | None = None
        self._standings_version = 0
        self._standings_due = trio.Event()
        self._replays = trio.CapacityLimiter(2)
        self._pending: list[bytes] = []
        self._flush_due = trio.Event()
        self.finishing = False
        """The server is ending (`finish`): each watcher is sent what is left, then the end of its stream."""
        self._left = trio.Event()
        self.snapshots = self.from_memory = self.from_file = self.overflows = self.dropped = 0
        """Counters, for the tests and the benchmark: snapshots built, catch-ups from memory and from the log, overflows, drops."""

    # -- the tournament ---------------------------------------------------

    @property
    def arena_exports(self) -> ArenaExports | None:
        """An arena's appended files, where its ended encounters are (None: a tournament's, whose state holds them)."""
        return None if self._event_log is None else self._event_log.arena_exports

    def attach(self, event_log: Any, game: Game) -> None:
        """Watch the tournament that `event_log` records (an EventLogWriter); every watcher gets a fresh snapshot of it."""
        if self._event_log is not None and self._publish in self._event_log.subscribers:
            self._event_log.subscribers.remove(self._publish)
        self.run += 1
        self._event_log = event_log
        self.game = game
        self.state = event_log.state
        self.directory = event_log.directory
        self._recent.clear()
        self._recent_bytes = 0
        self._pending.clear()
        ended = [index for index, encounter in self.state.encounters.items() if encounter.ended]
        self._words = {index: encounter_words(self.state, index, game) for index in ended}
        self._places = {index: encounter_places(self.state, index, game) for index in ended} if game.group_game else None
        self.standings = None
        self._standings_version += 1
        self._standings_due.set()
        event_log.subscribers.append(self._publish)
        for watcher in self.watchers:
            watcher.resnapshot()

    def _publish(self, events: list[dict[str, Any]], lines: list[str]) -> None:
        """The EventLogWriter's subscriber: frame the batch once and offer it to everyone. Never raises, never waits."""
        if not events:
            return
        try:
            game = self.game
            assert game is not None  # attach sets it before it subscribes
            frames = []
            for event, line in zip(events, lines, strict=True):
                index = changed_words(event)
                if index is None:
                    frame = event_frame(event["seq"], line.encode())
                else:
                    self._words[index] = encounter_words(self.state, index, game)
                    if self._places is not None:
                        self._places[index] = encounter_places(self.state, index, game)
                    frame = self._frame_with_words(event["seq"], line.encode(), index)
                frames.append(frame)
                self._remember(event["seq"], frame)
                if event["type"] in _CHANGES_STANDINGS:
                    self._standings_due.set()
            self._pending.extend(frames)
            self._flush_due.set()
            if len(self._words) > 2 * len(self.state.encounters) + 64:  # an arena forgets its older encounters: so do they
                self._forget_words()
        except Exception:  # a bug of ours here must not stop the tournament: the watchers start over
            log.exception("watch: could not publish events %s..%s", events[0].get("seq"), events[-1].get("seq"))
            self._pending.clear()
            for watcher in list(self.watchers):
                watcher.resnapshot()

    def _forget_words(self) -> None:
        kept = self.state.encounters
        self._words = {index: words for index, words in self._words.items() if index in kept}
        if self._places is not None:
            self._places = {index: places for index, places in self._places.items() if index in kept}

    def _frame_with_words(self, seq: int, line: bytes, index: int) -> bytes:
        """The frame of an event that changes encounter `index`'s words: with them, its places (a game seating more than two)
        and its players' ratings after it (an arena's)."""
        arena = isinstance(self.state, ArenaState)
        places = None if self._places is None else self._places.get(index)
        ratings = encounter_ratings(self.state, index) if arena and index in self.state.encounters else None
        return event_frame(
            seq,
            line,
            self._words.get(index),
            with_words=True,
            places=places,
            with_places=self._places is not None,
            ratings=ratings,
            with_ratings=arena,
        )

    def flush(self) -> None:
        """Offer everything published since the last flush to every watcher, as one HTTP chunk shared by all.

        The one place where frames become bytes of the watchers' chunked bodies: a frame offered
        any other way would reach the wire without its chunk-size line.
        """
        if self._pending:
            chunk = http_chunk(b"".join(self._pending))
            self._pending.clear()
            for watcher in list(self.watchers):
                watcher.offer(chunk)

    async def keep_flushing(self) -> None:
        """Forever: hand out what was published, at most once per FLUSH_INTERVAL (many small batches, one write)."""
        while True:
            await self._flush_due.wait()
            self._flush_due = trio.Event()
            self.flush()
            await trio.sleep(FLUSH_INTERVAL)

    def _remember(self, seq: int, frame: bytes) -> None:
        self._recent.append((seq, frame))
        self._recent_bytes += len(frame)
        while self._recent_bytes > self.memory_bytes and len(self._recent) > 1:
            self._recent_bytes -= len(self._recent.popleft()[1])

    # -- watchers ---------------------------------------------------------

    def watch(
        self, address: str, queue_bytes: int, overflow_grace: float, resume_from: int | None = None
    ) -> tuple[Watcher, list[bytes | LogRange]]:
        """A new watcher, registered now, and what it must be sent before its queue: a snapshot, or the events after `resume_from`."""
        self.flush()  # what was published before now goes to the others: this one catches up on it below
        watcher = Watcher(self, address, queue_bytes, overflow_grace)
        self.watchers.add(watcher)
        self.per_address[address] += 1
        return watcher, self._catching_up(resume_from)

    def leave(self, watcher: Watcher) -> None:
        if watcher in self.watchers:
            self.watchers.discard(watcher)
            self._left.set()
            self.per_address[watcher.address] -= 1
            if self.per_address[watcher.address] <= 0:
                del self.per_address[watcher.address]

    def _catching_up(self, resume_from: int | None) -> list[bytes | LogRange]:
        last = self.state.last_seq
        if resume_from is None or not 0 <= resume_from <= last or self.run == 0:
            return [self.snapshot_bytes()]
        standings: list[bytes | LogRange] = [standings_frame(self.standings)] if self.standings is not None else []
        if resume_from == last:
            return standings
        if self._recent and self._recent[0][0] <= resume_from + 1:
            self.from_memory += 1
            return [*standings, b"".join(frame for seq, frame in self._recent if seq > resume_from)]
        arena = isinstance(self.state, ArenaState)  # an arena's older encounters are forgotten: a snapshot says what they add up to
        if self.directory is not None and (self.directory / EVENTS_FILE).exists() and not arena:
            self.from_file += 1
            return [*standings, LogRange(self.directory / EVENTS_FILE, resume_from + 1, last)]
        return [self.snapshot_bytes()]

    def snapshot_bytes(self) -> bytes:
        """The snapshot frame of the state now; built once per event and standings, whoever asks."""
        key = (self.run, self.state.last_seq, self._standings_version)
        if self._snapshot is None or self._snapshot[0] != key:
            self.snapshots += 1
            seats = (2, 2) if self.game is None else self.game.players_per_encounter
            shown = snapshot_json(self.state, self.run, self._words, self.standings, self._places, seats)
            self._snapshot = (key, snapshot_frame(shown))
        return self._snapshot[1]

    async def replay(self, part: LogRange) -> AsyncIterator[bytes]:
        """The frames of the events of `part`, read from the log file a megabyte at a time, off the event loop.

        Dropped (so that the watcher starts over) if a line is not the event its place says.
        """
        offset, number = 0, 1
        while number <= part.last:
            async with self._replays:
                lines, offset, number = await trio.to_thread.run_sync(_read_lines, part, offset, number)
            if not lines:
                raise Dropped
            frames = []
            for seq, line in lines:
                if not line.startswith(b'{"seq":%d,' % seq):
                    log.warning("watch: line %d of %s is not event %d; the watcher starts over", seq, part.path, seq)
                    raise Dropped
                index = _changed_words_of_line(line)
                frames.append(event_frame(seq, line) if index is None else self._frame_with_words(seq, line, index))
            if frames:
                yield b"".join(frames)

    # -- standings --------------------------------------------------------

    async def keep_standings(self) -> None:
        """Forever: after events that change them, the standings, computed in a thread, at most once a second."""
        while True:
            await self._standings_due.wait()
            self._standings_due = trio.Event()
            run, game = self.run, self.game
            if game is None:
                continue
            frozen = frozen_for_standings(self.state)
            try:
                standings = await trio.to_thread.run_sync(standings_json, frozen, game)
            except Exception:  # a bug of ours: no standings this time, the tournament goes on
                log.exception("watch: could not compute the standings")
                standings = None
            if run == self.run and standings is not None:
                self._offer_standings(standings)
            await trio.sleep(STANDINGS_INTERVAL)

    def _offer_standings(self, standings: dict[str, Any]) -> None:
        self.standings = standings
        self._standings_version += 1
        self._pending.append(standings_frame(standings))  # after the events they follow, in the same chunk
        self.flush()

    async def finish(self, grace: float = FINISH_GRACE) -> None:
        """The server is ending: every watcher is sent what was published, the standings as of the end, then the end of
        its stream (the body's last chunk), instead of a close in the middle of it; at most `grace` seconds."""
        if self.game is not None and self._standings_due.is_set():  # the Results came after the last standings
            self._standings_due = trio.Event()
            standings = standings_json(frozen_for_standings(self.state), self.game)
            if standings is not None:  # none before the roster: nothing to rank
                self._offer_standings(standings)
        self.flush()
        self.finishing = True
        for watcher in list(self.watchers):
            watcher.wake()
        with trio.move_on_after(grace):
            while self.watchers:
                self._left = trio.Event()
                await self._left.wait()

    def drop_all(self) -> None:
        """End every event stream (their pages reconnect and catch up)."""
        for watcher in list(self.watchers):
            watcher.drop()


def _read_lines(part: LogRange, offset: int, number: int) -> tuple[list[tuple[int, bytes]], int, int]:
    """From byte `offset`, which starts line `number`: the lines of `part` in about a megabyte, the next offset and line number."""
    found: list[tuple[int, bytes]] = []
    size = 0
    with open(part.path, "rb") as file:
        file.seek(offset)
        for raw in file:
            if number > part.last or (size >= REPLAY_BYTES and found):
                break
            offset += len(raw)
            if not raw.endswith(b"\n"):
                break  # a line still being written: it is past `last`
            if number >= part.first:
                found.append((number, raw[:-1]))
                size += len(raw)
            number += 1
    return found, offset, number


def _changed_words_of_line(line: bytes) -> int | None:
    """The encounter whose words a log line changes (see snapshot.changed_words), parsing only the lines that may."""
    if b'"type":"encounter-end"' not in line and b'"type":"revision"' not in line:
        return None
    return changed_words(json.loads(line))
