"""The watch stream of a game whose encounters seat more than two (Fish): the snapshot and the events say every player of
each encounter, its places and scores as crosstable.csv's table per encounter has them, and a culprit's word "removed"."""

from __future__ import annotations

import json

import trio

from Remote.event_log_writer import EventLogWriter
from Remote.exports import encounter_rows
from Remote.watch import WatchHub
from Remote.watch.snapshot import snapshot_json, summary_so_far
from tests.k_player_logs import FISH, NINE, fold_k, knock_out_of_nine
from tests.watch_client import Watcher, start_watch, state_from_snapshot, without_game_lines


def expected_places(state, index):
    encounter = state.encounters[index]
    return [[row.player, row.place, row.score] for row in encounter_rows(state, index, encounter.players, FISH)]


async def test_a_watcher_sees_every_player_of_each_encounter_with_places_in_the_snapshot_and_the_events(tmp_path):
    events = knock_out_of_nine()
    middle = next(event["seq"] for event in events if event["type"] == "stage" and event["stage"] == 2)
    hub = WatchHub()
    writer = EventLogWriter(tmp_path)
    hub.attach(writer, FISH)
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, hub)
        for event in events[:middle]:
            writer.write({key: value for key, value in event.items() if key not in ("seq", "t")})
        writer.flush()
        hub.flush()
        first = await Watcher.open(port)
        snapshot = json.loads((await first.frame())["data"][0])
        for event in events[middle:]:
            writer.write({key: value for key, value in event.items() if key not in ("seq", "t")})
        writer.flush()
        hub.flush()
        later = await first.events_until(len(events))
        await first.aclose()
        nursery.cancel_scope.cancel()
    whole = fold_k(events)
    assert snapshot["seats"] == [2, 4] and snapshot["seq"] == middle
    assert without_game_lines(state_from_snapshot(snapshot)) == without_game_lines(fold_k(events[:middle]))
    shown = {encounter["encounter"]: encounter for encounter in snapshot["encounters"]}
    assert [shown[index]["players"] for index in range(3)] == [list(whole.encounters[index].players) for index in range(3)]
    assert shown[0]["places"] == expected_places(whole, 0) == [["ann", 1, 7], ["bob", 3, 3], ["cat", None, None], ["dan", 1, 7]]
    assert shown[0]["words"] == {"ann": "won", "bob": "lost", "cat": "removed", "dan": "won"}
    ends = [frame for frame in later if json.loads(frame["data"][0])["type"] == "encounter-end"]
    assert len(ends) == 1 and len(ends[0]["data"]) == 2
    assert json.loads(ends[0]["data"][1]) == {
        "words": {"ann": "lost", "dan": "won", "fay": "lost", "hal": "lost"},
        "places": expected_places(whole, 3),
    }
    starts = [json.loads(frame["data"][0]) for frame in later if json.loads(frame["data"][0])["type"] == "game-start"]
    assert starts[0]["players"] == ["ann", "dan", "fay", "hal"] and starts[0]["board"]


def test_the_snapshot_of_a_game_of_two_says_two_seats_and_carries_no_places():
    state = fold_k(knock_out_of_nine())
    shown = snapshot_json(state, 1, {}, None)
    assert shown["seats"] == [2, 2]
    assert all("places" not in encounter for encounter in shown["encounters"])


def test_the_ratings_and_the_knock_outs_summary_so_far_count_games_of_more_than_two():
    summary = summary_so_far(fold_k(knock_out_of_nine()), FISH)
    assert {row["name"] for row in summary["ratings"]} == set(NINE)
    assert summary["ratings"][0]["name"] == "dan"  # best first: it won both of its games
    assert summary["format"]["winners"] == [NINE.index("dan")]  # a format speaks of sign-up indices
