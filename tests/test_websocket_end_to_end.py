"""WebSocket players with real processes: xserver and xclients on 127.0.0.1, TCP and WebSocket players in one tournament.

xserver runs with `"websocket": {"port": 0}` beside its TCP port (the port it
picked is read from its log). For every game of the registry, a tournament
whose players sign up in two groups, the first over TCP and the second over
WebSocket (a misbehaving player among them), prints what the same players
print all over TCP: the server's Results, each xclients' output and status,
the same kick heard. With participants, a WebSocket player signs up with the
tagged sign-up, or with its bare name and its token in the `Authorization`
header (a client written from RFC 6455 with wsproto alone, not Remote/); a
wrong token is refused alike on both ways, and the watch page's
results.json lists the WebSocket players as any other. A killed server
resumes from its event log with its players coming back over WebSocket,
those that had come over TCP included. Bad `"websocket"`, `"transport"` and
`"url"` values are one line naming the key, status 2.

Each xclients group starts once the server has logged the previous group's
last sign-up, so the sign-up order is the same in every run; the two runs
compared are played side by side. Every wait is bounded and waits for
something the programs do.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import attrs
import pytest
import trio
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Event, RejectConnection, Request, TextMessage

from Admin.tournament_state import fold
from Remote.configuration import read_websocket_url
from Remote.event_log_reader import read_events
from Remote.event_log_writer import EVENTS_FILE
from Remote.game_registry import DEFAULT_GAME, GAMES
from Remote.loopback import PROJECT_ROOT, Finished, ServerProcess
from Remote.signup import REFUSAL
from Remote.xserver import CRASH_VARIABLE
from tests.game_conformance import kit_of
from tests.processes import run_xserver, start_xclients
from tests.raw_client import HOST, RawClient, compact, stop, wait_for_log, wait_for_log_sync
from tests.test_tokens_end_to_end import ALICE, BOB, CARL, WRONG, assert_no_secret_anywhere, participants_file, sign_up
from tests.test_watch_end_to_end import PAGE, fetch

LIMIT = 60.0
"""Seconds any process or wait may take before the test fails (a bound, not a measure)."""
NAMES = ("ann", "ben", "cal", "dan")
"""Names every game's rule takes."""
T = TypeVar("T")


@attrs.frozen
class Group:
    """Players that one xclients process signs up, in order, over TCP or over WebSocket."""

    players: tuple[list[str], ...]
    websocket: bool = False


@attrs.frozen
class Session:
    """What xserver and each group's xclients printed, and their exit statuses."""

    server: Finished
    clients: tuple[Finished, ...]


def short_tournament(game: str, players: int) -> dict[str, Any]:
    """A seeded tournament of the kit's keys that starts as soon as `players` have signed up.

    The game's own deadlines are left at their defaults (a second and more), so that a loaded machine
    does not forfeit an honest player's move in one run and not in the other.
    """
    own = {key: value for key, value in kit_of(GAMES[game]).own.items() if not key.startswith("time per")}
    return {"game": game, "min players": players, "max players": players, "waiting for": LIMIT, "repeat": 0, "time per call": 5, **own}


def websocket_url(server: ServerProcess) -> str:
    assert server.websocket_port is not None, "xserver did not say its WebSocket port"
    return f"ws://{HOST}:{server.websocket_port}/"


def clients_config(game: str, group: Group, server: ServerProcess) -> dict[str, Any]:
    where = {"transport": "websocket", "url": websocket_url(server)} if group.websocket else {"ip": HOST, "port": server.port}
    return {"game": game, "players": list(group.players), **where}


def session(config: dict[str, Any], groups: Sequence[Group], environment: dict[str, str] | None = None) -> Session:
    """xserver with a WebSocket listener, then each group's xclients once the previous group has signed up; to the end."""
    server = ServerProcess({**config, "websocket": {"port": 0}}, environment=environment)
    started: list[subprocess.Popen] = []
    try:
        for number, group in enumerate(groups):
            if number:
                wait_for_log_sync(server, f": {groups[number - 1].players[-1][1]} signed up\n", time_limit=LIMIT)
            started.append(start_xclients(clients_config(config["game"], group, server)))
        clients = []
        for process in started:
            output, log = process.communicate(timeout=LIMIT)
            clients.append(Finished(process.returncode, output, log))
        return Session(server.finish(LIMIT), tuple(clients))
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
                process.wait(LIMIT)
        stop(server)


