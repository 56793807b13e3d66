"""xserver and xclients as a user meets them: processes, standard streams, exit statuses, signals.

Each test runs `python -m Remote.xserver` or `python -m Remote.client` (and once
the real `./xserver` launcher) from the project root, on 127.0.0.1, and looks
only at what a user sees: what is printed where, the exit status, and
whether the server listens.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys

import pytest

from Remote.loopback import LISTENING, PROJECT_ROOT, ServerProcess, run_clients
from tests.raw_client import HOST, run_on_a_terminal, stop, wait_for_log_sync

LIMIT = 60.0
WINDOW = 1.5
"""Seconds of sign-up: enough for an xclients process to start and sign up."""
SERVER = [sys.executable, "-m", "Remote.xserver"]
CLIENTS = [sys.executable, "-m", "Remote.client"]
GOOD_SERVER = {"min players": 2, "port": 0, "waiting for": 1, "repeat": 0, "host": HOST}
GOOD_CLIENTS = {"players": [["good", "ann", ""]], "observers": [], "ip": HOST, "port": 1}


def run(command: list[str], stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=PROJECT_ROOT, input=stdin, capture_output=True, text=True, timeout=LIMIT)


def with_key(config: dict, key: str, value: object) -> str:
    return json.dumps({**config, key: value})


def without_key(config: dict, key: str) -> str:
    return json.dumps({k: v for k, v in config.items() if k != key})


def assert_one_line_about(finished: subprocess.CompletedProcess, program: str, offending: str) -> None:
    """Exit status 2, nothing on standard output, one line on standard error that names `offending`."""
    assert finished.returncode == 2, finished.stderr
    assert finished.stdout == ""
    lines = finished.stderr.splitlines()
    assert len(lines) == 1, finished.stderr
    assert lines[0].startswith(f"{program}: ") and offending in lines[0], lines[0]


@pytest.mark.parametrize(
    "stdin, offending",
    [
        ("{ this is not json", "not JSON"),
        (without_key(GOOD_SERVER, "port"), "port"),
        (with_key(GOOD_SERVER, "waiting for", "ten"), "waiting for"),
        (with_key(GOOD_SERVER, "port", 70000), "port"),
        (with_key(GOOD_SERVER, "repeat", True), "repeat"),
        (with_key(GOOD_SERVER, "colour", "blue"), "colour"),
        (with_key(GOOD_SERVER, "best of", 4), "best of"),
        (with_key(GOOD_SERVER, "house players", [["wizard", "merlin", ""]]), "house players"),
        (with_key(GOOD_SERVER, "house players", [["good", "merlin", "/no/such/player.py"]]), "/no/such/player.py"),
    ],
    ids=[
        "not JSON",
        "no port",
        "waiting for ten",
        "port 70000",
        "repeat true",
        "unknown key",
        "best of 4",
        "unknown kind",
        "missing player file",
    ],
)
def test_a_bad_server_configuration_is_one_line_naming_the_key_and_nothing_listens(stdin, offending):
    finished = run(SERVER, stdin)
    assert_one_line_about(finished, "xserver", offending)
    assert "listening" not in finished.stderr


@pytest.fixture
def broken_player_file(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("def make_strategy(:\n    return None\n")
    return str(path)


@pytest.mark.parametrize(
    "key, value, offending",
    [
        ("players", "abc", "players"),
        ("players", [["good", "Alice", ""]], "Alice"),
        ("ip", 5, "ip"),
        ("players", [["good", "ann", "BROKEN"]], "BROKEN"),
    ],
    ids=["players abc", "name Alice", "ip 5", "syntax error in player file"],
)
def test_a_bad_client_configuration_is_one_line_naming_the_key(key, value, offending, broken_player_file):
    if offending == "BROKEN":
        value, offending = [["good", "ann", broken_player_file]], broken_player_file
    finished = run(CLIENTS, with_key(GOOD_CLIENTS, key, value))
    assert_one_line_about(finished, "xclients", offending)


def test_the_xserver_launcher_runs_the_server_and_reports_a_bad_configuration():
    up_to_date = subprocess.run(["make", "-q", "-C", str(PROJECT_ROOT), "venv"], capture_output=True, timeout=LIMIT)
    if up_to_date.returncode != 0:
        pytest.skip("the virtual environment is out of date: the launcher would reinstall it")
    finished = subprocess.run(
        [str(PROJECT_ROOT / "xserver")],
        input=with_key(GOOD_SERVER, "repeat", 2),
        capture_output=True,
        text=True,
        timeout=LIMIT,
    )
    assert_one_line_about(finished, "xserver", "repeat")


def test_too_few_players_is_exit_status_1_with_the_count_and_no_results():
    server = ServerProcess({"min players": 3, "waiting for": 1, "repeat": 0})
    try:
        with socket.create_connection((HOST, server.port), timeout=LIMIT) as solo:
            solo.sendall(b'"solo"\n')
            wait_for_log_sync(server, "solo signed up")
            finished = server.finish(LIMIT)
    finally:
        stop(server)
    assert finished.status == 1, finished.log
    assert finished.output == ""
    assert "only 1 player signed up, of at least 3; no tournament" in finished.log
    assert "Traceback" not in finished.log


def listening_ports(server: ServerProcess, count: int) -> list[int]:
    return [int(LISTENING.search(line)[1]) for line in wait_for_log_sync(server, "listening on", count, LIMIT)]


def players(*names: str) -> dict:
    return {"players": [["good", name, ""] for name in names], "observers": []}


def test_repeat_runs_a_tournament_after_each_window_that_has_enough_players_until_sigterm():
    server = ServerProcess({"min players": 2, "waiting for": WINDOW, "repeat": 1})
    try:
        wait_for_log_sync(server, "only 0 players signed up, of at least 2; no tournament")
        first = run_clients(players("ann", "ben"), server.port, LIMIT)
        second = run_clients(players("cat", "dan", "eve"), server.port, LIMIT)
        wait_for_log_sync(server, "statistics", 2)
        server.process.send_signal(signal.SIGTERM)
        finished = server.finish(LIMIT)
    finally:
        stop(server)
    assert (first.status, second.status) == (0, 0), first.log + second.log
    assert finished.status == 130, finished.log
    assert "Traceback" not in finished.log
    printed = [json.loads(line) for line in finished.output.splitlines()]
    assert printed == [first.json(), second.json()]
    assert {name for outcome in printed[0] for name in outcome[:2]} == {"ann", "ben"}
    assert {name for outcome in printed[1] for name in outcome[:2]} == {"cat", "dan", "eve"}
    assert len(printed[1]) == 3


def test_with_repeat_a_player_who_signs_up_while_a_tournament_runs_plays_in_the_next_one(tmp_path):
    server = ServerProcess({"min players": 2, "waiting for": 0.5, "repeat": 1, "time per call": 2})
    config = tmp_path / "clients.json"
    entries = [["good", "ann", ""], ["infinite", "inf", ""]]
    config.write_text(json.dumps({"players": entries, "observers": [], "ip": HOST, "port": server.port}))
    with config.open() as stdin:
        first = subprocess.Popen(CLIENTS, cwd=PROJECT_ROOT, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_log_sync(server, "tournament of 2 players starts")  # inf holds it up for its 2 s
        second = run_clients(players("cat", "ann"), server.port, LIMIT)
        wait_for_log_sync(server, "statistics", 2)
        first_output = first.communicate(timeout=LIMIT)[0]
        server.process.send_signal(signal.SIGTERM)
        finished = server.finish(LIMIT)
    finally:
        stop(server)
        first.kill()
        first.wait(LIMIT)
    log = finished.log.splitlines()
    assert log.index("xserver: cat signed up") < log.index("xserver: inf misbehaved: place_worker: no answer within 2 s")
    printed = [json.loads(line) for line in finished.output.splitlines()]
    assert printed[0] == json.loads(first_output) == [["ann", "inf", "irregular"]]
    assert printed[1] == second.json() and {name for outcome in printed[1] for name in outcome[:2]} == {"cat", "ann"}


def test_with_repeat_windows_that_change_nothing_are_logged_once():
    server = ServerProcess({"min players": 2, "waiting for": 0.05, "repeat": 1})
    try:
        wait_for_log_sync(server, "only 0 players signed up")
        with socket.create_connection((HOST, server.port), timeout=LIMIT) as solo:
            solo.sendall(b'"solo"\n')
            wait_for_log_sync(server, "only 1 player signed up")
            joined = run_clients(players("duo"), server.port, LIMIT)
        wait_for_log_sync(server, "only 0 players signed up", 2)  # the first empty window after the tournament
        server.process.send_signal(signal.SIGTERM)
        finished = server.finish(LIMIT)
    finally:
        stop(server)
    assert joined.status == 0 and "statistics" in finished.log
    assert finished.log.count("only 0 players signed up") == 2 and finished.log.count("only 1 player signed up") == 1
    assert finished.log.count("listening on") == 2  # the first window, and the first after the tournament


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_sign_up_stops_the_server_with_status_130_and_no_traceback(stop_signal):
    server = ServerProcess({"min players": 2, "waiting for": LIMIT, "repeat": 0})
    try:
        server.process.send_signal(stop_signal)
        finished = server.finish(LIMIT)
    finally:
        stop(server)
    assert finished.status == 130, finished.log
    assert finished.output == ""
    assert "Traceback" not in finished.log


@pytest.mark.parametrize(
    "stop_signal, server_status",
    [(signal.SIGINT, 130), (signal.SIGTERM, 130), (signal.SIGKILL, -signal.SIGKILL)],
    ids=["SIGINT", "SIGTERM", "SIGKILL"],
)
def test_when_the_server_stops_mid_tournament_xclients_ends_and_prints_no_results(stop_signal, server_status, tmp_path):
    server = ServerProcess({"min players": 2, "waiting for": WINDOW, "repeat": 0, "time per call": LIMIT})
    config = tmp_path / "clients.json"
    entries = [["infinite", "inf", ""], ["good", "ann", ""]]
    config.write_text(json.dumps({"players": entries, "observers": [], "ip": HOST, "port": server.port}))
    with config.open() as stdin:
        clients = subprocess.Popen(CLIENTS, cwd=PROJECT_ROOT, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_log_sync(server, "tournament of 2 players starts")  # and inf does not answer for a minute
        server.process.send_signal(stop_signal)
        finished = server.finish(LIMIT)
        output, errors = clients.communicate(timeout=LIMIT)
    finally:
        stop(server)
        if clients.poll() is None:
            clients.kill()
            clients.wait(LIMIT)
    assert finished.status == server_status, finished.log
    assert finished.output == ""
    if stop_signal != signal.SIGKILL:
        assert "Traceback" not in finished.log
    assert clients.returncode == 0, errors
    assert json.loads(output) == [], errors
    assert "Traceback" not in errors


def test_a_port_in_use_is_exit_status_3_with_a_message():
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        finished = run(SERVER, json.dumps({**GOOD_SERVER, "port": port}))
    assert finished.returncode == 3, finished.stderr
    assert finished.stdout == ""
    assert f"cannot listen on {HOST}:{port}: Address already in use" in finished.stderr
    assert "Traceback" not in finished.stderr


HOUSE_ONLY = {
    "min players": 2,
    "port": 0,
    "host": HOST,
    "waiting for": 0.5,
    "repeat": 0,
    "house players": [["good", "ann", ""], ["good", "bob", ""]],
}


def test_on_a_terminal_the_server_shows_progress_in_a_status_line_and_elsewhere_it_does_not():
    status, output, shown = run_on_a_terminal([sys.executable, "-m", "Remote.xserver"], json.dumps(HOUSE_ONLY).encode())
    assert status == 0
    assert json.loads(output) in ([["ann", "bob"]], [["bob", "ann"]])
    assert "\r\x1b[Kencounter 1 of 1 · 100 % · 0 s left".encode() in shown
    assert b"xserver: statistics" in shown

    piped = run([sys.executable, "-m", "Remote.xserver"], json.dumps(HOUSE_ONLY))
    assert piped.returncode == 0
    assert "\r" not in piped.stderr and "\x1b[" not in piped.stderr
