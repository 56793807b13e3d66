"""A file an arena appends to as its encounters end (games.ndjson, encounters.ndjson, crosstable.csv), never kept whole.

An arena never closes, so nothing that grows with its encounters may stay
in memory. `AppendedLines.add` takes an ended encounter's lines (without
newlines); with a path they wait in a buffer until `flush` (run in a thread
by the event log's writer, with the other exports) appends them to the
file. An indexed file (games.ndjson) remembers where each encounter's lines
start and how many bytes they take, 16 bytes an encounter, so that
`lines(encounter)` reads them back (the watch page's game records). Without
a path (a page watching an arena that keeps no log) only the lines of the
latest `RECENT_ENCOUNTERS` encounters are kept.

The object is shared by the event loop (`add`, `lines`, `text`,
`as_it_stands`), the writer's thread (`flush`) and whoever reads it whole
(`each_line`: the arena's Results, in a worker thread): a lock guards the
buffer, and the file only ever grows, so a range already flushed is read
without it.
"""

from __future__ import annotations

import collections
import os
import threading
from array import array
from collections.abc import Iterator
from pathlib import Path

RECENT_ENCOUNTERS = 1000
"""Without a path: how many of the latest encounters' lines are kept (for the watch page)."""
FLUSH_OVER = 1 << 20
"""Bytes the buffer may hold before `add` appends them itself, when `flush_inline` (a log folded at resume or rebuild)."""
READ_CHUNK = 1 << 20
"""Bytes read at a time when a file is read back whole, a line at a time."""
_ABSENT = -1


class AppendedLines:
    """The lines of an arena's ended encounters, appended to `path` (None: the latest ones kept in memory)."""

    def __init__(self, path: Path | None, header: str = "", indexed: bool = False, flush_inline: bool = False) -> None:
        """`header` opens the file (a CSV's header line, with its newline); the file is written anew at the first flush.
        `indexed`: each encounter's lines can be read back. `flush_inline`: `add` flushes once the buffer holds more
        than FLUSH_OVER bytes (nobody else will)."""
        self.path = path
        self.header = header
        self.indexed = indexed
        self.flush_inline = flush_inline
        self._mode = "wb"
        self._lock = threading.Lock()
        self._buffer = bytearray(header.encode())
        self._flushed = 0
        """Bytes in the file: the buffer holds what comes after them."""
        self._starts = array("q")
        self._sizes = array("q")
        self._recent: collections.OrderedDict[int, list[str]] = collections.OrderedDict()

    def add(self, encounter: int, lines: list[str]) -> None:
        """Encounter `encounter` ended with these lines (without newlines)."""
        if self.path is None:
            self._recent[encounter] = lines
            while len(self._recent) > RECENT_ENCOUNTERS:
                self._recent.popitem(last=False)
            return
        data = "".join(line + "\n" for line in lines).encode()
        with self._lock:
            start = self._flushed + len(self._buffer)
            self._buffer += data
        if self.indexed:
            if len(self._starts) <= encounter:
                missing = encounter + 1 - len(self._starts)
                self._starts.extend([_ABSENT] * missing)
                self._sizes.extend([0] * missing)
            self._starts[encounter], self._sizes[encounter] = start, len(data)
        if self.flush_inline and len(self._buffer) > FLUSH_OVER:
            self.flush()

    def flush(self) -> None:
        """Append what is buffered to the file, which the first flush writes anew (from any thread; nothing without a
        path)."""
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
        """The lines of ended encounter `encounter` (an indexed file's, or one kept in memory); None if it has not ended
        or is no longer kept."""
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
        return _lines_of(data.decode())

    def each_line(self) -> Iterator[str]:
        """Every line of the file so far (its header's too), in order, read one at a time: what is flushed, then what is
        buffered (from any thread: what is appended meanwhile is not read); without a path, the kept ones."""
        flushed, pending = self.as_it_stands()
        if flushed:
            assert self.path is not None  # only a file has bytes flushed
            with open(self.path, "rb") as file:
                for line in lines_in(file.fileno(), flushed):
                    yield line.decode()
        yield from _lines_of(pending.decode())

    def as_it_stands(self) -> tuple[int, bytes]:
        """The file as it stands: how many of its first bytes are flushed (read them from `path`: it only grows), and
        what is buffered after them (without a path: nothing flushed, the header and the kept lines)."""
        if self.path is None:
            return 0, self.text().encode()
        with self._lock:
            return self._flushed, bytes(self._buffer)

    def text(self) -> str:
        """The file as it stands, whole (without a path: the header and the kept lines); `each_line` reads it a line at
        a time."""
        if self.path is None:
            return self.header + "".join(line + "\n" for lines in self._recent.values() for line in lines)
        return "".join(line + "\n" for line in self.each_line())


def lines_in(fileno: int, size: int) -> Iterator[bytes]:
    """The lines (without their newlines) of the first `size` bytes of the open file `fileno`, which end with a newline,
    read a chunk at a time at their offsets: the file's own position, where another may be writing, is not moved."""
    offset, rest = 0, b""
    while offset < size:
        chunk = os.pread(fileno, min(READ_CHUNK, size - offset), offset)
        if not chunk:
            raise OSError(f"the file ends at {offset} bytes, not {size}")
        offset += len(chunk)
        *lines, rest = (rest + chunk).split(b"\n")
        yield from lines


def _lines_of(text: str) -> list[str]:
    """The lines of `text`, each ended by a newline: split there only (a JSON line may hold U+2028, a CSV cell a CR)."""
    return text.split("\n")[:-1]
