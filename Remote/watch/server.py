"""The watch listener: HTTP/1.1 on a port of its own, parsed by h11, serving the routes of `routes.py`.

`serve_watch(settings, rooms)` listens until cancelled. A server without
rooms watches one room named None, whose page is the server's; a server
with rooms lists them at `/` (`/rooms.json` and a page polling it) and
serves each room's page and data under `/rooms/<name>/`, from the room's
own hub. The limits (connections, event streams in all, per address) are
the listener's, whatever room is watched. Each connection reads
one request head at a time (at most `max_request_head` bytes, within
`request_timeout` seconds), answers it and, unless it opened an event
stream, waits for the next. Every write has `write_timeout` seconds. Bad
requests are answered 400 (or 431 when the head is too long) and closed
gently: the rest of what the client sends is read and thrown away for a
moment, so that it reads the answer instead of a reset. A bug of ours in
one connection closes that connection and is logged; it never reaches the
tournament.

An event stream (`GET /events`) is admitted while fewer than
`max_watchers` streams are open, and fewer than `per_address` from the
same address; otherwise 503. It resumes after the `Last-Event-ID` header
(or `?after=S`) when its `?run=R` is the tournament being watched (or is
left out); a Last-Event-ID that is not a whole number is 400.

The play page (`GET /play`) is a person's way into the tournament: its
policy lets it connect to the WebSocket listener that the room's `play`
names (Remote/watch/play.py), and `/play.json`, `/play-view.js` tell it
the room's game and how to sign up (in a named room, with `{"room": R}`),
before any tournament as during one.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import h11
import trio

from Remote.watch import routes
from Remote.watch.downloads import EXPORT_INTERVAL, Download, Downloads, Missing, Whole
from Remote.watch.hub import Dropped, LogRange, ServerEnding, Watcher, WatchHub
from Remote.watch.play import BASE_POLICY, PlaySettings, play_json, play_policy, websocket_url
from Remote.watch.rooms import room_json, rooms_json
from Remote.watch.settings import WatchSettings
from Remote.watch.sse import KEEP_ALIVE_CHUNK, PREAMBLE, http_chunk, over_frame

log = logging.getLogger("xserver.watch")

RECEIVE_BYTES = 16 * 1024
MAX_BODY = 64 * 1024
"""A request body (which no route reads) of more bytes closes the connection."""
SENT_CHUNK = 256 * 1024
"""Bytes of an arena's appended file read and sent at a time."""
LINGER_SECONDS, LINGER_BYTES = 2.0, 1 << 20
"""How long, and how much, a refused connection's input is read and thrown away before it is closed."""
REASONS = {
    200: b"OK",
    301: b"Moved Permanently",
    400: b"Bad Request",
    404: b"Not Found",
    405: b"Method Not Allowed",
    408: b"Request Timeout",
    413: b"Content Too Large",
    431: b"Request Header Fields Too Large",
    503: b"Service Unavailable",
}
COMMON_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
PAGE_POLICY = BASE_POLICY.encode()


class WatchListenError(Exception):
    """The watch port cannot be opened; the message is one line for the organiser."""


@attrs.frozen
class WatchedRoom:
    """A room as the watch page shows it: its name (None: the server has no rooms), its hub, its play view's settings
    (None: nobody plays from the page), and for the list of rooms its game's name and its format's kind."""

    name: str | None
    hub: WatchHub
    play: PlaySettings | None = None
    game: str = ""
    format_kind: str = ""


