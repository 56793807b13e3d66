"""The WebSocket channel's contract: one JSON value per text message, both ways; everything else the peer's fault, in one line.

The server's end is a WebSocketChannel; the client's end is a raw peer
(tests/ws_raw_client.py) that writes frames as a test chooses, wsproto's or
built by hand, and records every frame it hears. Real TCP on 127.0.0.1
where the socket's own behaviour matters (pongs written at once, a ping
flood from another thread); memory streams where the order of bytes and
reads must be exact (a whole burst in one read, a frame cut anywhere).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Sequence
from typing import Any

import pytest
import trio
import trio.testing
from hypothesis import given
from hypothesis import strategies as st
from wsproto.events import Ping, TextMessage

from Remote.channel import ConnectionBroken, PeerClosed, ProtocolViolation
from Remote.framing import ErrorKind
from Remote.websocket import (
    BINARY,
    HANDSHAKE_LIMIT,
    DoorVerdict,
    Handshake,
    HandshakeRefused,
    WebSocketChannel,
    front_door,
)
from tests.raw_client import HOST
from tests.test_framing import json_values, split_at
from tests.ws_raw_client import BINARY as BINARY_FRAME
from tests.ws_raw_client import (
    CLOSE,
    CONTINUATION,
    PING,
    TEXT,
    WebSocketPeer,
    close,
    frame,
    text,
    upgrade_request,
)

LIMIT = 4096
"""The server's limit on a message's bytes, small so that tests can pass it cheaply."""
BOUND = 30.0
"""A generous bound on a wait that must end."""


async def opened(
    server_stream: trio.abc.Stream,
    client_stream: trio.abc.Stream,
    door: Any = front_door,
    headers: Sequence[tuple[bytes, bytes]] = (),
    limit: int = LIMIT,
) -> tuple[WebSocketChannel, WebSocketPeer]:
    """The server's channel and the raw peer of one connection whose upgrade the door accepted."""
    channel = WebSocketChannel.server(server_stream, limit)
    peer = WebSocketPeer(client_stream)
    with trio.fail_after(BOUND):
        await peer.send(peer.request(headers=headers))
        await channel.accept_handshake(door, "a test")
        assert await peer.read_answer()
    return channel, peer


async def over_memory(**keys: Any) -> tuple[WebSocketChannel, WebSocketPeer]:
    """`opened` over memory streams: every byte the peer sent before a read is read at once."""
    client_stream, server_stream = trio.testing.memory_stream_pair()
    return await opened(server_stream, client_stream, **keys)


async def over_tcp(**keys: Any) -> tuple[WebSocketChannel, WebSocketPeer]:
    """`opened` over TCP on 127.0.0.1."""
    (listener,) = await trio.open_tcp_listeners(0, host=HOST)
    async with listener:
        client_stream = await trio.open_tcp_stream(HOST, listener.socket.getsockname()[1])
        server_stream = await listener.accept()
    return await opened(server_stream, client_stream, **keys)


async def violation(channel: WebSocketChannel) -> ProtocolViolation:
    """The ProtocolViolation the channel's next `receive` raises; its reason is one line."""
    with trio.fail_after(BOUND), pytest.raises(ProtocolViolation) as raised:
        await channel.receive()
    assert "\n" not in str(raised.value) and str(raised.value), raised.value
    return raised.value


# ------------------------------------------------------------------ one value per text message


@given(json_values)
async def test_any_json_value_goes_both_ways_in_one_text_message(value):
    channel, peer = await over_memory()
    expected = json.loads(json.dumps(value))
    await channel.send(value)
    assert await peer.receive() == expected and len(peer.heard) == 1
    await peer.send_value(value)
    assert await channel.receive() == expected


