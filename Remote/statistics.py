"""How long calls to remote players took, for organisers and benchmarks.

A call is timed from the moment the server starts sending its message to the
moment the whole reply is decoded (or, for a message without reply, sent).
`summary()` gives the count, the failures, and the median, p90, p99 and
maximum in milliseconds.

Durations are counted in a histogram of buckets 1 % wide (a duration is kept
to three significant digits), so the memory stays bounded however long a
tournament runs, and each percentile is exact to within 1 %.
"""

from __future__ import annotations

import math
from collections import Counter
from math import floor, log10

import attrs

_BUCKETS_PER_DECADE = 230
"""log10(1.01) * 230 is about 1: neighbouring buckets differ by 1 %."""
_SHORTEST = 1e-7
"""Shorter durations count in the bucket of this one."""


def _bucket(seconds: float) -> int:
    return math.floor(math.log10(_SHORTEST if seconds < _SHORTEST else seconds) * _BUCKETS_PER_DECADE)  # max(seconds, _SHORTEST)


def _bucket_top(bucket: int) -> float:
    return 10 ** ((bucket + 1) / _BUCKETS_PER_DECADE)


@attrs.define
class CallStatistics:
    """Durations of the calls of one tournament."""

    counts: Counter[int] = attrs.field(factory=Counter)
    calls: int = 0
    failures: int = 0
    longest: float = 0.0

    def record(self, seconds: float, failed: bool = False) -> None:
        self.counts[floor(log10(_SHORTEST if seconds < _SHORTEST else seconds) * _BUCKETS_PER_DECADE)] += 1  # _bucket(seconds)
        self.calls += 1
        self.failures += failed
        if seconds > self.longest:  # max(self.longest, seconds)
            self.longest = seconds

    def percentile(self, fraction: float) -> float:
        """The duration that `fraction` of the calls did not exceed, in seconds (0 without calls)."""
        if not self.calls:
            return 0.0
        rank = min(self.calls, math.floor(fraction * self.calls) + 1)
        seen = 0
        for bucket in sorted(self.counts):
            seen += self.counts[bucket]
            if seen >= rank:
                return min(_bucket_top(bucket), self.longest)
        return self.longest

    def summary(self) -> dict[str, float | int]:
        """Count, failures, and percentiles in milliseconds."""

        def milliseconds(seconds: float) -> float:
            return round(seconds * 1000, 3)

        return {
            "calls": self.calls,
            "failed calls": self.failures,
            "median ms": milliseconds(self.percentile(0.5)),
            "p90 ms": milliseconds(self.percentile(0.9)),
            "p99 ms": milliseconds(self.percentile(0.99)),
            "max ms": milliseconds(self.longest),
        }
