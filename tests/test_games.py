"""Choosing a game by the configuration's "game" key: defaults, refusals naming the key, each game's own keys."""

import json

import attrs
import pytest

from Common.strict import StructureError
from Remote.configuration import read_client_configuration, read_local_configuration, read_server_configuration
from Remote.game_registry import DEFAULT_GAME, GAMES
from Remote.santorini.game import GAME as SANTORINI

SERVER = {"min players": 2, "port": 0, "waiting for": 1, "repeat": 0}
CLIENT = {"players": [["good", "ann", ""]], "observers": [], "ip": "127.0.0.1", "port": 1}
OTHER = attrs.evolve(SANTORINI, name="other", settings_keys=frozenset({"payoffs"}), read_settings=lambda keys: dict(keys))
TWO_GAMES = {"santorini": SANTORINI, "other": OTHER}


def server(**keys):
    return json.dumps({**SERVER, **keys})


def test_santorini_is_the_default_and_every_existing_configuration_keeps_its_meaning():
    assert DEFAULT_GAME == "santorini" and GAMES["santorini"] is SANTORINI
    config = read_server_configuration(server(**{"best of": 5}), GAMES, DEFAULT_GAME)
    assert (config.game, config.settings.best_of) == ("santorini", 5)
    assert read_server_configuration(server(), GAMES, DEFAULT_GAME).settings.best_of == 3
    assert read_server_configuration(server(game="santorini"), GAMES, DEFAULT_GAME) == read_server_configuration(
        server(), GAMES, DEFAULT_GAME
    )


@pytest.mark.parametrize("game", ["chess", 1, None, ["santorini"]])
def test_a_game_that_is_not_there_is_refused_naming_the_key(game):
    with pytest.raises(StructureError, match=rf"expected a game, one of {', '.join(GAMES)}, got .* @ \$\.game$"):
        read_server_configuration(server(game=game), GAMES, DEFAULT_GAME)


def test_a_key_of_another_game_is_refused_saying_whose_it_is():
    with pytest.raises(StructureError) as refused:
        read_server_configuration(server(payoffs={}), TWO_GAMES, "santorini")
    assert str(refused.value) == '"payoffs" is a key of the other game, not of santorini @ $.payoffs'
    with pytest.raises(StructureError, match=r'"best of" is a key of the santorini game, not of other @ \$\.best of'):
        read_server_configuration(server(game="other", **{"best of": 3}), TWO_GAMES, "santorini")


def test_each_game_reads_only_its_own_keys():
    config = read_server_configuration(server(game="other", payoffs={"R": 3}), TWO_GAMES, "santorini")
    assert (config.game, config.settings) == ("other", {"payoffs": {"R": 3}})


def test_a_game_key_is_checked_by_its_game_and_an_unknown_key_by_the_host():
    with pytest.raises(StructureError, match=r"expected an odd whole number, got 2 @ \$\.best of"):
        read_server_configuration(server(**{"best of": 2}), GAMES, DEFAULT_GAME)
    with pytest.raises(StructureError, match=r'unknown key "colour" @ \$'):
        read_server_configuration(server(colour=1), GAMES, DEFAULT_GAME)


def test_clients_and_local_tournaments_choose_their_game_the_same_way():
    assert read_client_configuration(json.dumps(CLIENT), GAMES, DEFAULT_GAME).game == "santorini"
    with pytest.raises(StructureError, match=r'unknown key "best of" @ \$'):
        read_client_configuration(json.dumps({**CLIENT, "best of": 3}), GAMES, DEFAULT_GAME)
    local = read_local_configuration(json.dumps({"players": [], "observers": [], "best of": 7}), GAMES, DEFAULT_GAME)
    assert (local.game, local.settings.best_of) == ("santorini", 7)