def side_by_side(*runs: Callable[[], T]) -> list[T]:
    """Each of `runs` in a thread of its own, all at once (each is mostly waiting for its processes); their values."""
    with ThreadPoolExecutor(len(runs)) as pool:
        futures = [pool.submit(run) for run in runs]
        return [future.result() for future in futures]


def lines_with(text: str, log: str) -> list[str]:
    return [line for line in log.splitlines() if text in line]


@pytest.mark.parametrize("game", GAMES)
def test_tcp_and_websocket_players_in_one_tournament_get_what_the_same_players_get_all_over_tcp(game):
    kit = kit_of(GAMES[game])
    misbehaving = kit.house[1][0]  # the kit's misbehaving kind: it breaks a rule at once, whatever the clock
    first = ([kit.honest, "ann", ""], [kit.honest, "ben", ""])
    second = ([kit.honest, "cal", ""], [misbehaving, "dan", ""])
    config = short_tournament(game, 4)
    over_tcp, mixed = side_by_side(
        lambda: session(config, [Group(first), Group(second)]),
        lambda: session(config, [Group(first), Group(second, websocket=True)]),
    )
    assert over_tcp.server.status == 0 and over_tcp.server.json() is not None, over_tcp.server.log
    assert (mixed.server.status, mixed.server.output) == (0, over_tcp.server.output), mixed.server.log
    assert [(client.status, client.output) for client in mixed.clients] == [(client.status, client.output) for client in over_tcp.clients]
    assert lines_with("cal sent its sign-up to ws://", mixed.clients[1].log)
    for said in (": dan misbehaved: ", "dan was kicked by the server: "):
        in_the_log = lines_with(said, mixed.server.log + mixed.clients[1].log)
        assert in_the_log and in_the_log == lines_with(said, over_tcp.server.log + over_tcp.clients[1].log)


# ---------------------------------------------------------------------------
# Tokens over WebSocket, and the watch page


class WebSocketLines(trio.abc.Stream):
    """A raw client's byte stream carried over a WebSocket, written from RFC 6455 with wsproto's client alone.

    Each line sent (one JSON value) goes out as one text message; each text message received comes out as a
    line, the way the server writes its values over TCP; the server's close ends the stream. So the raw
    clients of tests/raw_client.py play over WebSocket unchanged.
    """

    def __init__(self, stream: trio.abc.Stream) -> None:
        self._stream = stream
        self._ws = WSConnection(ConnectionType.CLIENT)
        self._lines = bytearray()
        self._ended = False

    @classmethod
    async def open(cls, port: int, headers: Sequence[tuple[str, str]] = ()) -> WebSocketLines:
        """Connect to ws://127.0.0.1:`port`/ with `headers` in the upgrade request; AssertionError if it is refused."""
        lines = cls(await trio.open_tcp_stream(HOST, port))
        extra = [(name.encode(), value.encode()) for name, value in headers]
        await lines._stream.send_all(lines._ws.send(Request(host=f"{HOST}:{port}", target="/", extra_headers=extra)))
        while True:
            data = await lines._stream.receive_some()
            lines._ws.receive_data(data or None)
            events = list(lines._ws.events())
            for number, event in enumerate(events):
                assert not isinstance(event, RejectConnection), f"the upgrade was refused: {event.status_code}"
                if isinstance(event, AcceptConnection):
                    lines._take(events[number + 1 :])
                    return lines
            assert data, "the server closed the connection during the handshake"

    def _take(self, events: Sequence[Event]) -> None:
        for event in events:
            if isinstance(event, TextMessage):
                self._lines += event.data.encode() + (b"\n" if event.message_finished else b"")
            elif isinstance(event, CloseConnection):
                self._ended = True

    async def send_all(self, data: bytes | bytearray | memoryview) -> None:
        for line in bytes(data).split(b"\n"):
            if line.strip():
                await self._stream.send_all(self._ws.send(TextMessage(data=line.decode())))

    async def wait_send_all_might_not_block(self) -> None:
        await self._stream.wait_send_all_might_not_block()

    async def receive_some(self, max_bytes: int | None = None) -> bytes:
        while not self._lines and not self._ended:
            data = await self._stream.receive_some()
            self._ws.receive_data(data or None)
            self._take(list(self._ws.events()))
            self._ended = self._ended or not data
        lines = bytes(self._lines)
        self._lines.clear()
        return lines

    async def aclose(self) -> None:
        await self._stream.aclose()


