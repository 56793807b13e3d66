"""A WebSocket player that waits (for the tournament, for its next encounter) still gets its pings answered.

Client libraries ping a quiet connection and give it up when no pong comes
(Python's `websockets` after 20 s), and nobody reads a waiting player's
socket; the idle reader (Remote/websocket.py) reads those that nobody is
reading, and leaves alone those whose owner may be waiting for the bytes.
"""

from __future__ import annotations

import trio
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, BytesMessage, Ping, Pong, Request, TextMessage

from Remote.channel import ProtocolViolation
from Remote.loopback import ServerProcess
from Remote.websocket import IdleReader, WebSocketChannel, front_door
from tests.raw_client import HOST, stop, wait_for_log

LIMIT = 30.0


class RawWebSocket:
    """A client written against wsproto alone: it sends what a test says and reads events."""

    def __init__(self, stream: trio.SocketStream) -> None:
        self.stream = stream
        self.ws = WSConnection(ConnectionType.CLIENT)

    @classmethod
    async def open(cls, port: int) -> RawWebSocket:
        client = cls(await trio.open_tcp_stream(HOST, port))
        await client.send(Request(host=f"{HOST}:{port}", target="/"))
        assert isinstance(await client.event(), AcceptConnection)
        return client

    async def send(self, event: object) -> None:
        await self.stream.send_all(self.ws.send(event))  # type: ignore[arg-type]

    async def event(self) -> object:
        while True:
            for event in self.ws.events():
                return event
            self.ws.receive_data(await self.stream.receive_some() or None)


async def test_a_player_waiting_for_the_tournament_hears_a_pong_to_its_ping():
    config = {"game": "ipd", "min players": 2, "port": 0, "host": HOST, "waiting for": 600, "repeat": 0, "websocket": {"port": 0}}
    server = await trio.to_thread.run_sync(ServerProcess, config)
    try:
        with trio.fail_after(LIMIT):
            assert server.websocket_port is not None
            client = await RawWebSocket.open(server.websocket_port)
            await client.send(TextMessage(data='"ann"'))
            await wait_for_log(server, "ann signed up")
            await client.send(Ping(b"still there?"))
            event = await client.event()
        assert event == Pong(b"still there?")
    finally:
        stop(server)


async def served_pair() -> tuple[WebSocketChannel, RawWebSocket, trio.SocketListener]:
    (listener,) = await trio.open_tcp_listeners(0, host=HOST)
    port = listener.socket.getsockname()[1]
    async with trio.open_nursery() as nursery:
        opened: list[RawWebSocket] = []

        async def connect() -> None:
            opened.append(await RawWebSocket.open(port))

        nursery.start_soon(connect)
        channel = WebSocketChannel.server(await listener.accept(), 1024)
        await channel.accept_handshake(front_door)
    return channel, opened[0], listener


async def arrived(channel: WebSocketChannel) -> None:
    """Wait until the client's bytes wait in the server's socket (a small frame on 127.0.0.1 arrives whole)."""
    fd = channel._descriptor()
    assert fd is not None
    await trio.lowlevel.wait_readable(fd)


async def test_the_idle_reader_answers_a_ping_only_while_the_channels_owner_is_not_waiting_for_it():
    channel, client, listener = await served_pair()
    waiting = True
    channel.busy = lambda: waiting
    with trio.fail_after(LIMIT):
        await client.send(Ping(b"1"))
        await arrived(channel)
        channel.read_while_idle()  # its owner may be waiting for these bytes: they stay in the socket for it
        waiting = False
        channel.read_while_idle()
        assert await client.event() == Pong(b"1")
    await listener.aclose()


async def test_the_idle_reader_reads_every_turn_the_channels_that_nobody_reads():
    channel, client, listener = await served_pair()
    reader = IdleReader()
    reader.add(channel)
    with trio.fail_after(LIMIT):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(reader.run)
            for turn in range(3):
                await client.send(Ping(b"%d" % turn))
                assert await client.event() == Pong(b"%d" % turn)
            nursery.cancel_scope.cancel()
    await listener.aclose()


async def test_what_the_idle_reader_finds_waits_for_the_next_reader():
    channel, client, listener = await served_pair()
    with trio.fail_after(LIMIT):
        await client.send(TextMessage(data="[1,2]"))
        await arrived(channel)
        channel.read_while_idle()
        assert await channel.receive() == [1, 2]  # a value sent unasked is found by the next call, as on TCP
        await client.send(BytesMessage(data=b"\x00"))
        await arrived(channel)
        channel.read_while_idle()
        try:
            channel.read_now()
        except ProtocolViolation as error:
            assert "binary" in str(error)
        else:
            raise AssertionError("the binary message was forgotten")
    await listener.aclose()
