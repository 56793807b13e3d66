"""The websocket IPD server's clients against xserver's fgw door, over real TCP on 127.0.0.1 (docs/fgw.md).

xserver runs as a process with that server's participants.csv, listed
pairings and `"websocket": {"port": P, "fgw": true}`; the clients are
FgwClient (tests/fgw_client.py), written from that server's documentation:
the match id in the path, the participant in the query, the raw token in
`Authorization`, raw `C`/`B` text messages. Waits are for log lines, files
or messages, never for time to pass.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import trio

from Remote.ipd.fgw_door import REFUSAL
from Remote.loopback import ServerProcess
from tests.fgw_client import FgwClient, Rejected
from tests.processes import run_xserver
from tests.raw_client import stop, wait_for_log

TOKENS = {"alice": "alice" + "A1" * 14, "bob": "bob" + "B2" * 15, "carol": "carol" + "C3" * 14, "dave": "dave" + "D4" * 14}
WINDOW = 2.0
LIMIT = 60.0
MATCH_LINE = re.compile(r"match ([0-9a-f-]{36}): (\w+) vs (\w+)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def configuration(directory: Path, pairings: list[list[str]], **keys: Any) -> dict[str, Any]:
    participants = directory / "participants.csv"
    participants.write_text("participant,token\n" + "".join(f"{name},{token}\n" for name, token in TOKENS.items()))
    return {
        "game": "ipd",
        "min players": 2,
        "waiting for": WINDOW,
        "repeat": 0,
        "time per call": 10.0,
        "participants": str(participants),
        "event log": str(directory / "log"),
        "websocket": {"port": free_port(), "fgw": True},
        "format": {"kind": "pairings", "pairings": pairings},
        "max rounds": 5,
        "seed": 1,
        **keys,
    }


async def start(config: dict[str, Any]) -> tuple[ServerProcess, int, dict[tuple[str, str], str]]:
    """The server, its WebSocket port, and the match id of each pairing, as its log says them."""
    server = await trio.to_thread.run_sync(lambda: ServerProcess(config))
    lines = await wait_for_log(server, "xserver: match ", len(config["format"]["pairings"]))
    ids = {}
    for line in lines:
        found = MATCH_LINE.search(line)
        assert found is not None, line
        ids[found[2], found[3]] = found[1]
    return server, config["websocket"]["port"], ids


async def join(port: int, match_id: str, name: str, token: str | None = None) -> FgwClient:
    client = await FgwClient.open(port, f"/{match_id}?participant={name}", TOKENS[name] if token is None else token)
    assert isinstance(client, FgwClient), client
    return client


def tit_for_tat(heard: str) -> str:
    return heard if heard in ("C", "B") else "C"


async def play(client: FgwClient, first: str, strategy: Callable[[str], str], heard: list[str]) -> None:
    """As that server's sample client plays: a first move, then one move for each message, until the server closes."""
    await client.send(first)
    while (message := await client.receive()) is not None:
        heard.append(message)
        with contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError):
            await client.send(strategy(message))


async def finished(server: ServerProcess) -> Any:
    done = await trio.to_thread.run_sync(lambda: server.finish(LIMIT))
    assert done.status == 0, done.log
    return done


def match_file(directory: Path, match_id: str) -> str:
    return (directory / "log" / "tournaments" / f"{match_id}.csv").read_text()


