"""Each Santorini series' score (`2–1`, the side's own games first) in the log line and in crosstable.csv.

The Results stay the course's `[winner, loser]`: the score is told beside them.
A series that ended by a misbehaviour shows no score (it was not played out),
nor does a revised outcome (its games say nothing of it).
"""

from __future__ import annotations

import csv
import io
import json
import re

import attrs

from Admin.tournament_state import fold
from Remote.exports import crosstable_csv
from Remote.game_registry import GAMES
from Remote.santorini import exports as santorini_exports
from tests.export_logs import encounter, events, sign_ups, start
from tests.processes import run_admin

SANTORINI = attrs.evolve(GAMES["santorini"], outcome_sides=santorini_exports.outcome_sides)


def test_the_log_line_of_each_series_shows_its_score_and_an_irregular_one_shows_none():
    configuration = {"players": [["good", "ann", ""], ["good", "bob", ""], ["breaker", "cat", ""]], "observers": []}
    finished = run_admin(configuration)
    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout) == [["bob", "ann"], ["ann", "cat", "irregular"]]
    lines = [line.removeprefix("python -m Admin: ") for line in finished.stderr.splitlines()]
    (regular,) = [line for line in lines if line.startswith("bob beat ann")]
    assert re.match(r"bob beat ann 2–[01]( ·|$)", regular), regular
    (irregular,) = [line for line in lines if line.startswith("ann beat cat")]
    assert re.match(r"ann beat cat \(irregular\)( ·|$)", irregular), irregular


LOG = events(
    start("santorini", {"best of": 3}),
    *sign_ups("ann", "bob", "cat"),
    {"type": "roster", "players": ["ann", "bob", "cat"], "encounters": 3},
    *encounter(
        0,
        "ann",
        "bob",
        ["ann", "bob"],
        games=[
            {"winner": "ann", "how": "height 3"},
            {"winner": "bob", "how": "height 3"},
            {"winner": "ann", "how": "gave up"},
        ],
    ),
    *encounter(1, "ann", "cat", ["cat", "ann"], games=[{"winner": "cat", "how": "height 3"}, {"winner": "cat", "how": "no legal turn"}]),
    *encounter(
        2,
        "bob",
        "cat",
        ["bob", "cat", "irregular"],
        ["cat"],
        games=[
            {"winner": "bob", "how": "height 3"},
            {"winner": None, "how": "misbehaved", "culprit": "cat"},
        ],
    ),
    {"type": "revision", "encounter": 1, "culprit": "cat", "outcome": ["ann", "cat"]},
)


def test_the_crosstable_shows_each_series_score_from_the_row_players_side():
    rows = list(csv.reader(io.StringIO(crosstable_csv(fold(LOG), SANTORINI))))
    assert rows == [
        ["player", "ann", "bob", "cat", "won", "drawn", "lost", "irregular"],
        ["ann", "", "won 2–1", "revised won", "2", "0", "0", "0"],
        ["bob", "lost 1–2", "", "won", "1", "0", "1", "0"],
        ["cat", "revised lost", "irregular", "", "0", "0", "1", "1"],
    ]
