"""The prisoner's dilemma's exports of logs written by hand, spelled out in full, and of listed pairings played by a scripted referee.

The game-free properties of the exports (every game of the registry, random
tournaments) are in tests/test_exports.py.
"""

from __future__ import annotations

from Admin.tournament_state import fold
from Remote.exports import crosstable_csv, results_export, results_so_far
from Remote.ipd.game import GAME as IPD
from tests import export_logs
from tests.export_logs import encounter, events, play, sign_ups, start
from tests.test_exports import check_crosstable

IPD_LOG = events(
    start("ipd", {"seed": 7}),
    *sign_ups("ann", "bob", "cat"),
    {"type": "roster", "players": ["ann", "bob", "cat"], "encounters": 3},
    *encounter(0, "ann", "bob", ["ann", "bob", 30, 20, 10], games=[{"rounds": 10, "totals": [30, 20], "how": "completed", "culprits": []}]),
    *encounter(
        1,
        "ann",
        "cat",
        ["ann", "cat", "irregular"],
        ["cat"],
        games=[{"rounds": 0, "totals": [0, 0], "how": "misbehaved", "culprits": ["cat"]}],
    ),
    {"type": "encounter-end", "encounter": 2, "players": ["bob", "cat"], "outcome": None, "culprits": []},
    {
        "type": "results",
        "results": ["results", [["ann", "bob", 30, 20, 10], ["ann", "cat", "irregular"]], [["ann", 3.0, 1], ["bob", 2.0, 1]]],
        "output": {
            "game": "ipd",
            "seed": 7,
            "outcomes": [["ann", "bob", 30, 20, 10], ["ann", "cat", "irregular"]],
            "standings": [["ann", 3.0, 1], ["bob", 2.0, 1]],
        },
    },
)


def test_an_ipd_crosstable_gives_each_sides_totals_and_marks_the_encounter_not_played():
    assert crosstable_csv(fold(IPD_LOG), IPD).splitlines() == [
        "player,ann,bob,cat,won,drawn,lost,irregular",
        "ann,,won 30:20,not scored,1,0,0,0",
        "bob,lost 20:30,,not played,0,0,1,0",
        "cat,irregular,not played,,0,0,0,1",
    ]


def test_an_ipd_results_json_lists_the_standings_of_the_players_still_in():
    export = results_export(fold(IPD_LOG), IPD)
    assert export.results == IPD_LOG[-1]["output"]
    assert [entry.status for entry in export.encounters] == ["played", "played", "not played"]
    assert list(export.standings) == [
        {"rank": 1, "player": "ann", "score": 3.0, "matches": 1, "won": 1, "drawn": 0, "lost": 0},
        {"rank": 2, "player": "bob", "score": 2.0, "matches": 1, "won": 0, "drawn": 0, "lost": 1},
    ]
    assert results_so_far(fold(IPD_LOG), IPD) == IPD_LOG[-1]["output"]


def test_listed_pairings_join_a_pairs_encounters_and_leave_a_pair_that_never_meets_empty():
    plans = [{"scores": (3, 1, 1), "culprits": ()}]
    log, output = play(IPD, export_logs.IPD, ("ann", "bob", "cat"), plans, {"seed": 1, "pairings": [["ann", "bob"], ["bob", "ann"]]})
    state = fold(log)
    assert crosstable_csv(state, IPD).splitlines() == [
        "player,ann,bob,cat,won,drawn,lost,irregular",
        "ann,,won 3:1; lost 1:3,,1,0,1,0",
        "bob,lost 1:3; won 3:1,,,1,0,1,0",
        "cat,,,,0,0,0,0",
    ]
    check_crosstable(state, IPD)
    assert [entry.meeting for entry in results_export(state, IPD).encounters] == [0, 1]
    assert results_export(state, IPD).results == output
