"""Log lines that repeat, summarised: the first is logged at once, the others are counted.

A flood of 2,000 connections closed for the same reason makes two lines, not
2,000: `a connection was closed: REASON` when the first one is, and `... and
1,999 more connections closed: REASON` when the owner calls `flush` (the
sign-up window does as it closes), or at the next repeat once `every` seconds
have passed since the last summary, so that a long flood shows up while it
lasts. Lines are the same when their detail (the reason) is the same.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import attrs

SUMMARY_SECONDS = 5.0


@attrs.define
class RepeatedLines:
    """Logs `first` with a detail the first time that detail comes; counts it when it comes again.

    `first` has one `{}` for the detail; `one_more` and `many_more` name what
    is counted (`connection closed`, `connections closed`).
    """

    logger: logging.Logger
    first: str
    one_more: str
    many_more: str
    every: float = SUMMARY_SECONDS
    clock: Callable[[], float] = time.monotonic
    level: int = logging.INFO
    _seen: set[str] = attrs.field(factory=set, init=False)
    _unlogged: dict[str, int] = attrs.field(factory=dict, init=False)  # repeats not yet summarised, by detail
    _last_summary: float | None = attrs.field(default=None, init=False)

    def note(self, detail: str) -> None:
        """One more occurrence of the line with `detail`."""
        if self._last_summary is None:
            self._last_summary = self.clock()
        if detail not in self._seen:
            self._seen.add(detail)
            self.logger.log(self.level, self.first.format(detail))
            return
        self._unlogged[detail] = self._unlogged.get(detail, 0) + 1
        if self.clock() - self._last_summary >= self.every:
            self.flush()

    def flush(self) -> None:
        """Log one summary line for each detail that repeated since the last summary."""
        for detail, count in self._unlogged.items():
            counted = self.one_more if count == 1 else self.many_more
            self.logger.log(self.level, "... and %s more %s: %s", f"{count:,}", counted, detail)
        self._unlogged.clear()
        self._last_summary = self.clock()
