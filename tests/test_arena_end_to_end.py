"""The arena end to end over TCP, every game of the registry: xserver and xclients as processes on 127.0.0.1.

An arena of `"minutes"` ends by itself: the server exits 0, every
connected client prints the Results it received, and the organiser's log
has one line per result and the leaderboard. The other scenarios need no
end (an arena without minutes runs until stopped): each waits for the log
lines that say what happened, then stops the server. Misbehaviour: a
culprit is kicked with its reason, cools down, comes back and plays again;
its misbehaviour beyond those allowed keeps it out, and it is refused, with
the reason, when it signs up again. A player that left while it waited is
paired with nobody, and one that comes back under its name keeps its
rating. A strong built-in player ends above weak ones on the leaderboard.

Every wait is bounded and waits for something the programs do; no test
reads the clock.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from Admin.formats.arena import ArenaSettings
from Admin.formats.settings import arena_json
from Remote.game_description import Game
from Remote.game_registry import DEFAULT_GAME, GAMES
from Remote.loopback import PROJECT_ROOT, ServerProcess
from tests.game_conformance import kit_of
from tests.processes import start_xclients
from tests.raw_client import LOG_POLL_SECONDS, stop, wait_for_log_sync
from tests.test_formats_end_to_end import settings_of

LIMIT = 60.0
"""Seconds any one process may take before the test fails (a bound, not a measure)."""
MINUTES = 0.03
"""The arena's length where it ends by itself (1.8 s); its xclients start first and sign up as soon as it listens."""
RESULT = re.compile(r"(\S+) (-?\d+\.\d) \((?:([+-]\d+\.\d)|not rated)\)")
"""A player in a result line of the log: its name, its μ after the encounter and the change (none: not rated)."""
LEADERBOARD_HEADER = "rank  "


def tables(game: Game) -> list[tuple[str, int]]:
    """Every game of the registry with every number of players an encounter of it may seat."""
    lowest, highest = game.players_per_encounter
    return [(game.name, count) for count in range(lowest, highest + 1)]


TABLES = [table for name in sorted(GAMES) for table in tables(GAMES[name])]


def arena_configuration(game: Game, arena: dict[str, Any], house: list[list[str]]) -> dict[str, Any]:
    """xserver's configuration of an arena of `game` with its short settings and the house players `house`."""
    return {
        "game": game.name,
        "min players": 0,
        "waiting for": 1,
        "repeat": 0,
        "time per call": 5,
        "format": {"kind": "arena", **arena},
        "house players": house,
        **kit_of(game).own,
    }


