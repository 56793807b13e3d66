"""Resuming after a crash, in one process: stopped after every single event, the resumed run prints the same Results.

Each tournament is xserver's own `serve` among house players (a good one, a
breaker, one that never answers, one that is slow), with its event log in a
temporary directory. The test-only hook stops the server right after the
k-th event is written, as if the process had died there (nothing more is
written, no `stop` event); then a second `serve` with `"resume": true` goes
on from the log. For every k of both games, the Results must equal those of
the uninterrupted run, and the log must fold without a gap.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import trio

from Admin.tournament_state import fold
from Player.configuration import create_players
from Remote import resume, server
from Remote.configuration import read_server_configuration
from Remote.event_log import EVENTS_FILE, EventLogError, LogDirectory
from Remote.event_reading import read_events
from Remote.games import DEFAULT_GAME, GAMES

SLOW_PLAYER = '''
"""A good player that takes its time (well within the time limit)."""
import time
from Player.santorini.strategic import GoodStrategy

class Slow(GoodStrategy):
    def take_turn(self, me, board):
        time.sleep(0.005)
        return super().take_turn(me, board)

def make_strategy():
    return Slow()
'''

LATE_BREAKER = '''
"""A good player that breaks the rules in its encounter with dan, its last: its earlier win is revised."""
from Player.santorini.strategic import GoodStrategy

class BreaksAgainstDan(GoodStrategy):
    def start_encounter(self, me, opponent):
        if opponent == "dan":
            raise RuntimeError("not against dan")

def make_strategy():
    return BreaksAgainstDan()
'''

LATE_IPD_BREAKER = '''
"""A tit-for-tat that answers "B" in its match with dan, its last: its earlier match is revised."""
from Player.ipd.classics import TitForTat

class BreaksAgainstDan(TitForTat):
    def start_match(self, me, opponent):
        self.opponent = opponent

    def move(self, me, round, prev):
        return "B" if self.opponent == "dan" else super().move(me, round, prev)

def make_strategy():
    return BreaksAgainstDan()
'''

SLOW_IPD_PLAYER = '''
"""A tit-for-tat that takes its time (well within the time per move)."""
import time
from Player.ipd.classics import TitForTat

class Slow(TitForTat):
    def move(self, *args):
        time.sleep(0.002)
        return super().move(*args)

def make_strategy():
    return Slow()
'''


def configuration(game: str, tmp_path: Path) -> dict:
    """A tournament of five house players (weak or good, breaker, silent, slow, breaking late), logged under tmp_path."""
    tmp_path.mkdir(exist_ok=True)
    slow, breaker = str(tmp_path / "slow.py"), str(tmp_path / "breaker.py")
    if game.startswith("santorini"):
        (tmp_path / "slow.py").write_text(SLOW_PLAYER)
        (tmp_path / "breaker.py").write_text(LATE_BREAKER)
        ann = ["good", "ann", "Player/santorini/example_player.py"]
        house = [ann, ["breaker", "bob", ""], ["infinite", "cat", ""], ["good", "dan", slow], ["good", "eve", breaker]]
        own = {"best of": 1} | ({"fair starts": True} if game == "santorini fair starts" else {})
    else:
        (tmp_path / "slow.py").write_text(SLOW_IPD_PLAYER)
        (tmp_path / "breaker.py").write_text(LATE_IPD_BREAKER)
        house = [["tit-for-tat", "ann", ""], ["breaker", "bob", ""], ["infinite", "cat", ""], ["tit-for-tat", "dan", slow]]
        house.append(["tit-for-tat", "eve", breaker])
        own = {"game": "ipd", "seed": 7, "end probability": 0.2, "max rounds": 12, "time per move": 0.2}
    return {
        "min players": 4, "port": 0, "host": "127.0.0.1", "waiting for": 0.01, "repeat": 0,
        "time per call": 0.2, "house players": house, "event log": str(tmp_path / "log"), **own,
    }


async def run_server(config_json: dict, crash_after: int | None = None) -> list:
    """One xserver life in this process: the lines it printed (its exit status must be 0 unless it crashed)."""
    config = read_server_configuration(json.dumps(config_json), GAMES, DEFAULT_GAME)
    game = GAMES[config.game]
    directory = LogDirectory(Path(config.event_log))
    printed: list = []
    try:
        interrupted = resume.interrupted_tournament(config, game, directory) if config.resume else None
        if isinstance(interrupted, resume.Ended):
            return [interrupted.output]
        with trio.CancelScope() as scope:
            logging_to = resume.EventLogging(directory, crash_after=crash_after, on_crash=scope.cancel)
            house = lambda: create_players(config.house_players, "house players", game.players)  # noqa: E731
            status = await server.serve(config, game, house, printed.append, logging_to=logging_to, interrupted=interrupted)
            assert status == server.EXIT_DONE
    finally:
        directory.close()
    return printed


def events_of(log: Path) -> list[dict]:
    (tournament,) = [entry for entry in log.iterdir() if entry.is_dir()]
    events, torn = read_events(tournament / EVENTS_FILE)
    assert not torn
    return events


@pytest.mark.parametrize("game", ["santorini", "santorini fair starts", "ipd"])
async def test_a_tournament_stopped_after_any_event_resumes_to_the_results_of_the_uninterrupted_run(game, tmp_path):
    reference = configuration(game, tmp_path / "reference")
    expected = await run_server(reference)
    events = events_of(tmp_path / "reference" / "log")
    assert len(expected) == 1 and events[-1]["type"] == "results" and events[-1]["output"] == expected[0]
    assert {"misbehaviour", "revision", "encounter-end"} <= {event["type"] for event in events}
    for k in range(1, len(events)):
        place = tmp_path / f"crash-{k}"
        config = configuration(game, place)
        assert await run_server(config, crash_after=k) == []
        assert len(events_of(place / "log")) == k
        resumed = await run_server({**config, "resume": True})
        assert resumed == expected, f"stopped after event {k} ({events[k - 1]['type']})"
        tournaments = sorted(entry for entry in (place / "log").iterdir() if entry.is_dir())
        final = fold(read_events(tournaments[-1] / EVENTS_FILE)[0])
        assert final.results is not None and final.results["output"] == expected[0], k


async def test_a_finished_log_resumed_twice_prints_the_same_results_and_writes_nothing(tmp_path):
    config = configuration("santorini", tmp_path)
    expected = await run_server(config)
    log = tmp_path / "log"
    before = events_of(log)
    assert await run_server({**config, "resume": True}) == expected
    assert await run_server({**config, "resume": True}) == expected
    assert events_of(log) == before


async def test_a_torn_last_line_is_dropped_and_the_tournament_goes_on(tmp_path):
    config = configuration("santorini", tmp_path)
    expected = await run_server(config)
    log = tmp_path / "log"
    events = events_of(log)
    place = tmp_path / "torn"
    torn_config = configuration("santorini", place)
    await run_server(torn_config, crash_after=len(events) // 2)
    (tournament,) = [entry for entry in (place / "log").iterdir() if entry.is_dir()]
    with open(tournament / EVENTS_FILE, "a") as file:
        file.write('{"seq": 99999, "t": 1, "type": "tur')  # the write a crash cut short
    assert await run_server({**torn_config, "resume": True}) == expected
    final, torn = read_events(tournament / EVENTS_FILE)
    assert not torn and fold(final).results["output"] == expected[0]


@pytest.mark.parametrize(
    "change, words",
    [
        ({"best of": 3}, '"best of" was 1, is 3'),
        ({"time per call": 0.3}, '"time per call" was 0.2, is 0.3'),
        ({"fair starts": True}, '"fair starts" was null, is true'),
        ({"house players": [["good", "ann", ""], ["breaker", "bob", ""]]}, '"house players"'),
    ],
)
async def test_a_configuration_that_differs_in_a_value_that_can_change_the_results_is_refused(change, words, tmp_path):
    config = configuration("santorini", tmp_path)
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
