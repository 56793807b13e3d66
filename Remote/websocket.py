"""WebSocket as a second transport: a MessageChannel whose JSON values travel one per text message.

The protocol is wsproto's (sans-IO, from the authors of h11: the handshake,
frames, masking, UTF-8, pings and the closing handshake); this module is
the thin shell that moves its bytes over a socket, the same way
Remote/channel.py moves JSON bytes, so that a WebSocketChannel is a
MessageChannel to everything above it: the sign-up desk, the proxies, the
encounter loop and the client's ServerProxy cannot tell the transports
apart. No task of its own runs beside a connection: bytes are read when
somebody reads, as on TCP.

The conversation is the game's own, unchanged: one JSON value per text
message, in both directions (the server sends compact JSON without the
newline it writes on TCP). A message that is not exactly one JSON value
within the limits, a binary message, and a message longer than the limit
(counted as it arrives, fragments together, so nothing longer is kept) are
the peer's ProtocolViolation, a malformed answer to a referee; the peer's
close between two values ends the stream (PeerClosed), and a close in the
middle of a fragmented message is a violation too; so is a frame that
breaks the protocol, and our close that says so comes last, after any kick
notice. Sending after the peer's close is a ConnectionBroken. Pings are
answered: when several wait, only the last (RFC 6455 allows that), so a
flood of pings costs one pong per read, and a receive checkpoints after
each read, so that a flood cannot hold it past its time limit.

A `Dialect` translates between the game's JSON conversation and another
wire form, for a game's own door (the IPD's, for the clients of another
server). A `Door` decides, from the upgrade request, whether a connection
may open and what its first message is taken to be; its refusal is an
HTTP answer before the upgrade.

Bytes written by `send_now` that the socket did not take are returned as
`_Wire` (bytes already framed), so that `send_now` and `send_rest`, given
them back, write them as they are instead of framing them again.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Final, Protocol
from urllib.parse import parse_qs, urlsplit

import attrs
import trio
from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    Ping,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)
from wsproto.utilities import LocalProtocolError
from wsproto.utilities import ProtocolError as WSProtocolError

from Common.strict import show
from Remote.channel import (
    RECEIVE_CHUNK_BYTES,
    ChannelError,
    ConnectionBroken,
    LoopWait,
    MessageChannel,
    PeerClosed,
    ProtocolViolation,
)
from Remote.framing import DEFAULT_MAX_DEPTH, NEED_DATA, ErrorKind, JSONStreamDecoder, ProtocolError, encode

NORMAL_CLOSURES: Final = frozenset({1000, 1001, 1005, 1006})
"""Close codes that say the peer simply left (normal, going away, no code given, no close frame)."""
HANDSHAKE_LIMIT: Final = 16 * 1024
"""Bytes an upgrade request (or response) may take (h11's own limit, under wsproto)."""
HANDSHAKE_MALFORMED = "its WebSocket handshake is not an HTTP/1.1 upgrade request"
"""The words for a handshake wsproto refuses (its own may quote a header, and a header may hold a token)."""
TARGET_SHOWN = 120
"""How much of a refused request's target the log shows."""
_TOKEN_RUN = re.compile(r"[A-Za-z0-9_-]{16,}")
_END_OF_HEAD = re.compile(b"\n\r?\n")
"""Where an HTTP request's head ends (h11's own rule): an upgrade request has no body, so the WebSocket's bytes follow."""
BINARY = "it sent a binary message; this server reads text messages, one JSON value each"


class HandshakeRefused(ChannelError):
    """The upgrade was refused (by our door, or by the server we connected to); the message says why."""


class Dialect(Protocol):
    """Translates between the game's JSON conversation and another wire form of its messages."""

    def incoming(self, message: str) -> bytes:
        """The bytes the channel's JSON decoder is fed for one text message (b"": none); ProtocolViolation to refuse it."""
        ...

    def outgoing(self, value: object) -> Outgoing:
        """The text messages that carry one of our values, and whether the connection closes after them."""
        ...


@attrs.frozen
class Outgoing:
    """What one of our values becomes on the wire of a dialect."""

    texts: tuple[str, ...] = ()
    close: bool = False
    incoming: bytes = b""
    """Bytes for the channel's JSON decoder that sending this value releases (a reply the dialect held until asked)."""


@attrs.frozen
class Handshake:
    """A client's upgrade request, as a door judges it."""

    target: str
    path: str
    query: Mapping[str, list[str]]
    authorization: str | None
    address: str


@attrs.frozen
class DoorVerdict:
    """A door's answer: refuse (an HTTP status and a text), or open, with the first message to assume and a dialect."""

    refusal: str | None = None
    status: int = 400
    sign_up: object | None = None
    """The first message the connection is taken to have sent (None: it sends its own)."""
    dialect: Dialect | None = None

    @classmethod
    def open(cls, sign_up: object | None = None, dialect: Dialect | None = None) -> DoorVerdict:
        return cls(sign_up=sign_up, dialect=dialect)

    @classmethod
    def refuse(cls, text: str, status: int = 400) -> DoorVerdict:
        return cls(refusal=text, status=status)


def authority(host: str, port: int) -> str:
    """`HOST:PORT` as a URL and a Host header write it: an IPv6 address in brackets (`[::1]:8765`)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


Door = Callable[[Handshake], DoorVerdict]
NOT_HERE = "no WebSocket endpoint here: connect to /"


def front_door(handshake: Handshake) -> DoorVerdict:
    """The host's own door: the game's conversation at `/` (any query), the player signing up with its first message."""
    return DoorVerdict.open() if handshake.path == "/" else DoorVerdict.refuse(NOT_HERE, 404)


def doors(*game_doors: Door) -> Door:
    """The front door, then each of a game's doors in turn: the first that does not refuse with 404 decides."""

    def door(handshake: Handshake) -> DoorVerdict:
        verdict = front_door(handshake)
        for other in game_doors:
            if verdict.refusal is None or verdict.status != 404:
                break
            verdict = other(handshake)
        return verdict

    return door


IDLE_READ_SECONDS: Final = 1.0
"""How often the idle reader reads the WebSocket connections that nobody is reading."""


class IdleReader:
    """Reads, every IDLE_READ_SECONDS, the signed-up WebSocket connections that nobody is reading, so that pings get pongs.

    A client library pings a quiet connection and gives it up when no pong
    comes (Python's `websockets`: after 20 s without one), and nothing reads
    a player's connection while it waits for the tournament or for its next
    encounter. What the reader finds goes where any read puts it: a pong
    out, a value into the decoder (where the next call finds it unasked), the
    end of the stream; a failure waits for the connection's next reader.
    A channel whose owner may be waiting for its bytes (`busy`) is left alone.
    """

    def __init__(self) -> None:
        self._channels: weakref.WeakSet[WebSocketChannel] = weakref.WeakSet()

    def add(self, channel: MessageChannel) -> None:
        """Keep reading `channel` while it is idle, if it is a WebSocket (a TCP connection has nothing to answer)."""
        if isinstance(channel, WebSocketChannel):
            self._channels.add(channel)

    async def run(self) -> None:
        """Read the idle connections, every IDLE_READ_SECONDS, until cancelled."""
        while True:
            await trio.sleep(IDLE_READ_SECONDS)
            for channel in list(self._channels):
                channel.read_while_idle()


class _Wire(bytes):
    """Bytes already framed for the wire (what `send_now` could not write at once)."""

    __slots__ = ()


class JSONPerMessage:
    """The game's own conversation: each text message is exactly one JSON value within the limits."""

    def __init__(self, max_message_bytes: int, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
        self._max_bytes = max_message_bytes
        self._max_depth = max_depth

    def incoming(self, message: str) -> bytes:
        data = message.encode()
        try:
            json.loads(message)  # the usual case, in C: exactly one value (the channel's decoder judges its limits as it reads)
        except (ValueError, RecursionError):
            self._refuse(data)
        return data + b"\n"

    def _refuse(self, data: bytes) -> None:
        """The words of what is wrong with a message that is not one JSON value, as the channel's decoder says them."""
        probe = JSONStreamDecoder(self._max_bytes, self._max_depth)
        try:
            probe.feed(data)
            probe.close()
            first = probe.next_value()
            second = NEED_DATA if first is NEED_DATA else probe.next_value()
        except ProtocolError as error:
            raise ProtocolViolation(str(error), error.kind) from error
        if first is NEED_DATA:
            raise ProtocolViolation("it sent a text message without a JSON value (one value per message)", ErrorKind.MALFORMED)
        if second is not NEED_DATA:
            raise ProtocolViolation("it sent a text message with more than one JSON value (one value per message)", ErrorKind.MALFORMED)

    def outgoing(self, value: object) -> Outgoing:  # pragma: no cover - the channel writes our own values without a dialect
        return Outgoing((encode(value)[:-1].decode(),))


class WebSocketChannel(MessageChannel):
    """JSON values over a WebSocket on a trio socket stream; make one with `server` or `connect`."""

    def __init__(self, stream: trio.abc.Stream, max_message_bytes: int, role: ConnectionType) -> None:
        super().__init__(stream, max_message_bytes)
        self._ws = WSConnection(role)
        self._open = False
        self._dialect: Dialect | None = None  # None: our own JSON, written without a dialect
        self._json = JSONPerMessage(max_message_bytes)
        self._message: list[str] = []  # the fragments of a text message begun
        self._message_bytes = 0
        self._pending_control = b""  # control frames still to write, as they are (one may be written in part)
        self._pong = b""  # the pong still to write, whole: a newer one replaces it
        self._failed_close: CloseConnection | None = None  # the close that says how the peer broke the protocol, for the end
        self._midframe = False  # a frame was written in part: control frames wait until it is whole
        self._peer_left = False
        self._handshake_events: list[Event] = []
        self._failure: ChannelError | None = None  # what the idle reader found, for the next reader
        self._handshake_bytes = bytearray()  # what came before the upgrade, with what followed the request in the same reads
        self._server = role is ConnectionType.SERVER
        self.handshake: Handshake | None = None

    # ------------------------------------------------------------- opening

    @classmethod
    def server(cls, stream: trio.abc.Stream, max_message_bytes: int) -> WebSocketChannel:
        """The server's end of a connection; `accept_handshake` opens it."""
        return cls(stream, max_message_bytes, ConnectionType.SERVER)

    @classmethod
    async def connect(
        cls,
        stream: trio.abc.Stream,
        host: str,
        max_message_bytes: int,
        target: str = "/",
        headers: Sequence[tuple[bytes, bytes]] = (),
    ) -> WebSocketChannel:
        """The client's end: the upgrade request sent and accepted; HandshakeRefused if the server says no."""
        channel = cls(stream, max_message_bytes, ConnectionType.CLIENT)
        await channel._write(channel._ws.send(Request(host=host, target=target, extra_headers=list(headers))))
        event = await channel._next_handshake_event()
        if isinstance(event, RejectConnection):
            body, more = b"", event.has_body
            while more:
                data = await channel._next_handshake_event()
                if isinstance(data, RejectData):
                    body, more = body + data.data, not data.body_finished
            raise HandshakeRefused(f"the server refused the connection: {body.decode(errors='replace') or 'no reason given'}")
        if not isinstance(event, AcceptConnection):
            raise HandshakeRefused("the server did not accept the WebSocket connection")
        channel._opened()
        return channel

    async def accept_handshake(self, door: Door, address: str = "an unknown address") -> DoorVerdict:
        """Read the upgrade request and answer it as `door` says; its verdict (HandshakeRefused if it refused)."""
        event = await self._next_handshake_event()
        if not isinstance(event, Request):
            raise HandshakeRefused("it did not ask for a WebSocket")
        split = urlsplit(event.target)
        authorization = next((value.decode("latin-1") for name, value in event.extra_headers if name.lower() == b"authorization"), None)
        self.handshake = Handshake(event.target, split.path, parse_qs(split.query), authorization, address)
        verdict = door(self.handshake)
        if verdict.refusal is not None:
            body = verdict.refusal.encode()
            headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
            with contextlib.suppress(ChannelError):
                await self._write(
                    self._ws.send(RejectConnection(status_code=verdict.status, headers=headers, has_body=True))
                    + self._ws.send(RejectData(data=body, body_finished=True))
                )
            raise HandshakeRefused(f"its WebSocket request for {_shown_target(event.target)} was refused: {verdict.refusal}")
        await self._write(self._ws.send(AcceptConnection()))
        self._dialect = verdict.dialect
        self._opened()
        return verdict

    def _opened(self) -> None:
        """The upgrade is done: what came with it (a first message, say) is read as any later bytes are."""
        self._open = True
        if self._server:  # wsproto's server drops the bytes that came after the request: they are given back
            head = _END_OF_HEAD.search(self._handshake_bytes)
            if head is not None and head.end() < len(self._handshake_bytes):
                self._ws.receive_data(bytes(self._handshake_bytes[head.end() :]))
        self._handshake_bytes = bytearray()
        events, self._handshake_events = [*self._handshake_events, *self._ws.events()], []
        self._take_events(events)

    async def _next_handshake_event(self) -> Event:
        taken = 0
        while not self._handshake_events:
            data = await self._read_raw()
            taken += len(data)
            self._handshake_bytes += data
            if taken > HANDSHAKE_LIMIT:
                raise ProtocolViolation(f"its WebSocket handshake is longer than {HANDSHAKE_LIMIT} bytes", ErrorKind.TOO_LONG)
            try:
                self._ws.receive_data(data or None)
                self._handshake_events.extend(self._ws.events())
            except WSProtocolError as error:
                hint = getattr(error, "event_hint", None)
                if hint is not None:  # an HTTP answer for a request that is no upgrade (a browser's, say)
                    with contextlib.suppress(ChannelError, WSProtocolError):
                        await self._write(self._ws.send(hint))
                raise ProtocolViolation(HANDSHAKE_MALFORMED, ErrorKind.MALFORMED) from error
            if not data and not self._handshake_events:
                raise PeerClosed("the peer closed the connection during the WebSocket handshake")
        return self._handshake_events.pop(0)

    async def _read_raw(self) -> bytes:
        try:
            return bytes(await self._stream.receive_some(RECEIVE_CHUNK_BYTES))
        except trio.BrokenResourceError as error:
            raise ConnectionBroken(f"the connection broke: {error.__cause__ or error}") from error

    async def _write(self, data: bytes) -> None:
        try:
            await self._stream.send_all(data)
        except trio.BrokenResourceError as error:
            raise ConnectionBroken(f"the connection broke: {error.__cause__ or error}") from error

    # ------------------------------------------------------------- reading

    def read_while_idle(self) -> None:
        """Read what waits, unless the channel is closed, ended, failed or `busy`; a failure is kept for the next reader."""
        if self._closed or self._stream_ended or self._failure is not None or not self._open or self.busy():
            return
        try:
            self.read_waiting()
        except ChannelError as error:
            self._failure = error

    def read_now(self) -> int:
        """Read what waits in the socket without waiting, through the WebSocket protocol; how many bytes came."""
        if self._failure is not None:
            raise self._failure
        fd = self._descriptor()
        if fd is None or self._stream_ended:
            return 0
        taken = 0
        while taken <= self._max_message_bytes:
            try:
                data = os.read(fd, RECEIVE_CHUNK_BYTES)
            except BlockingIOError:
                break
            except OSError as error:
                raise ConnectionBroken(f"the connection broke: {error.strerror or error}") from error
            self._feed(data)
            if not data:
                return taken + 1
            taken += len(data)
            if len(data) < RECEIVE_CHUNK_BYTES:
                break
        return taken

    def _feed(self, data: bytes | bytearray) -> None:
        """Bytes from the socket (b"": its end) through the WebSocket protocol; each whole text message to the decoder."""
        if not self._open:
            raise ProtocolViolation("it sent a message before the WebSocket was open", ErrorKind.MALFORMED)
        try:
            self._ws.receive_data(bytes(data) if data else None)
            events = list(self._ws.events())
        except WSProtocolError as error:
            raise ProtocolViolation("it broke the WebSocket protocol", ErrorKind.MALFORMED) from error
        self._take_events(events)
        if not data and not self._stream_ended:
            self._end_of_stream("it closed the connection without a WebSocket close")

    def _take_events(self, events: list[Event]) -> None:
        pong = None
        for event in events:
            if isinstance(event, TextMessage):
                self._text(event.data, event.message_finished)
            elif isinstance(event, BytesMessage):
                raise ProtocolViolation(BINARY, ErrorKind.MALFORMED)
            elif isinstance(event, Ping):
                pong = event.response()
            elif isinstance(event, CloseConnection):
                self._closed_by_peer(event)
        if pong is not None and self._ws.state is ConnectionState.OPEN:
            self._control(self._ws.send(pong), pong=True)

    def _text(self, data: str, finished: bool) -> None:
        # An empty fragment counts as a byte: else a peer could grow the list of fragments without end.
        self._message_bytes += (len(data.encode()) if not data.isascii() else len(data)) or 1
        if self._message_bytes > self._max_message_bytes:
            raise ProtocolViolation(f"it sent a message longer than {self._max_message_bytes} bytes", ErrorKind.TOO_LONG)
        self._message.append(data)
        if finished:
            message = "".join(self._message)
            self._message, self._message_bytes = [], 0
            fed = (self._dialect or self._json).incoming(message)
            if fed:
                try:
                    self._decoder.feed(fed)
                except ProtocolError as error:
                    raise ProtocolViolation(str(error), error.kind) from error

    def _closed_by_peer(self, event: CloseConnection) -> None:
        if self._ws.state is ConnectionState.OPEN:  # wsproto found the peer's frames broken: the event is its own
            self._failed_close = event.response()  # sent last, so that a kick notice can go before it
            raise ProtocolViolation(f"it broke the WebSocket protocol: {event.reason}", ErrorKind.MALFORMED)
        if self._ws.state is ConnectionState.REMOTE_CLOSING:
            self._control(self._ws.send(event.response()))
        self._peer_left = True
        if self._message:
            raise ProtocolViolation("it closed the WebSocket in the middle of a message", ErrorKind.UNFINISHED)
        why = "" if event.code in NORMAL_CLOSURES else f" (code {event.code}{': ' + event.reason if event.reason else ''})"
        self._end_of_stream(f"the peer closed the connection{why}")

    def _end_of_stream(self, why: str) -> None:
        self._stream_ended = True
        self._end_reason = why
        try:
            self._decoder.close()
        except ProtocolError as error:
            raise ProtocolViolation(str(error), error.kind) from error

    async def read_more(self) -> None:
        """`MessageChannel.read_more`, then a checkpoint under trio.

        Pings bring no value and may come without end: a peer that floods them
        faster than they are read must not keep this task from its time limit,
        nor the other tasks from running.
        """
        await super().read_more()
        if trio.lowlevel.in_trio_run():
            await trio.lowlevel.checkpoint()

    async def receive(self) -> object:
        try:
            return await super().receive()
        except PeerClosed:
            raise PeerClosed(getattr(self, "_end_reason", "the peer closed the connection")) from None

    # ------------------------------------------------------------- writing

    def _control(self, data: bytes, pong: bool = False) -> None:
        """A pong or a close: written at once unless a frame is half written, else before the next frame.

        A pong not yet written is replaced by a newer one (RFC 6455 allows
        answering only the latest ping), so that the pongs of a peer that
        pings and never reads do not pile up here.
        """
        if pong:
            self._pong = data
        else:
            self._pending_control += self._pong + data
            self._pong = b""
        if not self._midframe and self._fd is not None:
            waiting = self._pending_control + self._pong
            written = 0
            with contextlib.suppress(BlockingIOError, OSError):
                written = os.write(self._fd, waiting)
            if written:
                self._pending_control, self._pong = waiting[written:], b""
            self._midframe = bool(self._pending_control or self._pong)

    def _framed(self, data: bytes) -> bytes:
        """Our encoded values (compact JSON lines) as text frames, after any control frame waiting."""
        if isinstance(data, _Wire):
            return data
        if self._peer_left and not isinstance(self._dialect, _Closed):
            raise ConnectionBroken("the connection broke: the peer closed the WebSocket")
        frames = [self._pending_control, self._pong]
        self._pending_control = self._pong = b""
        for line in data.split(b"\n"):
            if not line:
                continue
            if self._dialect is None:
                frames.append(self._ws.send(TextMessage(data=line.decode())))
                continue
            outgoing = self._dialect.outgoing(_json_value(line))
            frames.extend(self._ws.send(TextMessage(data=text)) for text in outgoing.texts)
            if outgoing.incoming:
                self._decoder.feed(outgoing.incoming)
            if outgoing.close:
                frames.append(self._ws.send(CloseConnection(code=1000)))
                self._dialect = _Closed()
        return b"".join(frames)

    def send_now(self, data: bytes) -> bytes:
        if not self._open:
            raise trio.ClosedResourceError("the WebSocket is not open")
        rest = super().send_now(self._framed(data))
        self._midframe = bool(rest)
        return _Wire(rest) if rest else b""

    async def send_rest(self, data: bytes) -> None:
        wire = self._framed(data)
        if not trio.lowlevel.in_trio_run():
            rest = super().send_now(wire)
            while rest:
                fd = self._descriptor()
                assert fd is not None, "only sockets are used in the encounter loop"
                await LoopWait((fd,), select.EPOLLOUT)
                rest = super().send_now(rest)
        elif self._fd is None:
            await self._write(wire)
        else:
            rest = super().send_now(wire)
            if rest:
                await self._write(rest)
        self._midframe = False
        if self._pending_control or self._pong:
            self._control(b"")

    async def aclose(self) -> None:
        """Say goodbye with a close frame if the socket takes it at once, then close the socket."""
        if not self._closed and self._open and self._ws.state is ConnectionState.OPEN and not self._midframe:
            with contextlib.suppress(LocalProtocolError):
                self._control(self._ws.send(self._failed_close or CloseConnection(code=1000)))
        await super().aclose()


class _Closed:
    """The dialect after a dialect's close: nothing more goes out, nothing more counts."""

    def incoming(self, message: str) -> bytes:
        return b""

    def outgoing(self, value: object) -> Outgoing:
        return Outgoing()


def _shown_target(target: str) -> str:
    """A request's target for the log: every run of token characters long enough to be a token (one put in the
    URL by mistake, say as the participant) replaced by its length, and cut to TARGET_SHOWN characters."""
    return show(_TOKEN_RUN.sub(lambda run: f"<{len(run[0])} characters>", target), TARGET_SHOWN)


def _json_value(line: bytes) -> object:
    """One of our own encoded values, read back for a dialect."""
    decoder = JSONStreamDecoder(max(len(line), 1) + 1)
    decoder.feed(line)
    decoder.close()
    return decoder.next_value()
