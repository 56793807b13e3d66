"""The watch endpoint on real TCP (127.0.0.1): the stream says what the log says, catching up leaves no gap, bad requests are answered.

Tournaments of house players run in this process through `play_tournament`
with an EventLogWriter, as xserver runs them (tests/game_conformance.py `play`);
the watchers are clients written with h11 (tests/watch_client.py). The
oracle is the log file itself and its fold. That the snapshot at any point
and the later events equal the fold, for every game of the registry, is the
conformance kit's check (tests/test_conformance.py); the game-free
behaviours here are shown on the default game's tournament.
"""

from __future__ import annotations

import json
import logging
import socket

import attrs
import h11
import pytest
import trio

from Admin.tournament_state import fold
from Common.strict import StructureError, register_json_object, strict_converter, structure
from Player.configuration import LocalPlayerEntry, create_players
from Remote.event_log_writer import EventLogWriter
from Remote.game_registry import DEFAULT_GAME, GAMES
from Remote.watch import WatchHub, WatchSettings, read_watch_settings, register_watch_settings
from Remote.watch.routes import STATIC
from tests.game_conformance import kit_of, play
from tests.watch_client import HOST, Watcher, _read_response, exchange, get, log_events, start_watch, when_seq

VEHICLE = GAMES[DEFAULT_GAME]
"""The game whose tournaments show the game-free behaviours of the watch endpoint."""


def house() -> list:
    """The default game's watched players (tests/game_conformance.py KITS)."""
    return kit_of(VEHICLE).watch_players()


# ---------------------------------------------------------------------------
# The stream says what the log says


async def test_every_game_record_is_served_as_the_log_records_it(tmp_path):
    hub = WatchHub()
    await play(VEHICLE, house(), hub, tmp_path)
    whole = fold(log_events(tmp_path))
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, hub)
        for (encounter, number), line in sorted(whole.game_lines.items()):
            response = await get(port, f"/games/{encounter}/{number}.json")
            assert (response.status, response.headers["content-type"], response.body.decode()) == (200, "application/json", line)
        assert (await get(port, f"/games/{max(whole.encounters) + 1}/0.json")).status == 404
        nursery.cancel_scope.cancel()


# ---------------------------------------------------------------------------
# Catching up after a reconnection


@pytest.mark.parametrize("memory_bytes", [4 << 20, 600], ids=["from memory", "from the log file"])
async def test_last_event_id_resumes_after_that_event_without_gap_or_duplicate(memory_bytes, tmp_path):
    hub = WatchHub(memory_bytes=memory_bytes)
    await play(VEHICLE, house(), hub, tmp_path)
    events = log_events(tmp_path)
    last = events[-1]["seq"]
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, hub, keep_alive=0.05)
        for resume_from in [0, 1, 7, last // 2, last - 1]:
            for how in [{"headers": [("last-event-id", str(resume_from))]}, {"target": f"/events?run={hub.run}&after={resume_from}"}]:
                watcher = await Watcher.open(port, **how)
                frames = await watcher.events_until(last)
                await watcher.aclose()
                assert [frame["event"] for frame in frames] == ["message"] * len(frames), "no snapshot: it catches up"
                assert [json.loads(frame["data"][0]) for frame in frames] == events[resume_from:]
        watcher = await Watcher.open(port, headers=[("last-event-id", str(last))])
        frame = await watcher.frame()
        await watcher.aclose()
        assert frame is None or frame["event"] == "standings", "nothing is missing, nothing is sent twice"
        nursery.cancel_scope.cancel()
    if memory_bytes < 1000:
        assert hub.from_file >= 8, "all but the latest events came from the file"
    else:
        assert hub.from_memory >= 1 and hub.from_file == 0


@pytest.mark.parametrize("how", ["an id beyond the last event", "another tournament's run", "no log and too old for memory"])
async def test_an_id_that_cannot_be_resumed_gets_a_fresh_snapshot(how, tmp_path):
    hub = WatchHub(memory_bytes=600 if how.startswith("no log") else 4 << 20)
    await play(VEHICLE, house(), hub, None if how.startswith("no log") else tmp_path)
    last = hub.state.last_seq
    target, resume_from = {
        "an id beyond the last event": ("/events", last + 5),
        "another tournament's run": (f"/events?run={hub.run + 1}", 3),
        "no log and too old for memory": ("/events", 3),
    }[how]
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, hub)
        watcher = await Watcher.open(port, target, headers=[("last-event-id", str(resume_from))])
        frame = await watcher.frame()
        await watcher.aclose()
        nursery.cancel_scope.cancel()
    assert frame["event"] == "snapshot" and json.loads(frame["data"][0])["seq"] == last