async def serve_watch(settings: WatchSettings, rooms: Sequence[WatchedRoom], *, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
    """Serve the pages and the event streams of `rooms` on `settings`' host and port until cancelled: one room named
    None is the server's only page, as a server without rooms has it; named rooms are listed at `/`, each under
    `/rooms/<name>/`. Each room's hub is kept (its standings and flushes) here; each may `finish` on its own.

    `task_status.started(port)` tells the port it listens on (useful with
    port 0); WatchListenError, before that, if it cannot listen; ValueError
    if `rooms` are not one room named None or rooms of distinct names and hubs.
    """
    served = _served_rooms(rooms)
    try:
        listeners = await trio.open_tcp_listeners(settings.port, host=settings.host or None)
    except OSError as error:
        where = f"{settings.host}:{settings.port}" if settings.host else f"port {settings.port} of every interface"
        raise WatchListenError(f"cannot listen for watchers on {where}: {error.strerror or error}") from None
    port = listeners[0].socket.getsockname()[1]
    server = _WatchServer(settings, served)
    try:
        async with trio.open_nursery() as nursery:
            for room in served:
                nursery.start_soon(room.hub.keep_standings)
                nursery.start_soon(room.hub.keep_flushing)
            await nursery.start(trio.serve_listeners, server.handle, listeners)
            log.info("watch: the page is at http://%s:%d/", settings.host or "localhost", port)
            task_status.started(port)
    finally:
        for listener in listeners:
            await trio.aclose_forcefully(listener)


def _served_rooms(rooms: Sequence[WatchedRoom]) -> list[_Room]:
    """What the server keeps of each room; ValueError (a bug of the host's) if they cannot be served together."""
    names = [room.name for room in rooms]
    if names != [None] and (not names or None in names):
        raise ValueError("the watch page serves one room named None, or rooms that all have names")
    if len(set(names)) < len(names) or len({id(room.hub) for room in rooms}) < len(rooms):
        raise ValueError("two watched rooms share a name or a hub")
    served = []
    for room in rooms:
        if room.name is not None and routes.ROOM_NAME.fullmatch(room.name) is None:
            raise ValueError(f"the room name {room.name!r} cannot be part of a URL")
        play = room.play
        if play is not None and play.room != room.name:
            if play.room is not None:
                raise ValueError(f"the room {room.name!r} has the play settings of the room {play.room!r}")
            play = attrs.evolve(play, room=room.name)
        pages = {} if room.name is None else {name: routes.room_page(name, room.name) for name in ("index.html", "play.html")}
        served.append(_Room(room.name, room.hub, play, room.game, room.format_kind, pages, Downloads(room.hub)))
    return served


@attrs.define(eq=False)
class _Room:
    """A room being served: its hub, its play settings (their room filled in), its pages and its downloads."""

    name: str | None
    hub: WatchHub
    play: PlaySettings | None
    game: str
    format_kind: str
    pages: dict[str, bytes]
    """index.html and play.html as this room serves them (`routes.room_page`); none for the server's only room."""
    downloads: Downloads


class _Refusal(Exception):
    """A request that is answered with an error status and a closed connection."""

    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status


class _WatchServer:
    def __init__(self, settings: WatchSettings, rooms: list[_Room]) -> None:
        self.settings = settings
        self.rooms = {room.name: room for room in rooms}
        self.named = None not in self.rooms
        """Whether the server has rooms (listed at `/`), rather than one page."""
        self.connections = 0
        self._rooms_json: tuple[tuple[tuple[int, bool, bool, bool], ...], tuple[int, ...], float, bytes] | None = None
        """The last `/rooms.json`: the rooms' runs and whether each is over, started, ended; their last events; when; the body."""
        self._views: dict[tuple[str, Path], bytes] = {}
        """Each game's view script (Game.board_view), read the first time a page asks for it."""

    async def handle(self, stream: trio.SocketStream) -> None:
        """One connection, whatever it sends; nothing it does raises past here."""
        self.connections += 1
        try:
            address = _peer(stream)
            if self.connections > self.settings.max_connections:
                await self._send(stream, _raw_response(503, "too many connections; try again later"))
                await _close_gently(stream)
                return
            await self._converse(stream, h11.Connection(h11.SERVER, max_incomplete_event_size=self.settings.max_request_head), address)
        except (trio.BrokenResourceError, trio.ClosedResourceError, Dropped, OSError):
            pass
        except Exception:  # a bug of ours: this connection ends, the others and the tournament go on
            log.exception("watch: a connection failed")
        finally:
            self.connections -= 1
            await trio.aclose_forcefully(stream)

    async def _converse(self, stream: trio.SocketStream, conn: h11.Connection, address: str) -> None:
        while True:
            try:
                request = await self._read_request(stream, conn)
            except _Refusal as refusal:
                if conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                    await self._send(stream, _raw_response(refusal.status, str(refusal)))
                await _close_gently(stream)
                return
            if request is None:
                return
            keep_open = await self._answer(stream, conn, request, address)
            if not keep_open or conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                return
            conn.start_next_cycle()

    async def _read_request(self, stream: trio.SocketStream, conn: h11.Connection) -> h11.Request | None:
        """The next whole request (its body read and dropped), or None when the client closed or said nothing in time."""
        request, body = None, 0
        with trio.move_on_after(self.settings.request_timeout):
            while True:
                try:
                    event = conn.next_event()
                except h11.RemoteProtocolError as error:
                    raise _Refusal(error.error_status_hint, f"bad request: {error}") from None
                if event is h11.NEED_DATA:
                    conn.receive_data(await stream.receive_some(RECEIVE_BYTES))
                elif isinstance(event, h11.Request):
                    if _head_size(event) > self.settings.max_request_head:
                        raise _Refusal(431, "the request line and headers are too long")
                    request = event
                elif isinstance(event, h11.Data):
                    body += len(event.data)
                    if body > MAX_BODY:
                        raise _Refusal(413, "no route takes a body")
                elif isinstance(event, h11.EndOfMessage):
                    return request
                else:  # ConnectionClosed, or PAUSED
                    return None
        if conn.their_state is h11.SEND_BODY or (conn.their_state is h11.IDLE and conn.trailing_data[0]):
            raise _Refusal(408, "the request took too long")
        return None

    async def _answer(self, stream: trio.SocketStream, conn: h11.Connection, request: h11.Request, address: str) -> bool:
        """Answer `request`; False when the connection must close afterwards."""
        head = request.method == b"HEAD"
        route = routes.route(request.method, request.target, rooms=self.named)
        if isinstance(route, routes.InRoom):
            room = self.rooms.get(route.room)
            if room is None:
                await self._text(stream, conn, 404, f"no room named {route.room}: the rooms are listed at /", head)
                return True
            return await self._answer_in_room(stream, conn, request, route.route, room, address, head)
        if isinstance(route, routes.RoomsJson):
            headers = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]
            await self._respond(stream, conn, 200, headers, self._rooms_body(), head)
        elif isinstance(route, routes.Redirect):
            headers = [(b"location", route.location), (b"content-type", b"text/plain; charset=utf-8"), (b"cache-control", b"no-store")]
            await self._respond(stream, conn, 301, headers, b"the room's page is at " + route.location + b"\n", head)
        elif isinstance(route, routes.NoRoute):
            extra = [(b"allow", b"GET, HEAD")] if route.status == 405 else []
            await self._text(stream, conn, route.status, route.why, head, extra)
        elif self.named:  # the list of rooms' own files
            assert isinstance(route, routes.Static)
            await self._static(stream, conn, request, route.name, None, head)
        else:
            return await self._answer_in_room(stream, conn, request, route, self.rooms[None], address, head)
        return True

    async def _answer_in_room(
        self,
        stream: trio.SocketStream,
        conn: h11.Connection,
        request: h11.Request,
        route: routes.RoomRoute,
        room: _Room,
        address: str,
        head: bool,
    ) -> bool:
        """Answer `route` of `room`'s page; False when the connection must close afterwards."""
        if isinstance(route, routes.Events):
            return await self._events(stream, conn, request, route, room.hub, address, head)
        if isinstance(route, routes.Static):
            await self._static(stream, conn, request, route.name, room, head)
        elif isinstance(route, routes.GameView):
            kind = routes.STATIC_TYPES["watch.css" if route.style else "boards.js"]
            headers = [(b"content-type", kind.encode()), (b"cache-control", b"no-cache")]
            await self._respond(stream, conn, 200, headers, self._game_view(room, route.style, route.play), head)
        elif isinstance(route, routes.PlayJson):
            headers = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]
            await self._respond(stream, conn, 200, headers, play_json(room.play, _host(request), room.hub.game), head)
        else:
            await self._download(stream, conn, room.downloads.answer(route, time.monotonic()), head)
        return True

    async def _static(
        self, stream: trio.SocketStream, conn: h11.Connection, request: h11.Request, name: str, room: _Room | None, head: bool
    ) -> None:
        """One of the page's files, as `room` serves it (None: the list of rooms)."""
        headers = [(b"content-type", routes.TYPES[name].encode()), (b"cache-control", b"no-cache")]
        if name in ("index.html", "rooms.html"):
            headers.append((b"content-security-policy", PAGE_POLICY))
        elif name == "play.html":
            headers.append((b"content-security-policy", play_policy(websocket_url(room.play if room else None, _host(request)))))
        body = routes.STATIC[name] if room is None else room.pages.get(name, routes.STATIC[name])
        await self._respond(stream, conn, 200, headers, body, head)

    def _rooms_body(self) -> bytes:
        """`/rooms.json`: made again at once when a room starts, ends or begins another event, and at most once a second
        while only its counts move."""
        rooms = list(self.rooms.values())
        shape = tuple(
            (room.hub.run, room.hub.finishing, room.hub.state.start is not None, room.hub.state.results is not None) for room in rooms
        )
        seqs = tuple(room.hub.state.last_seq for room in rooms)
        now, cached = time.monotonic(), self._rooms_json
        if cached is None or cached[0] != shape or (cached[1] != seqs and now - cached[2] >= EXPORT_INTERVAL):
            listed = [room_json(room.name or "", room.game, room.format_kind, room.hub.state, room.hub.finishing) for room in rooms]
            cached = self._rooms_json = (shape, seqs, now, rooms_json(listed))
        return cached[3]

    def _game_view(self, room: _Room, style: bool, play: bool = False) -> bytes:
        """The room's attached game's view script, or its style sheet (empty if it has none), read once per game; with
        `play`, the play view's; before any tournament, the room's game's (its play settings'); a comment when no game
        is known."""
        game = room.hub.game or (room.play.game if room.play is not None else None)
        if game is None:
            return b"/* no tournament yet: the page counts the steps */\n"
        script = game.play_view if play else game.board_view
        if script is None:
            return b"/* this game has no play view */\n"
        path = script.with_suffix(".css") if style else script
        if (game.name, path) not in self._views:
            self._views[game.name, path] = path.read_bytes() if path.is_file() else b""
        return self._views[game.name, path]

    async def _download(self, stream: trio.SocketStream, conn: h11.Connection, download: Download, head: bool) -> None:
        """A room's download (downloads.py): its bytes, a 404 with its line, or an arena's file as it stands, sent a
        chunk at a time, each read off the event loop (a long arena's file is never in memory whole)."""
        if isinstance(download, Missing):
            await self._text(stream, conn, 404, download.why, head)
            return
        headers = [(b"content-type", download.kind), (b"cache-control", b"no-store")]
        if isinstance(download, Whole):
            await self._respond(stream, conn, 200, headers, download.body, head)
            return
        headers = COMMON_HEADERS + headers + [(b"content-length", b"%d" % download.length)]
        await self._send(stream, conn.send(h11.Response(status_code=200, headers=headers, reason=b"OK")))
        if not head and download.flushed:
            assert download.path is not None  # only a file has bytes flushed
            with await trio.to_thread.run_sync(open, download.path, "rb") as file:
                for offset in range(0, download.flushed, SENT_CHUNK):
                    size = min(SENT_CHUNK, download.flushed - offset)
                    chunk = await trio.to_thread.run_sync(os.pread, file.fileno(), size, offset)
                    await self._send(stream, conn.send(h11.Data(data=chunk)))
        tail = b"" if head else conn.send(h11.Data(data=download.buffered))
        await self._send(stream, tail + conn.send(h11.EndOfMessage()))

    async def _events(
        self,
        stream: trio.SocketStream,
        conn: h11.Connection,
        request: h11.Request,
        route: routes.Events,
        hub: WatchHub,
        address: str,
        head: bool,
    ) -> bool:
        settings = self.settings
        try:
            resume_from = routes.last_event_id([value for name, value in request.headers if name == b"last-event-id"])
        except ValueError as error:
            await self._text(stream, conn, 400, str(error), head)
            return True
        hubs = [room.hub for room in self.rooms.values()]  # the limits are the listener's, whatever room is watched
        if (
            sum(len(each.watchers) for each in hubs) >= settings.max_watchers
            or sum(each.per_address[address] for each in hubs) >= settings.per_address
        ):
            await self._text(stream, conn, 503, "too many watchers; try again later", head, [(b"retry-after", b"10")])
            return True
        if resume_from is None:
            resume_from = route.after
        if route.run is not None and route.run != hub.run:
            resume_from = None  # another tournament's id: start over
        headers = [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-store")]
        response = conn.send(h11.Response(status_code=200, headers=COMMON_HEADERS + headers))
        if head:
            await self._send(stream, response + conn.send(h11.EndOfMessage()))
            return True
        # registered before any await: the limit holds, and the catching up meets the queue exactly
        watcher, parts = hub.watch(address, settings.queue_bytes, settings.overflow_grace, resume_from)
        try:
            async with trio.open_nursery() as nursery:
                watcher.scope = nursery.cancel_scope
                nursery.start_soon(_until_closed, stream, nursery.cancel_scope)
                try:
                    await self._send(stream, response)
                    await self._stream(stream, conn, watcher, parts)
                except (Dropped, trio.BrokenResourceError, trio.ClosedResourceError, OSError):
                    pass
                nursery.cancel_scope.cancel()
        finally:
            hub.leave(watcher)
        return False

    async def _stream(self, stream: trio.SocketStream, conn: h11.Connection, watcher: Watcher, parts: list) -> None:
        """What the watcher must catch up on, then its queue as it fills, and a comment whenever it stays empty too long."""
        await self._send(stream, conn.send(h11.Data(data=PREAMBLE)))
        for part in parts:
            if isinstance(part, LogRange):
                async for replayed in watcher.hub.replay(part):
                    await self._send(stream, conn.send(h11.Data(data=replayed)))
            else:
                await self._send(stream, conn.send(h11.Data(data=part)))
        while True:  # the queue holds chunks of the body framed once for all watchers: h11 is not asked again
            try:
                chunk = await watcher.next(self.settings.keep_alive)
            except ServerEnding:  # `over` if the event is (else the page reconnects: the server may be resumed), then the
                state = watcher.hub.state  # body's end as HTTP/1.1 says, its last, empty chunk
                over = b"" if state.results is None else http_chunk(over_frame(state.last_seq))
                await self._send(stream, over + conn.send(h11.EndOfMessage()))
                return
            await self._send(stream, KEEP_ALIVE_CHUNK if chunk is None else chunk)

    async def _text(
        self, stream: trio.SocketStream, conn: h11.Connection, status: int, text: str, head: bool, extra: list | None = None
    ) -> None:
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"cache-control", b"no-store"), *(extra or [])]
        await self._respond(stream, conn, status, headers, text.encode() + b"\n", head)

    async def _respond(self, stream: trio.SocketStream, conn: h11.Connection, status: int, headers: list, body: bytes, head: bool) -> None:
        headers = COMMON_HEADERS + headers + [(b"content-length", b"%d" % len(body))]
        data = conn.send(h11.Response(status_code=status, headers=headers, reason=REASONS.get(status, b"")))
        if not head:
            data += conn.send(h11.Data(data=body))
        await self._send(stream, data + conn.send(h11.EndOfMessage()))

    async def _send(self, stream: trio.SocketStream, data: bytes) -> None:
        """Send `data` within the write time limit; Dropped if the watcher is too slow."""
        with trio.move_on_after(self.settings.write_timeout) as scope:
            await stream.send_all(data)
        if scope.cancelled_caught:
            raise Dropped


