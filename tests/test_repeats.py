"""Remote.repeats: a line that repeats is logged once, then summarised with a count."""

from __future__ import annotations

import logging

import pytest

from Remote.repeats import RepeatedLines

log = logging.getLogger("test_repeats")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def closures(clock: Clock) -> RepeatedLines:
    return RepeatedLines(log, "a connection was closed: {}", "connection closed", "connections closed", clock=clock)


def logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records]


def test_two_thousand_repeats_make_two_lines_with_the_count(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    lines = closures(Clock())
    for _ in range(2_000):
        lines.note("it sent no name")
    assert logged(caplog) == ["a connection was closed: it sent no name"]
    lines.flush()
    assert logged(caplog)[1:] == ["... and 1,999 more connections closed: it sent no name"]


def test_each_reason_is_logged_and_counted_on_its_own_and_one_more_is_singular(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    lines = closures(Clock())
    for reason in ["a", "b", "a", "b", "b", "c"]:
        lines.note(reason)
    lines.flush()
    lines.flush()  # nothing new: no line
    assert logged(caplog) == [
        "a connection was closed: a",
        "a connection was closed: b",
        "a connection was closed: c",
        "... and 1 more connection closed: a",
        "... and 2 more connections closed: b",
    ]


def test_repeats_that_go_on_are_summarised_every_few_seconds(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    clock = Clock()
    lines = closures(clock)
    for second in range(12):
        clock.now = float(second)
        lines.note("flood")
    assert logged(caplog) == [
        "a connection was closed: flood",
        "... and 5 more connections closed: flood",  # at 5 s
        "... and 5 more connections closed: flood",  # at 10 s
    ]
    lines.flush()
    assert logged(caplog)[3:] == ["... and 1 more connection closed: flood"]
