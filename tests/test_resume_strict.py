"""Resume and `python -m Remote.rebuild_exports` trust nothing in a log: a forged or mutated event is refused in one line naming it.

The logs are real: a tournament of house players (tests/test_resume.py's)
played to its end, and the same one stopped halfway. The property: any
single event appended, substituted or changed in such a log is either read
to a state whose Results are the real ones (or none), or refused with one
line `line N: ...`, never a traceback, never a Results that was not
computed. The examples are the issue's own forgeries, through xserver too.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import trio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from Remote import rebuild_exports, resume
from Remote.configuration import read_server_configuration
from Remote.event_log_reader import EventLogReadError as LineError
from Remote.event_log_reader import read_events, read_log
from Remote.event_log_writer import EVENTS_FILE, LogDirectory
from Remote.game_registry import DEFAULT_GAME, GAMES
from tests.game_conformance import configuration
from tests.house_server import run_server
from tests.processes import run_xserver
from tests.test_resume import refusal_to_resume

HALFWAY = 40
"""The interrupted logs stop after this many events."""


def tournament_of(log: Path) -> Path:
    (tournament,) = [entry for entry in log.iterdir() if entry.is_dir()]
    return tournament


@pytest.fixture(scope="module", params=list(GAMES))
def logs(request, tmp_path_factory) -> dict:
    """Both logs of one game: the finished one's and the interrupted one's events, and their configurations."""
    game = request.param
    place = tmp_path_factory.mktemp(game)
    finished_config = configuration(game, place / "finished")
    printed = trio.run(run_server, finished_config)
    finished = read_events(tournament_of(place / "finished" / "log") / EVENTS_FILE)[0]
    ends = [event["seq"] for event in finished if event["type"] == "encounter-end"]
    # Halfway: after HALFWAY events, or, where no encounter had ended by then (Fish's long games), right after the
    # encounter before the last ended.
    halfway = HALFWAY if ends[0] < HALFWAY else ends[-2] + 1
    stopped_config = configuration(game, place / "stopped")
    trio.run(run_server, stopped_config, halfway)
    return {
        "game": game,
        "printed": printed,
        "finished": finished,
        "stopped": read_events(tournament_of(place / "stopped" / "log") / EVENTS_FILE)[0],
        "finished config": finished_config,
        "stopped config": stopped_config,
    }


def write_log(path: Path, events: list) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / EVENTS_FILE).write_text("".join(json.dumps(event) + "\n" for event in events))
    return path / EVENTS_FILE


def refusal(path: Path) -> str:
    """The one line `read_log` refuses the log at `path` with."""
    with pytest.raises(LineError) as refused:
        read_log(path, GAMES)
    assert "\n" not in str(refused.value)
    return str(refused.value)


FORGERIES = [
    ({"type": "results", "results": 7, "output": None}, "Results after"),
    ({"type": "sign-up", "requested": ["x"], "assigned": {}}, "@ $.requested"),
    ({"type": "revision", "encounter": 0, "culprit": "zed", "outcome": [1, 2, 3]}, None),
    ({"type": "misbehaviour", "name": "zed", "kind": "broken", "reason": "r", "encounter": None}, '"zed" is not in the roster'),
    ({"type": "misbehaviour", "name": "ann", "kind": "naughty", "reason": "r", "encounter": None}, "@ $.kind"),
    (
        {"type": "encounter-start", "encounter": 9, "players": ["ann", "zed"], "repetition": 0, "meeting": 0},
        ('"zed" is not in the roster', "encounter 9 is not in the schedule"),  # a staged format's schedule may be shorter
    ),
    ({"type": "turn", "encounter": 999, "game": 0, "player": "ann", "action": ["ann1"], "ms": 1}, "encounter 999 is not running"),
    ({"type": "roster", "players": ["ann"], "encounters": 0}, "a second roster"),
    ({"type": "start", "version": 1, "tournament": None, "game": "santorini", "configuration": {}, "settings": {}}, "a second start"),
    (
        {"type": "encounter-end", "encounter": 0, "players": ["ann", "bob"], "outcome": None, "culprits": [], "extra": 1},
        'unknown key "extra"',
    ),
    ({"type": "mystery"}, 'unknown type "mystery"'),
]


@pytest.mark.parametrize("forged, words", FORGERIES)
def test_a_forged_event_appended_to_an_interrupted_log_is_refused_naming_its_line(logs, forged, words, tmp_path):
    events = logs["stopped"]
    path = write_log(tmp_path, [*events, {"seq": len(events) + 1, "t": 1.0, **forged}])
    line = refusal(path)
    assert line.startswith(f"line {len(events) + 1}: "), line
    if words is not None:
        assert any(word in line for word in ((words,) if isinstance(words, str) else words)), line


def test_the_results_must_be_those_the_outcomes_give(logs, tmp_path):
    events = [dict(event) for event in logs["finished"]]
    assert events[-1]["type"] == "results"
    events[-1]["output"] = ["forged", events[-1]["output"]]
    line = refusal(write_log(tmp_path / "output", events))
    assert line.startswith(f"line {len(events)}: ") and "output is not the one" in line
    events[-1] = {**logs["finished"][-1], "results": []}
    assert "Results are not those" in refusal(write_log(tmp_path / "results", events))


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-2, 40)
    | st.floats(-1e3, 1e3, allow_nan=False)
    | st.sampled_from(["ann", "bob", "cat", "dan", "eve", "zed", "", "C", "D", "broken", "irregular"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["players", "outcome", "x"]), inner, max_size=2),
    max_leaves=6,
)
KEYS = [
    "type",
    "encounter",
    "game",
    "players",
    "outcome",
    "culprits",
    "culprit",
    "name",
    "kind",
    "reason",
    "requested",
    "assigned",
    "results",
    "output",
    "returned",
    "absent",
    "repetition",
    "meeting",
    "encounters",
    "version",
    "t",
    "seq",
]
TYPES = [
    "start",
    "sign-up",
    "roster",
    "encounter-start",
    "misbehaviour",
    "encounter-end",
    "revision",
    "results",
    "stop",
    "resume",
    "game-start",
    "game-end",
    "placement",
    "turn",
    "round",
]


@st.composite
def mutations(draw, events: list) -> list:
    """`events` with one event appended, substituted by a forgery, or one of its keys changed, dropped or added."""
    events = [dict(event) for event in events]
    how = draw(st.sampled_from(["append", "substitute", "change", "drop", "add"]))
    if how in ("append", "substitute"):
        seq = len(events) + 1 if how == "append" else draw(st.integers(1, len(events)))
        forged = {"seq": seq, "t": 1.0, "type": draw(st.sampled_from(TYPES))}
        forged |= draw(st.dictionaries(st.sampled_from(KEYS[1:-2]), JSON_VALUES, max_size=6))
        if how == "append":
            events.append(forged)
        else:
            events[seq - 1] = forged
        return events
    event = events[draw(st.integers(0, len(events) - 1))]
    if how == "drop":
        del event[draw(st.sampled_from(sorted(event)))]
    else:
        event[draw(st.sampled_from(sorted(event) if how == "change" else KEYS))] = draw(JSON_VALUES)
    return events


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), which=st.sampled_from(["finished", "stopped"]))
def test_any_single_forged_or_mutated_event_is_read_to_the_real_results_or_refused_in_one_line(logs, data, which, tmp_path):
    events = data.draw(mutations(logs[which]))
    path = write_log(tmp_path / "mutated", events)
    try:
        state, game, _ = read_log(path, GAMES)
    except LineError as error:  # refused: one line naming the line
        assert "\n" not in str(error) and str(error).startswith("line "), str(error)
        return
    assert game is GAMES[logs["game"]]
    if state.results is not None:  # never a Results that was not computed
        assert which == "finished" and state.results["output"] == logs["printed"][0]


def test_python_m_remote_export_refuses_the_same_forged_log_in_one_line(logs, tmp_path, capsys):
    events = logs["stopped"]
    write_log(tmp_path, [*events, {"seq": len(events) + 1, "t": 1.0, "type": "results", "results": 7, "output": None}])
    assert rebuild_exports.main([str(tmp_path)]) == rebuild_exports.EXIT_REFUSED
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and f"line {len(events) + 1}: " in error
    assert not (tmp_path / "results.json").exists()


@pytest.mark.parametrize("forged", [FORGERIES[0][0], FORGERIES[1][0]], ids=["results", "sign-up"])
def test_xserver_refuses_to_resume_a_forged_log_in_one_line_with_status_2(logs, forged):
    if logs["game"] != "santorini":
        pytest.skip("one game is enough for the executable")
    config = logs["stopped config"]
    tournament = tournament_of(Path(config["event log"]))
    original = (tournament / EVENTS_FILE).read_bytes()
    events = read_events(tournament / EVENTS_FILE)[0]
    try:
        with open(tournament / EVENTS_FILE, "a") as file:
            file.write(json.dumps({"seq": len(events) + 1, "t": 1.0, **forged}) + "\n")
        refused = run_xserver({**config, "resume": True})
    finally:
        (tournament / EVENTS_FILE).write_bytes(original)
    assert refused.returncode == 2 and refused.stdout == ""
    (line,) = refused.stderr.splitlines()
    assert line.startswith("xserver: event log: cannot resume from ") and f"line {len(events) + 1}: " in line


def test_a_finished_tournament_with_a_different_configuration_is_refused_not_printed_again(logs):
    if logs["game"] != "ipd":
        pytest.skip("the seed is the prisoner's dilemma's")
    config = logs["finished config"]
    refused = refusal_to_resume(config, {"seed": 8})
    assert "configuration differs" in refused and '"seed" was 7, is 8' in refused
    again = run_xserver({**config, "seed": 8, "resume": True})
    assert again.returncode == 2 and again.stdout == "" and len(again.stderr.splitlines()) == 1


def test_a_resumed_tournament_says_how_many_encounters_it_had_played(logs, caplog):
    config = read_server_configuration(json.dumps({**logs["stopped config"], "resume": True}), GAMES, DEFAULT_GAME)
    state = read_log(tournament_of(Path(config.event_log)) / EVENTS_FILE, GAMES)[0]
    state.forget_unfinished()
    assert 0 < state.finished < state.total
    directory = LogDirectory(Path(config.event_log))
    try:
        with caplog.at_level(logging.INFO, logger="xserver"):
            assert isinstance(resume.interrupted_tournament(config, GAMES[logs["game"]], directory), resume.Interrupted)
    finally:
        directory.close()
    assert f"resume: {state.finished} of {state.total} encounters already played" in caplog.messages
