"""How long calls to remote players took, for organisers and benchmarks.

A call is timed from the moment the server starts sending its message to the
moment the whole reply is decoded (or, for a message without reply, sent).
`summary()` gives count, time-outs and failures, and the median, p90, p99
and maximum in milliseconds.
"""

from __future__ import annotations

import attrs


@attrs.define
class CallStatistics:
    """Durations of the calls of one tournament, in seconds."""

    durations: list[float] = attrs.field(factory=list)
    failures: int = 0

    def record(self, seconds: float, failed: bool = False) -> None:
        self.durations.append(seconds)
        self.failures += failed

    def summary(self) -> dict[str, float | int]:
        """Count, failures, and percentiles in milliseconds (0 when there were no calls)."""
        ordered = sorted(self.durations)

        def percentile(fraction: float) -> float:
            if not ordered:
                return 0.0
            return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000, 3)

        return {
            "calls": len(ordered),
            "failed calls": self.failures,
            "median ms": percentile(0.5),
            "p90 ms": percentile(0.9),
            "p99 ms": percentile(0.99),
            "max ms": percentile(1.0),
        }
