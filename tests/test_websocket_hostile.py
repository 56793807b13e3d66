"""Hostile WebSocket clients in a real prisoner's dilemma tournament, beside honest players over TCP and over WebSocket.

The harness and the oracle are tests/test_ipd_hostile_clients.py's: xserver
as a process with fixed-length matches, honest players of the project's
client (ann over TCP, ben over WebSocket) whose every message is recorded,
and the pure fold that says what every honest player must receive. The
offender speaks WebSocket frame by frame (tests/ws_raw_client.py): an
IPDRawClient over a WebSocketStream plays the game, and its peer sends
whatever frames a deed needs. The honest players' Results are exactly those
they would get without the offender; a signed-up offender hears the kick
notice in the words of the server's log as a text message, then the close.

Before sign-up, WebSocket connections that break the rules never count:
they are closed, each reason said once in the log, while honest players
sign up beside them; so are 2,000 half-open handshakes on 1,024 descriptors.
A handshake that never ends is closed after the name time limit (the desk
alone, on memory streams and a virtual clock). The sign-up refusals of a
server with participants are the same over WebSocket.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import trio
import trio.testing
from wsproto.events import Ping

from Admin.naming import NameRegistry
from Common.ipd.outcomes import Irregular
from Player.configuration import LocalPlayerEntry
from Remote.client import run_clients
from Remote.configuration import ClientConfiguration
from Remote.doorway import NAME_TIME_LIMIT, Nameless
from Remote.ipd.game import PLAYERS
from Remote.signup import REFUSAL, SignUpDesk
from Remote.websocket import WebSocketChannel
from tests.ipd_raw_client import IPDRawClient
from tests.raw_client import HOST, stop, wait_for_log
from tests.test_hostile_clients import FLOOD, SERVER_OPEN_FILES, closed_connections, many_open_files, open_files_limited_to
from tests.test_ipd_hostile_clients import (
    FORFEIT_TIME,
    OFFENDER,
    Recording,
    Scene,
    Tournament,
    assert_honest_players_got_the_output,
    assert_kicked_in_the_logs_words,
    expected_output,
    fold,
    results_json,
    tournament,
    wire,
)
from tests.test_signup_refusals import ALICE, WRONG, start
from tests.ws_raw_client import (
    BINARY,
    TEXT,
    WebSocketPeer,
    WebSocketStream,
    close,
    frame,
    upgrade_request,
    websocket_port,
)

__all__ = ["many_open_files"]  # a fixture of tests/test_hostile_clients.py, used here

TCP_HONEST = (("ann", "tit-for-tat"),)
WEBSOCKET_HONEST = (("ben", "defector"),)
ROSTER = ["ann", "ben", OFFENDER]
MESSAGE_LIMIT = 65536
"""xserver's limit on a message's bytes."""
LIMIT = 60.0
FULL_AT_THREE = {"max players": 3, "waiting for": LIMIT / 2}
"""The window closes when the third player signs up (carl, or an honest one after the offenders), however long it took."""


async def websocket_tournament(hostile: Callable[[Scene], Awaitable[Any]], **keys: Any) -> Tournament:
    """ann over TCP and ben over WebSocket sign up, then `hostile` does its part; the window closes when a third signs up."""
    return await tournament(hostile, TCP_HONEST, WEBSOCKET_HONEST, **{**FULL_AT_THREE, **keys})


async def offender_over_websocket(scene: Scene, deeds: dict, fragments: int = 1, pings_first: int = 0) -> tuple[IPDRawClient, Any, list]:
    """carl signs up over WebSocket and plays with `deeds`: itself, the Results it received (or None), and what came after."""
    stream = await WebSocketStream.connect(await websocket_port(scene.server), fragments, pings_first)
    client = IPDRawClient(stream, OFFENDER)
    await client.sign_up()
    received = await client.play(deeds)
    return client, received, await client.read_until_closed()


def peer_of(client: IPDRawClient) -> WebSocketPeer:
    assert isinstance(client.stream, WebSocketStream)
    return client.stream.peer


def sending_frames(data: bytes) -> Callable[[IPDRawClient, list], Awaitable[bool]]:
    """A deed: these frames instead of the reply."""

    async def send(client: IPDRawClient, request: list) -> bool:
        await peer_of(client).send(data)
        return False

    return send


def out_in_round_two(played: Tournament) -> None:
    """ann and ben played their match as the fold says; carl is out, irregular, in its first match; its second never played."""
    config = played.config
    honest_match = fold(config, TCP_HONEST[0], WEBSOCKET_HONEST[0])
    output = assert_honest_players_got_the_output(played)
    assert output["outcomes"] == wire([honest_match.played, Irregular("ann", OFFENDER)])
    assert output["standings"] == results_json([honest_match.played], ["ann", "ben"])["standings"]


# ------------------------------------------------------------------ a signed-up offender


@pytest.mark.parametrize(
    "deed, fragment, close_code",
    [
        (frame(BINARY, b'[2,"C"]'), "it sent a binary message", 1000),
        (frame(TEXT, b'"' + b"C" * MESSAGE_LIMIT + b'"'), f"longer than {MESSAGE_LIMIT} bytes", 1000),
        (frame(TEXT, b"", mask=b"\0\0\0\0", length=1 << 30) + b'"' + b"C" * MESSAGE_LIMIT, f"longer than {MESSAGE_LIMIT} bytes", 1000),
        (b"".join(frame(TEXT if n == 0 else 0, b" " * 8192, fin=False) for n in range(9)), f"longer than {MESSAGE_LIMIT} bytes", 1000),
        (frame(TEXT, b'[2,"C"][2,"C"]'), "more than one JSON value", 1000),
        (frame(TEXT, b'[2,"\xff"]'), "it broke the WebSocket protocol", 1007),
    ],
    ids=["a binary frame", "a frame over the limit", "a gigabyte promised", "fragments over the limit", "two values", "invalid UTF-8"],
)
async def test_a_frame_that_breaks_the_rules_puts_the_player_out_with_the_kick_notice_as_text_then_the_close(deed, fragment, close_code):
    played = await websocket_tournament(lambda scene: offender_over_websocket(scene, {(1, 2): sending_frames(deed)}))
    out_in_round_two(played)
    client, received, after = played.hostile
    assert received is None and after == []
    reason = assert_kicked_in_the_logs_words(played, client, fragment)
    assert client.received[:3] == [["match", "ann"], ["move", 1, None], ["move", 2, ["C", "C"]]] and len(client.received) == 4
    assert peer_of(client).heard[-2:] == [("text", ["kicked", reason]), ("close", close_code)]


@pytest.mark.parametrize(
    "frames, fragment",
    [
        (frame(TEXT, b"[2,", fin=False) + close(1000), "it closed the WebSocket in the middle of a message"),
        (frame(TEXT, b'[2,"C"]') + close(1000), "the peer closed the"),  # the WebSocket (read with the reply), or the connection
    ],
    ids=["in the middle of a value", "right after a reply, read before the next request"],
)
async def test_a_player_that_closes_is_out_and_the_server_plays_on(frames, fragment):
    played = await websocket_tournament(lambda scene: offender_over_websocket(scene, {(1, 2): sending_frames(frames)}))
    out_in_round_two(played)
    client, received, after = played.hostile
    (reason,) = played.misbehaviours()
    assert fragment in reason, reason
    assert received is None and after == [] and len(client.received) == 3  # it closed: no kick notice can follow
    assert peer_of(client).close_code == 1000  # the server answered its close


async def test_a_player_that_fragments_every_message_and_pings_thousands_of_times_plays_like_anyone_else():
    """Every message of carl's comes after 1,000 pings, in three fragments with a ping between each two."""
    played = await websocket_tournament(lambda scene: offender_over_websocket(scene, {}, fragments=3, pings_first=1_000))
    config = played.config
    matches = [
        fold(config, TCP_HONEST[0], WEBSOCKET_HONEST[0]),
        fold(config, TCP_HONEST[0], (OFFENDER, "cooperator")),
        fold(config, WEBSOCKET_HONEST[0], (OFFENDER, "cooperator")),
    ]
    output = assert_honest_players_got_the_output(played)
    assert output == expected_output([match.played for match in matches], ROSTER)
    assert "misbehaved" not in played.finished.log
    client, received, after = played.hostile
    assert received == played.honest_results and after == []
    pongs = [payload for kind, payload in peer_of(client).heard if kind == "pong"]
    assert pongs and len(pongs) < 9 * 1_000  # answered, and not one pong per ping


