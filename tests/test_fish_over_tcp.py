"""Fish end to end: a real xserver process and a real xclients process on 127.0.0.1, five and nine players.

The server writes an event log; every game of its games.ndjson is replayed
through the rules (`Common/fish/replay.py`) to the outcome it recorded, the
knock-out's rounds are checked against the course's grouping, and the
printed winners must be the winners of the final game, as xclients' line
(its players told `true`, then those kicked out) must say too. Every player
that was not put out hears `end`: xclients logs no connection that closed
before it.
"""

from __future__ import annotations

import json

import pytest

from Common.fish.replay import record_events, replay
from Common.fish.results import Outcome
from Common.fish.wire import outcome_to_json
from Remote.loopback import ServerProcess, run_clients
from tests.raw_client import stop

LIMIT = 120.0
NAMES = ("ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal", "ivy")
GROUPS = {5: [3, 2], 9: [4, 3, 2]}
"""The course's first round for each number of players (spec section 4)."""


def server_config(players: int, log: str) -> dict:
    return {
        "game": "fish",
        "min players": players,
        "max players": players,
        "waiting for": 30,
        "repeat": 0,
        "rows": 4,
        "columns": 5,
        "seed": 2024 + players,
        "event log": log,
    }


def clients_config(players: int) -> dict:
    kinds = ["greedy"] * players
    kinds[1] = "breaker"  # bob moves another player's penguin at its first turn
    return {"game": "fish", "players": [[kind, name, ""] for kind, name in zip(kinds, NAMES, strict=False)], "observers": []}


@pytest.fixture(scope="module", params=[5, 9], ids=["5 players", "9 players"])
def played(request, tmp_path_factory):
    players = request.param
    log = tmp_path_factory.mktemp(f"fish{players}")
    server = ServerProcess(server_config(players, str(log)))
    try:
        clients = run_clients(clients_config(players), server.port, time_limit=LIMIT)
        served = server.finish(LIMIT)
    finally:
        stop(server)
    (directory,) = [path for path in log.iterdir() if path.is_dir()]
    records = [json.loads(line) for line in (directory / "games.ndjson").read_text().splitlines()]
    events = [json.loads(line) for line in (directory / "events.ndjson").read_text().splitlines()]
    return players, served, clients, records, events


def test_every_game_replays_through_the_rules_to_the_outcome_it_recorded(played):
    _, served, _, records, _ = played
    assert served.status == 0, served.log
    assert records
    for record in records:
        outcome = replay(record_events(record))
        assert outcome_to_json(outcome) == record["end"], record["encounter"]


def test_the_first_round_groups_the_players_from_the_front_as_the_course_does(played):
    players, _, _, records, events = played
    first = next(event for event in events if event["type"] == "stage")
    assert [len(table) for table in first["pairings"]] == GROUPS[players]
    assert [name for table in first["pairings"] for name in table] == list(NAMES[:players])
    assert [record["players"] for record in records[: len(GROUPS[players])]] == first["pairings"]


def test_the_printed_winners_are_the_final_games_and_the_breaker_is_the_one_culprit(played):
    _, served, clients, records, _ = played
    final = Outcome(**{key: tuple(value) for key, value in records[-1]["end"].items()})
    assert final.winners
    assert json.loads(served.output) == [list(final.winners), ["bob"]]
    assert (clients.status, json.loads(clients.output)) == (0, [list(final.winners), ["bob"]]), clients.log


def test_every_player_not_put_out_hears_end_and_the_breaker_hears_why(played):
    _, _, clients, _, events = played
    assert "bob was kicked by the server: illegal move" in clients.log
    assert "ended the connection" not in clients.log, clients.log
    assert [event["name"] for event in events if event["type"] == "misbehaviour"] == ["bob"]
    assert events[-1]["type"] == "results"
