"""xserver as an organiser meets it at a terminal: usage, Ctrl-C at every stage, the log's words, the kick notice.

Real processes (`python -m Remote.xserver` from the project root) on 127.0.0.1,
real signals and, for the kick notice, a client written from the protocol on
a real socket. Every wait is bounded and waits for something the program
does (a log line, a blocked read), never for time to pass.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import trio

from Common.participant import KICK_REASON_LIMIT
from Remote.loopback import PROJECT_ROOT, ServerProcess
from tests.raw_client import HOST, RawClient, run_on_a_terminal, stop, wait_for_log, wait_for_log_sync

LIMIT = 60.0
SERVER = [sys.executable, "-m", "Remote.xserver"]
HOUSE_ONLY = {
    "min players": 2,
    "port": 0,
    "host": HOST,
    "waiting for": 0.5,
    "repeat": 0,
    "house players": [["good", "ann", ""], ["breaker", "bob", ""], ["good", "cat", ""]],
}
KEYS = ["min players", "port", "waiting for", "repeat", "host", "time per call", "best of", "house players", "max players", "rooms"]


def run(arguments: list[str], stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(SERVER + arguments, cwd=PROJECT_ROOT, input=stdin, capture_output=True, text=True, timeout=LIMIT)


@pytest.mark.parametrize("option", ["--help", "-h"])
def test_help_names_every_configuration_key_with_its_default_and_every_exit_status(option):
    finished = run([option])
    assert finished.returncode == 0 and finished.stderr == ""
    usage = finished.stdout
    assert usage.startswith("usage: xserver")
    for key in KEYS:
        assert f'"{key}"' in usage
    assert "default 2" in usage and "default 3" in usage
    for status in ("0", "1", "2", "3", "130"):
        assert any(line.split()[:1] == [status] for line in usage.splitlines()), status


def test_version_prints_the_version_and_another_argument_is_refused_in_one_line():
    version = run(["--version"])
    assert version.returncode == 0 and version.stdout.startswith("xserver ") and len(version.stdout.split()) == 2
    wrong = run(["config.json"])
    assert wrong.returncode == 2 and wrong.stdout == ""
    assert wrong.stderr.splitlines() == [wrong.stderr.strip()] and "'config.json'" in wrong.stderr and "--help" in wrong.stderr


@pytest.mark.parametrize("key", ["waiting for", "time per call"])
def test_a_number_too_large_to_be_finite_is_refused_naming_its_key(key):
    configuration = json.dumps({**HOUSE_ONLY, key: 1}).replace(f'"{key}": 1', f'"{key}": 1e400')
    finished = run([], configuration)
    assert finished.returncode == 2 and finished.stdout == ""
    assert finished.stderr.splitlines() == [
        f"xserver: configuration: expected a finite number, got a number too large to be finite @ $.{key}"
    ]


def test_a_host_that_does_not_resolve_is_named_in_the_error():
    finished = run([], json.dumps({**HOUSE_ONLY, "host": "no-such-host.invalid"}))
    assert finished.returncode == 3, finished.stderr
    assert finished.stderr.startswith("xserver: cannot listen on no-such-host.invalid:0: ") and "Traceback" not in finished.stderr


def test_the_log_shows_house_players_signing_up_every_misbehaviour_and_the_standings_at_the_end():
    finished = run([], json.dumps(HOUSE_ONLY))
    assert finished.returncode == 0, finished.stderr
    log = finished.stderr.splitlines()
    assert log[1:4] == [f"xserver: {name} signed up (a house player)" for name in ("ann", "bob", "cat")]
    assert "xserver: tournament of 3 players starts" in log
    assert "xserver: bob misbehaved: illegal action: worker ann1 belongs to ann, not bob" in log
    table = log[log.index("xserver: standings after 2 encounters:") + 1 :][:4]
    assert [line.split()[:6] for line in table] == [
        ["rank", "player", "won", "lost", "lost", "irregularly"],
        ["1", "cat", "1", "0", "0", "+190.8"],
        ["2", "ann", "1", "1", "0", "+0.0"],
        ["3", "bob", "0", "0", "1", "-190.8"],
    ]
    assert table[0].endswith("rating (95 % interval)")
    assert json.loads(finished.stdout) == [["ann", "bob", "irregular"], ["cat", "ann"]]


def test_one_player_is_one_player_in_the_log():
    finished = run([], json.dumps({**HOUSE_ONLY, "min players": 3, "house players": [["good", "ann", ""]]}))
    assert finished.returncode == 1
    assert "xserver: only 1 player signed up, of at least 3; no tournament" in finished.stderr.splitlines()


def blocked_reading_standard_input(process: subprocess.Popen) -> bool:
    """Whether `process` sits in read(0, ...): Linux's /proc/PID/syscall names the call and its first argument."""
    try:
        with open(f"/proc/{process.pid}/syscall") as call:
            number, descriptor = call.read().split()[:2]
    except (OSError, ValueError):
        return False
    return number == "0" and int(descriptor, 16) == 0


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + LIMIT
    while not condition():
        assert time.monotonic() < deadline, f"never {what}"
        time.sleep(0.01)


