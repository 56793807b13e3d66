"""A client of the websocket IPD server, written from its README and its "Instructions for participants", on wsproto over trio.

It opens `ws://HOST:PORT/<match-id>?participant=<name>` with the raw token in
an `Authorization` header, sends its first choice right after the upgrade,
then hears the opponent's choice of each round (`C`, `B` or `Forfeit`) and
sends its next one: raw text messages, no JSON. A refused upgrade is kept as
its HTTP status and body.
"""

from __future__ import annotations

import contextlib

import attrs
import trio
from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Event,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)

HOST = "127.0.0.1"
TIME_LIMIT = 30.0


@attrs.frozen
class Rejected:
    """The server refused the upgrade: its HTTP status and the text of its body."""

    status: int
    body: str


class FgwClient:
    """One connection to one match."""

    def __init__(self, stream: trio.SocketStream) -> None:
        self.stream = stream
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.events: list[Event] = []
        self.closed = False
        self._text: list[str] = []

    @classmethod
    async def open(cls, port: int, target: str, token: str | None) -> FgwClient | Rejected:
        """Connect and ask for `target`; the open client, or how the server refused."""
        client = cls(await trio.open_tcp_stream(HOST, port))
        headers = [] if token is None else [(b"authorization", token.encode())]
        await client.stream.send_all(client.ws.send(Request(host=f"{HOST}:{port}", target=target, extra_headers=headers)))
        event = await client._next_event()
        if isinstance(event, AcceptConnection):
            return client
        assert isinstance(event, RejectConnection), event
        status, body, more = event.status_code, b"", event.has_body
        while more:
            data = await client._next_event()
            assert isinstance(data, RejectData)
            body += data.data
            more = not data.body_finished
        await client.stream.aclose()
        return Rejected(status, body.decode())

    async def _next_event(self) -> Event:
        with trio.fail_after(TIME_LIMIT):
            while not self.events:
                data = await self.stream.receive_some(65536)
                self.ws.receive_data(data or None)
                self.events.extend(self.ws.events())
                if not data and not self.events:
                    raise EOFError("the server closed the connection")
        return self.events.pop(0)

    async def send(self, text: str) -> None:
        """Send a text message; trio.ClosedResourceError once the server has begun to close (its close frame came)."""
        if self.ws.state is not ConnectionState.OPEN:
            raise trio.ClosedResourceError("the server closed the connection")
        await self.stream.send_all(self.ws.send(TextMessage(data=text)))

    async def receive(self) -> str | None:
        """The server's next text message, or None once it has closed the connection."""
        while not self.closed:
            event = await self._next_event()
            if isinstance(event, TextMessage):
                self._text.append(event.data)
                if event.message_finished:
                    text, self._text = "".join(self._text), []
                    return text
            elif isinstance(event, CloseConnection):
                self.closed = True
                with contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError):
                    await self.stream.send_all(self.ws.send(event.response()))
                await self.stream.aclose()
        return None

    async def close(self) -> None:
        """Leave at once: a close frame, then the socket closed."""
        with contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError):
            await self.stream.send_all(self.ws.send(CloseConnection(code=1000)))
        await self.stream.aclose()
        self.closed = True
