"""A client of one game on a server of another says so in one line, instead of calling the server malformed.

For every ordered pair of different games of the registry: a real xserver
of the one and a real xclients of the other on 127.0.0.1. The first message
the client receives is one the server's game would send, so xclients names
that game and the configuration key that chooses it, and exits 1. An unknown
kind in xclients' configuration lists the configured game's kinds and names
the `"game"` key.
"""

from __future__ import annotations

import itertools
import json

import pytest
import trio

from Remote.client_conversation import Opening
from Remote.client_errors import WrongGame
from Remote.game_registry import DEFAULT_GAME, GAMES
from Remote.loopback import ServerProcess, run_clients
from tests.raw_client import stop

LIMIT = 60.0
WINDOW = 2.0
"""Seconds of sign-up: xclients signs up its two players within a fraction of it."""
PAIRS = [(GAMES[server], GAMES[client]) for server, client in itertools.permutations(GAMES, 2)]


def first_kind(game) -> str:
    return next(iter(game.players.kinds))


@pytest.mark.parametrize("server_game, client_game", PAIRS, ids=[f"{s.name} server, {c.name} client" for s, c in PAIRS])
async def test_a_client_on_a_server_of_another_game_names_the_game_and_the_key(server_game, client_game):
    server = await trio.to_thread.run_sync(
        lambda: ServerProcess({"game": server_game.name, "min players": 2, "waiting for": WINDOW, "repeat": 0})
    )
    players = [[first_kind(client_game), name, ""] for name in ("alice", "bob")]
    try:
        clients = await trio.to_thread.run_sync(
            lambda: run_clients({"game": client_game.name, "players": players, "observers": []}, server.port, LIMIT)
        )
        await trio.to_thread.run_sync(server.finish, LIMIT)
    finally:
        stop(server)
    said = f'this server seems to run {server_game.title}: add "game": "{server_game.name}" to the configuration'
    assert clients.status == 1, clients.log
    assert f"xclients: alice: {said}" in clients.log.splitlines(), clients.log
    assert "malformed" not in clients.log
    assert json.loads(clients.output) == client_game.no_results


@pytest.mark.parametrize("game", list(GAMES.values()), ids=list(GAMES))
def test_an_unknown_kind_lists_the_kinds_of_the_configured_game_and_names_the_game_key(game):
    others = [kind for other in GAMES.values() if other is not game for kind in other.players.kinds if kind not in game.players.kinds]
    for kind in [*others, "nosuchkind"]:
        config = {"players": [[kind, "alice", ""]], "observers": []}
        if game.name != DEFAULT_GAME:
            config["game"] = game.name
        finished = run_clients(config, 56789, LIMIT)  # refused before it connects anywhere
        assert finished.status == 2
        [line] = finished.log.splitlines()
        assert line.startswith(f"xclients: configuration: expected a kind of {game.name}, one of {game.players.kind_list()} "), line
        assert '"game"' in line and f'got "{kind}" @ $.players[0][0]' in line, line


def test_the_opening_is_settled_by_the_first_message_only_this_game_sends():
    """Game-free: a message every game sends settles nothing; another game's own is WrongGame until one of ours came."""
    ours, theirs = {"common", "ours"}, {"common", "theirs"}
    opening = Opening(ours.__contains__, [(theirs.__contains__, "theirs, not ours")])
    opening.check("common")
    with pytest.raises(WrongGame, match="theirs, not ours"):
        opening.check("theirs")
    opening.check("nobody's")  # left to the game's proxy: a malformed message
    opening.check("ours")
    opening.check("theirs")  # settled: from now on the game's proxy judges every message
    assert opening.settled