async def test_tokens_over_websocket_in_the_sign_up_or_the_authorization_header_and_the_watch_page_lists_those_players(tmp_path):
    game = "santorini"  # the raw client plays Santorini
    config = {
        **short_tournament(game, 3),
        "best of": 1,
        "participants": str(participants_file(tmp_path)),
        "websocket": {"port": 0},
        "watch": {"port": 0},
        "watch linger": LIMIT,
    }
    server = await trio.to_thread.run_sync(lambda: ServerProcess(config))
    try:
        with trio.fail_after(LIMIT):
            port = server.websocket_port
            assert port is not None
            for headers, data, reason in [
                ([("Authorization", WRONG)], compact("alice"), '"alice" from 127.0.0.1 was refused: a wrong token'),
                ([], sign_up("bob", WRONG), '"bob" from 127.0.0.1 was refused: a wrong token'),
                ([], compact("carl"), '"carl" from 127.0.0.1 was refused: a bare name'),
            ]:
                refused = RawClient(await WebSocketLines.open(port, headers), "x")
                await refused.send(data)
                assert await refused.read_until_closed() == [["refused", REFUSAL]]
                await refused.aclose()
                await wait_for_log(server, reason)
            over_tcp = start_xclients({"game": game, "players": [["good", "alice", "", ALICE]], "ip": HOST, "port": server.port})
            await wait_for_log(server, ": alice signed up")
            tagged = start_xclients(
                {"game": game, "players": [["good", "bob", "", BOB]], "transport": "websocket", "url": websocket_url(server)}
            )
            await wait_for_log(server, ": bob signed up")
            carl = RawClient(await WebSocketLines.open(port, [("Authorization", CARL)]), "carl")
            await carl.sign_up()  # its bare name: the header's token makes it a tagged sign-up
            received = await carl.play()
            await carl.aclose()
            printed = [await trio.to_thread.run_sync(process.communicate, LIMIT) for process in (over_tcp, tagged)]
            await wait_for_log(server, "the page stays up")
            (page,) = await wait_for_log(server, "the page is at")
            match = PAGE.search(page)
            assert match is not None
            status, body = await trio.to_thread.run_sync(fetch, int(match[1]), "/results.json")
    finally:
        stop(server)
    finished = server.finish(LIMIT)
    assert (over_tcp.returncode, tagged.returncode) == (0, 0), printed
    assert [json.loads(output) for output, _ in printed] == [received, received] and len(received) == 3
    assert "sent its sign-up to ws://" in printed[1][1]
    served = json.loads(body)
    assert status == 200 and served["results"] == received
    assert [(player["requested"], player["assigned"]) for player in served["players"]] == [
        (name, name) for name in ("alice", "bob", "carl")
    ]
    assert_no_secret_anywhere(finished, tmp_path)


async def test_a_request_that_is_not_a_websocket_upgrade_is_closed_and_the_server_plays_on():
    game = DEFAULT_GAME
    kit = kit_of(GAMES[game])
    server = await trio.to_thread.run_sync(lambda: ServerProcess({**short_tournament(game, 2), "websocket": {"port": 0}}))
    try:
        with trio.fail_after(LIMIT):
            assert server.websocket_port is not None
            for request in (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"not HTTP at all\r\n\r\n"):
                browser = await trio.open_tcp_stream(HOST, server.websocket_port)
                await browser.send_all(request)
                answer = b""
                while chunk := await browser.receive_some():
                    answer += chunk
                assert answer.startswith(b"HTTP/1.1 400 ")  # an HTTP refusal, then the close
                await browser.aclose()
            players = [[kit.honest, name, ""] for name in NAMES[:2]]
            clients = start_xclients({"game": game, "players": players, "transport": "websocket", "url": websocket_url(server)})
            await trio.to_thread.run_sync(clients.communicate, LIMIT)
        finished = await trio.to_thread.run_sync(server.finish, LIMIT)
    finally:
        stop(server)
    assert (finished.status, clients.returncode) == (0, 0), finished.log
    assert "Traceback" not in finished.log and lines_with("its WebSocket handshake is not an HTTP/1.1 upgrade request", finished.log)


# ---------------------------------------------------------------------------
# The event log and resume


def tournament_events(log: Path) -> list[dict]:
    (tournament,) = [entry for entry in log.iterdir() if entry.is_dir()]
    return read_events(tournament / EVENTS_FILE)[0]


