"""An arena's games.ndjson as it grows: each ended encounter's game lines appended, and found again by the encounter.

An arena never closes, so nothing that grows with its encounters may stay
in memory. Its fold (Admin/arena_state.py) hands each ended encounter's
games to `ArenaGames.add` as games.ndjson lines, in the order the
encounters end. With a directory they wait in a buffer until `flush` (run
in a thread by the event log's writer, with the other exports) appends
them to the file; what is remembered of each encounter is where its lines
start in the file and how many bytes they take, 16 bytes an encounter.
`lines(encounter)` reads them back (the watch page's game records and
replays). Without a directory (a page watching an arena that keeps no log)
only the games of the latest `RECENT_ENCOUNTERS` encounters are kept.

The object is shared by the event loop (`add`, `lines`) and the writer's
thread (`flush`); a lock guards the buffer, and the file is only ever
appended to, so a reader of a range already flushed needs no lock.
"""

from __future__ import annotations

import collections
import os
import threading
from array import array
from pathlib import Path

RECENT_ENCOUNTERS = 1000
"""Without a directory: how many of the latest encounters' games are kept for the watch page."""
FLUSH_OVER = 1 << 20
"""Bytes the buffer may hold before `add` appends them itself (folding a log at resume, where no writer flushes)."""
_ABSENT = -1


class ArenaGames:
    """The games of an arena's ended encounters: appended to `path` (None: the latest ones kept in memory)."""

    def __init__(self, path: Path | None, fresh: bool = True, flush_inline: bool = False) -> None:
        """`fresh`: `path` is written anew at the first flush (a resumed arena's fold writes it again from its log);
        `flush_inline`: `add` flushes itself once the buffer is over FLUSH_OVER bytes (nobody else will)."""
        self.path = path
        self.flush_inline = flush_inline
        self._mode = "wb" if fresh else "ab"
        self._lock = threading.Lock()
        self._buffer = bytearray()
        self._flushed = 0 if fresh or path is None or not path.exists() else path.stat().st_size
        """Bytes in the file: the buffer holds what comes after them."""
        self._starts = array("q")
        self._sizes = array("q")
        self._recent: collections.OrderedDict[int, list[str]] = collections.OrderedDict()

    def add(self, encounter: int, lines: list[str]) -> None:
        """Encounter `encounter` ended with these games (their lines, without newlines, in game order)."""
        if self.path is None:
            self._recent[encounter] = lines
            while len(self._recent) > RECENT_ENCOUNTERS:
                self._recent.popitem(last=False)
            return
        data = "".join(line + "\n" for line in lines).encode()
        with self._lock:
            start = self._flushed + len(self._buffer)
            self._buffer += data
        if len(self._starts) <= encounter:
            missing = encounter + 1 - len(self._starts)
            self._starts.extend([_ABSENT] * missing)
            self._sizes.extend([0] * missing)
        self._starts[encounter], self._sizes[encounter] = start, len(data)
        if self.flush_inline and len(self._buffer) > FLUSH_OVER:
            self.flush()

    def flush(self) -> None:
        """Append what is buffered to the file (from any thread; nothing without a directory)."""
        if self.path is None:
            return
        with self._lock:
            data = bytes(self._buffer)
        if not data and self._mode == "ab":
            return
        with open(self.path, self._mode) as file:
            file.write(data)
        self._mode = "ab"
        with self._lock:
            del self._buffer[: len(data)]
            self._flushed += len(data)

    def lines(self, encounter: int) -> list[str] | None:
        """The game lines of ended encounter `encounter`, in game order; None if it has not ended or is no longer kept."""
        if self.path is None:
            return self._recent.get(encounter)
        if encounter >= len(self._starts) or self._starts[encounter] == _ABSENT:
            return None
        start, size = self._starts[encounter], self._sizes[encounter]
        with self._lock:
            buffered = start - self._flushed
            data = bytes(self._buffer[buffered : buffered + size]) if buffered >= 0 else None
        if data is None:  # flushed: the file only grows, so no lock is needed
            with open(self.path, "rb") as file:
                data = os.pread(file.fileno(), size, start)
        return data.decode().splitlines()

    def text(self) -> str:
        """games.ndjson as it stands: the file and the buffer (without a directory, the kept encounters' lines)."""
        if self.path is None:
            return "".join(line + "\n" for lines in self._recent.values() for line in lines)
        with self._lock:
            pending = bytes(self._buffer)
            flushed = self._flushed
        written = b""
        if flushed:
            with open(self.path, "rb") as file:
                written = file.read(flushed)
        return (written + pending).decode()
