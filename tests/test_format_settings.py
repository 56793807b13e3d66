"""The configuration's "format": read strictly, one line naming the key; written back as configured; what each kind makes."""

from __future__ import annotations

import json

import pytest

from Admin.formats.settings import DEFAULT, KINDS, format_json, read_format, staged_format
from Admin.schedule import RoundRobin
from Common.strict import StructureError
from Remote.configuration import read_server_configuration
from Remote.game_registry import DEFAULT_GAME, GAMES
from tests.format_examples import example_format, format_kinds

BASE = {"min players": 2, "port": 0, "waiting for": 1, "repeat": 0}
SPRT = {"elo0": 0, "elo1": 5, "alpha": 0.05, "beta": 0.05}


def gauntlet(candidates=("a",), cycles=2, **sprt):
    return {"kind": "gauntlet", "candidates": list(candidates), "cycles": cycles, "sprt": SPRT | sprt}


@pytest.mark.parametrize(
    "value, words",
    [
        ("swiss", 'expected a JSON object with a "kind", got "swiss" @ $.format'),
        (
            {"kind": "league"},
            'expected one of "round robin", "pairings", "swiss", "knock-out", "gauntlet", "arena", got "league" @ $.format.kind',
        ),
        ({"rounds": 3}, "got null @ $.format.kind"),
        ({"kind": "swiss"}, 'a swiss needs "rounds" @ $.format.rounds'),
        ({"kind": "swiss", "rounds": "5"}, 'expected a whole number, got "5" @ $.format.rounds'),
        ({"kind": "swiss", "rounds": True}, "expected a whole number, got true @ $.format.rounds"),
        ({"kind": "swiss", "rounds": 0}, "expected a whole number >= 1, got 0 @ $.format.rounds"),
        ({"kind": "swiss", "rounds": 3.0}, "expected a whole number, got 3.0 @ $.format.rounds"),
        ({"kind": "swiss", "round": 3}, 'unknown key "round"; did you mean "rounds"?'),
        ({"kind": "round robin", "cycles": 1e400}, "@ $.format.cycles"),
        ({"kind": "knock-out", "seeding": "rating"}, '"seeding": "rating" needs "ratings"'),
        ({"kind": "knock-out", "ratings": "r.json"}, '"ratings" seeds a knock-out only with "seeding": "rating"'),
        ({"kind": "knock-out", "seeding": "random"}, 'expected "sign-up order" or "rating", got "random" @ $.format.seeding'),
        ({"kind": "gauntlet", "candidates": []}, "expected at least one candidate, got none @ $.format.candidates"),
        ({"kind": "gauntlet", "candidates": ["a", "a"]}, "expected different candidates"),
        (gauntlet(candidates=("a", "b")), "exactly one candidate"),
        (gauntlet(cycles=3), "expected even cycles, got 3"),
        (gauntlet(elo0=5, elo1=0), '"elo0" must be less than "elo1"'),
        (gauntlet(alpha=0.5), "got 0.5 @ $.format.sprt.alpha"),
        (
            {"kind": "gauntlet", "candidates": ["a"], "cycles": 2, "sprt": {"elo0": 0, "elo1": 5, "alpha": 0.05}},
            "missing @ $.format.sprt.beta",
        ),
        (gauntlet(elo0="0"), 'expected a number, got "0" @ $.format.sprt.elo0'),
        ({"kind": "pairings", "pairings": [["a"]]}, "expected a pair of names of 2 elements, got 1 @ $.format.pairings"),
    ],
)
def test_a_bad_format_is_refused_in_one_line_naming_the_key(value, words):
    with pytest.raises(StructureError) as caught:
        read_format(value)
    message = str(caught.value)
    assert words in message and "\n" not in message


@pytest.mark.parametrize("kind", format_kinds())
def test_every_kinds_example_reads_and_writes_back_as_configured(kind):
    example = example_format(kind)
    settings = read_format(example)
    assert settings.kind == kind and read_format(format_json(settings)) == settings
    assert {key: format_json(settings)[key] for key in example} == example


def test_the_default_format_is_the_round_robin_and_a_configuration_without_one_records_no_format():
    config = read_server_configuration(json.dumps(BASE), GAMES, DEFAULT_GAME)
    assert config.event_format == DEFAULT == read_format({"kind": "round robin"})
    assert "format" not in config.results_keys()
    swiss = read_server_configuration(json.dumps(BASE | {"format": {"kind": "swiss", "rounds": 2}}), GAMES, DEFAULT_GAME)
    assert swiss.results_keys()["format"] == {"kind": "swiss", "rounds": 2}


def test_xserver_names_the_key_inside_the_format():
    with pytest.raises(StructureError) as caught:
        read_server_configuration(json.dumps(BASE | {"format": {"kind": "swiss", "rounds": -1}}), GAMES, DEFAULT_GAME)
    assert str(caught.value) == "expected a whole number >= 1, got -1 @ $.format.rounds"


@pytest.mark.parametrize("key", [key for game in GAMES.values() for key in game.schedule_keys])
def test_a_games_own_schedule_key_beside_a_format_is_refused_naming_it(key):
    owner = next(game for game in GAMES.values() if key in game.schedule_keys)
    value = [["a", "b"]] if key == "pairings" else 2
    config = BASE | {"game": owner.name, key: value, "format": {"kind": "swiss", "rounds": 2}}
    with pytest.raises(StructureError, match=f'"{key}" chooses .* which "format" replaces'):
        read_server_configuration(json.dumps(config), GAMES, DEFAULT_GAME)


def test_every_kind_is_known_to_the_reader():
    assert set(KINDS) == {read_format(example_format(kind)).kind for kind in format_kinds()}


def test_a_knock_out_by_rating_seeds_the_rated_by_rating_then_the_unrated_in_sign_up_order():
    settings = read_format({"kind": "knock-out", "seeding": "rating", "ratings": "r.json"})
    seeded = staged_format(settings, ["ann", "bob", "cat", "dan"], {"cat": 120.0, "bob": -30.0})
    assert seeded.seeding == (2, 1, 0, 3)


def test_a_gauntlet_whose_candidates_did_not_come_or_that_an_sprt_cannot_play_is_refused_in_one_line():
    with pytest.raises(ValueError, match="none of the candidates \\(zed\\) signed up"):
        staged_format(read_format({"kind": "gauntlet", "candidates": ["zed"]}), ["ann", "bob"])
    sprt = {"elo0": 0, "elo1": 10, "alpha": 0.05, "beta": 0.05}
    with pytest.raises(ValueError, match="exactly one opponent"):
        staged_format(read_format({"kind": "gauntlet", "candidates": ["ann"], "cycles": 2, "sprt": sprt}), ["ann", "bob", "cat"])


def test_two_cycles_of_a_round_robin_play_every_pair_twice_with_the_other_player_starting():
    schedule = RoundRobin(4, 2, alternate=True)
    pairs = list(schedule)
    assert len(pairs) == 12 and pairs[6:] == [(second, first) for first, second in pairs[:6]]
