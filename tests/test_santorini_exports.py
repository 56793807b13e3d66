"""Santorini's exports of logs written by hand, spelled out in full: the crosstable, results.json, revisions, a tournament unfinished.

The game-free properties of the exports (every game of the registry, random
tournaments) are in tests/test_exports.py.
"""

from __future__ import annotations

import json

import pytest

from Admin.tournament_state import fold
from Remote.exports import ExportError, crosstable_csv, games_ndjson, results_export, results_json, results_so_far, structure_export
from Remote.santorini.game import GAME as SANTORINI
from tests.export_logs import encounter, events, sign_ups, start

SANTORINI_LOG = events(
    start("santorini", {"best of": 1}),
    *sign_ups("ann", "bob", "cat"),
    {"type": "roster", "players": ["ann", "bob", "cat"], "encounters": 3},
    *encounter(0, "ann", "bob", ["ann", "bob"], games=[{"winner": "ann", "how": "height 3"}]),
    *encounter(1, "ann", "cat", ["cat", "ann"], games=[{"winner": "cat", "how": "gave up"}]),
    *encounter(2, "bob", "cat", ["bob", "cat", "irregular"], ["cat"], games=[{"winner": None, "how": "misbehaved", "culprit": "cat"}]),
    {"type": "revision", "encounter": 1, "culprit": "cat", "outcome": ["ann", "cat"]},
    {
        "type": "results",
        "results": [["ann", "bob"], ["ann", "cat"], ["bob", "cat", "irregular"]],
        "output": [["ann", "bob"], ["ann", "cat"], ["bob", "cat", "irregular"]],
    },
)


def test_a_santorini_crosstable_reads_each_encounter_from_the_row_players_side():
    assert crosstable_csv(fold(SANTORINI_LOG), SANTORINI).splitlines() == [
        "player,ann,bob,cat,won,drawn,lost,irregular",
        "ann,,won 1–0,revised won,2,0,0,0",
        "bob,lost 0–1,,won,1,0,1,0",
        "cat,revised lost,irregular,,0,0,1,1",
    ]


def test_a_santorini_results_json_holds_players_encounters_results_and_standings():
    data = json.loads(results_json(fold(SANTORINI_LOG), SANTORINI))
    assert data["version"] == 1 and data["tournament"] == "t-1" and data["game"] == "santorini" and data["finished"] is True
    assert data["configuration"] == {"time per call": 2.0, "house players": [], "best of": 1}
    assert data["settings"] == {"best of": 1}
    assert data["players"][2] == {
        "requested": "cat",
        "assigned": "cat",
        "misbehaviour": {"kind": "illegal", "reason": "no", "encounter": 2},
    }
    assert data["players"][0]["misbehaviour"] is None
    assert data["encounters"][1] == {
        "index": 1,
        "players": ["ann", "cat"],
        "repetition": 0,
        "meeting": 0,
        "status": "played",
        "outcome": ["cat", "ann"],
        "culprits": [],
        "revised": ["ann", "cat"],
        "games": [{"winner": "cat", "how": "gave up"}],
    }
    assert data["results"] == SANTORINI_LOG[-1]["output"]
    assert data["standings"] == [
        {"rank": 1, "player": "ann", "won": 2, "lost": 0, "irregular": 0},
        {"rank": 2, "player": "bob", "won": 1, "lost": 1, "irregular": 0},
        {"rank": 3, "player": "cat", "won": 0, "lost": 1, "irregular": 1},
    ]
    assert structure_export(data) == results_export(fold(SANTORINI_LOG), SANTORINI)


def test_a_revision_that_deletes_an_outcome_reads_revised_away_and_equal_players_share_a_rank():
    log = events(
        start("santorini", {"best of": 1}),
        *sign_ups("ann", "bob", "cat"),
        {"type": "roster", "players": ["ann", "bob", "cat"], "encounters": 3},
        *encounter(0, "ann", "bob", ["ann", "bob"]),
        *encounter(1, "ann", "cat", ["cat", "ann", "irregular"], ["ann"]),
        {"type": "revision", "encounter": 0, "culprit": "ann", "outcome": ["bob", "ann"]},
        *encounter(2, "bob", "cat", ["cat", "bob", "irregular"], ["bob"]),
        {"type": "revision", "encounter": 0, "culprit": "bob", "outcome": None},
    )
    state = fold(log)
    assert crosstable_csv(state, SANTORINI).splitlines() == [
        "player,ann,bob,cat,won,drawn,lost,irregular",
        "ann,,revised away,irregular,0,0,0,1",
        "bob,revised away,,irregular,0,0,0,1",
        "cat,won,won,,2,0,0,0",
    ]
    export = results_export(state, SANTORINI)
    assert export.results is None and export.finished is False  # no results event: the log stops before it
    assert [(row["player"], row["rank"]) for row in export.standings] == [("cat", 1), ("ann", 2), ("bob", 2)]
    assert export.encounters[0].outcome == ["ann", "bob"] and export.encounters[0].revised is None
    assert results_so_far(state, SANTORINI) == [["cat", "ann", "irregular"], ["cat", "bob", "irregular"]]


def test_an_unfinished_tournament_shows_running_and_waiting_encounters_and_the_results_so_far():
    second_start = next(n for n, e in enumerate(SANTORINI_LOG) if e["type"] == "encounter-start" and e["encounter"] == 1)
    state = fold(SANTORINI_LOG[: second_start + 3])  # encounter 0 ended; encounter 1 started its game, one turn in
    assert crosstable_csv(state, SANTORINI).splitlines()[1:] == [
        "ann,,won 1–0,running,1,0,0,0",
        "bob,lost 0–1,,to play,0,0,1,0",
        "cat,running,to play,,0,0,0,0",
    ]
    export = results_export(state, SANTORINI)
    assert [entry.status for entry in export.encounters] == ["played", "running", "to play"]
    assert export.results is None and results_so_far(state, SANTORINI) == [["ann", "bob"]]
    assert games_ndjson(state).count("\n") == 1


def test_a_log_without_a_start_or_with_an_outcome_of_strangers_is_refused_in_one_line():
    with pytest.raises(ExportError, match="no start event"):
        results_export(fold(events(*sign_ups("ann"))), SANTORINI)
    strangers = events(
        start("santorini", {"best of": 1}),
        *sign_ups("ann", "bob"),
        {"type": "roster", "players": ["ann", "bob"], "encounters": 1},
        *encounter(0, "ann", "bob", ["cat", "dan"]),
    )
    with pytest.raises(ExportError, match=r"encounter 0.*not one of ann and bob"):
        crosstable_csv(fold(strangers), SANTORINI)
    broken = events(
        start("santorini", {"best of": 1}),
        *sign_ups("ann", "bob"),
        {"type": "roster", "players": ["ann", "bob"], "encounters": 1},
        *encounter(0, "ann", "bob", ["ann"]),
    )
    with pytest.raises(ExportError, match=r"the outcome of encounter 0: .*@ \$"):
        results_export(fold(broken), SANTORINI)
