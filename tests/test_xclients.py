"""xclients as a participant meets it: a real process, real TCP on 127.0.0.1, real signals.

The servers here are a few lines each (`ScriptedServer`): for every
connection, in order of arrival, they read the name and follow a script of
values to send and replies to read, as the servers of other implementations
behave. Each test waits for what it needs (a log line, the server's script
done, the process blocked on standard input), never for time to pass; every
wait is bounded so that a regression fails instead of hanging.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import pty
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from Remote.loopback import PROJECT_ROOT
from tests.test_client_proxy import BOARD

HOST = "127.0.0.1"
CLIENTS = [sys.executable, "-m", "Remote.client"]
LIMIT = 30.0
RECEIVE = object()
"""A step of a script: read one value from the client."""
UP_TO_ALICES_TURN = ["zed", [], RECEIVE, [["alice1", 2, 2], ["zed1", 3, 2]], RECEIVE, BOARD]


class ScriptedServer:
    """A server on 127.0.0.1 and a free port that plays one script per connection, in order of arrival.

    A script is a list of steps: a JSON value to send, or RECEIVE. After its
    script a connection is closed, unless `hold` is set: then it is read
    until the client closes it. What each connection received (its name
    first) is in `received[i]`; `done[i]` is set once its script is played.
    """

    def __init__(self, *scripts: list, hold: bool = False) -> None:
        self.scripts, self.hold = scripts, hold
        self.received: list[list] = [[] for _ in scripts]
        self.done = [threading.Event() for _ in scripts]
        self.listener = socket.create_server((HOST, 0))
        self.listener.settimeout(LIMIT)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with self.listener:
            for index in range(len(self.scripts)):
                try:
                    connection, _ = self.listener.accept()
                except OSError:
                    return
                threading.Thread(target=self._serve, args=(index, connection), daemon=True).start()

    def _serve(self, index: int, connection: socket.socket) -> None:
        connection.settimeout(LIMIT)
        received = self.received[index]
        with connection, connection.makefile("rb") as replies:
            received.append(json.loads(replies.readline()))
            for step in self.scripts[index]:
                if step is RECEIVE:
                    received.append(json.loads(replies.readline()))
                else:
                    connection.sendall(json.dumps(step).encode() + b"\n")
            self.done[index].set()
            if self.hold:
                with contextlib.suppress(ConnectionResetError):  # the client is gone (killed, or stopped by a signal with unread bytes)
                    received.extend(json.loads(line) for line in replies)

    def wait(self, index: int = 0) -> None:
        assert self.done[index].wait(LIMIT), f"connection {index} did not play its script: {self.received[index]}"


def configuration(players: list, port: int, **more: object) -> str:
    return json.dumps({"players": players, "observers": [], "ip": HOST, "port": port, **more})


def run_xclients(stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run(CLIENTS, cwd=PROJECT_ROOT, input=stdin, capture_output=True, text=True, timeout=LIMIT)


def player_file(tmp_path: Path, source: str) -> str:
    path = tmp_path / "mine.py"
    path.write_text(textwrap.dedent(source))
    return str(path)


# --- a client that never hangs ------------------------------------------------------------------


@pytest.mark.parametrize(
    "last_message, printed, logged",
    [
        ([["zed", "dave", "irregular"]], [["zed", "dave", "irregular"]], "dave: the Results arrived before the player was done"),
        ([["zed1", 0, 0]], [], "dave: the server sent a Placement while place_worker was not answered yet: it has moved on"),
        (["kicked", "place_worker: no answer within 2 s"], [], "dave was kicked by the server: place_worker: no answer within 2 s"),
    ],
    ids=["Results", "Placement", "kick notice"],
)
def test_xclients_with_a_thinking_player_exits_when_the_server_sends_a_message_and_closes(last_message, printed, logged):
    server = ScriptedServer(["zed", [], last_message])
    finished = run_xclients(configuration([["infinite", "dave", ""]], server.port))
    assert server.received[0] == ["dave"]
    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout) == printed
    assert f"xclients: {logged}" in finished.stderr.splitlines()[-1]
    assert "Traceback" not in finished.stderr


# --- a strategy's mistakes, reported at once and locally ------------------------------------------


FORGETS_RETURN = """
    from Player.santorini.strategic import GoodStrategy

    class Mine(GoodStrategy):
        def take_turn(self, me, board):
            super().take_turn(me, board)

    def make_strategy():
        return Mine()
