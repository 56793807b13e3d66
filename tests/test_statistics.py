"""The server's call statistics: percentiles within 1 % in bounded memory."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from Remote.statistics import CallStatistics


def exact(durations, fraction):
    ordered = sorted(durations)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@settings(max_examples=200)
@given(st.lists(st.floats(min_value=1e-6, max_value=100, allow_nan=False), min_size=1, max_size=300))
def test_each_percentile_is_within_one_percent_of_the_exact_one(durations):
    statistics = CallStatistics()
    for seconds in durations:
        statistics.record(seconds)
    for fraction in (0.5, 0.9, 0.99):
        assert abs(statistics.percentile(fraction) - exact(durations, fraction)) <= 0.0101 * exact(durations, fraction)
    assert statistics.summary()["max ms"] == round(max(durations) * 1000, 3)
    assert statistics.summary()["calls"] == len(durations)


def test_memory_stays_bounded_however_many_calls_are_recorded():
    statistics, chance = CallStatistics(), random.Random(1)
    for _ in range(200_000):
        statistics.record(chance.lognormvariate(-7, 1.5))
    assert len(statistics.counts) < 2_000
    assert statistics.calls == 200_000


def test_failed_calls_are_counted_and_no_calls_give_zeros():
    statistics = CallStatistics()
    assert statistics.summary() == {"calls": 0, "failed calls": 0, "median ms": 0.0, "p90 ms": 0.0, "p99 ms": 0.0, "max ms": 0.0}
    statistics.record(0.002, failed=True)
    statistics.record(0.001)
    assert statistics.summary()["failed calls"] == 1
