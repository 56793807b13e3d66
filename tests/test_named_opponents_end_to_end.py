"""Named opponents end to end: a real xserver running an IPD arena and real xclients whose entries ask for opponents.

The participants sign up with `["sign-up", Name, Token, {"opponent": Other}]`
(xclients' five-element entries), in an order in which "first come" alone
would pair alice with carl and bob with dora: alice and bob named each
other, so each one's first encounter is against the other; erin named zed,
who never comes, so erin is held for the format's "named opponent wait",
the log says so, and only then is erin paired. Everything is read from the
organiser's log; the arena has no end of its own, so the server is stopped
once the log has told it all, and no piece of a token is anywhere in it.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from pathlib import Path

from Remote.loopback import ServerProcess
from tests.processes import start_xclients
from tests.raw_client import stop, wait_for_log_sync

TOKENS = {name: f"{name}-secret-token-{index:04d}" for index, name in enumerate(["alice", "bob", "carl", "dora", "erin"])}
WAIT = 0.5
"""The arena's "named opponent wait", in seconds: short, for erin, whose opponent never comes."""
LIMIT = 30.0
RESULT = re.compile(r"xserver: ([\w-]+) -?[\d.]+ \([+-][\d.]+\) (?:beat|drew with) ([\w-]+) ")
"""A result line of the arena (Admin/arena_ratings.py's `result_line`): the two players."""
ERIN_HELD = "erin asked for zed, who did not come within"


def participants_file(directory: Path) -> Path:
    path = directory / "participants.csv"
    path.write_text("participant,token\n" + "".join(f"{name},{token}\n" for name, token in TOKENS.items()))
    return path


def first_opponents(lines: list[str]) -> dict[str, tuple[int, str]]:
    """Each player's first encounter in the log: the line's index and the opponent."""
    first: dict[str, tuple[int, str]] = {}
    for index, line in enumerate(lines):
        if match := RESULT.search(line):
            one, other = match[1], match[2]
            first.setdefault(one, (index, other))
            first.setdefault(other, (index, one))
    return first


def wait_for_first_encounters(server: ServerProcess, names: set[str]) -> list[str]:
    """The log, once each of `names` has played an encounter (bounded by LIMIT)."""
    deadline = time.monotonic() + LIMIT
    while not names <= set(first_opponents(list(server.log_lines))):
        assert server.process.poll() is None and time.monotonic() < deadline, "".join(server.log_lines)
        time.sleep(0.05)
    return list(server.log_lines)


def test_two_who_name_each_other_meet_first_and_one_who_names_an_absent_player_is_paired_after_the_wait(tmp_path) -> None:
    config = {
        "game": "ipd",
        "min players": 0,
        "waiting for": 1,
        "repeat": 0,
        "participants": str(participants_file(tmp_path)),
        "format": {"kind": "arena", "pairing": "first come", "named opponent wait": WAIT},
    }
    entries = [
        ["tit-for-tat", "alice", "", TOKENS["alice"], {"opponent": "bob"}],
        ["cooperator", "carl", "", TOKENS["carl"]],
        ["grudger", "bob", "", TOKENS["bob"], {"opponent": "alice"}],
        ["random", "dora", "", TOKENS["dora"]],
        ["defector", "erin", "", TOKENS["erin"], {"opponent": "zed"}],
    ]
    server = ServerProcess(config)
    clients = start_xclients({"game": "ipd", "players": entries, "ip": "127.0.0.1", "port": server.port})
    try:
        wait_for_log_sync(server, ERIN_HELD, time_limit=LIMIT)
        lines = wait_for_first_encounters(server, set(TOKENS))
        server.process.send_signal(signal.SIGTERM)
        server.finish(LIMIT)
    finally:
        stop(server)
        try:
            clients.communicate(timeout=LIMIT)
        except subprocess.TimeoutExpired:
            clients.kill()
            clients.communicate()
    first = first_opponents(lines)
    assert first["alice"][1] == "bob" and first["bob"][1] == "alice", "".join(lines)
    asked = [line for line in lines if "joins the arena asking for" in line]
    assert any("alice joins the arena asking for bob" in line for line in asked)
    assert any("erin joins the arena asking for zed" in line for line in asked)
    held = next(index for index, line in enumerate(lines) if ERIN_HELD in line)
    assert f"within {WAIT:g} s: paired as usual" in lines[held]
    assert first["erin"][0] > held, "".join(lines)
    log = "".join(server.log_lines)
    for token in TOKENS.values():
        assert token not in log and token[: len(token) // 2] not in log