@given(st.lists(json_values, min_size=1, max_size=3), st.data())
async def test_any_split_of_the_frames_into_reads_gives_the_same_values(values, data):
    """Each value in its own message, some fragmented with a ping between fragments; the bytes cut anywhere, each piece read alone."""
    client_stream, server_stream = trio.testing.memory_stream_pair()
    channel, peer = await opened(server_stream, client_stream)
    wire = b""
    for value in values:
        message = json.dumps(value)
        fragments = data.draw(st.integers(1, 3))
        size = -(-len(message) // fragments)
        parts = [message[start : start + size] for start in range(0, len(message), size)]
        for index, part in enumerate(parts):
            wire += peer.ws.send(TextMessage(data=part, message_finished=index == len(parts) - 1))
            if index < len(parts) - 1:
                wire += peer.ws.send(Ping(b"between"))
    points = data.draw(st.lists(st.integers(0, len(wire)), max_size=12))
    received = []
    async with trio.open_nursery() as nursery:

        async def send_in_pieces() -> None:
            for piece in split_at(wire, points):
                await client_stream.send_all(piece)
                await trio.testing.wait_all_tasks_blocked()  # the channel has read the piece and waits for more

        nursery.start_soon(send_in_pieces)
        for _ in values:
            received.append(await channel.receive())
    assert received == json.loads(json.dumps(values))


async def test_a_fragmented_message_of_many_continuation_frames_is_one_value():
    channel, peer = await over_tcp()
    value = ["a", "long", "answer", list(range(50))]
    encoded = json.dumps(value).encode()
    pieces = [encoded[start : start + 7] for start in range(0, len(encoded), 7)]
    frames = [frame(TEXT if index == 0 else CONTINUATION, piece, fin=index == len(pieces) - 1) for index, piece in enumerate(pieces)]
    await peer.send(b"".join(frames))
    assert len(frames) > 10
    with trio.fail_after(BOUND):
        assert await channel.receive() == value


async def test_the_server_writes_compact_json_without_a_newline():
    channel, peer = await over_tcp()
    await channel.send({"a": [1, 2]})
    assert await peer.receive_text() == '{"a":[1,2]}'


@pytest.mark.parametrize(
    "message, why",
    [
        ('["a"] ["b"]', "more than one JSON value"),
        ("1 2", "more than one JSON value"),
        ("", "without a JSON value"),
        ("   ", "without a JSON value"),
        ("[1, 2", "unfinished value"),
        ("{'a': 1}", "malformed JSON"),
        ("[NaN]", "NaN/Infinity are not JSON"),
        ("1e400", "number"),
        ("[" * 100 + "]" * 100, "nesting deeper than 64 levels"),
    ],
    ids=["two arrays", "two numbers", "empty", "white space", "unfinished", "single quotes", "NaN", "1e400", "too deep"],
)
async def test_a_text_message_that_is_not_exactly_one_json_value_is_a_violation_with_a_one_line_reason(message, why):
    channel, peer = await over_memory()
    await peer.send_text(message)
    error = await violation(channel)
    assert why in str(error), error


async def test_a_binary_message_is_refused():
    channel, peer = await over_memory()
    await peer.send(frame(BINARY_FRAME, b'"carl"'))
    error = await violation(channel)
    assert str(error) == BINARY and error.kind is ErrorKind.MALFORMED


@pytest.mark.parametrize("fragments", [1, 5], ids=["one frame", "five fragments"])
async def test_a_message_longer_than_the_limit_is_refused(fragments):
    channel, peer = await over_memory()
    await peer.send_text(json.dumps("x" * LIMIT), fragments)
    error = await violation(channel)
    assert error.kind is ErrorKind.TOO_LONG and f"longer than {LIMIT} bytes" in str(error), error


async def test_a_huge_frame_is_refused_as_soon_as_the_limit_is_passed_before_the_rest_arrives():
    """The frame says it holds a gigabyte; a little more than the limit comes, and then nothing: the channel need not wait."""
    channel, peer = await over_tcp()
    await peer.send(frame(TEXT, b"", mask=b"\0\0\0\0", length=1 << 30) + b'"' + b"x" * (LIMIT + 10))
    error = await violation(channel)
    assert error.kind is ErrorKind.TOO_LONG, error


async def test_empty_fragments_without_end_are_refused_at_the_limit_each_counting_as_a_byte():
    channel, peer = await over_memory()
    empty = frame(TEXT, b"", fin=False) + frame(CONTINUATION, b"", fin=False) * LIMIT
    await peer.send(empty + frame(CONTINUATION, b'"carl"'))
    error = await violation(channel)
    assert error.kind is ErrorKind.TOO_LONG, error


async def test_a_message_at_the_limit_passes():
    channel, peer = await over_memory()
    await peer.send_text(json.dumps("x" * (LIMIT - 2)), fragments=3)
    assert await channel.receive() == "x" * (LIMIT - 2)


# ------------------------------------------------------------------ pings and closes


async def test_a_ping_is_answered_with_a_pong_at_once():
    channel, peer = await over_tcp()
    await peer.send(frame(PING, b"are you there") + text("here"))
    with trio.fail_after(BOUND):
        assert await channel.receive() == "here"
        await channel.send("and you")
        assert await peer.receive() == "and you"
    assert peer.heard == [("pong", b"are you there"), ("text", "and you")]


async def test_many_pings_in_one_read_get_one_pong_for_the_last():
    channel, peer = await over_memory()
    await peer.send(b"".join(frame(PING, b"%d" % number) for number in range(1000)) + text("here"))
    assert await channel.receive() == "here"
    await channel.send("done")
    assert await peer.receive() == "done"
    assert peer.heard == [("pong", b"999"), ("text", "done")]


async def test_pongs_the_socket_could_not_take_do_not_pile_up_only_the_last_one_waits():
    """Pings read one at a time while no pong can be written (memory streams: none until the next send)."""
    channel, peer = await over_memory()
    for number in range(200):
        await peer.send(frame(PING, b"%d" % number))
        await channel.read_more()
    await channel.send("done")
    assert await peer.receive() == "done"
    assert peer.heard == [("pong", b"199"), ("text", "done")]


async def test_a_time_limit_on_receive_holds_while_pings_keep_coming_from_a_flooder():
    """A peer that pings faster than the channel reads must not keep a receive (and every other task) from its time limit."""
    (listener,) = await trio.open_tcp_listeners(0, host=HOST)
    port = listener.socket.getsockname()[1]
    flooder = socket.create_connection((HOST, port))
    flooder.sendall(upgrade_request())
    async with listener:
        channel = WebSocketChannel.server(await listener.accept(), LIMIT)
    await channel.accept_handshake(front_door)
    stop = threading.Event()
    pings = frame(PING) * 10_000

    def flood() -> None:
        try:
            for _ in range(500):  # 30 MB of pings, seconds of work for the channel: ended by `stop` long before that
                if stop.is_set():
                    return
                flooder.sendall(pings)
        except OSError:
            return
        finally:
            flooder.close()  # the flood's end: a receive still running ends with it

    thread = threading.Thread(target=flood, daemon=True)
    thread.start()
    try:
        with trio.move_on_after(0.2) as limit:
            await channel.receive()
        assert limit.cancelled_caught
    finally:
        stop.set()
        await channel.aclose()
        thread.join(BOUND)


async def test_the_peers_close_between_values_ends_the_stream_and_is_answered():
    channel, peer = await over_tcp()
    await peer.send(text("last") + close(1000))
    with trio.fail_after(BOUND):
        assert await channel.receive() == "last"
        with pytest.raises(PeerClosed, match=r"the peer closed the connection$"):
            await channel.receive()
        assert await peer.read_until_closed() == []
    assert peer.close_code == 1000


async def test_the_peers_close_with_a_code_of_its_own_is_told():
    channel, peer = await over_memory()
    await peer.send(frame(CLOSE, b"\x0f\xa0" + b"bye"))
    with pytest.raises(PeerClosed, match=r"\(code 4000: bye\)"):
        await channel.receive()


async def test_the_end_of_the_connection_without_a_close_between_values_ends_the_stream():
    channel, peer = await over_tcp()
    await peer.send(text("last"))
    await peer.aclose()
    with trio.fail_after(BOUND):
        assert await channel.receive() == "last"
        with pytest.raises(PeerClosed):
            await channel.receive()


@pytest.mark.parametrize("ending", [close(1000), b""], ids=["a close frame", "the end of the connection"])
async def test_the_peers_close_in_the_middle_of_a_fragmented_message_is_a_violation(ending):
    channel, peer = await over_tcp()
    await peer.send(frame(TEXT, b'["a",', fin=False) + ending)
    if not ending:
        await peer.aclose()
    error = await violation(channel)
    assert error.kind is ErrorKind.UNFINISHED and "in the middle of a message" in str(error), error


async def test_sending_after_the_peers_close_is_a_broken_connection_not_a_crash():
    """The server's request (or kick notice) to a peer that has closed fails as a ChannelError, which callers handle."""
    channel, peer = await over_tcp()
    await peer.send(frame(TEXT, b'["a",', fin=False) + close(1000))
    await violation(channel)
    with pytest.raises(ConnectionBroken, match="closed the WebSocket"):
        await channel.send(["kicked", "it closed the WebSocket in the middle of a message"])


@pytest.mark.parametrize(
    "broken, code",
    [(frame(0x3, b"x"), 1002), (frame(TEXT, b'"\xff"'), 1007), (frame(TEXT, b'"carl"', mask=None), 1002)],
    ids=["a reserved opcode", "invalid UTF-8", "an unmasked frame"],
)
async def test_a_frame_that_breaks_the_protocol_is_a_violation_and_the_kick_notice_still_goes_out_before_the_close(broken, code):
    channel, peer = await over_tcp()
    await peer.send(broken)
    error = await violation(channel)
    assert "it broke the WebSocket protocol" in str(error), error
    await channel.send(["kicked", str(error)])
    await channel.aclose()
    with trio.fail_after(BOUND):
        assert await peer.read_until_closed() == [["kicked", str(error)]]
    assert peer.heard == [("text", ["kicked", str(error)]), ("close", code)]


async def test_our_close_is_a_close_frame_after_the_last_value():
    channel, peer = await over_tcp()
    await channel.send(["kicked", "why"])
    await channel.aclose()
    with trio.fail_after(BOUND):
        assert await peer.read_until_closed() == [["kicked", "why"]]
    assert peer.heard == [("text", ["kicked", "why"]), ("close", 1000)]


# ------------------------------------------------------------------ the handshake


def refusing(handshake: Handshake) -> DoorVerdict:
    return DoorVerdict.refuse(f"no room at {handshake.path}", 403)


async def test_the_doors_refusal_is_an_http_status_with_its_text():
    client_stream, server_stream = trio.testing.memory_stream_pair()
    channel, peer = WebSocketChannel.server(server_stream, LIMIT), WebSocketPeer(client_stream)
    await peer.send(peer.request("/inn?x=1"))
    with pytest.raises(HandshakeRefused, match="was refused: no room at /inn"):
        await channel.accept_handshake(refusing)
    assert not await peer.read_answer()
    assert peer.refusal == (403, "no room at /inn")


async def test_the_front_door_takes_only_the_root():
    client_stream, server_stream = trio.testing.memory_stream_pair()
    channel, peer = WebSocketChannel.server(server_stream, LIMIT), WebSocketPeer(client_stream)
    await peer.send(peer.request("/elsewhere"))
    with pytest.raises(HandshakeRefused):
        await channel.accept_handshake(front_door)
    assert not await peer.read_answer()
    assert peer.refusal is not None and peer.refusal[0] == 404


async def test_the_clients_connect_raises_handshake_refused_with_the_servers_text():
    client_stream, server_stream = trio.testing.memory_stream_pair()
    server = WebSocketChannel.server(server_stream, LIMIT)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(lambda: _refused_quietly(server))
        with pytest.raises(HandshakeRefused, match="the server refused the connection: no room at /inn"):
            await WebSocketChannel.connect(client_stream, HOST, LIMIT, target="/inn")


async def _refused_quietly(server: WebSocketChannel) -> None:
    with pytest.raises(HandshakeRefused):
        await server.accept_handshake(refusing)


async def test_an_upgrade_request_over_16_kib_is_refused():
    client_stream, server_stream = trio.testing.memory_stream_pair()
    channel = WebSocketChannel.server(server_stream, LIMIT)
    request = upgrade_request(headers=[(b"x-padding", b"p" * HANDSHAKE_LIMIT)])
    await client_stream.send_all(request)
    with pytest.raises(ProtocolViolation) as raised:
        await channel.accept_handshake(front_door)
    assert raised.value.kind is ErrorKind.TOO_LONG and f"longer than {HANDSHAKE_LIMIT} bytes" in str(raised.value)


async def test_a_first_message_in_the_same_read_as_the_upgrade_request_is_not_lost():
    client_stream, server_stream = trio.testing.memory_stream_pair()
    channel, peer = WebSocketChannel.server(server_stream, LIMIT), WebSocketPeer(client_stream)
    await peer.send(peer.request() + text("carl") + text(["a", 1]))
    await channel.accept_handshake(front_door)
    with trio.fail_after(BOUND):
        assert await channel.receive() == "carl"
        assert await channel.receive() == ["a", 1]


async def test_the_authorization_header_and_the_target_are_in_the_handshake():
    client_stream, server_stream = trio.testing.memory_stream_pair()
    channel, peer = WebSocketChannel.server(server_stream, LIMIT), WebSocketPeer(client_stream)
    await peer.send(peer.request("/?participant=ann&x=1", [(b"Authorization", b"s3cret")]))
    await channel.accept_handshake(front_door, "127.0.0.9")
    assert channel.handshake == Handshake("/?participant=ann&x=1", "/", {"participant": ["ann"], "x": ["1"]}, "s3cret", "127.0.0.9")


async def test_our_client_and_server_talk_over_tcp():
    (listener,) = await trio.open_tcp_listeners(0, host=HOST)
    async with listener, trio.open_nursery() as nursery:
        port = listener.socket.getsockname()[1]
        client_box: list[WebSocketChannel] = []

        async def connect() -> None:
            stream = await trio.open_tcp_stream(HOST, port)
            client_box.append(await WebSocketChannel.connect(stream, f"{HOST}:{port}", LIMIT, headers=[(b"authorization", b"t")]))

        nursery.start_soon(connect)
        server = WebSocketChannel.server(await listener.accept(), LIMIT)
        await server.accept_handshake(front_door)
    (client,) = client_box
    assert server.handshake is not None and server.handshake.authorization == "t"
    await client.send(["move", 1, None])
    assert await server.receive() == ["move", 1, None]
    await server.send([1, "C"])
    assert await client.receive() == [1, "C"]
    await client.aclose()
    with pytest.raises(PeerClosed):
        await server.receive()
    await server.aclose()
