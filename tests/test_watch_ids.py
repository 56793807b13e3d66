"""The ids a watcher comes back with: any whole number is taken, however long; one beyond the last event starts over.

docs/watch.md: only a Last-Event-ID (or `?after=`, `?run=`) that is not a
whole number is refused (400); an id beyond the last event, or another
tournament's run, gets a fresh snapshot. The watchers are the h11 clients
of tests/test_watch.py, on real TCP.
"""

from __future__ import annotations

import json

import pytest
import trio
from hypothesis import given
from hypothesis import strategies as st

from Remote.watch import WatchHub
from Remote.watch.routes import BEYOND, whole_number
from tests.game_conformance import play
from tests.test_watch import VEHICLE, house
from tests.watch_client import Watcher, get, log_events, start_watch

LONG = [19, 30, 400, 5000]
"""Digits: past a 64-bit integer, far past it, and past the digits Python converts to an int by default."""


@given(st.integers(min_value=0, max_value=10**30), st.integers(min_value=0, max_value=3))
def test_ascii_digits_read_as_their_number_or_beyond_every_id(number, zeros):
    assert whole_number(b"0" * zeros + str(number).encode()) == (number if number < 10**18 else BEYOND)


@given(st.text(min_size=0, max_size=30).filter(lambda text: not (text.isascii() and text.isdigit())))
def test_anything_but_ascii_digits_is_not_a_whole_number(text):
    assert whole_number(text.encode()) is None


def ways_to_say(number: str, run: int) -> dict[str, dict]:
    return {
        "Last-Event-ID": {"headers": [("last-event-id", number)]},
        "after": {"target": f"/events?after={number}"},
        "run and after": {"target": f"/events?run={run}&after={number}"},
    }


@pytest.mark.parametrize("digits", LONG)
async def test_an_id_of_many_digits_is_beyond_the_last_event_and_gets_a_fresh_snapshot(digits, tmp_path):
    hub = WatchHub()
    await play(VEHICLE, house(), hub, tmp_path)
    last = hub.state.last_seq
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, hub)
        for how, request in ways_to_say("9" * digits, hub.run).items():
            watcher = await Watcher.open(port, **request)
            frame = await watcher.frame()
            await watcher.aclose()
            assert watcher.status == 200, how
            assert frame["event"] == "snapshot" and json.loads(frame["data"][0])["seq"] == last, how
        nursery.cancel_scope.cancel()


@pytest.mark.parametrize("digits", LONG)
async def test_a_run_of_many_digits_is_another_tournament_and_gets_a_fresh_snapshot(digits, tmp_path):
    hub = WatchHub()
    await play(VEHICLE, house(), hub, tmp_path)
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, hub)
        watcher = await Watcher.open(port, f"/events?run={'1' * digits}&after=3")
        frame = await watcher.frame()
        await watcher.aclose()
        nursery.cancel_scope.cancel()
    assert watcher.status == 200 and frame["event"] == "snapshot"


async def test_an_id_with_leading_zeros_is_the_whole_number_it_writes(tmp_path):
    hub = WatchHub()
    await play(VEHICLE, house(), hub, tmp_path)
    events = log_events(tmp_path)
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, hub)
        for how, request in ways_to_say("0007", hub.run).items():
            watcher = await Watcher.open(port, **request)
            frames = await watcher.events_until(events[-1]["seq"])
            await watcher.aclose()
            assert [json.loads(frame["data"][0]) for frame in frames] == events[7:], how
        nursery.cancel_scope.cancel()


@pytest.mark.parametrize("value", ["seven", "-1", "1.5", "1e3", "+3", "", " "])
async def test_an_id_that_is_not_a_whole_number_is_refused_in_one_line(value):
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, WatchHub())
        for how, request in ways_to_say(value, 1).items():
            if how == "Last-Event-ID":
                response = await get(port, "/events", headers=request["headers"])
            else:
                response = await get(port, request["target"].replace(" ", "%20"))
            assert response.status == 400, how
            assert response.body.count(b"\n") == 1 and b"whole number" in response.body, how
        nursery.cancel_scope.cancel()
