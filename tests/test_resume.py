"""Resuming after a crash, in one process: a finished log, a torn last line, a differing configuration, the keys.

Each tournament is xserver's own `serve` among house players (an honest one,
a breaker, one that never answers, one that is slow, one that breaks late:
tests/game_conformance.py `configuration`), with its event log in a
temporary directory. The test-only hook stops the server right after the
k-th event is written, as if the process had died there (nothing more is
written, no `stop` event); then a second `serve` with `"resume": true` goes
on from the log. That a tournament stopped after events throughout resumes
to the Results of the uninterrupted run, for every game of the registry, is
the conformance kit's check (tests/test_conformance.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import trio

from Admin.tournament_state import fold
from Remote import resume
from Remote.configuration import read_server_configuration
from Remote.event_log_reader import read_events
from Remote.event_log_writer import EVENTS_FILE, EventLogError, LogDirectory
from Remote.game_registry import DEFAULT_GAME, GAMES
from tests.game_conformance import configuration
from tests.house_server import events_of, run_server


@pytest.mark.parametrize("game", GAMES)
async def test_a_finished_log_resumed_twice_prints_the_same_results_and_writes_nothing(game, tmp_path):
    config = configuration(game, tmp_path)
    expected = await run_server(config)
    log = tmp_path / "log"
    before = events_of(log)
    assert await run_server({**config, "resume": True}) == expected
    assert await run_server({**config, "resume": True}) == expected
    assert events_of(log) == before


@pytest.mark.parametrize("game", GAMES)
async def test_a_torn_last_line_is_dropped_and_the_tournament_goes_on(game, tmp_path):
    config = configuration(game, tmp_path)
    expected = await run_server(config)
    log = tmp_path / "log"
    events = events_of(log)
    place = tmp_path / "torn"
    torn_config = configuration(game, place)
    await run_server(torn_config, crash_after=len(events) // 2)
    (tournament,) = [entry for entry in (place / "log").iterdir() if entry.is_dir()]
    async with await trio.open_file(tournament / EVENTS_FILE, "a") as file:
        await file.write('{"seq": 99999, "t": 1, "type": "tur')  # the write a crash cut short
    assert await run_server({**torn_config, "resume": True}) == expected
    final, torn = read_events(tournament / EVENTS_FILE)
    assert not torn and fold(final).results["output"] == expected[0]


@pytest.mark.parametrize(
    "change, words",
    [
        ({"best of": 3}, '"best of" was 1, is 3'),
        ({"time per call": 0.5}, '"time per call" was 0.3, is 0.5'),
        ({"fair starts": True}, '"fair starts" was null, is true'),
        ({"house players": [["good", "ann", ""], ["breaker", "bob", ""]]}, '"house players"'),
    ],
)
async def test_a_configuration_that_differs_in_a_value_that_can_change_the_results_is_refused(change, words, tmp_path):
    config = configuration(DEFAULT_GAME, tmp_path)  # the changes are the default game's own keys
    await run_server(config, crash_after=20)
    refused = refusal_to_resume(config, change)
    assert "configuration differs" in refused and words in refused


def refusal_to_resume(config: dict, change: dict) -> str:
    """The one line `"resume": true` with `change` made to `config` is refused with (the log is config's)."""
    changed = read_server_configuration(json.dumps({**config, **change, "resume": True}), GAMES, DEFAULT_GAME)
    directory = LogDirectory(Path(config["event log"]))
    try:
        with pytest.raises(EventLogError) as refused:
            resume.interrupted_tournament(changed, GAMES[changed.game], directory)
    finally:
        directory.close()
    assert "\n" not in str(refused.value)
    return str(refused.value)


def test_a_second_server_on_the_same_directory_is_refused(tmp_path):
    first = LogDirectory(tmp_path / "log")
    try:
        with pytest.raises(EventLogError, match="another server is using the event log"):
            LogDirectory(tmp_path / "log")
    finally:
        first.close()
    LogDirectory(tmp_path / "log").close()  # free again once the first has let go


def test_players_come_back_by_the_name_they_asked_for_or_played_as_each_once():
    from Remote.resume import Returning

    sign_ups = [{"requested": "ann", "assigned": "ann"}, {"requested": "ann", "assigned": "anna"}, {"requested": "bob", "assigned": "bob"}]
    returning = Returning(sign_ups, expected=["ann", "anna", "bob"])
    assert returning.admit("anna") is None  # the name it played as
    assert returning.admit("ann") is None
    assert "has come back already" in returning.admit("ann")
    assert "not a player" in returning.admit("cat")
    assert returning.claims == ["anna", "ann"] and not returning.all_back.is_set()
    assert returning.admit("bob") is None and returning.all_back.is_set()
    assert Returning(sign_ups, expected=["bob"]).admit("ann") is not None  # out players do not come back


@pytest.mark.parametrize(
    "keys, words",
    [
        ({"resume": True}, '"resume": true needs "event log"'),
        ({"resume": 1, "event log": "x"}, "expected true or false, got 1 @ $.resume"),
        ({"event log": ""}, 'expected the path of a directory, got "" @ $.event log'),
        ({"event log": 5}, "@ $.event log"),
        ({"resume wait": 0, "event log": "x"}, "@ $.resume wait"),
        ({"resume wait": "5", "event log": "x"}, "@ $.resume wait"),
        ({"watch linger": -1}, "expected a number of seconds >= 0, got -1 @ $.watch linger"),
        ({"watch linger": True}, "@ $.watch linger"),
        ({"watch": {"port": 70000}}, "expected a whole number in 0..65535, got 70000 @ $.watch.port"),
        ({"watch": {"port": 1, "colour": "red"}}, 'unknown key "colour" @ $.watch'),
    ],
)
def test_the_event_log_and_watch_keys_are_read_strictly_naming_the_key(keys, words):
    text = json.dumps({"min players": 1, "port": 0, "waiting for": 1, "repeat": 0, **keys})
    with pytest.raises(ValueError) as refused:
        read_server_configuration(text, GAMES, DEFAULT_GAME)
    assert words in str(refused.value) and "\n" not in str(refused.value)
