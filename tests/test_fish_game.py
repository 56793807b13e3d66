"""Fish's Game as the host reads it: its keys and defaults, its log lines, places, words and standings, its output."""

from __future__ import annotations

import json

import pytest

from Common.fish.results import Outcome, Results
from Common.fish.settings import FishSettings
from Common.fish.wire import outcome_to_json
from Common.strict import StructureError
from Remote.configuration import read_local_configuration, read_server_configuration
from Remote.fish.game import COURSE_KNOCK_OUT, GAME, describe, outcome_places, outcome_sides, prepare, standings_json, standings_table
from Remote.game_registry import DEFAULT_GAME, GAMES

SERVER = {"game": "fish", "min players": 3, "port": 0, "waiting for": 1, "repeat": 0}
GAME_OF_FOUR = Outcome(("ann", "bob", "cat", "dan"), (7, 3, None, 7), ("ann", "dan"))


def server(**keys) -> str:
    return json.dumps(SERVER | keys)


def test_fish_is_registered_with_games_of_two_to_four_and_the_course_knock_out_by_default():
    assert GAMES["fish"] is GAME and GAME.players_per_encounter == (2, 4) and GAME.group_game
    config = read_server_configuration(server(), GAMES, DEFAULT_GAME)
    assert config.event_format == COURSE_KNOCK_OUT and config.settings == FishSettings()


def test_time_per_call_defaults_to_ten_seconds_for_fish_only_and_a_configured_one_holds():
    assert read_server_configuration(server(), GAMES, DEFAULT_GAME).time_per_call == 10
    assert read_server_configuration(server(**{"time per call": 0.5}), GAMES, DEFAULT_GAME).time_per_call == 0.5
    assert read_server_configuration(server(game="santorini"), GAMES, DEFAULT_GAME).time_per_call == 2
    local = read_local_configuration(json.dumps({"game": "fish", "players": []}), GAMES, DEFAULT_GAME)
    assert local.time_per_call == 10


@pytest.mark.parametrize(
    "keys, message",
    [
        ({"rows": 2, "columns": 4}, r'"rows" x "columns" must make at least 9 tiles.*got 2 x 4'),
        ({"rows": 10}, r"in 2\.\.9, got 10 @ \$\.rows"),
        ({"fish": 0}, r"in 1\.\.5, got 0 @ \$\.fish"),
        ({"seed": -1}, r">= 0, got -1 @ \$\.seed"),
        ({"best of": 3}, r'"best of" is a key of the santorini game, not of fish'),
    ],
)
def test_a_bad_fish_key_is_one_line_naming_it(keys, message):
    with pytest.raises(StructureError, match=message) as error:
        read_server_configuration(server(**keys), GAMES, DEFAULT_GAME)
    assert "\n" not in str(error.value)


def test_the_seed_is_read_alike_by_the_prisoners_dilemma_and_fish():
    assert GAMES["ipd"].settings_keys["seed"] is GAME.settings_keys["seed"]


def test_a_seed_is_drawn_and_logged_only_when_the_fish_are_drawn():
    drawn, line = prepare(FishSettings())
    assert drawn.seed is not None and line is not None and f'"seed": {drawn.seed}' in line
    assert prepare(FishSettings(seed=4)) == (FishSettings(seed=4), "seed 4")
    assert prepare(FishSettings(fish=2)) == (FishSettings(fish=2), None)


def test_a_game_reads_as_one_log_line():
    assert describe(GAME_OF_FOUR) == "ann, bob, cat and dan: ann and dan won with 7 fish each (bob 3, cat removed)"
    assert describe(Outcome(("ann", "bob"), (None, 0), ("bob",))) == "ann and bob: bob won with 0 fish (ann removed)"
    assert describe(Outcome(("ann", "bob"), (None, None), ())) == "ann and bob: nobody won (ann removed, bob removed)"


def test_places_share_a_tie_and_a_removed_player_has_none():
    assert outcome_places(outcome_to_json(GAME_OF_FOUR)) == [("ann", 1, 7), ("bob", 3, 3), ("cat", None, None), ("dan", 1, 7)]
    assert outcome_sides(outcome_to_json(GAME_OF_FOUR), []) == {"ann": "won", "bob": "lost", "cat": "removed", "dan": "won"}


def test_a_malformed_outcome_is_refused():
    with pytest.raises(StructureError):
        outcome_places({"players": ["ann", "bob"], "scores": [1, 2], "winners": ["ann"]})


def test_the_standings_list_winners_then_the_others_then_the_culprits_and_the_output_is_names():
    results = Results(("dan",), ("cat",))
    roster = ["ann", "bob", "cat", "dan"]
    assert standings_json(results, roster) == [
        {"rank": 1, "player": "dan", "result": "won"},
        {"rank": 2, "player": "ann", "result": "lost"},
        {"rank": 2, "player": "bob", "result": "lost"},
        {"rank": 4, "player": "cat", "result": "removed"},
    ]
    assert standings_table(results, roster).splitlines()[1].split() == ["1", "dan", "won"]
    assert GAME.output(results, FishSettings()) == [["dan"], ["cat"]]