async def _until_closed(stream: trio.SocketStream, scope: trio.CancelScope) -> None:
    """Read what a watcher sends after its request (nothing, or not much), and end its stream when it closes."""
    await _drain(stream, MAX_BODY)
    scope.cancel()


async def _close_gently(stream: trio.SocketStream) -> None:
    """Stop sending, then read and drop the client's input for a moment, so that it reads the answer before the close."""
    with trio.move_on_after(LINGER_SECONDS):
        try:
            await stream.send_eof()
        except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
            return
        await _drain(stream, LINGER_BYTES)


async def _drain(stream: trio.SocketStream, limit: int) -> None:
    """Read and drop what the peer sends, up to about `limit` bytes, until it closes or its connection fails."""
    received = 0
    try:
        while received <= limit:
            data = await stream.receive_some(RECEIVE_BYTES)
            if not data:
                return
            received += len(data)
    except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
        pass


def _raw_response(status: int, text: str) -> bytes:
    """A whole response written without h11, for a request it could not parse (or was never read)."""
    body = text.encode() + b"\n"
    head = [
        b"HTTP/1.1 %d %s" % (status, REASONS.get(status, b"")),
        b"content-type: text/plain; charset=utf-8",
        b"content-length: %d" % len(body),
        b"connection: close",
    ]
    head += [name + b": " + value for name, value in COMMON_HEADERS]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


def _head_size(request: h11.Request) -> int:
    """The bytes of a request's line and headers, about as they came (h11 only limits a head that arrives in pieces)."""
    return len(request.method) + len(request.target) + 11 + sum(len(name) + len(value) + 4 for name, value in request.headers)


def _host(request: h11.Request) -> bytes | None:
    """The request's Host header (HTTP/1.1 requires exactly one), or None."""
    hosts = [value for name, value in request.headers if name == b"host"]
    return hosts[0] if len(hosts) == 1 else None


def _peer(stream: trio.SocketStream) -> str:
    try:
        return str(stream.socket.getpeername()[0])
    except OSError:
        return "?"