async def test_a_player_that_pings_and_never_reads_is_out_when_its_time_runs_out():
    async def ping_and_never_read(client: IPDRawClient, request: list) -> bool:
        peer = peer_of(client)
        pings = peer.ws.send(Ping(b"")) * 10_000
        try:
            while True:  # until the server closes the connection
                await peer.send(pings)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            return True

    async def pinger(scene: Scene) -> IPDRawClient:
        client, received, _ = await offender_over_websocket(scene, {(1, 2): ping_and_never_read})
        assert received is None
        return client

    keys = {"time per move": FORFEIT_TIME, "forfeits allowed": 0}
    played = await websocket_tournament(pinger, **keys)
    out_in_round_two(played)
    (reason,) = played.misbehaviours()
    assert "forfeit" in reason, reason


# ------------------------------------------------------------------ before sign-up: never counts


async def honest_third(scene: Scene, name: str = "dan") -> tuple[Any, Recording]:
    """dan, a cooperator of the project's client, signs up over WebSocket and plays: its Outcome and its record."""
    player = Recording(LocalPlayerEntry("cooperator", name, "").create(PLAYERS))
    config = ClientConfiguration(players=(), ip=HOST, port=await websocket_port(scene.server), transport="websocket", game="ipd")
    return await run_clients(config, [(name, player)]), player


