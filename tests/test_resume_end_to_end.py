"""Resuming with real processes: xserver killed (SIGKILL) or stopped (SIGTERM) mid-tournament, the players come back.

Each scenario first runs the tournament uninterrupted for its Results. Then
it runs it again with an event log, interrupts xserver, starts xserver again
with `"resume": true` and the players' xclients again; the Results printed
must be the uninterrupted run's. A player that does not come back
misbehaves (kind `absent`) and loses irregularly, with the revisions.
Every wait is bounded and waits for something the programs do.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from Admin.tournament_state import fold
from Remote.event_log_reader import read_events
from Remote.event_log_writer import EVENTS_FILE
from Remote.loopback import Finished, ServerProcess
from Remote.xserver import CRASH_VARIABLE
from tests.processes import run_xserver, start_xclients
from tests.raw_client import stop, wait_for_log_sync

LIMIT = 60.0
WINDOW = 6.0
"""Seconds of sign-up: xclients, started as soon as xserver listens, signs up within them also on a loaded machine."""
PLAYERS = [["good", name, ""] for name in ("ann", "bob", "cat", "dan")]
SLOW_PLAYER = '''
"""A good player that takes its time, so that the tournament is still running when the test stops the server."""
import time
from Player.santorini.strategic import GoodStrategy

class Slow(GoodStrategy):
    def take_turn(self, me, board):
        time.sleep(0.02)
        return super().take_turn(me, board)

def make_strategy():
    return Slow()
'''


def server_config(tmp_path: Path, **more) -> dict:
    return {"min players": 4, "waiting for": WINDOW, "repeat": 0, "time per call": 5, "best of": 1, **more}


def start_clients(port: int, players: list) -> subprocess.Popen:
    return start_xclients({"players": players, "observers": [], "ip": "127.0.0.1", "port": port})


def play(config: dict, players: list, crash_after: int | None = None) -> tuple[ServerProcess, subprocess.Popen]:
    """Start xserver, then xclients with `players`; the window closes once all have signed up."""
    environment = dict(os.environ)
    if crash_after is not None:
        os.environ[CRASH_VARIABLE] = str(crash_after)
    try:
        server = ServerProcess(config)
    finally:
        os.environ.clear()
        os.environ.update(environment)
    clients = start_clients(server.port, players)
    return server, clients


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    output, log = process.communicate(timeout=LIMIT)
    return process.returncode, output, log


def tournament_events(log: Path) -> list[dict]:
    (tournament,) = [entry for entry in log.iterdir() if entry.is_dir()]
    return read_events(tournament / EVENTS_FILE)[0]


def played(config: dict, players: list, crash_after: int | None = None) -> tuple[Finished, tuple[int, str, str]]:
    """A whole xserver life with xclients playing `players`: what each printed (the server's, then the clients')."""
    server, clients = play(config, players, crash_after)
    try:
        client = finish(clients)
        done = server.finish(LIMIT)
    finally:
        stop(server)
    return done, client


def uninterrupted(config: dict, players: list) -> object:
    done, (status, _, _) = played(config, players)
    assert done.status == 0 and status == 0
    return done.json()


def resumed(logged: dict, players: list, wait: float = 30) -> tuple[Finished, tuple[int, str, str]]:
    """xserver again with `"resume": true`, and xclients with `players` coming back."""
    return played({**logged, "resume": True, "resume wait": wait}, players)


def test_a_killed_server_resumes_when_its_players_come_back_and_prints_the_uninterrupted_results(tmp_path):
    config = server_config(tmp_path)
    expected = uninterrupted(config, PLAYERS)
    logged = {**config, "event log": str(tmp_path / "log")}
    killed, _ = played(logged, PLAYERS, crash_after=40)
    assert killed.status == -signal.SIGKILL and killed.output == ""
    assert len(tournament_events(tmp_path / "log")) == 40
    again, (status, client_output, _) = resumed(logged, PLAYERS)
    assert again.status == 0 and again.json() == expected
    assert status == 0 and json.loads(client_output) == expected
    assert "resuming tournament" in again.log and "4 players to come back" in again.log
    state = fold(tournament_events(tmp_path / "log"))
    assert state.resumes == 1 and state.results["output"] == expected


def test_a_player_that_does_not_come_back_is_absent_and_loses_irregularly_with_the_revisions(tmp_path):
    logged = server_config(tmp_path, **{"event log": str(tmp_path / "log")})
    played(logged, PLAYERS, crash_after=60)
    before = fold(tournament_events(tmp_path / "log"))
    won_by_ann = [e.outcome for e in before.encounters.values() if e.ended and e.outcome and e.outcome[0] == "ann"]
    again, _ = resumed(logged, PLAYERS[1:], wait=2)
    assert again.status == 0, again.log
    results = again.json()
    assert "absent: ann" in again.log
    assert not any(outcome[0] == "ann" for outcome in results), "a win of the absent player survived"
    state = fold(tournament_events(tmp_path / "log"))
    assert state.misbehaviours["ann"]["kind"] == "absent"
    assert "did not come back within 2 s" in state.misbehaviours["ann"]["reason"]
    assert len([index for index, outcome in state.revisions.items()]) >= len(won_by_ann)


def test_a_stopped_server_writes_a_stop_event_says_how_to_resume_and_resumes(tmp_path):
    (tmp_path / "slow.py").write_text(SLOW_PLAYER)
    house = {"house players": [["good", "eve", str(tmp_path / "slow.py")]], "min players": 5}
    config = server_config(tmp_path, **house)
    expected = uninterrupted(config, PLAYERS)
    logged = {**config, "event log": str(tmp_path / "log")}
    server, clients = play(logged, PLAYERS)
    try:
        wait_for_log_sync(server, " beat ", time_limit=LIMIT)
        server.process.send_signal(signal.SIGTERM)
        stopped = server.finish(LIMIT)
        finish(clients)
    finally:
        stop(server)
    assert stopped.status == 130 and stopped.output == ""
    (so_far,) = [line for line in stopped.log.splitlines() if "results so far: " in line]
    assert json.loads(so_far.split("results so far: ", 1)[1]) != expected
    assert '"resume": true' in stopped.log
    events = tournament_events(tmp_path / "log")
    assert events[-1]["type"] == "stop"
    again, _ = resumed(logged, PLAYERS)
    assert again.status == 0 and again.json() == expected


TOKENS = {name: name * 8 for name in ("ann", "bob", "cat", "dan")}


def test_with_tokens_the_players_come_back_with_their_tokens_and_a_wrong_token_is_absent(tmp_path):
    participants = tmp_path / "participants.csv"
    participants.write_text("participant,token\n" + "".join(f"{name},{token}\n" for name, token in TOKENS.items()))
    players = [["good", name, "", TOKENS[name]] for name in TOKENS]
    config = server_config(tmp_path, participants=str(participants))
    expected = uninterrupted(config, players)
    logged = {**config, "event log": str(tmp_path / "log")}
    played(logged, players, crash_after=40)
    again, _ = resumed(logged, players)
    assert again.status == 0 and again.json() == expected

    played(logged, players, crash_after=40)
    impostor = [["good", "ann", "", "x" * 16], *players[1:]]
    again, _ = resumed(logged, impostor, wait=2)
    assert again.status == 0 and "absent: ann" in again.log and "x" * 16 not in again.log


def test_a_second_server_on_the_same_event_log_is_refused_in_one_line(tmp_path):
    logged = server_config(tmp_path, **{"event log": str(tmp_path / "log")})
    first = ServerProcess(logged)
    try:
        second = run_xserver({**logged, "port": 0})
    finally:
        stop(first)
    assert second.returncode == 2 and second.stdout == ""
    assert second.stderr.splitlines() == [f"xserver: event log: another server is using the event log {tmp_path / 'log'}"]


def test_an_event_log_that_cannot_be_written_is_refused_before_the_window_opens(tmp_path):
    log = tmp_path / "log"
    log.mkdir()
    (log / ".lock").write_text("")  # a server used it before: the lock can be opened, nothing new made
    if subprocess.run(["chattr", "+i", str(log)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here (it makes a directory unwritable for root too)")
    try:
        config = {**server_config(tmp_path), "min players": 0, "waiting for": 0.5, "port": 0, "event log": str(log)}
        refused = run_xserver(config)
    finally:
        subprocess.run(["chattr", "-i", str(log)], check=True)
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.splitlines() == [f"xserver: event log: cannot write in the event log {log}: Operation not permitted"]
