"""The play page's routes, read over HTTP with a strict client (h11): the page, what it learns of the server, the game's view.

A person plays from `GET /play` over the server's WebSocket listener; the
page asks `/play.json` which game runs, where the listener is and how to sign
up, and loads the game's play view (`Game.play_view`) from `/play-view.js`.
Its content security policy lets it connect to that listener and nowhere else.
The browser plays in tests/test_watch_play_browser.py.
"""

from __future__ import annotations

import json
import re

import attrs
import pytest
import trio

from Remote.configuration import read_server_configuration
from Remote.event_log_writer import EventLogWriter
from Remote.game_description import GameError, register
from Remote.game_registry import GAMES
from Remote.hosting import play_settings
from Remote.participants import Participants
from Remote.watch import WatchedRoom, WatchHub, WatchSettings, serve_watch
from Remote.watch.play import PlaySettings
from Remote.watch.routes import STATIC
from tests.watch_client import HOST, Response, get


async def serve_and_get(play: PlaySettings | None, *requests: tuple[str, tuple[tuple[str, str], ...]], hub: WatchHub | None = None) -> list:
    """The answers to `requests` (target, extra headers) of a watch endpoint serving `play`."""
    hub = hub or WatchHub()
    answers = []
    async with trio.open_nursery() as nursery:
        port = await nursery.start(serve_watch, WatchSettings(port=0, host=HOST), [WatchedRoom(None, hub, play)])
        for target, headers in requests:
            answers.append(await get(port, target, headers))
        nursery.cancel_scope.cancel()
    return answers


def policy_of(response: Response) -> dict[str, list[str]]:
    directives = [part.split() for part in response.headers["content-security-policy"].split(";")]
    return {words[0]: words[1:] for words in directives if words}


@pytest.fixture(params=sorted(GAMES))
def game(request):
    return GAMES[request.param]


async def test_the_play_page_and_its_files_are_served_and_it_may_connect_only_to_the_websocket_listener():
    play = PlaySettings(GAMES["ipd"], websocket_port=8001)
    page, script, style, watch_page = await serve_and_get(play, ("/play", ()), ("/play.js", ()), ("/play.css", ()), ("/", ()))
    assert (page.status, page.headers["content-type"], page.body) == (200, "text/html; charset=utf-8", STATIC["play.html"])
    policy = policy_of(page)
    assert policy["connect-src"] == ["'self'", f"ws://{HOST}:8001"]
    assert policy["default-src"] == policy["script-src"] == policy["style-src"] == ["'self'"]
    assert (script.status, script.headers["content-type"], script.body) == (200, "text/javascript; charset=utf-8", STATIC["play.js"])
    assert (style.status, style.headers["content-type"], style.body) == (200, "text/css; charset=utf-8", STATIC["play.css"])
    assert policy_of(watch_page)["connect-src"] == ["'self'"], "the watch page itself connects nowhere else"
    assert '<a href="/play"' in watch_page.body.decode(), "the watch page links the play view"
    for name in ("play.html", "play.js", "play.css"):
        assert b"http://" not in STATIC[name] and b"https://" not in STATIC[name], f"{name} loads nothing from elsewhere"


async def test_play_json_names_the_game_the_websocket_on_the_host_the_browser_used_and_the_sign_up(game):
    configured = game.read_settings({})
    play = PlaySettings(game, websocket_port=8001, tokens=True, time_per_call=30.0, game_settings=game.settings_json(configured))
    (answer, other_host, head) = await serve_and_get(play, ("/play.json", ()), ("/play.json", (("x-ignored", "1"),)), ("/play.json", ()))
    assert (answer.status, answer.headers["content-type"], answer.headers["cache-control"]) == (200, "application/json", "no-store")
    assert json.loads(answer.body) == {
        "game": game.name,
        "view": game.play_view is not None,
        "websocket": f"ws://{HOST}:8001/",
        "tokens": True,
        "time per call": 30.0,
        "settings": json.loads(json.dumps(game.settings_json(configured))),
    }
    assert other_host.body == head.body == answer.body


