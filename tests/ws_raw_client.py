"""A WebSocket client written from RFC 6455, frame by frame, to play a hostile peer of our server (not tests).

`frame` builds any client frame by hand, including those wsproto would
never send: a length that promises more than comes, a reserved opcode, no
mask. A `WebSocketPeer` is the client's end of one connection: the upgrade
request and the server's answer through wsproto, then bytes out as the test
writes them, and the server's frames in, each recorded in `heard` in order
(a text message's JSON value, a binary message, a pong, the close frame's
code). A `WebSocketStream` makes a peer look like a trio byte stream to the
raw clients of tests/raw_client.py and tests/ipd_raw_client.py: each
`send_all` is one text message (in `fragments` frames, and after
`pings_first` pings, if asked), and each text message received reads as its
text and a newline, so the same deeds play over WebSocket.

`websocket_port` finds the WebSocket listener's port in xserver's log.
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Sequence
from typing import Any, Self

import trio
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Ping,
    Pong,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)

from Remote.loopback import ServerProcess
from tests.raw_client import CLOSED, HOST, wait_for_log

CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
MASK = b"\x5a\xc3\x3c\xa5"
WEBSOCKET_LISTENING = re.compile(r"WebSocket players connect to ws://[^ ]*:(\d+)/")


def frame(opcode: int, payload: bytes = b"", fin: bool = True, mask: bytes | None = MASK, length: int | None = None) -> bytes:
    """A frame as a client writes one (RFC 6455 section 5.2); `length` may say more than the payload holds; mask None: unmasked."""
    length = len(payload) if length is None else length
    masked = 0x80 if mask is not None else 0
    if length < 126:
        head = struct.pack("!BB", (0x80 if fin else 0) | opcode, masked | length)
    elif length < 1 << 16:
        head = struct.pack("!BBH", (0x80 if fin else 0) | opcode, masked | 126, length)
    else:
        head = struct.pack("!BBQ", (0x80 if fin else 0) | opcode, masked | 127, length)
    if mask is None:
        return head + payload
    return head + mask + bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))


def text(value: Any, fin: bool = True) -> bytes:
    """One text frame holding `value` as compact JSON."""
    return frame(TEXT, json.dumps(value, separators=(",", ":")).encode(), fin)


def close(code: int = 1000) -> bytes:
    return frame(CLOSE, struct.pack("!H", code))


def upgrade_request(target: str = "/", headers: Sequence[tuple[bytes, bytes]] = (), host: str = HOST) -> bytes:
    """The bytes of an upgrade request, as wsproto's client writes it."""
    return WSConnection(ConnectionType.CLIENT).send(Request(host=host, target=target, extra_headers=list(headers)))


async def websocket_port(server: ServerProcess) -> int:
    """The port xserver's WebSocket listener is on, from its log."""
    (line,) = await wait_for_log(server, "WebSocket players connect to")
    match = WEBSOCKET_LISTENING.search(line)
    assert match is not None, line
    return int(match[1])


