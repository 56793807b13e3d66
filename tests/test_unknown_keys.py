"""A key nobody knows is refused with the nearest known key: `unknown key "min player"; did you mean "min players"?`.

Every configuration is read strictly (xserver's, xclients', `python -m
Admin`'s, the watch settings, each game's own keys), and the one place that
refuses an unknown key suggests the known key it is nearest to, if one is
near enough; a key far from all of them is refused as before.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from Common.strict import StructureError
from Remote.configuration import (
    CLIENT_KEYS,
    LOCAL_KEYS,
    SERVER_KEYS,
    read_client_configuration,
    read_local_configuration,
    read_server_configuration,
)
from Remote.game_registry import DEFAULT_GAME, GAMES
from Remote.loopback import PROJECT_ROOT
from Remote.watch.settings import KEYS as WATCH_KEYS
from tests.processes import run_xserver

SERVER = {"min players": 2, "port": 0, "waiting for": 1, "repeat": 0}
CLIENT = {"players": [], "observers": [], "ip": "127.0.0.1", "port": 1}
LOCAL = {"players": [], "observers": []}


def refusal(read, data: dict, game: str = DEFAULT_GAME) -> str:
    with pytest.raises(StructureError) as refused:
        read(json.dumps({**data, "game": game}), GAMES, DEFAULT_GAME)
    return str(refused.value)


def without(data: dict, key: str) -> dict:
    return {name: value for name, value in data.items() if name != key}


def test_the_issues_example_suggests_min_players() -> None:
    data = {**without(SERVER, "min players"), "min player": 2}
    assert refusal(read_server_configuration, data) == 'unknown key "min player"; did you mean "min players"? @ $'


@pytest.mark.parametrize(
    ("read", "data", "typo", "meant"),
    [
        (read_server_configuration, SERVER, "waiting_for", "waiting for"),
        (read_server_configuration, SERVER, "House Players", "house players"),
        (read_client_configuration, CLIENT, "oberservers", "observers"),
        (read_client_configuration, CLIENT, "retry-for", "retry for"),
        (read_local_configuration, LOCAL, "time per cal", "time per call"),
    ],
    ids=["xserver", "xserver, case", "xclients", "xclients, hyphen", "python -m Admin"],
)
def test_a_misspelt_key_of_a_configuration_suggests_the_key(read, data, typo, meant) -> None:
    message = refusal(read, {**without(data, meant), typo: 1})
    assert f'unknown key "{typo}"; did you mean "{meant}"?' in message


def test_a_misspelt_watch_key_suggests_the_key_with_its_path() -> None:
    message = refusal(read_server_configuration, {**SERVER, "watch": {"prot": 8080}})
    assert 'unknown key "prot"; did you mean "port"? @ $.watch' in message


@pytest.mark.parametrize("game", GAMES.values(), ids=GAMES.keys())
def test_a_misspelt_key_of_each_game_suggests_the_games_key(game) -> None:
    for key in sorted(game.settings_keys):
        typo = key[:-1]
        for read, data in [(read_server_configuration, SERVER), (read_local_configuration, LOCAL)]:
            assert f'unknown key "{typo}"; did you mean "{key}"?' in refusal(read, {**data, typo: 1}, game.name)


def test_a_key_near_no_known_key_is_refused_without_a_suggestion() -> None:
    assert refusal(read_server_configuration, {**SERVER, "colour": "red"}) == 'unknown key "colour" @ $'


@given(st.sampled_from(sorted({*SERVER_KEYS.values(), *CLIENT_KEYS.values(), *LOCAL_KEYS.values()})), st.data())
def test_a_host_key_with_one_character_dropped_suggests_that_key(key: str, data: st.DataObject) -> None:
    known = {*SERVER_KEYS.values(), *CLIENT_KEYS.values(), *LOCAL_KEYS.values(), *WATCH_KEYS.values()}
    at = data.draw(st.integers(0, len(key) - 1))
    typo = key[:at] + key[at + 1 :]
    if len(key) < 3 or typo in known:
        return
    read, base = {
        **dict.fromkeys(LOCAL_KEYS.values(), (read_local_configuration, LOCAL)),
        **dict.fromkeys(CLIENT_KEYS.values(), (read_client_configuration, CLIENT)),
        **dict.fromkeys(SERVER_KEYS.values(), (read_server_configuration, SERVER)),
    }[key]
    assert f'did you mean "{key}"?' in refusal(read, {**without(base, key), typo: 1})


def test_xserver_says_which_key_was_meant_in_one_line() -> None:
    data = {**without(SERVER, "min players"), "min player": 2}
    finished = run_xserver(data)
    assert finished.returncode == 2
    assert finished.stderr == 'xserver: configuration: unknown key "min player"; did you mean "min players"? @ $\n'


def test_observers_may_be_left_out_of_xclients_and_python_m_admin() -> None:
    client = read_client_configuration(json.dumps(without(CLIENT, "observers")), GAMES, DEFAULT_GAME)
    local = read_local_configuration(json.dumps(without(LOCAL, "observers")), GAMES, DEFAULT_GAME)
    assert client.observers == () and local.observers == ()


def test_xclients_help_says_observers_are_optional() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "Remote.client", "--help"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60
    ).stdout
    assert any(line.split()[:2] == ['"observers"', "optional"] for line in shown.splitlines())