async def test_two_clients_play_a_whole_match_hear_each_others_moves_and_leave_that_servers_files(tmp_path: Path) -> None:
    server, port, ids = await start(configuration(tmp_path, [["alice", "bob"]]))
    match_id = ids["alice", "bob"]
    alice, bob = await join(port, match_id, "alice"), await join(port, match_id, "bob")
    heard: dict[str, list[str]] = {"alice": [], "bob": []}
    async with trio.open_nursery() as nursery:
        nursery.start_soon(play, alice, "C", lambda heard: "C", heard["alice"])
        nursery.start_soon(play, bob, "B", tit_for_tat, heard["bob"])
    done = await finished(server)
    assert heard == {"alice": ["B", "C", "C", "C", "C"], "bob": ["C", "C", "C", "C", "C"]}
    assert json.loads(done.output)["outcomes"] == [["alice", "bob", 12, 17, 5]]
    assert (tmp_path / "log" / "tournament_records.txt").read_text() == f"{match_id},alice,bob\n"
    lines = match_file(tmp_path, match_id).split("\n")
    assert re.fullmatch(r"# \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", lines[0])
    assert lines[1:] == ["# Participants: [alice,bob]", "alice,bob", "C,B", "C,C", "C,C", "C,C", "C,C", "# COMPLETED"]


async def test_every_refused_request_is_the_same_400_and_the_log_says_why_without_a_token(tmp_path: Path) -> None:
    server, port, ids = await start(configuration(tmp_path, [["alice", "bob"], ["carol", "dave"]]))
    alices = ids["alice", "bob"]
    requests = {
        "an unknown match": (f"/{'0' * 8}-0000-4000-8000-{'0' * 12}?participant=alice", TOKENS["alice"]),
        "another's match": (f"/{ids['carol', 'dave']}?participant=alice", TOKENS["alice"]),
        "a wrong token": (f"/{alices}?participant=alice", TOKENS["bob"]),
        "no token": (f"/{alices}?participant=alice", None),
        "bad characters": (f"/{alices}?participant=al%21ce", TOKENS["alice"]),
        "no participant": (f"/{alices}", TOKENS["alice"]),
        "a deeper path": (f"/{alices}/x?participant=alice", TOKENS["alice"]),
        "the token put in the URL": (f"/{alices}?participant={TOKENS['alice']}", TOKENS["alice"]),
    }
    answers = {why: await FgwClient.open(port, target, token) for why, (target, token) in requests.items()}
    assert answers == dict.fromkeys(requests, Rejected(400, REFUSAL))
    log = "".join(await wait_for_log(server, "was refused: ", len(requests)))
    assert "it asked for match" in log and "a wrong token" in log and "no match has that id" in log
    stop(server)
    done = await trio.to_thread.run_sync(lambda: server.finish(LIMIT))
    for token in TOKENS.values():
        assert token not in done.log and token not in done.output


async def test_a_late_move_or_another_text_forfeits_its_round_and_a_late_move_never_counts_in_the_next(tmp_path: Path) -> None:
    server, port, ids = await start(configuration(tmp_path, [["alice", "bob"]], **{"time per move": 0.5}))
    match_id = ids["alice", "bob"]
    alice, bob = await join(port, match_id, "alice"), await join(port, match_id, "bob")
    alice_heard: list[str] = []

    async def late_bob() -> list[str]:
        """Round 2's move only once round 3 has begun (a late "B"), then "C" for round 3, "maybe" for round 4, "C" on."""
        heard = [str(await bob.receive())]  # alice's round 1: round 2 asked; bob does not answer yet
        heard.append(str(await bob.receive()))  # alice's round 2: round 2 is over, round 3 asked
        await bob.send("B")
        await bob.send("C")
        while (message := await bob.receive()) is not None:
            heard.append(message)
            with contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError):
                await bob.send("maybe" if len(heard) == 3 else "C")
        return heard

    async with trio.open_nursery() as nursery:
        nursery.start_soon(play, alice, "C", lambda heard: "C", alice_heard)
        await bob.send("C")
        bob_heard = await late_bob()
    await finished(server)
    assert alice_heard == ["C", "Forfeit", "C", "Forfeit", "C"]
    assert bob_heard == ["C", "C", "C", "C", "C"]
    assert match_file(tmp_path, match_id).split("\n")[3:] == ["C,C", "C,Forfeit", "C,C", "C,Forfeit", "C,C", "# COMPLETED"]


