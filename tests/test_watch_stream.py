"""The event stream of a real xserver, read by a strict HTTP/1.1 client across a whole tournament of every game.

A browser that reconnects hides a broken stream, so the watcher here is h11
on the client side, fed every byte the server sends: a chunk without its
size line, a size that lies, anything but a framed chunk fails the test at
once. xserver runs with "watch" and an event log; xclients plays; the
watcher opens `GET /events` before anyone signs up and reads until the
final standings. The oracle is the server's own event log.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import attrs
import h11
import pytest

from Admin.tournament_state import fold
from Remote.game_registry import GAMES
from Remote.loopback import ServerProcess, run_clients
from Remote.watch.snapshot import standings_json
from tests.raw_client import stop, wait_for_log_sync

HOST = "127.0.0.1"
LIMIT = 120.0
"""Seconds any one read or process may take (a bound, not a pace)."""
PAGE = re.compile(r"the page is at http://[^:]+:(\d+)/")
NAMES = ("ann", "bob", "cat", "dan", "eve")


class FramingError(AssertionError):
    """The bytes on the wire are not a well-formed HTTP/1.1 response or Server-Sent Events stream."""


@attrs.define
class Stream:
    """What a strict watcher read: the status, the headers and the SSE frames (`retry`, `event`, `id`, `data` lines, `comments`)."""

    status: int = 0
    headers: dict[str, str] = attrs.Factory(dict)
    frames: list[dict] = attrs.Factory(list)
    comments: int = 0
    ended: bool = False
    """The body ended as HTTP/1.1 says (the last, empty chunk), not by a close in the middle of it."""
    error: BaseException | None = None


def parse_sse(block: bytes) -> dict:
    """One SSE frame (the lines before a blank line), strictly: only the fields the watch server sends."""
    frame: dict = {"event": "message", "id": None, "retry": None, "data": [], "comment": False}
    for line in block.decode("utf-8").split("\n"):
        if line.startswith(":"):
            frame["comment"] = True
            continue
        field, colon, value = line.partition(": ")
        if not colon or field not in ("event", "id", "data", "retry"):
            raise FramingError(f"not an SSE field line: {line!r}")
        if field == "data":
            frame["data"].append(value)
        else:
            frame[field] = value
    return frame


def read_strictly(port: int, done: Callable[[dict], bool] | None, into: Stream, target: str = "/events") -> None:
    """Read `GET target` with h11 as the client until `done(frame)` holds for a frame: every byte goes through h11's parser.

    With `done` None, until the body ends: a close before its last chunk is a FramingError.
    """
    with socket.create_connection((HOST, port), timeout=LIMIT) as connection:
        conn = h11.Connection(h11.CLIENT)
        connection.sendall(conn.send(h11.Request(method="GET", target=target, headers=[("host", HOST)])) + conn.send(h11.EndOfMessage()))
        body = b""
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError as error:
                raise FramingError(f"malformed HTTP after {len(into.frames)} frames: {error}") from None
            if event is h11.NEED_DATA:
                conn.receive_data(connection.recv(1 << 16))
            elif isinstance(event, h11.Response):
                into.status = event.status_code
                into.headers = {name.decode(): value.decode() for name, value in event.headers}
                if into.headers.get("transfer-encoding") != "chunked":
                    raise FramingError(f"the stream is not chunked: {into.headers}")
            elif isinstance(event, h11.Data):
                body += event.data
                while b"\n\n" in body:
                    block, body = body.split(b"\n\n", 1)
                    frame = parse_sse(block)
                    if frame["comment"] and not frame["data"]:
                        into.comments += 1
                    else:
                        into.frames.append(frame)
                        if done is not None and done(frame):
                            return
            elif isinstance(event, h11.EndOfMessage) and done is None:
                into.ended = True
                return
            else:
                raise FramingError(f"the stream ended before the tournament did: {event!r}")


def tournament(game_name: str, tmp_path: Path) -> tuple[dict, dict]:
    """xserver's and xclients' configurations: five players of the game's first kind, one a breaker."""
    kinds = GAMES[game_name].players.kinds
    assert "breaker" in kinds, f"{game_name} has a breaker kind"
    first = next(iter(kinds))
    players = [[first, name, ""] for name in NAMES[:-1]] + [["breaker", NAMES[-1], ""]]
    server = {
        "game": game_name,
        "min players": len(NAMES),
        "waiting for": 4,
        "repeat": 0,
        "time per call": 5,
        "event log": str(tmp_path / "log"),
        "watch": {"port": 0},
        "watch linger": LIMIT,
    }
    return server, {"game": game_name, "players": players, "observers": []}


