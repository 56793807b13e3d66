"""Rooms with real processes: one xserver on 127.0.0.1 hosting an event of every game of the registry at once.

Each game's room plays a short tournament; its players come from their own
xclients process, naming the room in their sign-up's options, except the
first room's, which sign up with bare names and are handed to the first
room. Every room prints what the same tournament prints on a server of its
own, as `{"room": R, "results": ...}`, and every client prints what it
prints there. The lobby refuses a room that does not exist and one that
takes no sign-ups now, in one line each, and the rooms' log lines carry
their names. Every wait is bounded and waits for something the programs do.
"""

from __future__ import annotations

import json
import signal
from functools import partial
from pathlib import Path
from typing import Any

from Admin.tournament_state import fold
from Remote.event_log_reader import read_events
from Remote.event_log_writer import EVENTS_FILE
from Remote.game_registry import GAMES
from Remote.loopback import Finished, ServerProcess
from Remote.xserver import CRASH_VARIABLE
from tests.game_conformance import kit_of
from tests.processes import start_xclients
from tests.raw_client import HOST, RawClient, compact, stop, wait_for_log
from tests.test_websocket_end_to_end import LIMIT, NAMES, short_tournament, side_by_side

PLAYERS = NAMES[:2]
"""Each room's players: two honest ones, so every room's tournament is one encounter."""


def room_of(game: str) -> str:
    return f"{game}-room"


def players_of(game: str, room: str | None) -> list[list[Any]]:
    """The room's xclients players: the kit's honest kind, with `{"room": room}` (None: a bare name)."""
    honest = kit_of(GAMES[game]).honest
    return [[honest, name, ""] if room is None else [honest, name, "", None, {"room": room}] for name in PLAYERS]


def play(config: dict[str, Any], players: dict[str, list[list[Any]]]) -> tuple[Finished, dict[str, Finished]]:
    """xserver with `config`, and one xclients process per game with its `players`; what each printed."""
    server = ServerProcess(config)
    try:
        started = {
            game: start_xclients({"game": game, "players": entries, "ip": HOST, "port": server.port}) for game, entries in players.items()
        }
        clients = {}
        for game, process in started.items():
            output, log = process.communicate(timeout=LIMIT)
            clients[game] = Finished(process.returncode, output, log)
        return server.finish(LIMIT), clients
    finally:
        stop(server)


def test_every_game_in_its_own_room_on_one_server_prints_what_it_prints_on_a_server_of_its_own():
    games = list(GAMES)
    rooms = [{"name": room_of(game), **short_tournament(game, len(PLAYERS))} for game in games]
    players = {game: players_of(game, None if number == 0 else room_of(game)) for number, game in enumerate(games)}
    together = partial(play, {"rooms": rooms}, players)
    alone = [partial(play, short_tournament(game, len(PLAYERS)), {game: players_of(game, None)}) for game in games]
    (server, clients), *apart = side_by_side(together, *alone)
    assert server.status == 0, server.log
    printed = [json.loads(line) for line in server.output.splitlines()]
    expected = {room_of(game): own.json() for game, (own, _) in zip(games, apart, strict=True)}
    assert sorted(line["room"] for line in printed) == sorted(expected), server.output
    assert {line["room"]: line["results"] for line in printed} == expected
    for game, (_, own_clients) in zip(games, apart, strict=True):
        assert (clients[game].status, clients[game].output) == (own_clients[game].status, own_clients[game].output), clients[game].log
        for name in PLAYERS:
            assert f"xserver: {room_of(game)}: {name} signed up\n" in server.log


async def test_the_lobby_refuses_a_room_that_does_not_exist_and_one_that_takes_no_sign_ups_now_in_one_line_each():
    first, second = list(GAMES)[:2]
    over = {"name": "over", **short_tournament(first, len(PLAYERS))}
    waiting = {"name": "waiting", **short_tournament(second, 3)}  # its window waits for a third player
    server = ServerProcess({"rooms": [over, waiting]})
    try:
        clients = start_xclients({"game": first, "players": players_of(first, None), "ip": HOST, "port": server.port})
        assert clients.wait(LIMIT) == 0  # the first room's tournament is over: it takes no sign-ups now
        told = {}
        for options in ({"room": "over"}, {"room": "nowhere"}, {"room": "waiting"}):
            client = await RawClient.connect(server.port, "cal")
            await client.send(compact(["sign-up", "cal", None, options]))
            if options["room"] == "waiting":
                await wait_for_log(server, "xserver: waiting: cal signed up", time_limit=LIMIT)
                await client.aclose()
            else:
                told[options["room"]] = await client.read_until_closed()
        bare = await RawClient.connect(server.port, "cal")
        await bare.sign_up()
        assert await bare.read_until_closed() == []  # a bare name goes to the first room, and is closed in silence, as ever
    finally:
        stop(server)
    assert told == {
        "over": [["refused", "sign-up refused: the room over takes no sign-ups now"]],
        "nowhere": [["refused", 'sign-up refused: no room named "nowhere"; the rooms are over, waiting']],
    }
    log = "".join(server.log_lines)
    assert f"xserver: over: {PLAYERS[0]} signed up\n" in log
    assert "xserver: a connection was closed: its sign-up was refused: the room over takes no sign-ups now\n" in log