"""


def test_a_strategy_that_returns_none_is_reported_at_once_its_connection_closed_and_the_others_play_on(tmp_path):
    alice = UP_TO_ALICES_TURN
    bob = ["zed", [], RECEIVE, [["bob", "zed"]]]
    server = ScriptedServer(alice, bob, hold=True)
    players = [["good", "alice", player_file(tmp_path, FORGETS_RETURN)], ["good", "bob", ""]]
    finished = run_xclients(configuration(players, server.port))
    assert finished.returncode == 1, finished.stderr
    assert json.loads(finished.stdout) == [["bob", "zed"]]
    assert "xclients: alice: take_turn returned None, not an Action; closing the connection" in finished.stderr.splitlines()
    assert len(server.received[0]) == 3  # the name and two places: no answer to the board
    assert "Traceback" not in finished.stderr


RAISES_IN_A_HELPER = """
    from Player.santorini.strategic import GoodStrategy


    def my_workers(me, board):
        return board.workers_of(me)[2]


    class Mine(GoodStrategy):
        def take_turn(self, me, board):
            worker = my_workers(me, board)
            return super().take_turn(me, board)


    def make_strategy():
        return Mine()
"""


def test_an_exception_in_a_player_file_shows_its_traceback_once_with_only_that_files_frames(tmp_path):
    path = player_file(tmp_path, RAISES_IN_A_HELPER)
    server = ScriptedServer(UP_TO_ALICES_TURN, hold=True)
    finished = run_xclients(configuration([["good", "alice", path]], server.port))
    assert finished.returncode == 1, finished.stderr
    lines = finished.stderr.splitlines()
    start = lines.index("xclients: alice: take_turn raised IndexError: tuple index out of range; closing the connection")
    frames = [line for line in lines if line.lstrip().startswith("File ")]
    assert frames == [f'  File "{path}", line 11, in take_turn', f'  File "{path}", line 6, in my_workers']
    assert lines[start + 1].startswith("Traceback") and lines[-1] == "IndexError: tuple index out of range"
    assert finished.stderr.count("Traceback") == 1
    assert "trio" not in finished.stderr and str(PROJECT_ROOT) not in finished.stderr
    assert len(server.received[0]) == 3


# --- at the terminal: arguments -----------------------------------------------------------------


@pytest.mark.parametrize("argument", ["--help", "-h"])
def test_help_says_what_xclients_reads_every_key_with_type_and_default_and_the_exit_statuses(argument):
    finished = subprocess.run(
        [*CLIENTS, argument], cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=LIMIT
    )
    assert finished.returncode == 0 and finished.stderr == ""
    usage = finished.stdout
    assert "standard input" in usage
    for key, described in [
        ('"players"', "[Kind, Name, PathString]"),
        ('"observers"', "[Name, PathString]"),
        ('"ip"', "host name"),
        ('"port"', "0..65535"),
        ('"retry for"', "default 10"),
    ]:
        (line,) = [line for line in usage.splitlines() if line.lstrip().startswith(key)]
        assert described in line, line
    for status in ("0", "1", "2", "130"):
        assert any(line.split()[:1] == [status] for line in usage.splitlines()), status


def test_version_prints_the_version():
    finished = subprocess.run(
        [*CLIENTS, "--version"], cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=LIMIT
    )
    assert finished.returncode == 0
    assert finished.stdout.startswith("xclients ") and len(finished.stdout.split()) == 2


# --- Ctrl-C at every stage ----------------------------------------------------------------------


class Running:
    """An xclients process whose standard error is collected line by line as it comes."""

    def __init__(self, stdin=subprocess.PIPE, input_text: str | None = None) -> None:
        self.process = subprocess.Popen(CLIENTS, cwd=PROJECT_ROOT, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if input_text is not None:
            self.process.stdin.write(input_text)
            self.process.stdin.close()
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()
        with self.changed:
            self.lines.append(None)
            self.changed.notify_all()

    def wait_for_line(self, text: str) -> int:
        """The index of the first line of standard error that contains `text`, once it is there."""
        with self.changed:
            found = self.changed.wait_for(lambda: any(line is None or text in line for line in self.lines), LIMIT)
            assert found and None not in self.lines[:-1], f"no line with {text!r}: {self.lines}"
            return next(i for i, line in enumerate(self.lines) if line is not None and text in line)

    def interrupt(self) -> tuple[int, str, list[str]]:
        """Ctrl-C: the exit status, standard output and the lines of standard error."""
        self.process.send_signal(signal.SIGINT)
        output = self.process.stdout.read()
        self.process.wait(LIMIT)
        self.reader.join(LIMIT)
        return self.process.returncode, output, [line for line in self.lines if line is not None]

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(LIMIT)


READ_SYSCALL = {"x86_64": 0, "aarch64": 63}.get(platform.machine())
"""The number of the read system call on this machine, as /proc/PID/syscall shows it."""


def blocked_reading_standard_input(pid: int) -> bool:
    """Whether the process waits in a read of descriptor 0 (Linux: /proc/PID/syscall shows the call and its arguments)."""
    try:
        number, descriptor = Path(f"/proc/{pid}/syscall").read_text().split()[:2]
    except (OSError, ValueError):  # "running" has no arguments
        return False
    return number == str(READ_SYSCALL) and int(descriptor, 16) == 0


def assert_stopped_with_one_line(status: int, output: str, lines: list[str], before: int) -> None:
    assert status == 130, lines
    assert output == ""
    assert lines[before + 1 :] == ["xclients: stopped"], lines


@pytest.mark.skipif(
    READ_SYSCALL is None or not Path(f"/proc/{os.getpid()}/syscall").exists(), reason="needs Linux's /proc/PID/syscall on x86_64 or aarch64"
)
def test_ctrl_c_while_xclients_waits_for_its_configuration_on_a_pipe():
    clients = Running()  # the pipe stays open: xclients waits for the rest of its configuration
    try:
        deadline = time.monotonic() + LIMIT
        while not blocked_reading_standard_input(clients.process.pid):
            assert time.monotonic() < deadline, "xclients never waited on its standard input"
            time.sleep(0.01)
        status, output, lines = clients.interrupt()
    finally:
        clients.kill()
    assert_stopped_with_one_line(status, output, lines, before=-1)


def test_ctrl_c_while_xclients_waits_for_its_configuration_at_a_terminal():
    controller, terminal = pty.openpty()
    try:
        clients = Running(stdin=terminal)
        try:
            prompt = clients.wait_for_line("reading the configuration")
            status, output, lines = clients.interrupt()
        finally:
            clients.kill()
    finally:
        os.close(terminal)
        os.close(controller)
    assert lines[prompt].endswith("end it with Ctrl-D (see --help)")
    assert_stopped_with_one_line(status, output, lines, before=prompt)


def test_ctrl_c_while_xclients_waits_for_a_server_that_refuses():
    with socket.socket() as bound:  # bound, not listening: connections are refused, and the port stays ours
        bound.bind((HOST, 0))
        clients = Running(input_text=configuration([["good", "ann", ""]], bound.getsockname()[1], **{"retry for": 600}))
        try:
            waiting = clients.wait_for_line("trying again")
            status, output, lines = clients.interrupt()
        finally:
            clients.kill()
    assert_stopped_with_one_line(status, output, lines, before=waiting)


def test_ctrl_c_while_a_player_thinks():
    server = ScriptedServer(["zed", []], ["zed"], hold=True)
    clients = Running(input_text=configuration([["infinite", "dave", ""], ["good", "ann", ""]], server.port))
    try:
        signed_up = clients.wait_for_line("ann sent its sign-up")
        server.wait(0)
        status, output, lines = clients.interrupt()
    finally:
        clients.kill()
    assert_stopped_with_one_line(status, output, lines, before=signed_up)


# --- connecting ---------------------------------------------------------------------------------


def test_with_no_server_each_player_says_refused_in_one_line_after_the_retry_window():
    with socket.socket() as bound:
        bound.bind((HOST, 0))
        port = bound.getsockname()[1]
        names = ["ann", "ben", "cat"]
        finished = run_xclients(configuration([["good", name, ""] for name in names], port, **{"retry for": 0.5}))
    assert finished.returncode == 1, finished.stderr
    assert json.loads(finished.stdout) == []
    lines = finished.stderr.splitlines()
    assert lines[0] == f"xclients: no server at {HOST}:{port} yet (connection refused); trying again for up to 0.5 s"
    assert lines[1:] == [f"xclients: {name} cannot sign up at {HOST}:{port}: connection refused (tried for 0.5 s)" for name in names]


def test_a_host_name_that_does_not_resolve_fails_at_once_with_that_reason():
    config = json.dumps(
        {"players": [["good", "ann", ""], ["good", "ben", ""]], "observers": [], "ip": "no-such-host.invalid", "port": 56789}
    )
    finished = run_xclients(config)
    assert finished.returncode == 1, finished.stderr
    assert json.loads(finished.stdout) == []
    lines = finished.stderr.splitlines()
    assert len(lines) == 2
    for name, line in zip(["ann", "ben"], lines, strict=True):
        assert line.startswith(
            f"xclients: {name} cannot sign up at no-such-host.invalid:56789: cannot resolve the host name 'no-such-host.invalid'"
        ), line


# --- tokens: the tagged sign-up, never shown --------------------------------------------------------

ALICES_TOKEN = "aLiCe_secret-0123456789abcdefXYZ"
BOBS_TOKEN = "B" * 16 + "_-9" * 20


def assert_no_token_in(finished: subprocess.CompletedProcess, *tokens: str) -> None:
    for token in tokens:
        assert token not in finished.stdout and token not in finished.stderr


@pytest.mark.parametrize(
    "game, players",
    [
        ("santorini", [["good", "alice", "", ALICES_TOKEN], ["good", "bob", "", BOBS_TOKEN], ["good", "cat", ""]]),
        ("ipd", [["tit-for-tat", "alice", "", ALICES_TOKEN], ["defector", "bob", "", BOBS_TOKEN], ["cooperator", "cat", ""]]),
        ("fish", [["greedy", "alice", "", ALICES_TOKEN], ["greedy", "bob", "", BOBS_TOKEN], ["greedy", "cat", ""]]),
    ],
)
def test_a_player_with_a_token_signs_up_with_the_tagged_form_and_one_without_with_its_bare_name(game, players):
    server = ScriptedServer([], [], [])  # each connection: its sign-up read, then closed
    finished = run_xclients(configuration(players, server.port, game=game))
    assert finished.returncode == 0, finished.stderr
    assert server.received == [[["sign-up", "alice", ALICES_TOKEN]], [["sign-up", "bob", BOBS_TOKEN]], ["cat"]]
    assert f"xclients: alice sent its sign-up to {HOST}:{server.port}" in finished.stderr
    assert_no_token_in(finished, ALICES_TOKEN, BOBS_TOKEN)


def test_a_refusal_is_printed_in_one_line_with_the_servers_words_and_the_others_play_on():
    server = ScriptedServer([["refused", "not\nyou"]], [[["ann", "cat"]]])
    finished = run_xclients(configuration([["good", "ann", ""], ["good", "cat", ""]], server.port))
    assert finished.returncode == 1, finished.stderr
    assert json.loads(finished.stdout) == [["ann", "cat"]]
    assert "xclients: ann: the server refused the sign-up: not you" in finished.stderr.splitlines(), finished.stderr


@pytest.mark.parametrize(
    "token, said",
    [
        ("short-secret", "got a string of 12 characters (not shown: it is a secret)"),
        ("s3cret with spaces and more", "got a string of 27 characters (not shown: it is a secret)"),
        ("x" * 129, "got a string of 129 characters (not shown: it is a secret)"),
        ("é" * 20, "got a string of 20 characters (not shown: it is a secret)"),
        (12345678901234567890, "got a JSON number"),
        (None, "got a JSON null"),
    ],
)
def test_a_token_outside_the_rule_is_a_configuration_error_in_one_line_naming_the_entry_without_the_token(token, said):
    players = [["good", "ann", ""], ["good", "alice", "", token]]
    finished = run_xclients(configuration(players, 56789))
    assert finished.returncode == 2
    assert finished.stdout == ""
    assert finished.stderr == (
        f"xclients: configuration: expected a token of 16 to 128 letters, digits, '_' or '-', {said} @ $.players[1][3]\n"
    )
    if type(token) is str:
        assert_no_token_in(finished, token)


def test_a_player_entry_of_six_elements_is_refused():
    finished = run_xclients(configuration([["good", "alice", "", ALICES_TOKEN, {}, "more"]], 56789))
    assert finished.returncode == 2
    assert finished.stderr.splitlines() == [
        "xclients: configuration: expected a player [kind, name, path], [kind, name, path, token] or "
        "[kind, name, path, token, options] of 3 to 5 elements, got 6 @ $.players[0]"
    ]
    assert_no_token_in(finished, ALICES_TOKEN)


def test_a_player_entrys_fifth_element_must_be_its_options_object():
    finished = run_xclients(configuration([["good", "alice", "", ALICES_TOKEN, "more"]], 56789))
    assert finished.returncode == 2
    assert finished.stderr.splitlines() == ['xclients: configuration: its options must be a JSON object, got "more" @ $.players[0][4]']
    assert_no_token_in(finished, ALICES_TOKEN)
