"""Clients written from docs/fish-protocol.md alone play a whole Fish tournament on a real xserver.

Five FishRawClients (`tests/fish_raw_client.py`: their own JSON stream
reader, hex geometry and the course's strategy as the document states it;
one pads each reply with 2,040 spaces as the course's clients do, one sends
its bytes three at a time) play the course's knock-out on 127.0.0.1. Each
hears the messages in the order section 4 lists, every reply is taken, and
the server's output is the one it prints when our own greedy players of
xclients play the same tournament: the document's strategy is ours.
"""

from __future__ import annotations

import json

import pytest
import trio

from Remote.loopback import ServerProcess, run_clients
from tests.fish_raw_client import END, PLAYING_AS, PLAYING_WITH, SETUP, START, TAKE_TURN, FishRawClient
from tests.raw_client import stop

LIMIT = 60.0
NAMES = ("ann", "bob", "cat", "dan", "eve")
CONFIG = {"game": "fish", "min players": 5, "max players": 5, "waiting for": 30, "repeat": 0, "rows": 5, "columns": 4, "seed": 18}


async def play_raw(port: int) -> list[FishRawClient]:
    clients = []
    with trio.fail_after(LIMIT):
        for number, name in enumerate(NAMES):
            client = await FishRawClient.connect(port, name)
            client.padding = 2040 if number == 1 else 0
            client.chunk = 3 if number == 2 else None
            await client.sign_up()
            clients.append(client)
        async with trio.open_nursery() as nursery:
            for client in clients:
                nursery.start_soon(client.play)
    for client in clients:
        await client.aclose()
    return clients


@pytest.fixture(scope="module")
def raw_tournament():
    server = ServerProcess(CONFIG)
    try:
        clients = trio.run(play_raw, server.port)
        served = server.finish(LIMIT)
    finally:
        stop(server)
    return served, clients


def test_the_raw_clients_play_the_whole_tournament_and_every_one_hears_end(raw_tournament):
    served, clients = raw_tournament
    assert served.status == 0, served.log
    winners, culprits = json.loads(served.output)
    assert winners and culprits == []
    assert [client.won for client in clients] == [client.name in winners for client in clients]
    assert all(client.kicked_because is None and client.closed_by_server for client in clients)
    assert "misbehaved" not in served.log


def test_each_connection_hears_start_then_each_game_from_its_colours_then_end(raw_tournament):
    _, clients = raw_tournament
    for client in clients:
        methods = [message[0] for message in client.received]
        assert methods[0] == START and methods[-1] == END and methods.count(START) == methods.count(END) == 1, client.name
        games = [index for index, method in enumerate(methods) if method == PLAYING_AS]
        assert games and all(methods[index + 1] == PLAYING_WITH for index in games), client.name
        for begin, end in zip(games, [*games[1:], len(methods) - 1], strict=True):
            calls = methods[begin + 2 : end]
            setups = [index for index, method in enumerate(calls) if method == SETUP]
            turns = [index for index, method in enumerate(calls) if method == TAKE_TURN]
            assert set(calls) <= {SETUP, TAKE_TURN} and (not turns or max(setups) < min(turns)), client.name


def test_every_state_puts_the_receiver_first_in_its_own_colour(raw_tournament):
    _, clients = raw_tournament
    for client in clients:
        colour = None
        for method, arguments in client.received:
            if method == PLAYING_AS:
                colour = arguments[0]
            elif method in (SETUP, TAKE_TURN):
                assert arguments[0]["players"][0]["color"] == colour


def test_our_greedy_players_make_the_same_tournament_as_the_documents_strategy(raw_tournament):
    served, _ = raw_tournament
    server = ServerProcess(CONFIG)
    try:
        ours = run_clients({"game": "fish", "players": [["greedy", name, ""] for name in NAMES]}, server.port, time_limit=LIMIT)
        again = server.finish(LIMIT)
    finally:
        stop(server)
    assert (ours.status, again.status) == (0, 0), ours.log + again.log
    assert json.loads(again.output) == json.loads(served.output)
    assert len(games_in(served.log)) == 3 and games_in(again.log) == games_in(served.log)


def games_in(log: str) -> list[str]:
    """The log's line of each game, `ann, bob and cat: ann won with 9 fish (bob 8, cat 7)`, sorted (games run at once)."""
    return sorted(line.split(" · ")[0] for line in log.splitlines() if " fish" in line)