async def test_a_watcher_that_drops_mid_tournament_and_comes_back_misses_nothing(tmp_path):
    hub, event_log = WatchHub(), EventLogWriter(tmp_path)
    reached = when_seq(event_log, 40)
    seen: list[dict] = []
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, hub)
        hub.attach(event_log, VEHICLE)
        first = await Watcher.open(port)
        snapshot = json.loads((await first.frame())["data"][0])
        nursery.start_soon(play, VEHICLE, house(), None, None, 5.0, event_log)
        await reached.wait()
        while not seen or seen[-1]["seq"] < 40:
            frame = await first.frame()
            if frame["event"] == "message":
                seen.append(json.loads(frame["data"][0]))
        await first.aclose()
        again = await Watcher.open(port, f"/events?run={snapshot['run']}", headers=[("last-event-id", str(seen[-1]["seq"]))])
        while seen[-1]["type"] != "results":
            frame = await again.frame()
            if frame["event"] == "message":
                seen.append(json.loads(frame["data"][0]))
        await again.aclose()
        nursery.cancel_scope.cancel()
    assert seen == log_events(tmp_path)[snapshot["seq"] :]


# ---------------------------------------------------------------------------
# Bad requests: each gets its status, nothing escapes, the server goes on

REQUEST_END = b"\r\nhost: x\r\nconnection: close\r\n\r\n"
BAD_REQUESTS = {
    "garbage": (b"\x16\x03\x01 hello, is this TLS?\r\n\r\n", 400),
    "a 1 MiB header": (b"GET / HTTP/1.1\r\nhost: x\r\nx-big: " + b"a" * (1 << 20) + b"\r\n\r\n", 431),
    "a request line over 8 KiB": (b"GET /" + b"a" * 9000 + b" HTTP/1.1" + REQUEST_END, 431),
    "a path that climbs out": (b"GET /../../etc/passwd HTTP/1.1" + REQUEST_END, 404),
    "a path that climbs out in escapes": (b"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1" + REQUEST_END, 404),
    "the static folder itself": (b"GET /static/watch.js HTTP/1.1" + REQUEST_END, 404),
    "a game record with a leading zero": (b"GET /games/01/0.json HTTP/1.1" + REQUEST_END, 404),
    "an unknown route": (b"GET /admin HTTP/1.1" + REQUEST_END, 404),
    "a target that is not a path": (b"GET http://x/ HTTP/1.1" + REQUEST_END, 400),
    "POST": (b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\nconnection: close\r\n\r\nhi", 405),
    "DELETE of the stream": (b"DELETE /events HTTP/1.1" + REQUEST_END, 405),
    "a Last-Event-ID that is not a number": (b"GET /events HTTP/1.1\r\nlast-event-id: seven" + REQUEST_END, 400),
    "a negative Last-Event-ID": (b"GET /events HTTP/1.1\r\nlast-event-id: -1" + REQUEST_END, 400),
    "two Last-Event-IDs": (b"GET /events HTTP/1.1\r\nlast-event-id: 1\r\nlast-event-id: 2" + REQUEST_END, 400),
    "an after that is not a number": (b"GET /events?after=x HTTP/1.1" + REQUEST_END, 400),
    "HTTP/1.1 without a host": (b"GET / HTTP/1.1\r\n\r\n", 400),
    "a body too large for a GET": (b"GET / HTTP/1.1\r\nhost: x\r\ncontent-length: 100000\r\n\r\n" + b"a" * 100000, 413),
}


async def test_every_bad_request_gets_its_status_and_the_server_goes_on(tmp_path, caplog):
    hub = WatchHub()
    await play(VEHICLE, house(), hub, tmp_path)
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, hub)
        for what, (raw, status) in BAD_REQUESTS.items():
            response = await exchange(port, raw)
            assert response.status == status, what
            if status == 405:
                assert response.headers["allow"] == "GET, HEAD"
            assert b"root:" not in response.body
        assert (await get(port, "/")).status == 200, "still serving"
        nursery.cancel_scope.cancel()
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def test_the_page_and_its_files_come_from_the_package_and_head_has_no_body():
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, WatchHub())
        page = await get(port, "/")
        assert page.status == 200 and page.headers["content-type"].startswith("text/html")
        assert "default-src 'self'" in page.headers["content-security-policy"]
        for name, kind in [
            ("watch.js", "text/javascript"),
            ("boards.js", "text/javascript"),
            ("replay.js", "text/javascript"),
            ("watch.css", "text/css"),
        ]:
            served = await get(port, f"/{name}")
            assert (served.status, served.headers["content-type"].split(";")[0], served.body) == (200, kind, STATIC[name])
            assert f'"/{name}"' in page.body.decode()
        head = await get(port, "/", method="HEAD")
        assert (head.status, head.body, head.headers["content-length"]) == (200, b"", str(len(page.body)))
        assert (await get(port, "/results.json")).status == 404, "no tournament yet"
        before = await Watcher.open(port)
        snapshot = json.loads((await before.frame())["data"][0])
        assert (snapshot["run"], snapshot["seq"], snapshot["roster"]) == (0, 0, None)
        await before.aclose()
        nursery.cancel_scope.cancel()
    for name, text in STATIC.items():
        assert b"http://" not in text and b"https://" not in text, f"{name} loads nothing from elsewhere"