# ---------------------------------------------------------------------------
# Resuming a server with rooms


def tournament_events(log: Path) -> list[dict]:
    """The events of the one tournament in the event log directory `log`."""
    (tournament,) = [entry for entry in log.iterdir() if entry.is_dir()]
    return read_events(tournament / EVENTS_FILE)[0]


def crashed(config: dict[str, Any], players: dict[str, list[list[Any]]], crash_after: int) -> Finished:
    """xserver with `config`, killing itself after a room's `crash_after`-th event; each game's players in turn, once the
    previous game's xclients have exited (with their Results, or with the server gone)."""
    server = ServerProcess(config, environment={CRASH_VARIABLE: str(crash_after)})
    try:
        for game, entries in players.items():
            clients = start_xclients({"game": game, "players": entries, "ip": HOST, "port": server.port})
            clients.communicate(timeout=LIMIT)
        return server.finish(LIMIT)
    finally:
        stop(server)


CRASH_AFTER = 40
"""Each room's EventLogging counts its own events: more than the first game's tournament of two has (it ends), fewer than
the second game's tournament of four (killed midway)."""


def test_a_killed_server_with_rooms_resumes_each_room_and_prints_what_the_uninterrupted_run_prints(tmp_path):
    ended, killed, fresh = list(GAMES)[:3]  # its tournament over before the kill; killed midway; its window still open
    counts = {ended: 2, killed: 4, fresh: 2}
    players = {
        game: [[kit_of(GAMES[game]).honest, name, "", None, {"room": room_of(game)}] for name in NAMES[:count]]
        for game, count in counts.items()
    }

    def rooms(log: str, **more: Any) -> dict[str, Any]:
        return {
            "rooms": [
                {"name": room_of(game), **short_tournament(game, count), "event log": str(tmp_path / log / game), **more}
                for game, count in counts.items()
            ]
        }

    (whole, whole_clients), killed_run = side_by_side(
        partial(play, rooms("whole"), players),
        partial(crashed, rooms("log"), {ended: players[ended], killed: players[killed]}, CRASH_AFTER),
    )
    assert whole.status == 0, whole.log
    expected = {line["room"]: line["results"] for line in map(json.loads, whole.output.splitlines())}
    lengths = [len(tournament_events(tmp_path / "whole" / game)) for game in (ended, killed)]
    assert lengths[0] < CRASH_AFTER < lengths[1], f"CRASH_AFTER must lie between the two tournaments' lengths, {lengths}"
    assert killed_run.status == -signal.SIGKILL, killed_run.log
    ended_line = {"room": room_of(ended), "results": expected[room_of(ended)]}
    assert [json.loads(line) for line in killed_run.output.splitlines()] == [ended_line], "the ended room printed before the kill"
    assert len(tournament_events(tmp_path / "log" / killed)) == CRASH_AFTER
    assert not any(entry.is_dir() for entry in (tmp_path / "log" / fresh).iterdir()), "the fresh room's window was open"

    coming_back = {game: players[game] for game in (killed, fresh)}  # the ended room's players have nothing to come back to
    resumed, clients = play(rooms("log", resume=True, **{"resume wait": LIMIT}), coming_back)
    assert resumed.status == 0, resumed.log
    printed = [json.loads(line) for line in resumed.output.splitlines()]
    assert sorted(line["room"] for line in printed) == sorted(expected), resumed.output
    assert {line["room"]: line["results"] for line in printed} == expected
    for game in coming_back:
        assert (clients[game].status, clients[game].output) == (whole_clients[game].status, whole_clients[game].output), clients[game].log
    log = resumed.log
    assert f"xserver: {room_of(ended)}: the event had ended: its Results again\n" in log
    assert f"xserver: {room_of(killed)}: resuming tournament " in log and f"waiting for {counts[killed]} players to come back" in log
    assert f"xserver: {room_of(fresh)}: resume: the event log {tmp_path / 'log' / fresh} holds no tournament; a fresh one starts\n" in log
    state = fold(tournament_events(tmp_path / "log" / killed))
    assert state.resumes == 1 and state.results is not None and state.results["output"] == expected[room_of(killed)]