async def test_a_client_that_leaves_puts_itself_out_and_its_match_is_irregular(tmp_path: Path) -> None:
    server, port, ids = await start(configuration(tmp_path, [["alice", "bob"]]))
    match_id = ids["alice", "bob"]
    alice, bob = await join(port, match_id, "alice"), await join(port, match_id, "bob")
    alice_heard: list[str] = []

    async def leaving_bob() -> None:
        await bob.send("C")
        await bob.receive()
        await bob.send("C")
        await bob.receive()
        await bob.close()

    async with trio.open_nursery() as nursery:
        nursery.start_soon(play, alice, "C", lambda heard: "C", alice_heard)
        nursery.start_soon(leaving_bob)
    done = await finished(server)
    assert alice_heard == ["C", "C"]  # then the close: the match is over for her too
    assert json.loads(done.output)["outcomes"] == [["alice", "bob", "irregular"]]
    assert match_file(tmp_path, match_id).split("\n")[3:] == ["C,C", "C,C", "# IRREGULAR bob"]


async def test_a_resumed_event_keeps_its_match_ids_refuses_a_match_over_and_plays_one_cut_short_again(tmp_path: Path) -> None:
    config = configuration(tmp_path, [["alice", "bob"], ["carol", "dave"]], **{"time per move": 10.0})
    server, port, ids = await start(config)
    alices, carols = ids["alice", "bob"], ids["carol", "dave"]
    clients = {name: await join(port, alices if name in ("alice", "bob") else carols, name) for name in TOKENS}
    async with trio.open_nursery() as nursery:
        nursery.start_soon(play, clients["alice"], "C", lambda heard: "C", [])
        nursery.start_soon(play, clients["bob"], "C", lambda heard: "C", [])
        for name in ("carol", "dave"):  # their first move, then silence: the match is cut short in round 2
            await clients[name].send("C")
    with trio.fail_after(LIMIT):
        while not (tmp_path / "log" / "tournaments" / f"{alices}.csv").exists():  # noqa: ASYNC110 - a file, no event
            await trio.sleep(0.05)
    stop(server)  # killed
    again, port, resumed_ids = await start({**config, "resume": True, "resume wait": WINDOW})
    assert resumed_ids == ids
    refused = await FgwClient.open(port, f"/{alices}?participant=alice", TOKENS["alice"])
    carol, dave = await join(port, carols, "carol"), await join(port, carols, "dave")
    async with trio.open_nursery() as nursery:
        nursery.start_soon(play, carol, "C", lambda heard: "C", [])
        nursery.start_soon(play, dave, "B", lambda heard: "B", [])
    done = await finished(again)
    assert refused == Rejected(400, REFUSAL)
    assert f"fgw: match {alices} is over" in done.log and "1 of 2 matches are over" in done.log
    assert json.loads(done.output)["outcomes"] == [["alice", "bob", 15, 15, 5], ["carol", "dave", 0, 25, 5]]
    assert match_file(tmp_path, carols).split("\n")[3:] == ["C,B"] * 5 + ["# COMPLETED"]


def test_the_door_needs_participants_listed_pairings_one_pairing_a_participant_and_one_tournament(tmp_path: Path) -> None:
    base = {**configuration(tmp_path, [["alice", "bob"], ["carol", "dave"]]), "port": 0}
    cases = {
        "participants": {key: value for key, value in base.items() if key != "participants"},
        "format": {**base, "format": {"kind": "round robin"}},
        "format.pairings": {**base, "format": {"kind": "pairings", "pairings": [["alice", "bob"], ["bob", "carol"]]}},
        "repeat": {**base, "repeat": 1},
        "min rounds": {**base, "min rounds": 150, "max rounds": 120},
    }
    for key, config in cases.items():
        finished = run_xserver(config)
        lines = finished.stderr.strip().splitlines()
        assert finished.returncode == 2 and len(lines) == 1, (key, finished.stderr)
        assert lines[0].startswith("xserver: configuration: ") and (key in lines[0] or key == "min rounds"), (key, lines)
