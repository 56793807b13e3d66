"""A resumed tournament's log: the progress counts on from the encounters it had ended, and the statistics line ends it.

Its estimate of the time left waits for this run's own encounters (the
earlier run's were not played at this run's pace).

xserver runs in this process (tests/test_resume.py's `run_server`), stopped
right after its third encounter ended, then resumed.
"""

from __future__ import annotations

import logging
import re

import pytest

from Remote.game_registry import GAMES
from tests.game_conformance import configuration
from tests.house_server import events_of, run_server


@pytest.mark.parametrize("game", GAMES)
async def test_a_resumed_tournament_counts_on_from_what_it_had_ended_and_logs_its_statistics(game, tmp_path, caplog):
    reference = configuration(game, tmp_path / "reference")
    await run_server(reference)
    events = events_of(tmp_path / "reference" / "log")
    ends = [number for number, event in enumerate(events, start=1) if event["type"] == "encounter-end"]
    total = events[[event["type"] for event in events].index("roster")]["encounters"]
    ended = min(3, len(ends) - 1)  # three encounters, or all but the last of a short tournament (a knock-out of five: 3)
    config = configuration(game, tmp_path / "stopped")
    await run_server(config, crash_after=ends[ended - 1])
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="xserver"):
        await run_server({**config, "resume": True})
    counts = [int(found[1]) for record in caplog.records if (found := re.search(r" · encounter (\d+) of (\d+) · ", record.getMessage()))]
    assert counts and min(counts) > ended and max(counts) <= max(total, len(ends))
    first = next(record.getMessage() for record in caplog.records if f" · encounter {min(counts)} of " in record.getMessage())
    assert first.endswith(" · estimating") or " · 100 % · 0 s left" in first, first  # this run's pace is not known yet
    assert any(record.getMessage().startswith("statistics {") for record in caplog.records)