def clients(game: Game, players: list[list[str]], port: int) -> subprocess.Popen:
    return start_xclients({"game": game.name, "players": players, "observers": [], "ip": "127.0.0.1", "port": port})


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    """Wait for an xclients process to exit by itself: its status, what it printed, its log."""
    try:
        output, log = process.communicate(timeout=LIMIT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(LIMIT)
    return process.returncode, output, log


def server_lines(server: ServerProcess) -> list[str]:
    """The server's log so far, one line each, without the `xserver: ` before each."""
    return [line.removeprefix("xserver: ").rstrip("\n") for line in list(server.log_lines)]


def result_lines(lines: list[str]) -> list[str]:
    """The log's result lines: one per encounter that ended, each player with its μ and the change."""
    return [line for line in lines if RESULT.search(line) and not line.startswith(LEADERBOARD_HEADER)]


def players_of(line: str) -> dict[str, tuple[float, float | None]]:
    """Each player of a result line: its μ after the encounter, and the change (None: not rated)."""
    return {name: (float(mu), None if not change else float(change)) for name, mu, change in RESULT.findall(line)}


def leaderboard(lines: list[str]) -> list[dict[str, Any]]:
    """The leaderboard the log ends with: rank, name, μ - 3σ, μ, σ, encounters, streak, best first."""
    header = max(index for index, line in enumerate(lines) if line.startswith(LEADERBOARD_HEADER))
    rows = []
    for line in lines[header + 1 :]:
        rank, name, ordinal, _, _, encounters, _ = line.split()  # μ, σ and the streak: not checked here
        rows.append({"rank": int(rank), "name": name, "ordinal": float(ordinal), "encounters": int(encounters)})
    return rows


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def servers() -> Iterator[list[ServerProcess]]:
    """The servers a test starts: none outlives it."""
    started: list[ServerProcess] = []
    yield started
    for server in started:
        stop(server)


def start_server(servers: list[ServerProcess], configuration: dict[str, Any], port: int = 0) -> ServerProcess:
    server = ServerProcess(configuration, port=port)
    servers.append(server)
    return server


@pytest.mark.parametrize(("game", "count"), TABLES)
def test_an_arena_ends_on_time_and_every_connected_client_gets_the_results(game, count, servers):
    played = GAMES[game]
    honest = kit_of(played).honest
    house = [[honest, "hal", ""], [honest, "ida", ""]]
    arena = {"minutes": MINUTES, "pairing": "first come", "players per game": count}
    names = ["ann", "bob", "cat"]
    port = free_port()
    started = clients(played, [[honest, name, ""] for name in names], port)  # first: they sign up as soon as the server listens
    server = start_server(servers, arena_configuration(played, arena, house), port)
    status, printed, client_log = finish(started)
    served = server.finish(LIMIT)
    said = served.log + client_log
    assert (served.status, status) == (0, 0), said
    narrowed = kit_of(played).received_in_arena(served.json(), names[0])
    assert json.loads(printed) == narrowed, f"xclients prints its first player's Results: what xserver printed, its own encounters; {said}"
    lines = server_lines(server)
    (over,) = [line for line in lines if line.startswith("the arena is over: ")]
    encounters = int(over.split()[4])
    results = result_lines(lines)
    assert encounters > 0 and len(results) == encounters, f"one line per result; {said}"
    assert all(len(players_of(line)) == count for line in results), f"every player of each encounter with its rating; {said}"
    rows = leaderboard(lines)
    assert sorted(row["name"] for row in rows) == sorted(["hal", "ida", *names]), said
    (longest,) = [line for line in lines if line.startswith("the longest wait in the queue: ")]
    assert re.fullmatch(r"the longest wait in the queue: \d+\.\d\d s \((hal|ida|ann|bob|cat)\)", longest), said
    assert [row["ordinal"] for row in rows] == sorted((row["ordinal"] for row in rows), reverse=True), f"ranked by μ - 3σ; {said}"
    assert sum(row["encounters"] for row in rows) == count * encounters, f"every encounter rated for all its players; {said}"


KICKED = " was kicked by the server: "
"""What xclients logs of its player that the server kicked, before the reason."""


def kicked_because(client_log: str, name: str) -> str:
    """The reason xclients logged for its player `name`'s kick; the test fails if it logged none."""
    found = re.search(rf"{re.escape(name)}{KICKED}(.*)", client_log)
    assert found, f"{name} was not kicked: {client_log}"
    return found[1]


@pytest.mark.parametrize("game", sorted(GAMES))
def test_a_culprit_cools_down_plays_again_and_its_next_misbehaviour_keeps_it_out(game, servers):
    played = GAMES[game]
    honest = kit_of(played).honest
    house = [[honest, "hal", ""], [honest, "ida", ""]]
    arena = {"pairing": "first come", "cool down": 0.2, "misbehaviours allowed": 1}
    server = start_server(servers, arena_configuration(played, arena, house))
    breaker = [["breaker", "bob", ""]]

    _, _, first_log = finish(clients(played, breaker, server.port))
    first_reason = kicked_because(first_log, "bob")
    wait_for_log_sync(server, "bob misbehaved (1 of 1 allowed): cooling down for 0.2 s")
    assert first_reason in "".join(server.log_lines), "the log and the culprit read the same reason"

    _, _, second_log = finish(clients(played, breaker, server.port))
    kicked_because(second_log, "bob")
    wait_for_log_sync(server, "bob misbehaved a 2nd time: out of the arena for good")
    lines = server_lines(server)
    bob_played = [line for line in result_lines(lines) if "bob" in players_of(line)]
    assert len(bob_played) == 2, f"bob came back after its cool-down and played again: {lines}"
    assert all("bob" in line and "misbehaved" in line for line in bob_played), bob_played

    _, _, third_log = finish(clients(played, breaker, server.port))
    refusal = "bob misbehaved 2 times: it is out of the arena for good"
    assert kicked_because(third_log, "bob") == refusal, third_log
    wait_for_log_sync(server, f"bob may not join the arena: {refusal}")
    assert len([line for line in result_lines(server_lines(server)) if "bob" in players_of(line)]) == 2, "bob played no more"


def last_mu(lines: list[str], name: str) -> float:
    """`name`'s μ after its latest encounter in the result lines `lines`."""
    return [players_of(line)[name][0] for line in result_lines(lines) if name in players_of(line)][-1]


def wait_for(server: ServerProcess, found: Callable[[list[str]], bool], what: str) -> list[str]:
    """The server's log lines once `found` holds of them (polled, as `wait_for_log_sync` does); fails naming `what` if the
    server exits first or after LIMIT seconds."""
    deadline = time.monotonic() + LIMIT
    while not found(lines := server_lines(server)):
        if server.process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{what}: not in the log: {chr(10).join(lines)}")
        time.sleep(LOG_POLL_SECONDS)
    return lines


def rated_for(name: str) -> Callable[[list[str]], bool]:
    """Whether an encounter was rated for `name` in the log."""
    return lambda lines: any(players_of(line).get(name, (0, None))[1] is not None for line in result_lines(lines))


def dan_left_alone(played: Game, servers: list, honest: list) -> tuple[ServerProcess, Any]:
    """An arena (first come, long cool-downs) where dan plays eve, then eve goes (waiting, or in an encounter: a culprit
    then, cooling down), so that dan is left alone; the server and dan's xclients."""
    server = start_server(servers, arena_configuration(played, {"pairing": "first come", "cool down": 600}, []))
    dan = clients(played, [honest[0]], server.port)
    eve = clients(played, [honest[1]], server.port)
    wait_for(server, rated_for("dan"), "dan's encounter with eve")
    eve.kill()
    finish(eve)
    wait_for(server, lambda lines: any(line == "eve left the arena" or line.startswith("eve misbehaved") for line in lines), "eve's leave")
    return server, dan


@pytest.mark.parametrize("game", sorted(GAMES))
def test_a_player_that_left_while_it_waited_is_paired_with_nobody_and_comes_back_with_its_rating(game, servers):
    played = GAMES[game]
    honest = [[kit_of(played).honest, name, ""] for name in ("dan", "eve", "ann")]
    server, dan = dan_left_alone(played, servers, honest)
    dan.kill()  # dan waits alone: it leaves the queue
    finish(dan)
    wait_for(server, lambda lines: "dan left the arena" in lines, "dan's leave")
    ann = clients(played, [honest[2]], server.port)
    wait_for(server, lambda lines: "ann signed up" in lines, "ann's sign-up")
    back = clients(played, [honest[0]], server.port)
    lines = wait_for(server, lambda lines: any({"ann", "dan"} <= set(players_of(line)) for line in result_lines(lines)), "dan and ann")
    for process in (ann, back):
        process.kill()
        finish(process)
    left = lines.index("dan left the arena")
    came_back = [index for index, line in enumerate(lines) if line == "dan signed up"][1]
    assert not any("dan" in players_of(line) for line in result_lines(lines[left:came_back])), "nobody played dan while it was gone"
    gone = min(index for index, line in enumerate(lines) if line == "eve left the arena" or line.startswith("eve misbehaved"))
    assert not any("eve" in players_of(line) for line in result_lines(lines[gone:])), "nobody played eve after it went"
    before = last_mu(lines[:left], "dan")
    mu, change = players_of(next(line for line in result_lines(lines[came_back:]) if "dan" in players_of(line)))["dan"]
    assert change is not None and abs(mu - change - before) < 0.15, f"dan came back with its rating {before}: {lines}"


@pytest.mark.parametrize("game", sorted(GAMES))
def test_a_strong_player_ends_above_weak_ones(game, servers):
    played = GAMES[game]
    strong, weak = settings_of(played).strong, settings_of(played).weak
    house = [[strong[0], "ann", strong[1]], [weak[0], "bob", weak[1]], [weak[0], "cat", weak[1]]]
    arena = {"minutes": MINUTES, "pairing": "rating"}
    server = start_server(servers, arena_configuration(played, arena, house) | settings_of(played).own)
    served = server.finish(LIMIT)
    assert served.status == 0, served.log
    rows = leaderboard(server_lines(server))
    assert rows[0]["name"] == "ann" and rows[0]["encounters"] > 0, served.log


def test_a_player_that_comes_back_at_once_keeps_its_name_and_its_rating(servers):
    played = GAMES[DEFAULT_GAME]
    honest = [[kit_of(played).honest, name, ""] for name in ("dan", "eve", "ann")]
    server, dan = dan_left_alone(played, servers, honest)
    dan.kill()
    finish(dan)
    back = clients(played, [honest[0]], server.port)  # at once: the arena may not have looked at its queue since
    wait_for(server, lambda lines: lines.count("dan signed up") == 2, "dan's return")
    ann = clients(played, [honest[2]], server.port)
    lines = wait_for(server, lambda lines: any("ann" in players_of(line) for line in result_lines(lines)), "ann's encounter")
    for process in (ann, back):
        process.kill()
        finish(process)
    assert not [line for line in lines if line.startswith("dan plays as")], f"dan came back under its name: {lines}"
    came_back = [index for index, line in enumerate(lines) if line == "dan signed up"][1]
    before = last_mu(lines[:came_back], "dan")
    mu, change = players_of(next(line for line in result_lines(lines[came_back:]) if "ann" in players_of(line)))["dan"]
    assert change is not None and abs(mu - change - before) < 0.15, f"dan came back with its rating {before}: {lines}"


def test_xserver_help_lists_the_arena_with_every_key_of_its_format():
    usage = subprocess.run(
        [sys.executable, "-m", "Remote.xserver", "--help"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=LIMIT
    )
    assert usage.returncode == 0 and '{"kind": "arena", ' in usage.stdout and "docs/arena.md" in usage.stdout
    for key in arena_json(ArenaSettings(minutes=1)):
        assert f'"{key}"' in usage.stdout, key


def test_sigusr1_ends_an_arena_without_minutes_as_its_minutes_would_and_every_connected_client_gets_the_results(servers):
    played = GAMES[sorted(GAMES)[0]]
    honest = kit_of(played).honest
    house = [[honest, "hal", ""], [honest, "ida", ""]]
    server = start_server(servers, arena_configuration(played, {"pairing": "first come"}, house))
    started = clients(played, [[honest, "ann", ""], [honest, "bob", ""]], server.port)
    wait_for_log_sync(server, " signed up\n", count=2, time_limit=LIMIT)
    server.process.send_signal(signal.SIGUSR1)
    status, printed, client_log = finish(started)
    served = server.finish(LIMIT)
    said = served.log + client_log
    assert (served.status, status) == (0, 0), said
    assert json.loads(printed) == kit_of(played).received_in_arena(served.json(), "ann"), said
    lines = server_lines(server)
    assert "the organiser ends the arena (SIGUSR1): no new encounter starts, the running ones finish" in lines, said
    assert any(line.startswith("the arena is over: ") for line in lines), said