def assert_the_three_honest_played_alone(played: Tournament) -> None:
    """ann, ben and dan played each other as the fold says; dan received the same Results; nobody else counted."""
    config = played.config
    dan = ("dan", "cooperator")
    matches = [fold(config, TCP_HONEST[0], WEBSOCKET_HONEST[0]), fold(config, TCP_HONEST[0], dan), fold(config, WEBSOCKET_HONEST[0], dan)]
    output = assert_honest_players_got_the_output(played)
    assert output == expected_output([match.played for match in matches], ["ann", "ben", "dan"])
    outcome, _ = played.hostile
    assert outcome.all_well and wire(outcome.results) == played.honest_results


NEVER_COUNT = {
    "a binary frame": (frame(BINARY, b'"carl"'), "it sent a binary message"),
    "a frame over the limit": (frame(TEXT, b'"' + b"c" * MESSAGE_LIMIT + b'"'), f"longer than {MESSAGE_LIMIT} bytes"),
    "a gigabyte promised": (
        frame(TEXT, b"", mask=b"\0\0\0\0", length=1 << 30) + b" " * (MESSAGE_LIMIT + 1),
        f"longer than {MESSAGE_LIMIT}",
    ),
    "a close in the middle of the name": (frame(TEXT, b'"car', fin=False) + close(), "in the middle of a message"),
    "a name and a value in one message": (frame(TEXT, b'"carl" 1'), "more than one JSON value"),
}


async def test_websocket_connections_that_break_the_rules_before_signing_up_never_count_and_the_log_says_why():
    """Each offender, and a ping flood and a handshake that never ends; dan signs up once the offenders are closed."""

    async def offenders(scene: Scene) -> tuple[Any, Recording]:
        port = await websocket_port(scene.server)
        peers = []
        for data, _ in NEVER_COUNT.values():
            peer = await WebSocketPeer.connect(port)
            with contextlib.suppress(trio.BrokenResourceError):  # the server closed the connection before it took all: as it should
                await peer.send(data)
            peers.append(peer)
        for peer in peers:
            assert await peer.read_until_closed() == [] and peer.values == []
        endless = await trio.open_tcp_stream(HOST, port)
        await endless.send_all(upgrade_request()[:20])
        flooder = await WebSocketPeer.connect(port)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(flood, flooder)
            outcome = await honest_third(scene)  # the window is full: it closes, and the endless and the flooder with it
        await endless.aclose()
        return outcome

    played = await websocket_tournament(offenders)
    assert_the_three_honest_played_alone(played)
    closed = closed_connections(played.finished.log)
    failed = {reason: count for reason, count in closed.items() if reason.startswith("it failed before signing up: ")}
    assert sum(failed.values()) == len(NEVER_COUNT), closed
    assert all(any(why in reason for reason in failed) for _, why in NEVER_COUNT.values()), closed
    assert closed.get("it sent no name before the window closed") == 2, closed  # the endless handshake and the flooder
    assert sum(closed.values()) == len(NEVER_COUNT) + 2, closed