@pytest.mark.parametrize(
    ("host_header", "listening_on", "url"),
    [
        ("example.org:8080", "", "ws://example.org:8001/"),
        ("[::1]:8080", "", "ws://[::1]:8001/"),
        ("evil; script-src *", "10.0.0.5", "ws://10.0.0.5:8001/"),
        ("evil'", "0.0.0.0", "ws://localhost:8001/"),
        ("a b", "::1", "ws://[::1]:8001/"),
    ],
)
async def test_the_websocket_host_is_the_one_the_browser_used_and_a_host_header_that_names_none_changes_no_policy(
    host_header, listening_on, url
):
    play = PlaySettings(GAMES["santorini"], websocket_port=8001, websocket_host=listening_on)
    async with trio.open_nursery() as nursery:
        port = await nursery.start(serve_watch, WatchSettings(port=0, host=HOST), [WatchedRoom(None, WatchHub(), play)])
        stream = await trio.open_tcp_stream(HOST, port)
        request = (
            f"GET /play.json HTTP/1.1\r\nhost: {host_header}\r\nconnection: close\r\n\r\nGET /play HTTP/1.1\r\nhost: {host_header}\r\n\r\n"
        )
        await stream.send_all(request.encode())
        received = b""
        while chunk := await stream.receive_some(65536):
            received += chunk
        await stream.aclose()
        nursery.cancel_scope.cancel()
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ")
    assert json.loads(body)["websocket"] == url


async def test_without_a_websocket_listener_the_page_is_told_so_and_connects_nowhere_else():
    page, answer = await serve_and_get(PlaySettings(GAMES["ipd"]), ("/play", ()), ("/play.json", ()))
    assert policy_of(page)["connect-src"] == ["'self'"]
    assert json.loads(answer.body)["websocket"] is None


async def test_a_watch_endpoint_without_play_settings_names_the_watched_game_and_no_websocket(tmp_path):
    hub = WatchHub()
    (before,) = await serve_and_get(None, ("/play.json", ()), hub=hub)
    hub.attach(EventLogWriter(tmp_path), GAMES["ipd"])
    (after,) = await serve_and_get(None, ("/play.json", ()), hub=hub)
    assert json.loads(before.body) == {
        "game": None,
        "view": False,
        "websocket": None,
        "tokens": False,
        "time per call": None,
        "settings": {},
    }
    assert json.loads(after.body)["game"] == "ipd" and json.loads(after.body)["websocket"] is None


async def test_the_games_play_view_and_board_view_are_served_before_any_tournament(game):
    play = PlaySettings(game, websocket_port=8001)
    script, style, board = await serve_and_get(
        play, (f"/play-view.js?game={game.name}", ()), (f"/play-view.css?game={game.name}", ()), (f"/view.js?game={game.name}", ())
    )
    assert (script.status, script.headers["content-type"].split(";")[0]) == (200, "text/javascript")
    assert (style.status, style.headers["content-type"].split(";")[0]) == (200, "text/css")
    assert board.body == game.board_view.read_bytes(), "the play page draws with the board view, before any tournament"
    if game.play_view is None:
        assert script.body == b"/* this game has no play view */\n" and style.body == script.body
    else:
        assert script.body == game.play_view.read_bytes()
        assert style.body == game.play_view.with_suffix(".css").read_bytes()
        assert re.search(rb'Play\.register\("' + game.name.encode() + rb'"', script.body), "registered under the game's own name"


def test_the_games_with_a_play_view_and_the_one_without():
    assert {name for name, game in GAMES.items() if game.play_view is not None} == {"ipd", "santorini"}
    for game in GAMES.values():
        if game.play_view is not None:
            assert game.play_view.parent == game.board_view.parent, "beside the game's board view"


def test_a_game_whose_play_view_is_missing_is_refused_naming_it(tmp_path):
    missing = tmp_path / "nothing.js"
    with pytest.raises(
        GameError, match=rf"^the game 'broken': its play_view must be None or the path of its play script, got '{re.escape(str(missing))}'$"
    ):
        register(attrs.evolve(GAMES["ipd"], name="broken", play_view=missing))


def test_the_server_tells_the_page_its_game_its_websocket_its_time_per_call_and_whether_sign_up_takes_tokens():
    keys = {"game": "ipd", "min players": 2, "port": 0, "waiting for": 1, "repeat": 0, "time per call": 30, "time per move": 20}
    config = read_server_configuration(json.dumps(keys), GAMES, "santorini")
    without = play_settings(config, GAMES["ipd"], None)
    assert (without.game, without.websocket_port, without.tokens, without.time_per_call) == (GAMES["ipd"], None, False, 30)
    assert without.game_settings["time per move"] == 20
    assert play_settings(config, GAMES["ipd"], Participants({})).tokens
    listening = read_server_configuration(json.dumps(keys | {"host": "10.0.0.5", "websocket": {"port": 0}}), GAMES, "santorini")
    opened = play_settings(listening, GAMES["ipd"], None, websocket_port=54321)
    assert (opened.websocket_port, opened.websocket_host) == (54321, "10.0.0.5"), "the port the listener took, on the player port's host"
