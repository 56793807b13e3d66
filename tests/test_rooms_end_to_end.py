"""Rooms with real processes: xserver on 127.0.0.1 hosting several events at once, and xclients playing in them.

Each game's room plays a short tournament; its players come from their own
xclients process, naming the room in their sign-up's options, except the
first room's, which sign up with bare names and are handed to the first
room. Every room prints what the same tournament prints on a server of its
own, as `{"room": R, "results": ...}`, and every client prints what it
prints there. The lobby refuses a room that does not exist and one that
takes no sign-ups now, in one line each, and the rooms' log lines carry
their names.

Resuming: a server with three rooms is killed after a room's k-th event
(each room counts its own), when the first room's tournament is over, the
second's midway and the third's window open; started again with
`"resume": true` in each room and the second and third rooms' players coming
back, each room prints what the uninterrupted run prints, the first its
Results again. An arena room beside a tournament room: two arena players
that name each other meet first, and each room prints its own Results line;
the watch page of that run lists both rooms and serves each room's
results.json, and no room that does not exist. A bad configuration of rooms
is one line and status 2. Every wait is bounded and waits for something the
programs do.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
from functools import partial
from pathlib import Path
from typing import Any

import attrs
import pytest
import trio

from Admin.tournament_state import fold
from Remote.event_log_reader import read_events
from Remote.event_log_writer import EVENTS_FILE
from Remote.game_registry import GAMES
from Remote.loopback import Finished, ServerProcess
from Remote.xserver import CRASH_VARIABLE
from tests.game_conformance import kit_of
from tests.processes import run_xserver, start_xclients
from tests.raw_client import HOST, RawClient, compact, stop, wait_for_log, wait_for_log_sync
from tests.test_arena_end_to_end import arena_configuration, free_port, result_lines
from tests.test_arena_end_to_end import players_of as rated_players
from tests.test_watch_end_to_end import PAGE
from tests.test_websocket_end_to_end import LIMIT, NAMES, short_tournament, side_by_side
from tests.watch_client import Response, get

PLAYERS = NAMES[:2]
"""Each room's players: two honest ones, so every room's tournament is one encounter."""


def room_of(game: str) -> str:
    return f"{game}-room"


def players_of(game: str, room: str | None, names: tuple[str, ...] = PLAYERS) -> list[list[Any]]:
    """The room's xclients players `names`: the kit's honest kind, with `{"room": room}` (None: a bare name)."""
    honest = kit_of(GAMES[game]).honest
    return [[honest, name, ""] if room is None else [honest, name, "", None, {"room": room}] for name in names]


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
    players = {game: players_of(game, room_of(game), NAMES[:count]) for game, count in counts.items()}

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
    assert f"xserver: {room_of(ended)}: resume: tournament " in log and " had ended; its Results again\n" in log
    assert f"xserver: {room_of(killed)}: resuming tournament " in log and f"waiting for {counts[killed]} players to come back" in log
    assert f"xserver: {room_of(fresh)}: resume: the event log {tmp_path / 'log' / fresh} holds no tournament; a fresh one starts\n" in log
    state = fold(tournament_events(tmp_path / "log" / killed))
    assert state.resumes == 1 and state.results is not None and state.results["output"] == expected[room_of(killed)]


# ---------------------------------------------------------------------------
# An arena room beside a tournament room, and the watch page of both

CUP, ARENA = "cup", "arena"
ARENA_MINUTES = 0.05
"""The arena room's length (3 s): its xclients start first and sign up as soon as the server listens."""
NAMED = {"ann": "cal", "cal": "ann"}
"""The arena players that name each other as their opponent; ben and dan name nobody."""
LISTED = (
    "/rooms.json",
    f"/rooms/{CUP}/results.json",
    f"/rooms/{ARENA}/results.json",
    f"/rooms/{ARENA}/games.ndjson",
    f"/rooms/{ARENA}/games/0/0.json",
    f"/rooms/{ARENA}/encounters.ndjson",
    f"/rooms/{CUP}/encounters.ndjson",
    "/rooms/nowhere/results.json",
)
"""What a spectator reads once every room has ended (the page lingers)."""


@attrs.frozen
class ArenaBesideACup:
    """One server run: an arena room and a tournament room, with the watch page; what each program printed and what the
    watch page served."""

    cup_game: str
    arena_game: str
    server: Finished
    cup_clients: Finished
    arena_clients: Finished
    opening: Response
    """/rooms.json once the server listens, before the cup's players come."""
    served: dict[str, Response]
    """Each of LISTED once every room has ended."""
    event_logs: Path