async def flood(peer: WebSocketPeer) -> None:
    """Pings, as fast as the server takes them, until it closes the connection."""
    pings = peer.ws.send(Ping(b"")) * 10_000
    try:
        while True:
            await peer.send(pings)
    except (trio.BrokenResourceError, trio.ClosedResourceError):
        return


async def test_two_thousand_half_open_handshakes_on_1024_descriptors_leave_the_honest_players_to_play(many_open_files):
    """ann and ben have signed up; 2,000 connections send part of an upgrade request; then dan signs up over WebSocket."""

    async def half_open(scene: Scene) -> tuple[Any, Recording]:
        port = await websocket_port(scene.server)
        sockets = []
        beginning = upgrade_request()[:30]

        async def connect() -> None:
            sockets.append(sock := trio.socket.socket())
            await sock.connect((HOST, port))
            await sock.send(beginning)

        async with trio.open_nursery() as nursery:
            for _ in range(FLOOD):
                nursery.start_soon(connect)
        outcome = await honest_third(scene)  # behind all of them in the queue; the window is then full
        for sock in sockets:
            sock.close()
        return outcome

    limit = open_files_limited_to(SERVER_OPEN_FILES, SERVER_OPEN_FILES)
    played = await websocket_tournament(half_open, preexec_fn=limit)
    assert_the_three_honest_played_alone(played)
    log = played.finished.log
    assert "cannot accept a connection: Too many open files; closing the nameless connections" in log, log
    closed = closed_connections(log)
    assert sum(closed.values()) == FLOOD, closed
    assert closed.get("it had waited longest without a name when the server ran out of descriptors", 0) > 0, closed
    assert len(log.splitlines()) < 60, log


# ------------------------------------------------------------------ the handshake that never ends


class OneConnection:
    """A listener for the desk that hands out one memory stream, then waits."""

    def __init__(self, stream: trio.abc.Stream) -> None:
        self._stream: trio.abc.Stream | None = stream

    async def accept(self) -> trio.abc.Stream:
        if self._stream is None:
            await trio.sleep_forever()
        stream, self._stream = self._stream, None
        assert stream is not None
        return stream


async def test_a_handshake_that_never_ends_is_closed_after_the_name_time_limit(autojump_clock, caplog):
    """Slowloris: a byte of the upgrade request every second, on a virtual clock; the desk closes it at its name time limit."""
    client, server = trio.testing.memory_stream_pair()
    desk = SignUpDesk([], MESSAGE_LIMIT, NameRegistry(64), str.isalpha)
    request = upgrade_request()
    sent = 0
    caplog.set_level(logging.INFO)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(desk.doorway.read_first_message, WebSocketChannel.server(server, MESSAGE_LIMIT), Nameless(), "192.0.2.1")
        with contextlib.suppress(trio.BrokenResourceError):
            for byte in request:
                await client.send_all(bytes([byte]))
                sent += 1
                await trio.sleep(1)
    assert sent < len(request)
    assert await client.receive_some() == b""
    assert f"a connection was closed: it sent no name within {NAME_TIME_LIMIT:g} s" in caplog.text


# ------------------------------------------------------------------ sign-up refusals


async def test_a_wrong_token_over_websocket_is_refused_by_tagged_sign_up_and_by_the_authorization_header(tmp_path):
    server = await start(tmp_path, websocket={"port": 0})
    try:
        port = await websocket_port(server)
        with trio.fail_after(LIMIT):
            tagged = await WebSocketPeer.connect(port)
            await tagged.send_value(["sign-up", "alice", WRONG])
            by_header = await WebSocketPeer.connect(port, headers=[(b"Authorization", WRONG.encode())])
            await by_header.send_value("alice")
            for refused in (tagged, by_header):
                assert await refused.read_until_closed() == [["refused", REFUSAL]]
                assert refused.heard == [("text", ["refused", REFUSAL]), ("close", 1000)]
            rightly = await WebSocketPeer.connect(port, headers=[(b"Authorization", ALICE.encode())])
            await rightly.send_value("alice")
            await wait_for_log(server, "xserver: alice signed up")
    finally:
        stop(server)
    log = "".join(server.log_lines)
    assert WRONG not in log and ALICE not in log
