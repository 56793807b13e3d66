"""The prisoner's dilemma through the host: its keys, its seed, its output line, its records, python -m Admin."""

from __future__ import annotations

import json
import signal

import pytest

from Common.strict import StructureError
from Remote.configuration import read_server_configuration
from Remote.game_registry import DEFAULT_GAME, GAMES
from Remote.ipd.game import GAME, prepare
from Remote.loopback import ServerProcess
from tests.processes import run_admin
from tests.raw_client import stop, wait_for_log_sync

SERVER = {"game": "ipd", "min players": 2, "port": 0, "waiting for": 1, "repeat": 0}


def read(**keys):
    return read_server_configuration(json.dumps({**SERVER, **keys}), GAMES, DEFAULT_GAME)


def test_the_ipd_is_chosen_by_its_name_and_reads_its_own_keys():
    config = read(**{"min rounds": 10, "max rounds": 10, "noise": 0.1, "seed": 5})
    assert GAMES["ipd"] is GAME and config.game == "ipd"
    assert (config.settings.game.min_rounds, config.settings.game.noise, config.settings.game.seed) == (10, 0.1, 5)


@pytest.mark.parametrize(
    "keys, message",
    [
        ({"best of": 3}, '"best of" is a key of the santorini game, not of ipd @ $.best of'),
        ({"payoffs": {"R": 3, "S": 0, "T": 2, "P": 1}}, "payoffs"),
        ({"noise": 2}, "$.noise"),
        ({"records": 7}, "expected the path of a directory, got 7 @ $.records"),
        ({"records": "README.md"}, '"README.md" is not a directory @ $.records'),
    ],
)
def test_a_bad_key_is_refused_in_one_line_that_names_it(keys, message):
    with pytest.raises(StructureError, match=None) as refused:
        read(**keys)
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_a_tournament_without_a_seed_draws_one_and_says_how_to_play_it_again():
    settings, announcement = prepare(read().settings)
    assert settings.game.seed is not None and f'"seed": {settings.game.seed}' in announcement
    other, _ = prepare(read().settings)
    assert other.game.seed != settings.game.seed
    kept, said = prepare(read(seed=42).settings)
    assert kept.game.seed == 42 and said == "seed 42"


def test_python_m_admin_plays_the_ipd_and_prints_the_output_line_and_the_standings(tmp_path):
    players = [["tit-for-tat", "tft", ""], ["defector", "def", ""], ["cooperator", "coop", ""], ["breaker", "brk", ""]]
    finished = run_admin(
        {"game": "ipd", "players": players, "observers": [], "min rounds": 200, "max rounds": 200, "seed": 3, "records": str(tmp_path)}
    )
    assert finished.returncode == 0, finished.stderr
    line = json.loads(finished.stdout)
    assert line["game"] == "ipd" and line["seed"] == 3
    assert line["outcomes"][:2] == [["tft", "def", 199, 204, 200], ["tft", "coop", 600, 600, 200]]
    assert ["tft", "brk", "irregular"] in line["outcomes"]
    assert [standing[0] for standing in line["standings"]] == ["def", "tft", "coop"]
    log = finished.stderr.splitlines()
    assert "python -m Admin: seed 3" in log
    table = log[next(i for i, text in enumerate(log) if "standings after" in text) + 1 :]
    assert table[0].split() == ["rank", "player", "score", "matches", "rating", "(95", "%", "interval)"] and table[1].split()[1] == "def"
    records = sorted(tmp_path.glob("*.csv"))
    assert len(records) == 4  # every played match, the irregular one too, and nothing else
    first = records[0].read_text().splitlines()
    assert first[0] == "tft,def" and first[1] == "C,D" and len(first) == 202 and first[-1] == "# COMPLETED"
    assert any(path.read_text().endswith("# IRREGULAR brk\n") for path in records)


def test_with_repeat_every_tournament_draws_a_seed_of_its_own():
    house = [["tit-for-tat", "ann", ""], ["defector", "bob", ""]]
    server = ServerProcess(
        {"game": "ipd", "min players": 2, "waiting for": 0.1, "repeat": 1, "house players": house, "min rounds": 3, "max rounds": 3}
    )
    try:
        wait_for_log_sync(server, "statistics", 2)
        server.process.send_signal(signal.SIGTERM)
        finished = server.finish(60)
    finally:
        stop(server)
    seeds = [json.loads(line)["seed"] for line in finished.output.splitlines()]
    assert len(seeds) >= 2 and len(set(seeds)) == len(seeds)
    drawn = [line for line in finished.log.splitlines() if line.startswith("xserver: seed ") and "(drawn;" in line]
    assert [int(line.split()[2]) for line in drawn[: len(seeds)]] == seeds