def finished(process: subprocess.Popen) -> Finished:
    output, log = process.communicate(timeout=LIMIT)
    return Finished(process.returncode, output, log)


@pytest.fixture(scope="module")
def arena_beside_a_cup(tmp_path_factory: pytest.TempPathFactory) -> ArenaBesideACup:
    cup_game, arena_game = list(GAMES)[:2]
    logs = tmp_path_factory.mktemp("rooms")
    cup = {"name": CUP, **short_tournament(cup_game, len(PLAYERS)), "format": {"kind": "round robin"}, "event log": str(logs / CUP)}
    arena = {
        "name": ARENA,
        **arena_configuration(GAMES[arena_game], {"minutes": ARENA_MINUTES, "pairing": "first come"}, []),
        "event log": str(logs / ARENA),
    }
    honest = kit_of(GAMES[arena_game]).honest
    entries = [[honest, name, "", None, {"room": ARENA, **({"opponent": NAMED[name]} if name in NAMED else {})}] for name in NAMES]
    port = free_port()
    started = [start_xclients({"game": arena_game, "players": entries, "ip": HOST, "port": port})]
    try:
        server = ServerProcess({"watch": {"port": 0}, "watch linger": LIMIT, "rooms": [cup, arena]}, port=port)
        started.append(server.process)
        page = int(PAGE.search(wait_for_log_sync(server, "the page is at", time_limit=LIMIT)[0])[1])
        opening = trio.run(get, page, "/rooms.json")
        started.append(start_xclients({"game": cup_game, "players": players_of(cup_game, CUP), "ip": HOST, "port": server.port}))
        arena_clients, cup_clients = finished(started[0]), finished(started[2])
        wait_for_log_sync(server, "xserver: watch: the page stays up", time_limit=LIMIT)  # every room has ended
        served = {target: trio.run(get, page, target) for target in LISTED}
        server.process.send_signal(signal.SIGTERM)
        return ArenaBesideACup(cup_game, arena_game, server.finish(LIMIT), cup_clients, arena_clients, opening, served, logs)
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
                process.wait(LIMIT)


def room_lines(log: str, room: str) -> list[str]:
    """The lines of `room`'s event in the log, without `xserver: R: ` before each."""
    return [line.removeprefix(f"xserver: {room}: ") for line in log.splitlines() if line.startswith(f"xserver: {room}: ")]


def test_an_arena_room_beside_a_tournament_room_pairs_two_who_name_each_other_first_and_each_room_prints_its_results(
    arena_beside_a_cup,
):
    run = arena_beside_a_cup
    log = run.server.log
    for name, opponent in NAMED.items():
        assert f"{name} joins the arena asking for {opponent} as its opponent" in room_lines(log, ARENA), log
    results = result_lines(room_lines(log, ARENA))
    first = {name: next(set(rated_players(line)) for line in results if name in rated_players(line)) for name in NAMES}
    assert first == {"ann": {"ann", "cal"}, "cal": {"ann", "cal"}, "ben": {"ben", "dan"}, "dan": {"ben", "dan"}}, log
    assert sorted(line for line in room_lines(log, CUP) if line.endswith(" signed up")) == [f"{name} signed up" for name in PLAYERS]
    assert " plays as " not in log, "a name playing in one room is free in another"
    printed = [json.loads(line) for line in run.server.output.splitlines()]
    assert sorted(line["room"] for line in printed) == [ARENA, CUP], run.server.output
    by_room = {line["room"]: line["results"] for line in printed}
    assert (run.cup_clients.status, run.cup_clients.json()) == (0, kit_of(GAMES[run.cup_game]).received(by_room[CUP]))
    assert (run.arena_clients.status, run.arena_clients.json()) == (
        0,
        kit_of(GAMES[run.arena_game]).received_in_arena(by_room[ARENA], NAMES[0]),
    ), "the arena's first player prints the arena's Results, its own encounters"


