"""A watcher written here with h11: the event stream's frames, one HTTP exchange, a snapshot read back into a fold.

Game-free: tests/test_watch*.py and the conformance kit (tests/game_conformance.py)
read the watch endpoint with these.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import h11
import trio

from Admin.tournament_state import EncounterState, GameState, TournamentState
from Remote.event_log_writer import EventLogWriter
from Remote.watch import WatchedRoom, WatchHub, WatchSettings, serve_watch

HOST = "127.0.0.1"


def when_seq(event_log: EventLogWriter, seq: int) -> trio.Event:
    """An Event set once the log has published its event `seq` (a test waits on it, never on a clock)."""
    reached = trio.Event()
    event_log.subscribers.append(lambda events, lines: reached.set() if events and events[-1]["seq"] >= seq else None)
    return reached


def log_events(directory: Path) -> list[dict]:
    return [json.loads(line) for line in (directory / "events.ndjson").read_text().splitlines()]


async def start_watch(nursery: trio.Nursery, hub: WatchHub, **limits: Any) -> int:
    return await nursery.start(serve_watch, WatchSettings(port=0, host=HOST, **limits), [WatchedRoom(None, hub)])


@attrs.define
class Response:
    status: int
    headers: dict[str, str]
    body: bytes = b""


async def exchange(port: int, raw: bytes, method: str = "GET") -> Response:
    """Send `raw` as it is and read one response; what a misbehaving client sees."""
    stream = await trio.open_tcp_stream(HOST, port)
    conn = h11.Connection(h11.CLIENT)
    conn.send(h11.Request(method=method, target="/", headers=[("host", "x")]))  # so h11 reads the answer to `method`
    async with stream, trio.open_nursery() as nursery:
        nursery.start_soon(_send_quietly, stream, raw)
        response = await _read_response(stream, conn)
        nursery.cancel_scope.cancel()
    return response


async def _send_quietly(stream: trio.SocketStream, raw: bytes) -> None:
    with contextlib.suppress(trio.BrokenResourceError):  # the server closed after answering: what it says is what counts
        await stream.send_all(raw)


async def _read_response(stream: trio.SocketStream, conn: h11.Connection) -> Response:
    response, body = None, b""
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(await stream.receive_some(65536))
        elif isinstance(event, h11.Response):
            response = Response(event.status_code, {k.decode(): v.decode() for k, v in event.headers})
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
            response.body = body
            return response


async def get(port: int, target: str, headers: Sequence[tuple[str, str]] = (), method: str = "GET") -> Response:
    lines = [f"{method} {target} HTTP/1.1", f"host: {HOST}", "connection: close", *(f"{k}: {v}" for k, v in headers)]
    return await exchange(port, ("\r\n".join(lines) + "\r\n\r\n").encode(), method)


class Watcher:
    """A client of `GET /events`: the SSE frames as dicts (`event`, `id`, `data`: its lines), until it stops reading."""

    def __init__(self, stream: trio.SocketStream, status: int, conn: h11.Connection) -> None:
        self.stream, self.status, self.conn = stream, status, conn
        self._buffer = b""
        self.comments = 0

    @classmethod
    async def open(cls, port: int, target: str = "/events", headers: Sequence[tuple[str, str]] = ()) -> Watcher:
        stream = await trio.open_tcp_stream(HOST, port)
        conn = h11.Connection(h11.CLIENT)
        await stream.send_all(conn.send(h11.Request(method="GET", target=target, headers=[("host", HOST), *headers])))
        await stream.send_all(conn.send(h11.EndOfMessage()))
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                conn.receive_data(await stream.receive_some(65536))
            elif isinstance(event, h11.Response):
                return cls(stream, event.status_code, conn)

    async def frame(self) -> dict | None:
        """The next frame that is not a comment; None when the stream ends."""
        while True:
            while b"\n\n" not in self._buffer:
                event = self.conn.next_event()
                if event is h11.NEED_DATA:
                    self.conn.receive_data(await self.stream.receive_some(65536))
                elif isinstance(event, h11.Data):
                    self._buffer += event.data
                else:
                    return None
            block, self._buffer = self._buffer.split(b"\n\n", 1)
            frame: dict = {"event": "message", "id": None, "data": []}
            for line in block.decode().split("\n"):
                field, _, value = line.partition(": ")
                if field == "":
                    self.comments += 1
                elif field == "data":
                    frame["data"].append(value)
                elif field in ("event", "id"):
                    frame[field] = value
            if frame["data"]:
                return frame

    async def events_until(self, last_seq: int) -> list[dict]:
        """The frames up to the log event `last_seq` (standings frames left out)."""
        frames = []
        while True:
            frame = await self.frame()
            assert frame is not None, "the stream ended early"
            if frame["event"] != "standings":
                frames.append(frame)
            if frame["event"] == "message" and int(frame["id"]) >= last_seq:
                return frames

    async def aclose(self) -> None:
        await self.stream.aclose()


def state_from_snapshot(snapshot: dict) -> TournamentState:
    """The TournamentState a snapshot describes (the steps of ended games aside: they are not in it)."""
    encounters = {}
    for shown in snapshot["encounters"]:
        encounter = EncounterState(shown["encounter"], tuple(shown["players"]), shown["repetition"], shown["meeting"])
        if shown["ended"]:
            encounter.ended, encounter.outcome, encounter.culprits = True, shown["outcome"], tuple(shown["culprits"])
            encounter.game_ends = shown["game_ends"]
        else:
            encounter.games = [
                GameState(
                    game["players"], game["steps"], game["end"], {k: v for k, v in game.items() if k not in ("players", "steps", "end")}
                )
                for game in shown["games"]
            ]
        encounters[shown["encounter"]] = encounter
    state = TournamentState(
        start=snapshot["start"],
        sign_ups=snapshot["sign_ups"],
        roster=None if snapshot["roster"] is None else tuple(snapshot["roster"]),
        total=snapshot["total"],
        encounters=encounters,
        misbehaviours=snapshot["misbehaviours"],
        revisions=dict(snapshot["revisions"]),
        stages=snapshot["stages"],
        staged={stage["first"] + number: tuple(pair) for stage in snapshot["stages"] for number, pair in enumerate(stage["pairings"])},
        summary=snapshot["summary"],
        results=snapshot["results"],
        stops=snapshot["stops"],
        resumes=snapshot["resumes"],
        last_seq=snapshot["seq"],
    )
    assert snapshot["finished"] == state.finished
    return state


def without_game_lines(state: TournamentState) -> TournamentState:
    return attrs.evolve(state, game_lines={})