def until_the_final_standings() -> Callable[[dict], bool]:
    """A `done` for read_strictly: true at the first standings as of the results event, or later."""
    results: list[int] = []

    def done(frame: dict) -> bool:
        if frame["event"] == "message" and frame["data"] and json.loads(frame["data"][0])["type"] == "results":
            results.append(int(frame["id"]))
        return bool(results) and frame["event"] == "standings" and json.loads(frame["data"][0])["seq"] >= results[0]

    return done


def watch_a_tournament(game_name: str, tmp_path: Path, done: Callable[[dict], bool] | None, linger: float = LIMIT) -> tuple[Stream, list]:
    """A tournament of the game by xserver (with "watch" and `linger`) and xclients, read from before sign-up by a strict client.

    The client reads until `done` holds for a frame (None: until the body ends, after the server has exited);
    what it read and the events of the server's log.
    """
    server_config, clients_config = tournament(game_name, tmp_path)
    server = ServerProcess({**server_config, "watch linger": linger})
    stream = Stream()

    def watch() -> None:
        try:
            read_strictly(port, done, stream)
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            stream.error = error

    try:
        port = int(PAGE.search(wait_for_log_sync(server, "the page is at")[0])[1])
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        clients = run_clients(clients_config, server.port, LIMIT)
        if done is None:
            assert server.finish(LIMIT).status == 0
        watcher.join(LIMIT)
        assert not watcher.is_alive(), "the watcher read to its end within the limit"
    finally:
        stop(server)
    if stream.error is not None:
        raise stream.error
    assert clients.status == 0, clients.log
    (directory,) = [entry for entry in (tmp_path / "log").iterdir() if entry.is_dir()]
    return stream, [json.loads(line) for line in (directory / "events.ndjson").read_text().splitlines()]


@pytest.mark.parametrize("game_name", sorted(GAMES))
def test_a_strict_http_client_reads_the_whole_tournament_and_every_frame_is_framed(game_name, tmp_path):
    stream, events = watch_a_tournament(game_name, tmp_path, until_the_final_standings())
    assert (stream.status, stream.headers["content-type"]) == (200, "text/event-stream; charset=utf-8")
    frames = stream.frames
    assert frames[0]["retry"] == "2000" and not frames[0]["data"], "the stream opens with retry"
    snapshot = frames[1]
    assert snapshot["event"] == "snapshot"
    seq = json.loads(snapshot["data"][0])["seq"]
    messages = [frame for frame in frames if frame["event"] == "message" and frame["data"]]
    assert [json.loads(frame["data"][0]) for frame in messages] == events[seq:], "every event after the snapshot, once, in order"
    standings = [json.loads(frame["data"][0]) for frame in frames if frame["event"] == "standings"]
    assert standings, "standings frames came"
    for shown in standings:
        assert shown == standings_json(fold(events[: shown["seq"]]), GAMES[game_name])
    assert {frame["event"] for frame in frames[1:]} <= {"snapshot", "message", "standings"}


@pytest.mark.parametrize("game_name", sorted(GAMES))
def test_when_the_server_ends_every_watcher_gets_the_last_events_the_final_standings_and_a_whole_body(game_name, tmp_path):
    """With "watch linger": 0 xserver ends with the tournament: its watchers still get everything, then the body's last chunk."""
    stream, events = watch_a_tournament(game_name, tmp_path, None, linger=0)
    assert stream.ended, "the body ended with its last chunk"
    seq = json.loads(stream.frames[1]["data"][0])["seq"]
    messages = [json.loads(frame["data"][0]) for frame in stream.frames if frame["event"] == "message" and frame["data"]]
    assert messages == events[seq:], "every event up to the Results, once, in order"
    last = json.loads(stream.frames[-2]["data"][0])
    assert stream.frames[-2]["event"] == "standings" and last == standings_json(fold(events), GAMES[game_name])
    over = stream.frames[-1]
    assert (over["event"], json.loads(over["data"][0])) == ("over", {"seq": events[-1]["seq"]}), "the page closes its stream"