def test_a_killed_server_resumes_with_its_players_coming_back_over_websocket_to_the_uninterrupted_results(tmp_path):
    game = DEFAULT_GAME
    kit = kit_of(GAMES[game])
    players = tuple([kit.honest, name, ""] for name in NAMES)
    groups = [Group(players[:2]), Group(players[2:], websocket=True)]
    config = short_tournament(game, len(players))
    uninterrupted = session({**config, "event log": str(tmp_path / "uninterrupted")}, groups)
    assert uninterrupted.server.status == 0, uninterrupted.server.log
    expected = uninterrupted.server.json()
    stop_after = len(tournament_events(tmp_path / "uninterrupted")) // 2
    logged = {**config, "event log": str(tmp_path / "log")}
    killed = session(logged, groups, {CRASH_VARIABLE: str(stop_after)})
    assert killed.server.status == -signal.SIGKILL and killed.server.output == ""
    assert len(tournament_events(tmp_path / "log")) == stop_after
    resumed = session({**logged, "resume": True, "resume wait": LIMIT}, [Group(players, websocket=True)])  # ann and ben too
    assert resumed.server.status == 0 and resumed.server.json() == expected, resumed.server.log
    (coming_back,) = resumed.clients
    assert coming_back.status == 0 and coming_back.json() == kit.received(expected)
    assert lines_with(f"waiting for {len(players)} players to come back", resumed.server.log)
    state = fold(tournament_events(tmp_path / "log"))
    assert state.resumes == 1 and state.results is not None and state.results["output"] == expected


# ---------------------------------------------------------------------------
# Configuration errors and --help


def without_the_door(door: str) -> str:
    """A game of the registry whose WebSocket listener has no door `door` (the first game, if every game lacks it)."""
    return next(name for name, game in GAMES.items() if door not in game.websocket_doors)


@pytest.mark.parametrize(
    "websocket, game, words",
    [
        ({"port": "5"}, DEFAULT_GAME, 'expected a whole number, got "5" @ $.websocket.port'),
        ({"port": 5, "prot": 6}, DEFAULT_GAME, 'unknown key "prot"; did you mean "port"? @ $.websocket'),
        ({"port": 5, "fgw": True}, without_the_door("fgw"), '"fgw"'),
        ({"host": "127.0.0.1"}, DEFAULT_GAME, 'expected the key "port"'),
    ],
)
def test_a_bad_websocket_key_is_one_line_naming_it_and_status_2(websocket, game, words):
    refused = run_xserver({"min players": 2, "port": 0, "waiting for": 1, "repeat": 0, "game": game, "websocket": websocket})
    assert (refused.returncode, refused.stdout) == (2, "")
    (line,) = refused.stderr.splitlines()
    assert line.startswith("xserver: configuration: ") and words in line and "@ $.websocket" in line


@pytest.mark.parametrize(
    "where, words",
    [
        ({"transport": "websocket", "url": "wss://127.0.0.1:8765/"}, "wss://, WebSocket over TLS, is not supported"),
        ({"transport": "websocket", "url": "127.0.0.1:8765"}, 'expected a URL ws://HOST:PORT/, got "127.0.0.1:8765" @ $.url'),
        ({"transport": "tcp", "url": "ws://127.0.0.1:8765/"}, '"url" is a WebSocket address: it needs "transport": "websocket"'),
        ({"transport": "web socket", "ip": HOST, "port": 1}, 'expected "tcp" or "websocket", got "web socket" @ $.transport'),
    ],
)
def test_a_bad_transport_or_url_of_xclients_is_one_line_naming_it_and_status_2(where, words):
    process = start_xclients({"players": [["good", "ann", ""]], **where})
    output, log = process.communicate(timeout=LIMIT)
    assert (process.returncode, output) == (2, "")
    (line,) = log.splitlines()
    assert line.startswith("xclients: configuration: ") and words in line


def test_an_ipv6_address_is_written_in_brackets_where_xclients_names_the_url():
    url = read_websocket_url("ws://[::1]:8765/?room=1")
    assert (url.host, url.port, url.target, str(url)) == ("::1", 8765, "/?room=1", "ws://[::1]:8765/?room=1")


def test_help_of_xserver_and_xclients_names_the_websocket_keys():
    def usage(module: str) -> list[str]:
        finished = subprocess.run([sys.executable, "-m", module, "--help"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=LIMIT)
        assert finished.returncode == 0
        return finished.stdout.splitlines()

    def entry(key: str, lines: list[str]) -> str:
        """The key's line and the three after it, where its description goes on."""
        (first,) = [number for number, line in enumerate(lines) if line.lstrip().startswith(f'"{key}"')]
        return " ".join(lines[first : first + 4])

    assert "ws://H:P/" in entry("websocket", usage("Remote.xserver"))
    clients = usage("Remote.client")
    assert '"websocket"' in entry("transport", clients) and "ws://HOST:PORT/" in entry("url", clients)
    assert any('"transport": "websocket", "url": "ws://' in line for line in clients)
