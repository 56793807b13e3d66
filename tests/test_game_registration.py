"""A Game is checked when it is registered (Remote/game_description.py `register`): every hook present, shared keys read alike.

Broken games are made from the registry's own (`attrs.evolve`), so every
game of the registry is the model of a broken one.
"""

from __future__ import annotations

import json

import attrs
import pytest

from Common.strict import StructureError
from Remote.configuration import read_server_configuration
from Remote.game_description import GameError, register
from Remote.game_registry import GAMES

HOOKS = [field.name for field in attrs.fields(type(next(iter(GAMES.values())))) if str(field.type).startswith("Callable")]
SERVER = {"min players": 2, "port": 0, "waiting for": 1, "repeat": 0}


@pytest.fixture(params=list(GAMES))
def game(request):
    return GAMES[request.param]


def refusal(*games) -> str:
    with pytest.raises(GameError) as refused:
        register(*games)
    message = str(refused.value)
    assert "\n" not in message
    return message


def test_the_registry_is_its_games_each_registered(game):
    assert register(*GAMES.values()) == GAMES and GAMES[game.name] is game


@pytest.mark.parametrize("hook", HOOKS)
def test_a_game_without_a_hook_is_refused_in_one_line_naming_the_game_and_the_hook(game, hook):
    broken = attrs.evolve(game, name="broken", **{hook: None})
    message = refusal(*GAMES.values(), broken)
    assert message.startswith("the game 'broken' lacks ") and hook in message.split(":")[0]


def test_settings_json_is_required_so_that_a_resumed_tournament_never_falls_back_to_default_settings(game):
    fields = {field.name: field for field in attrs.fields(type(game))}
    for hook in ("settings_json", "outcome_sides", "standings_json"):
        assert fields[hook].default is attrs.NOTHING, f"{hook} has a silent default"
    assert "settings_json" in refusal(attrs.evolve(game, name="broken", settings_json=None))


def test_every_missing_hook_is_named_at_once(game):
    message = refusal(attrs.evolve(game, name="broken", outcome_sides=None, standings_json=None))
    assert "lacks outcome_sides, standings_json:" in message


def test_a_key_owned_by_two_games_that_read_it_alike_is_allowed_for_both(game):
    twin = attrs.evolve(game, name="twin")
    games = register(game, twin)
    key = next(iter(game.settings_keys))
    for chosen in (game.name, "twin"):
        assert read_server_configuration(json.dumps({**SERVER, "game": chosen}), games, game.name).game == chosen
    assert set(twin.settings_keys) == set(game.settings_keys) and key in twin.settings_keys


def test_a_key_owned_by_two_games_that_read_it_differently_names_every_owner(game):
    key = next(iter(game.settings_keys))
    rival = attrs.evolve(game, name="rival", settings_keys={**game.settings_keys, key: lambda value: value})
    message = refusal(game, rival)
    assert message.startswith(f"the configuration key {key!r} belongs to the games ")
    assert f"{', '.join(sorted([game.name, 'rival']))}, which read it differently" in message


def test_a_key_of_two_other_games_is_refused_naming_both(game):
    key = next(iter(game.settings_keys))
    other = attrs.evolve(game, name="other", settings_keys={})
    games = register(game, attrs.evolve(game, name="twin"), other)
    owners = " and ".join(sorted([game.name, "twin"]))
    with pytest.raises(StructureError) as refused:
        read_server_configuration(json.dumps({**SERVER, "game": "other", key: None}), games, game.name)
    assert str(refused.value) == f'"{key}" is a key of the {owners} games, not of other @ $.{key}'


def test_a_game_registered_twice_or_without_a_name_is_refused(game):
    assert refusal(game, game) == f"the game {game.name!r} is registered twice"
    assert refusal(attrs.evolve(game, name="")) == "a game's name must be a non-empty string, got ''"


def test_settings_keys_that_do_not_say_how_each_is_read_are_refused(game):
    message = refusal(attrs.evolve(game, name="broken", settings_keys=frozenset(game.settings_keys)))
    assert message == "the game 'broken': settings_keys must map each key to the function that reads its value"
