"""Progress as the organiser reads it: `encounter 312 of 780 · 40 % · about 45 s left`, in the log and the status line.

The estimate is a pure function of the encounters ended (this run's, after a
resume), the total and the time this run has taken; properties first, then
the words, then the log of a whole tournament.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from Admin.organiser_log import ESTIMATE_AFTER, progress_text, seconds_left
from tests.processes import run_admin


@st.composite
def runs(draw):
    """A tournament's total, the encounters ended before this run, and the time this run has taken so far."""
    total = draw(st.integers(1, 10_000))
    before = draw(st.integers(0, total))
    elapsed = draw(st.floats(0, 1e6, allow_nan=False))
    return total, before, elapsed


@given(runs(), st.data())
def test_the_time_left_never_grows_as_more_encounters_end_in_the_same_time(run, data):
    total, before, elapsed = run
    done = data.draw(st.integers(before, total))
    more = data.draw(st.integers(done, total))
    now, later = seconds_left(done, total, before, elapsed), seconds_left(more, total, before, elapsed)
    if now is not None and later is not None:
        assert later <= now


@given(runs())
def test_nothing_is_left_at_the_end(run):
    total, before, elapsed = run
    assert seconds_left(total, total, before, elapsed) == 0


@given(runs())
def test_the_first_encounters_of_a_run_give_no_estimate_then_one_that_is_never_negative(run):
    total, before, elapsed = run
    for done in range(before, min(total, before + ESTIMATE_AFTER + 2)):
        left = seconds_left(done, total, before, elapsed)
        if done < total:
            assert (left is None) == (done - before < ESTIMATE_AFTER)
        assert left is None or left >= 0


@pytest.mark.parametrize(
    "done, total, before, elapsed, text",
    [
        (312, 780, 0, 30.0, "encounter 312 of 780 · 40 % · about 45 s left"),
        (1, 780, 0, 0.1, "encounter 1 of 780 · 0 % · estimating"),
        (780, 780, 0, 50.0, "encounter 780 of 780 · 100 % · 0 s left"),
        (100, 1000, 0, 60.0, "encounter 100 of 1000 · 10 % · about 9 min left"),
        (10, 1000, 0, 60.0, "encounter 10 of 1000 · 1 % · about 1 h 39 min left"),
        (500, 1000, 490, 10.0, "encounter 500 of 1000 · 50 % · about 8 min left"),
    ],
    ids=["the issue's", "first", "last", "minutes", "hours", "resumed: only this run's pace counts"],
)
def test_the_words(done, total, before, elapsed, text):
    assert progress_text(done, total, before, elapsed) == text


def test_each_encounter_line_counts_up_to_the_total_and_the_last_says_nothing_is_left():
    names = ["ann", "ben", "cat", "dan"]
    configuration = {"players": [["good", name, ""] for name in names], "observers": []}
    finished = run_admin(configuration)
    assert finished.returncode == 0, finished.stderr
    counts = re.findall(r" beat \w+ 2–[01] · encounter (\d+) of 6 · \d+ % · ", finished.stderr)
    assert sorted(map(int, counts)) == [1, 2, 3, 4, 5, 6]
    assert "encounter 6 of 6 · 100 % · 0 s left" in finished.stderr
    assert len(json.loads(finished.stdout)) == 6