async def test_keep_alive_answers_each_request_of_a_connection_in_turn():
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, WatchHub())
        stream = await trio.open_tcp_stream(HOST, port)
        await stream.send_all(b"GET /watch.css HTTP/1.1\r\nhost: x\r\n\r\nGET /nothing HTTP/1.1\r\nhost: x\r\n\r\n")
        conn = h11.Connection(h11.CLIENT)
        statuses = []
        for _ in range(2):
            conn.send(h11.Request(method="GET", target="/", headers=[("host", "x")]))
            conn.send(h11.EndOfMessage())
            statuses.append((await _read_response(stream, conn)).status)
            conn.start_next_cycle()
        await stream.aclose()
        nursery.cancel_scope.cancel()
    assert statuses == [200, 404]


async def test_a_connection_that_says_nothing_is_closed_after_the_request_time_limit():
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, WatchHub(), request_timeout=0.2)
        silent = await trio.open_tcp_stream(HOST, port)
        half = await trio.open_tcp_stream(HOST, port)
        await half.send_all(b"GET / HTTP/1.1\r\nhost:")
        assert await silent.receive_some(100) == b""
        answer = b""
        while chunk := await half.receive_some(1000):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 408 ")
        nursery.cancel_scope.cancel()


# ---------------------------------------------------------------------------
# Limits: how many watch, and one that never reads


async def test_300_watchers_against_a_limit_of_256_get_256_streams_and_44_refusals():
    hub = WatchHub()
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, hub, max_watchers=256, per_address=1000)
        watchers: list[Watcher] = []

        async def one() -> None:
            watchers.append(await Watcher.open(port))

        async with trio.open_nursery() as opening:
            for _ in range(300):
                opening.start_soon(one)
        statuses = sorted(watcher.status for watcher in watchers)
        admitted = [watcher for watcher in watchers if watcher.status == 200]
        assert (await admitted[0].frame())["event"] == "snapshot"
        assert len(hub.watchers) == 256
        for watcher in watchers:
            await watcher.aclose()
        nursery.cancel_scope.cancel()
    assert statuses == [200] * 256 + [503] * 44