@pytest.mark.skipif(not os.path.exists(f"/proc/{os.getpid()}/syscall"), reason="needs Linux's /proc/PID/syscall")
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_ctrl_c_while_the_configuration_is_being_read_is_one_line_and_status_130(stop_signal):
    process = subprocess.Popen(SERVER, cwd=PROJECT_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: blocked_reading_standard_input(process), "blocked reading standard input")
        process.send_signal(stop_signal)
        output, errors = process.communicate(timeout=LIMIT)
    finally:
        process.kill()
        process.wait(LIMIT)
    assert process.returncode == 130
    assert output == "" and errors == "xserver: stopped\n"


@pytest.mark.parametrize("stage", ["sign-up", "play"])
def test_ctrl_c_during_sign_up_or_play_ends_the_log_with_one_line_and_status_130(stage):
    config = {
        "min players": 1,
        "waiting for": LIMIT if stage == "sign-up" else 0.3,
        "repeat": 0,
        "time per call": LIMIT,
        "house players": [["good", "ann", ""], ["infinite", "inf", ""]],
    }
    server = ServerProcess(config)
    try:
        wait_for_log_sync(server, "listening on" if stage == "sign-up" else "tournament of 2 players starts")
        server.process.send_signal(signal.SIGINT)
        finished = server.finish(LIMIT)
    finally:
        stop(server)
    assert finished.status == 130 and finished.output == ""
    assert finished.log.splitlines()[-1] == "xserver: stopped" and "Traceback" not in finished.log


def test_on_a_terminal_the_status_line_counts_down_the_sign_up_window_and_is_cleared_at_the_end():
    status, _, shown = run_on_a_terminal(SERVER, json.dumps({**HOUSE_ONLY, "waiting for": 1.5}).encode(), LIMIT)
    assert status == 0
    assert b"signed up: 3; the window closes in 2 s" in shown and b"signed up: 3; the window closes in 1 s" in shown
    assert shown.endswith(b"\r\x1b[K")


async def test_a_misbehaving_client_reads_why_it_lost_in_the_words_of_the_log_and_then_the_connection_closes():
    server = ServerProcess({"min players": 2, "waiting for": 0.5, "repeat": 0, "house players": [["good", "ann", ""]]})
    try:
        client = await RawClient.connect(server.port, "bob")
        await client.sign_up()
        assert await client.receive() == "ann"
        first = await client.receive()  # a Placement: answered with a worker name instead of a place
        await client.send(json.dumps("bob1").encode() + b"\n")
        rest = await client.read_until_closed()
        (line,) = await wait_for_log(server, "bob misbehaved: ")
        with trio.fail_after(LIMIT):
            finished = await trio.to_thread.run_sync(server.finish, LIMIT)
    finally:
        stop(server)
    assert type(first) is list
    reason = line.split("bob misbehaved: ", 1)[1].rstrip("\n")
    assert rest == [["kicked", reason]] and 0 < len(reason) <= KICK_REASON_LIMIT
    assert reason.startswith("place_worker: StructureError: expected a place")
    assert json.loads(finished.output) == [["ann", "bob", "irregular"]]
    assert client.closed_by_server
