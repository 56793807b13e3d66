"""xserver's "max players": a sign-up window closes as soon as that many players have signed up.

Real processes on 127.0.0.1. The windows here are 30 s long: each test sees
the window close because it was full (the log says so) and the tournament
end; the processes' own time limits are only guards against a hang.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

from Remote.loopback import PROJECT_ROOT, ServerProcess, run_clients
from tests.raw_client import HOST, stop, wait_for_log_sync

GUARD = 25.0
"""Seconds before a test gives up on a process: below the 30 s window, so a window that runs its length fails."""
LONG_WINDOW = 30
SERVER = [sys.executable, "-m", "Remote.xserver"]


def players(*names: str) -> dict:
    return {"players": [["good", name, ""] for name in names], "observers": []}


def played_by(results: list) -> set[str]:
    return {name for outcome in results for name in outcome[:2]}


def test_a_full_window_closes_at_once_and_the_tournament_runs_without_waiting_for_the_rest_of_it():
    server = ServerProcess({"min players": 2, "max players": 4, "waiting for": LONG_WINDOW, "repeat": 0})
    try:
        clients = run_clients(players("ann", "ben", "cat", "dan"), server.port, GUARD)
        finished = server.finish(GUARD)
    finally:
        stop(server)
    assert (finished.status, clients.status) == (0, 0), finished.log
    assert 'xserver: the window closed: 4 players signed up, as many as "max players"' in finished.log.splitlines()
    assert played_by(finished.json()) == {"ann", "ben", "cat", "dan"} and len(finished.json()) == 6


def test_house_players_count_towards_max_players():
    server = ServerProcess(
        {
            "min players": 2,
            "max players": 3,
            "waiting for": LONG_WINDOW,
            "repeat": 0,
            "house players": [["good", "ann", ""], ["good", "ben", ""]],
        }
    )
    try:
        clients = run_clients(players("cat"), server.port, GUARD)
        finished = server.finish(GUARD)
    finally:
        stop(server)
    assert (finished.status, clients.status) == (0, 0), finished.log
    assert played_by(finished.json()) == {"ann", "ben", "cat"}


def test_with_repeat_each_window_closes_when_full_and_those_beyond_the_most_play_in_the_next():
    server = ServerProcess({"min players": 2, "max players": 2, "waiting for": LONG_WINDOW, "repeat": 1})
    try:
        clients = run_clients(players("ann", "ben", "cat", "dan"), server.port, GUARD)
        wait_for_log_sync(server, "statistics", 2, GUARD)
        server.process.send_signal(signal.SIGTERM)
        finished = server.finish(GUARD)
    finally:
        stop(server)
    assert clients.status == 0, clients.log
    printed = [json.loads(line) for line in finished.output.splitlines()]
    assert [played_by(results) for results in printed] == [{"ann", "ben"}, {"cat", "dan"}]
    assert finished.log.count('as many as "max players"') == 2


@pytest.mark.parametrize(
    "value, says",
    [
        (1, "expected a whole number >= 2, got 1 @ $.max players"),
        ("4", 'expected a whole number, got "4" @ $.max players'),
        (True, "expected a whole number, got true @ $.max players"),
        (4.0, "expected a whole number, got 4.0 @ $.max players"),
        (2, '"max players" must be at least "min players" (3), got 2 @ $'),
    ],
    ids=["one", "string", "true", "float", "below min players"],
)
def test_a_bad_max_players_is_one_line_naming_the_key(value, says):
    configuration = {"min players": 3, "port": 0, "host": HOST, "waiting for": 1, "repeat": 0, "max players": value}
    finished = subprocess.run(SERVER, cwd=PROJECT_ROOT, input=json.dumps(configuration), capture_output=True, text=True, timeout=GUARD)
    assert finished.returncode == 2
    assert finished.stderr.splitlines() == [f"xserver: configuration: {says}"]