def test_the_watch_page_of_a_server_with_rooms_lists_both_and_serves_each_rooms_own_results(arena_beside_a_cup):
    run = arena_beside_a_cup
    waiting = {"started": False, "players": 0, "running": 0, "finished": 0, "ended": False}
    opening = json.loads(run.opening.body)["rooms"]
    assert run.opening.status == 200 and [{key: room[key] for key in ("name", "game", "format")} for room in opening] == [
        {"name": CUP, "game": run.cup_game, "format": "round robin"},
        {"name": ARENA, "game": run.arena_game, "format": "arena"},
    ]
    assert {key: opening[0][key] for key in waiting} == waiting, "the cup's window is open, nobody has come"
    (over,) = [line for line in room_lines(run.server.log, ARENA) if line.startswith("the arena is over: ")]
    listing = run.served["/rooms.json"]
    assert (listing.status, json.loads(listing.body)) == (
        200,
        {
            "rooms": [
                {
                    "name": CUP,
                    "game": run.cup_game,
                    "format": "round robin",
                    "started": True,
                    "players": 2,
                    "running": 0,
                    "finished": 1,
                    "ended": True,
                },
                {
                    "name": ARENA,
                    "game": run.arena_game,
                    "format": "arena",
                    "started": True,
                    "players": len(NAMES),
                    "running": 0,
                    "finished": int(over.split()[4]),
                    "ended": True,
                },
            ]
        },
    )
    for room, game in ((CUP, run.cup_game), (ARENA, run.arena_game)):
        (written,) = [entry for entry in (run.event_logs / room).iterdir() if entry.is_dir()]
        served = run.served[f"/rooms/{room}/results.json"]
        assert (served.status, served.headers["content-type"]) == (200, "application/json")
        assert served.body == (written / "results.json").read_bytes(), f"room {room}: the results.json its event log holds"
        assert (json.loads(served.body)["tournament"], json.loads(served.body)["game"]) == (written.name, game)
    (arena_log,) = [entry for entry in (run.event_logs / ARENA).iterdir() if entry.is_dir()]
    games, first = run.served[f"/rooms/{ARENA}/games.ndjson"], run.served[f"/rooms/{ARENA}/games/0/0.json"]
    assert (games.status, games.body) == (200, (arena_log / "games.ndjson").read_bytes()), "the arena's games, from its file"
    (line,) = [line for line in games.body.splitlines() if json.loads(line)["encounter"] == 0 and json.loads(line)["game"] == 0]
    assert (first.status, first.body) == (200, line), "a game's record, read back from the arena's games.ndjson"
    encounters = run.served[f"/rooms/{ARENA}/encounters.ndjson"]
    assert (encounters.status, encounters.body) == (200, (arena_log / "encounters.ndjson").read_bytes())
    assert len(encounters.body.splitlines()) == int(over.split()[4]), "a line for every encounter that ended"
    cup_encounters = run.served[f"/rooms/{CUP}/encounters.ndjson"]
    assert (cup_encounters.status, cup_encounters.body) == (
        404,
        b"no encounters.ndjson: only an arena has one (a tournament's are in results.json)\n",
    )
    missing = run.served["/rooms/nowhere/results.json"]
    assert (missing.status, missing.body) == (404, b"no room named nowhere: the rooms are listed at /\n")
    assert run.server.status == 130, "stopped while the page lingered"


# ---------------------------------------------------------------------------
# Configuration errors


def test_a_bad_configuration_of_rooms_is_one_line_on_standard_error_and_status_2_before_anything_is_made(tmp_path):
    game = next(iter(GAMES))

    def room(name: str, **more: Any) -> dict[str, Any]:
        return {"name": name, **short_tournament(game, len(PLAYERS)), **more}

    shared, missing = tmp_path / "events", tmp_path / "participants.csv"
    cases = {  # each configuration, and a pattern of the one line after `xserver: configuration: `
        "a name twice": (
            [room("cup"), room("cup")],
            re.escape('two rooms are named "cup": $.rooms[0] and $.rooms[1] @ $.rooms[1].name'),
        ),
        "one event log for two rooms": (  # the paths shown as every value is, cut to a length
            [room("cup", **{"event log": str(shared)}), room("plate", **{"event log": f"{shared}/"})],
            re.escape('two rooms write one event log directory, "')
            + ".+"
            + re.escape("($.rooms[0] and $.rooms[1]): each room needs its own @ $.rooms[1].event log"),
        ),
        "a room's participants file missing": (
            [room("cup"), room("plate", participants=str(missing))],
            re.escape(f"room plate: cannot read the participants file {missing}: No such file or directory"),
        ),
    }
    runs = side_by_side(*(partial(run_xserver, {"port": 0, "rooms": rooms}) for rooms, _ in cases.values()))
    for (case, (_, error)), run in zip(cases.items(), runs, strict=True):
        assert (run.returncode, run.stdout) == (2, ""), f"{case}: {run.stderr}"
        assert re.fullmatch(f"xserver: configuration: {error}\n", run.stderr), f"{case}: {run.stderr}"
    assert list(tmp_path.iterdir()) == [], "no event log directory was made"