async def test_a_few_streams_per_address_and_one_more_is_refused():
    hub = WatchHub()
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, hub, per_address=3)
        watchers = [await Watcher.open(port) for _ in range(4)]
        assert [watcher.status for watcher in watchers] == [200, 200, 200, 503]
        refused = await get(port, "/events")
        assert (refused.status, refused.headers["retry-after"]) == (503, "10")
        await watchers[0].aclose()
        while len(hub.watchers) > 2:  # the server sees the close
            await trio.testing.wait_all_tasks_blocked()
        again = await Watcher.open(port)
        assert again.status == 200
        for watcher in [*watchers[1:], again]:
            await watcher.aclose()
        nursery.cancel_scope.cancel()


def honest_players(count: int) -> list:
    """`count` built-in players of the default game's honest kind."""
    names = ["ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal", "ivy", "jon", "kim", "lea"][:count]
    entries = [LocalPlayerEntry(kit_of(VEHICLE).honest, name, "") for name in names]
    return create_players(entries, "house players", VEHICLE.players)


async def test_a_watcher_that_never_reads_changes_no_result_and_costs_bounded_memory(tmp_path):
    """A tight time per call, a watcher that never reads a byte: no call is late, the Results are those without it."""
    game, time_per_call, queue_bytes = VEHICLE, 0.5, 16 * 1024
    alone, _ = await play(game, honest_players(10), None, None, time_per_call)
    hub = WatchHub()
    peaks: list[int] = []
    event_log = EventLogWriter(tmp_path)
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, hub, queue_bytes=queue_bytes, write_timeout=0.5)
        hub.attach(event_log, game)
        never = socket.socket()
        never.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        never.connect((HOST, port))
        never.sendall(b"GET /events HTTP/1.1\r\nhost: x\r\n\r\n")
        while not hub.watchers:
            await trio.testing.wait_all_tasks_blocked()
        event_log.subscribers.append(lambda events, lines: peaks.extend(watcher.peak for watcher in hub.watchers))
        watched, _ = await play(game, honest_players(10), None, None, time_per_call, event_log=event_log)
        never.close()
        nursery.cancel_scope.cancel()
    assert watched == alone
    events = log_events(tmp_path)
    assert not [event for event in events if event["type"] == "misbehaviour"]
    assert max(event["ms"] for event in events if "ms" in event and isinstance(event["ms"], int)) < time_per_call * 1000
    assert max(peaks) <= queue_bytes, "what waits for one watcher stays within its queue"
    assert hub.overflows >= 1, "the watcher fell behind: its queue overflowed"


# ---------------------------------------------------------------------------
# The configuration's "watch" object


def test_the_watch_settings_are_read_strictly_with_errors_naming_the_key():
    assert read_watch_settings({"port": 8080}, "10.0.0.1") == WatchSettings(port=8080, host="10.0.0.1")
    assert read_watch_settings({"port": 0, "host": "", "max watchers": 10, "watchers per address": 2}).max_watchers == 10
    refusals = {
        '{"port": "8080"}': 'expected a whole number, got "8080" @ $.watch.port',
        '{"port": 70000}': "expected a whole number in 0..65535, got 70000 @ $.watch.port",
        '{"port": true}': "expected a whole number, got true @ $.watch.port",
        "{}": "required key missing @ $.watch.port",
        '{"port": 1, "host": 5}': "expected a host name or a numeric address, got 5 @ $.watch.host",
        '{"port": 1, "max watchers": 0}': "expected a whole number in 1..100000, got 0 @ $.watch.max watchers",
        '{"port": 1, "queue_bytes": 5}': 'unknown key "queue_bytes" @ $.watch',
        "[8080]": "expected a JSON object, got [8080] @ $.watch",
    }
    for text, message in refusals.items():
        with pytest.raises(StructureError) as caught:
            read_watch_settings(json.loads(text))
        assert str(caught.value) == message


def test_a_configuration_holding_watch_names_the_nested_key():
    @attrs.frozen
    class Configuration:
        watch: WatchSettings | None = None

    converter = strict_converter()
    register_watch_settings(converter)
    register_json_object(converter, Configuration, keys={"watch": "watch"})
    assert structure({"watch": {"port": 9}}, Configuration, converter).watch.port == 9
    assert structure({}, Configuration, converter).watch is None
    with pytest.raises(StructureError, match=r"got -1 @ \$\.watch\.port$"):
        structure({"watch": {"port": -1}}, Configuration, converter)