class WebSocketPeer:
    """The client's end of one WebSocket connection to our server on 127.0.0.1; everything it hears is in `heard`."""

    def __init__(self, stream: trio.abc.Stream) -> None:
        self.stream = stream
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.heard: list[tuple[str, Any]] = []
        """("text", value), ("binary", bytes), ("pong", payload), ("close", code), in the order they came."""
        self.refusal: tuple[int, str] | None = None
        """The HTTP status and text of a refused upgrade."""
        self.closed_by_server = False
        self._texts: list[str] = []
        self._messages: list[str] = []  # whole text messages not yet taken by `receive_text`

    @classmethod
    async def connect(cls, port: int, target: str = "/", headers: Sequence[tuple[bytes, bytes]] = ()) -> Self:
        """A peer whose upgrade request has been answered: accepted, or refused (`refusal`)."""
        peer = cls(await trio.open_tcp_stream(HOST, port))
        await peer.send(peer.request(target, headers))
        await peer.read_answer()
        return peer

    def request(self, target: str = "/", headers: Sequence[tuple[bytes, bytes]] = ()) -> bytes:
        """The bytes of this peer's upgrade request, for the test to send (with more bytes after them, say)."""
        return self.ws.send(Request(host=HOST, target=target, extra_headers=list(headers)))

    async def read_answer(self) -> bool:
        """Read the server's answer to the upgrade request; whether it accepted."""
        body = b""
        while True:
            data = await self._receive_bytes()
            self.ws.receive_data(data or None)
            for event in self.ws.events():
                if isinstance(event, AcceptConnection):
                    self._take(list(self.ws.events()))
                    return True
                if isinstance(event, RejectConnection):
                    self.refusal = (event.status_code, "")
                    if not event.has_body:
                        return False
                elif isinstance(event, RejectData):
                    body += event.data
                    if event.body_finished:
                        assert self.refusal is not None
                        self.refusal = (self.refusal[0], body.decode())
                        return False
            if not data:
                self.closed_by_server = True
                return False

    @property
    def values(self) -> list[Any]:
        """The values of the text messages heard."""
        return [value for kind, value in self.heard if kind == "text"]

    @property
    def close_code(self) -> int | None:
        return next((code for kind, code in self.heard if kind == "close"), None)

    async def send(self, data: bytes) -> None:
        await self.stream.send_all(data)

    async def send_value(self, value: Any, fragments: int = 1) -> None:
        """`value` as compact JSON in one text message, cut into `fragments` frames."""
        await self.send_text(json.dumps(value, separators=(",", ":")), fragments)

    async def send_text(self, message: str, fragments: int = 1, pings_first: int = 0) -> None:
        """One text message in `fragments` frames (a ping between each two), after `pings_first` pings; in one write."""
        size = -(-len(message) // fragments) if message else 1
        parts = [message[start : start + size] for start in range(0, max(len(message), 1), size)]
        data = self.ws.send(Ping(b"")) * pings_first
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            data += self.ws.send(TextMessage(data=part, message_finished=last))
            if not last:
                data += self.ws.send(Ping(b"mid"))
        await self.send(data)

    async def receive_text(self) -> str | object:
        """The next text message's text, or CLOSED once the server has closed the WebSocket or the connection."""
        while not self._messages:
            if self.closed_by_server:
                return CLOSED
            data = await self._receive_bytes()
            if not data:
                self.closed_by_server = True
                continue
            self.ws.receive_data(data)
            self._take(list(self.ws.events()))
        return self._messages.pop(0)

    async def receive(self) -> Any:
        """The next text message's value, or CLOSED."""
        message = await self.receive_text()
        return message if message is CLOSED else json.loads(str(message))

    async def read_until_closed(self) -> list[Any]:
        """Every further value until the server closes."""
        rest = []
        while (value := await self.receive()) is not CLOSED:
            rest.append(value)
        return rest

    async def aclose(self) -> None:
        await trio.aclose_forcefully(self.stream)

    async def _receive_bytes(self) -> bytes:
        try:
            return bytes(await self.stream.receive_some())
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            return b""

    def _take(self, events: list) -> None:
        for event in events:
            if isinstance(event, TextMessage):
                self._texts.append(event.data)
                if event.message_finished:
                    message, self._texts = "".join(self._texts), []
                    self._messages.append(message)
                    self.heard.append(("text", json.loads(message)))
            elif isinstance(event, BytesMessage):
                self.heard.append(("binary", bytes(event.data)))
            elif isinstance(event, Pong):
                self.heard.append(("pong", bytes(event.payload)))
            elif isinstance(event, CloseConnection):
                self.heard.append(("close", event.code))
                self.closed_by_server = True


class WebSocketStream(trio.abc.Stream):
    """A WebSocketPeer as a byte stream: each `send_all` one text message, each text message received its text and a newline."""

    def __init__(self, peer: WebSocketPeer, fragments: int = 1, pings_first: int = 0) -> None:
        self.peer = peer
        self.fragments = fragments
        self.pings_first = pings_first

    @classmethod
    async def connect(cls, port: int, fragments: int = 1, pings_first: int = 0) -> Self:
        peer = await WebSocketPeer.connect(port)
        assert peer.refusal is None and not peer.closed_by_server, peer.refusal
        return cls(peer, fragments, pings_first)

    @property
    def socket(self) -> trio.socket.SocketType:
        return self.peer.stream.socket  # type: ignore[attr-defined, no-any-return]  # a SocketStream

    async def send_all(self, data: bytes | bytearray | memoryview) -> None:
        await self.peer.send_text(bytes(data).decode(), self.fragments, self.pings_first)

    async def wait_send_all_might_not_block(self) -> None:
        await self.peer.stream.wait_send_all_might_not_block()

    async def receive_some(self, max_bytes: int | None = None) -> bytes:
        message = await self.peer.receive_text()
        return b"" if message is CLOSED else str(message).encode() + b"\n"

    async def aclose(self) -> None:
        await self.peer.aclose()
