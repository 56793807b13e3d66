"""The watch page of a server with rooms, on real TCP (127.0.0.1): the list of rooms, and each room's page and data from its own hub.

One room per game of the registry, named after it. Each room's events are
a real tournament's: its house players play it once in this process
(tests/game_conformance.py `play`), and its log is then fed again, event
by event, through an EventLogWriter into the room's WatchHub while the
watchers read, as xserver feeds them. The client is h11's, and the event
streams are read with the strict SSE parser (tests/test_watch_stream.py).
The oracle of each room is its own log: its events, their fold, its exports.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import h11
import pytest
import trio

from Admin.tournament_state import fold
from Remote.event_log_writer import EventLogWriter
from Remote.exports import crosstable_csv, results_json
from Remote.game_description import Game
from Remote.game_registry import GAMES
from Remote.watch import WatchedRoom, WatchHub, WatchSettings, serve_watch
from Remote.watch.play import PlaySettings
from Remote.watch.routes import STATIC, room_page
from tests.game_conformance import kit_of, play
from tests.test_watch_browser import open_browser
from tests.test_watch_browser import pytestmark as browser_mark
from tests.test_watch_stream import parse_sse
from tests.watch_client import HOST, get, log_events

WAIT = 60
"""Seconds anything the test waits for may take (a bound, not a pace)."""
FORMAT = "round robin"
"""The format kind the host would tell for these tournaments (the list shows it as it is told)."""


def room_name(game: str) -> str:
    return f"{game}-room.1"


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    """Each game's tournament of house players, played once for the module: its events, by the game's name."""
    recorded = {}
    for name, game in GAMES.items():
        directory = tmp_path_factory.mktemp(name)
        trio.run(play, game, kit_of(game).watch_players(), None, directory)
        recorded[name] = log_events(directory)
    return recorded


@attrs.define
class Fed:
    """A room whose hub is fed a log's events as a tournament would write them."""

    game: Game
    events: list[dict]
    hub: WatchHub = attrs.field(factory=WatchHub)
    writer: EventLogWriter | None = None
    fed: int = 0

    @property
    def name(self) -> str:
        return room_name(self.game.name)

    def watched(self, play: PlaySettings | None = None) -> WatchedRoom:
        return WatchedRoom(self.name, self.hub, play, self.game.name, FORMAT)

    def feed(self, upto: int) -> None:
        """Write the events up to seq `upto` (its tournament starts with the first); they reach the hub at once."""
        if self.writer is None:
            self.writer = EventLogWriter(None)
            self.hub.attach(self.writer, self.game)
        for event in self.events[self.fed : upto]:
            self.writer.write(event)
        self.writer.flush()
        self.fed = max(self.fed, upto)


def rooms_of(logs: dict[str, list[dict]]) -> dict[str, Fed]:
    return {name: Fed(GAMES[name], events) for name, events in logs.items()}


def middle(events: list[dict]) -> int:
    """A seq in the middle of the tournament at which an encounter is running."""
    return next(event["seq"] for event in events[len(events) // 2 :] if event["type"] == "encounter-start")


def ended_running_waiting(logs: dict[str, list[dict]]) -> tuple[dict[str, Fed], tuple[str, str, str]]:
    """A room per game, the first (by name) fed its whole tournament, the second to the middle of it, the third nothing."""
    rooms = rooms_of(logs)
    ended, running, waiting = sorted(rooms)[:3]
    rooms[ended].feed(len(logs[ended]))
    rooms[running].feed(middle(logs[running]))
    return rooms, (ended, running, waiting)


async def start(nursery: trio.Nursery, rooms: Sequence[WatchedRoom]) -> int:
    return await nursery.start(serve_watch, WatchSettings(port=0, host=HOST), rooms)


class Stream:
    """`GET target` as an event stream, every byte through h11 and every frame through the strict SSE parser."""

    def __init__(self, stream: trio.SocketStream, conn: h11.Connection) -> None:
        self.stream, self.conn = stream, conn
        self.buffer = b""
        self.ended = False
        """The body ended as HTTP/1.1 says (its last chunk), rather than with a close."""

    @classmethod
    async def open(cls, port: int, target: str) -> Stream:
        stream = await trio.open_tcp_stream(HOST, port)
        conn = h11.Connection(h11.CLIENT)
        await stream.send_all(conn.send(h11.Request(method="GET", target=target, headers=[("host", HOST)])) + conn.send(h11.EndOfMessage()))
        opened = cls(stream, conn)
        response = await opened._next()
        assert isinstance(response, h11.Response) and response.status_code == 200, response
        assert dict(response.headers)[b"content-type"] == b"text/event-stream; charset=utf-8"
        return opened

    async def _next(self) -> Any:
        with trio.fail_after(WAIT):
            while True:
                event = self.conn.next_event()
                if event is not h11.NEED_DATA:
                    return event
                self.conn.receive_data(await self.stream.receive_some(1 << 16))

    async def frame(self) -> dict | None:
        """The next frame with data (comments and the preamble left out); None once the body has ended."""
        while True:
            while b"\n\n" not in self.buffer:
                event = await self._next()
                if isinstance(event, h11.EndOfMessage):
                    assert self.buffer == b"", "the body ended inside a frame"
                    self.ended = True
                    return None
                assert isinstance(event, h11.Data), f"the stream ended with {event}"
                self.buffer += event.data
            block, self.buffer = self.buffer.split(b"\n\n", 1)
            frame = parse_sse(block)
            if frame["data"]:
                return frame

    async def snapshot(self) -> dict:
        frame = await self.frame()
        assert frame is not None and frame["event"] == "snapshot"
        return json.loads(frame["data"][0])

    async def events_until(self, last_seq: int) -> list[dict]:
        """The log events up to `last_seq`, as sent (standings left out)."""
        events = []
        while not events or events[-1]["seq"] < last_seq:
            frame = await self.frame()
            assert frame is not None, "the stream ended early"
            if frame["event"] == "message":
                event = json.loads(frame["data"][0])
                assert int(frame["id"]) == event["seq"]
                events.append(event)
        return events

    async def aclose(self) -> None:
        await self.stream.aclose()


def listed(name: str, events: list[dict], ended: bool = False) -> dict:
    """What `/rooms.json` must say of room `name`, which has had `events` (of the game `name`), counted from the events."""
    roster = [event["players"] for event in events if event["type"] == "roster"]
    signed_up = [event for event in events if event["type"] == "sign-up" and event["assigned"] is not None]
    started = {event["encounter"] for event in events if event["type"] == "encounter-start"}
    ended_encounters = {event["encounter"] for event in events if event["type"] == "encounter-end"}
    return {
        "name": room_name(name),
        "game": name,
        "format": FORMAT,
        "started": bool(events),
        "players": len(roster[0]) if roster else len(signed_up),
        "running": len(started - ended_encounters),
        "finished": len(ended_encounters),
        "ended": ended or any(event["type"] == "results" for event in events),
    }


# ---------------------------------------------------------------------------
# The list of rooms


async def test_the_list_of_rooms_and_rooms_json_say_each_rooms_game_format_players_and_encounters(logs):
    rooms, (ended, running, waiting) = ended_running_waiting(logs)
    async with trio.open_nursery() as nursery:
        port = await start(nursery, [rooms[name].watched() for name in sorted(rooms)])
        page, script, style, listing = (
            await get(port, "/"),
            await get(port, "/rooms.js"),
            await get(port, "/rooms.css"),
            await get(port, "/rooms.json"),
        )
        nursery.cancel_scope.cancel()
    assert (page.status, page.headers["content-type"], page.body) == (200, "text/html; charset=utf-8", STATIC["rooms.html"])
    assert page.headers["content-security-policy"].startswith("default-src 'self';")
    assert (script.status, script.headers["content-type"], script.body) == (200, "text/javascript; charset=utf-8", STATIC["rooms.js"])
    assert (style.status, style.headers["content-type"], style.body) == (200, "text/css; charset=utf-8", STATIC["rooms.css"])
    assert (listing.status, listing.headers["content-type"], listing.headers["cache-control"]) == (200, "application/json", "no-store")
    assert json.loads(listing.body) == {
        "rooms": [
            listed(ended, logs[ended]),
            listed(running, logs[running][: middle(logs[running])]),
            listed(waiting, []),
        ]
    }
    shown = json.loads(listing.body)["rooms"]
    assert shown[1]["running"] >= 1 and not shown[1]["ended"] and shown[0]["ended"], "the rooms differ as their events do"


# ---------------------------------------------------------------------------
# Each room's page and data from its own hub


async def test_each_rooms_stream_carries_only_its_own_events_and_its_exports_are_its_own(logs):
    rooms = rooms_of(logs)
    for room in rooms.values():
        room.feed(middle(room.events))
    async with trio.open_nursery() as nursery:
        port = await start(nursery, [room.watched() for room in rooms.values()])
        streams = {}
        for name, room in rooms.items():
            streams[name] = await Stream.open(port, f"/rooms/{room.name}/events")
            snapshot = await streams[name].snapshot()  # registered: what is written from now on is in its queue
            assert (snapshot["game"], snapshot["seq"]) == (name, room.fed)
        for room in rooms.values():  # the rest of every room's events, the rooms taking turns
            room.feed(len(room.events))
        received = {name: await streams[name].events_until(len(rooms[name].events)) for name in rooms}
        exports = {
            name: (
                await get(port, f"/rooms/{room.name}/results.json"),
                await get(port, f"/rooms/{room.name}/crosstable.csv"),
                await get(port, f"/rooms/{room.name}/games/0/0.json"),
            )
            for name, room in rooms.items()
        }
        for stream in streams.values():
            await stream.aclose()
        nursery.cancel_scope.cancel()
    for name, room in rooms.items():
        assert received[name] == logs[name][middle(logs[name]) :], f"room {room.name}: its own events, each once, in order"
        state = fold(logs[name])
        results, crosstable, record = exports[name]
        assert (results.status, json.loads(results.body)) == (200, json.loads(results_json(state, room.game)))
        assert (crosstable.status, crosstable.body.decode()) == (200, crosstable_csv(state, room.game))
        assert (record.status, record.body.decode()) == (200, state.game_lines[0, 0])


async def test_a_rooms_page_and_play_view_link_within_the_room_and_sign_up_for_it(logs):
    rooms = rooms_of(logs)
    ipd = rooms["ipd"]
    play = PlaySettings(ipd.game, websocket_port=8001, tokens=True, time_per_call=30.0)
    async with trio.open_nursery() as nursery:
        port = await start(nursery, [ipd.watched(play), *(room.watched() for name, room in rooms.items() if name != "ipd")])
        base = f"/rooms/{ipd.name}/"
        page, play_page, script, play_json, view = [
            await get(port, base + path) for path in ("", "play", "watch.js", "play.json", "play-view.js?game=ipd")
        ]
        without_slash = await get(port, base.rstrip("/") + "?x=1")
        nursery.cancel_scope.cancel()
    assert (page.status, page.body) == (200, room_page("index.html", ipd.name))
    assert (
        page.headers["content-security-policy"]
        == "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'"
    )
    text = page.body.decode()
    assert f'<body data-room="{ipd.name}">' in text and '<a href="./play"' in text and '<script src="./watch.js"' in text
    assert '="/' not in text and '="/' not in play_page.body.decode(), "every link of a room's page stays in the room"
    assert play_page.status == 200 and f"ws://{HOST}:8001" in play_page.headers["content-security-policy"]
    assert (script.status, script.body) == (200, STATIC["watch.js"])
    assert json.loads(play_json.body) == {
        "game": "ipd",
        "view": True,
        "websocket": f"ws://{HOST}:8001/",
        "tokens": True,
        "time per call": 30.0,
        "settings": {},
        "room": ipd.name,
    }
    assert (view.status, view.body) == (200, ipd.game.play_view.read_bytes())
    assert (without_slash.status, without_slash.headers["location"]) == (301, base + "?x=1")


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("/rooms/nowhere/", "no room named nowhere: the rooms are listed at /"),
        ("/rooms/nowhere/events", "no room named nowhere: the rooms are listed at /"),
        ("/rooms/ipd-room.1/rooms.json", "nothing here"),
        ("/rooms/../etc/passwd", "nothing here: this server has rooms, listed at /"),
        ("/rooms/-x/", "nothing here: this server has rooms, listed at /"),
        ("/events", "nothing here: this server has rooms, listed at /"),
        ("/results.json", "nothing here: this server has rooms, listed at /"),
        ("/play", "nothing here: this server has rooms, listed at /"),
    ],
)
async def test_a_room_that_does_not_exist_and_a_page_outside_the_rooms_are_404_with_one_line(logs, target, why):
    rooms = rooms_of(logs)
    async with trio.open_nursery() as nursery:
        port = await start(nursery, [room.watched() for room in rooms.values()])
        answer = await get(port, target)
        head = await get(port, target, method="HEAD")
        nursery.cancel_scope.cancel()
    assert (answer.status, answer.headers["content-type"], answer.body) == (404, "text/plain; charset=utf-8", why.encode() + b"\n")
    assert (head.status, head.body) == (404, b"")


async def test_a_server_without_rooms_has_no_list_and_no_rooms_and_its_play_view_signs_up_as_before(logs):
    hub = WatchHub()
    play = PlaySettings(GAMES["ipd"], websocket_port=8001)
    async with trio.open_nursery() as nursery:
        port = await start(nursery, [WatchedRoom(None, hub, play)])
        page, listing, room, rooms_script, play_json = [
            await get(port, target) for target in ("/", "/rooms.json", "/rooms/x/", "/rooms.js", "/play.json")
        ]
        nursery.cancel_scope.cancel()
    assert (page.status, page.body) == (200, STATIC["index.html"])
    assert [answer.status for answer in (listing, room, rooms_script)] == [404, 404, 404]
    assert listing.body == room.body == b"nothing here\n"
    assert "room" not in json.loads(play_json.body)


@pytest.mark.parametrize(
    "names",
    [[None, "a"], ["a", "a"], [], ["a/b"], ["-a"], ["a" * 65]],
    ids=["None among names", "a name twice", "none", "a slash", "a dash first", "65 characters"],
)
async def test_rooms_that_cannot_be_served_together_are_a_bug_of_the_host(names):
    with pytest.raises(ValueError):
        await serve_watch(WatchSettings(port=0, host=HOST), [WatchedRoom(name, WatchHub()) for name in names])


async def test_a_play_view_with_another_rooms_settings_is_a_bug_of_the_host():
    play = PlaySettings(GAMES["ipd"], websocket_port=8001, room="b")
    with pytest.raises(ValueError, match="the play settings of the room 'b'"):
        await serve_watch(WatchSettings(port=0, host=HOST), [WatchedRoom("a", WatchHub(), play)])


# ---------------------------------------------------------------------------
# A room ends on its own


async def test_one_room_finishing_ends_its_streams_while_another_streams_on(logs):
    rooms = rooms_of(logs)
    ending, going_on = rooms["santorini"], rooms["ipd"]
    for room in (ending, going_on):
        room.feed(middle(room.events))
    async with trio.open_nursery() as nursery:
        port = await start(nursery, [ending.watched(), going_on.watched()])
        first, second = await Stream.open(port, f"/rooms/{ending.name}/events"), await Stream.open(port, f"/rooms/{going_on.name}/events")
        await first.snapshot()
        await second.snapshot()
        ending.feed(len(ending.events))
        going_on.feed(going_on.fed + 1)
        to_the_end: list[dict] = []
        last_frames: list[dict] = []

        async def read_to_the_end() -> None:
            while (frame := await first.frame()) is not None:
                if frame["event"] == "message":
                    to_the_end.append(json.loads(frame["data"][0]))
                last_frames[:] = [frame]

        async with trio.open_nursery() as finishing:
            finishing.start_soon(read_to_the_end)
            await ending.hub.finish()
        listing = json.loads((await get(port, "/rooms.json")).body)
        going_on.feed(len(going_on.events))
        rest = await second.events_until(len(going_on.events))
        again = await Stream.open(port, f"/rooms/{ending.name}/events")
        after_the_end = [await again.frame(), await again.frame(), await again.frame()]
        for stream in (first, second, again):
            await stream.aclose()
        nursery.cancel_scope.cancel()
    assert first.ended, "the ended room's stream ended as HTTP/1.1 says, with its last chunk"
    over = {"event": "over", "id": None, "retry": None, "data": [json.dumps({"seq": len(logs["santorini"])}, separators=(",", ":"))]}
    assert [{key: frame[key] for key in over} for frame in last_frames] == [over], "its last frame says the event is over"
    assert to_the_end == logs["santorini"][middle(logs["santorini"]) :], "its watcher had every event first"
    assert rest == logs["ipd"][middle(logs["ipd"]) :], "the other room's watcher had every event, the last ones after the first room ended"
    assert [room["ended"] for room in listing["rooms"]] == [True, False]
    assert after_the_end[0] is not None and after_the_end[0]["event"] == "snapshot" and after_the_end[2] is None
    assert after_the_end[1] is not None and {key: after_the_end[1][key] for key in over} == over
    assert again.ended, "a page opened on the ended room gets its state, that the event is over, and the end"


async def test_a_room_that_stops_before_its_results_ends_its_streams_without_saying_the_event_is_over(logs):
    """Its pages reconnect, as they should: the server may be resumed. Only an event whose Results are in is over."""
    room = rooms_of(logs)["ipd"]
    room.feed(middle(room.events))
    async with trio.open_nursery() as nursery:
        port = await start(nursery, [room.watched()])
        stream = await Stream.open(port, f"/rooms/{room.name}/events")
        await stream.snapshot()
        async with trio.open_nursery() as finishing:
            finishing.start_soon(room.hub.finish)
            rest = [frame async for frame in _frames(stream)]
        await stream.aclose()
        nursery.cancel_scope.cancel()
    assert stream.ended and "over" not in [frame["event"] for frame in rest]


async def _frames(stream: Stream) -> AsyncIterator[dict]:
    while (frame := await stream.frame()) is not None:
        yield frame


# ---------------------------------------------------------------------------
# In a browser


@pytest.fixture
def driver(tmp_path: Path) -> Iterator[Any]:
    browser = open_browser(tmp_path / "chromium-profile")
    try:
        yield browser
    finally:
        browser.quit()


READ_LIST = """
return [...document.querySelectorAll("#rooms tbody tr")].map((tr) => [
  tr.dataset.room, tr.querySelector("a").getAttribute("href"),
  ...[...tr.querySelectorAll("td[data-column]")].map((td) => td.textContent)]);
"""
READ_ROOM = """
return {seq: Number(document.body.dataset.seq || -1), title: document.getElementById("title").textContent,
        url: location.pathname, rooms: (document.querySelector("#rooms-link a") || {}).href || ""};
"""


def wait_for(driver: Any, script: str, condition: Any) -> Any:
    """What `script` returns on the page, once `condition` holds of it, within a minute (a bound, not a pace)."""
    from selenium.webdriver.support.ui import WebDriverWait

    def ready(driver: Any) -> Any:
        value = driver.execute_script(script)
        return value if condition(value) else False

    return WebDriverWait(driver, WAIT, poll_frequency=0.05).until(ready)


@browser_mark
async def test_the_list_page_shows_the_rooms_live_and_a_click_opens_a_rooms_live_page(logs, driver):
    from selenium.webdriver.common.by import By

    rooms, (ended, running, waiting) = ended_running_waiting(logs)
    async with trio.open_nursery() as nursery:
        port = await start(nursery, [rooms[name].watched() for name in sorted(rooms)])
        await trio.to_thread.run_sync(driver.get, f"http://{HOST}:{port}/")

        def row(name: str, events: list[dict], state: str) -> list:
            shown = listed(name, events)
            return [
                room_name(name),
                f"rooms/{room_name(name)}/",
                name,
                FORMAT,
                *(str(shown[key]) for key in ("players", "running", "finished")),
                state,
            ]

        expected = [
            row(ended, logs[ended], "ended"),
            row(running, logs[running][: rooms[running].fed], "playing"),
            row(waiting, [], "waiting for its event"),
        ]
        await trio.to_thread.run_sync(wait_for, driver, READ_LIST, lambda shown: shown == expected)
        rooms[waiting].feed(middle(logs[waiting]))  # the list follows: the waiting room's event starts
        expected[2] = row(waiting, logs[waiting][: rooms[waiting].fed], "playing")
        await trio.to_thread.run_sync(wait_for, driver, READ_LIST, lambda shown: shown == expected)

        await trio.to_thread.run_sync(lambda: driver.find_element(By.LINK_TEXT, room_name(running)).click())
        fed = rooms[running].fed
        opened = await trio.to_thread.run_sync(wait_for, driver, READ_ROOM, lambda page: page["seq"] == fed)
        rooms[running].feed(len(logs[running]))  # the room's page is live: the rest of its event reaches it
        last = len(logs[running])
        page = await trio.to_thread.run_sync(wait_for, driver, READ_ROOM, lambda page: page["seq"] == last)
        debug = driver.execute_script("return window.watchDebug;")
        nursery.cancel_scope.cancel()
    assert opened["url"] == f"/rooms/{room_name(running)}/"
    assert page["title"].startswith(room_name(running) + ": ") and page["rooms"] == f"http://{HOST}:{port}/"
    assert debug["snapshots"] == 1 and debug["gaps"] == 0 and debug["seqs"] == list(range(fed, last + 1))


@browser_mark
@pytest.mark.parametrize("tokens", [False, True], ids=["bare names", "tokens"])
async def test_the_play_view_of_a_room_signs_up_for_that_room(logs, driver, tokens):
    from selenium.webdriver.common.by import By
    from trio_websocket import WebSocketRequest, serve_websocket

    first_messages: list[Any] = []
    received = trio.Event()

    async def take_the_sign_up(request: WebSocketRequest) -> None:
        connection = await request.accept()
        first_messages.append(json.loads(await connection.get_message()))
        received.set()
        await connection.aclose()

    rooms = rooms_of(logs)
    ipd = rooms["ipd"]
    async with trio.open_nursery() as nursery:
        listener = await nursery.start(serve_websocket, take_the_sign_up, HOST, 0, None)
        play = PlaySettings(ipd.game, websocket_port=listener.port, websocket_host=HOST, tokens=tokens)
        port = await start(nursery, [rooms["fish"].watched(), ipd.watched(play)])
        await trio.to_thread.run_sync(driver.get, f"http://{HOST}:{port}/rooms/{ipd.name}/play")
        read_form = 'return document.body.dataset.phase || "";'
        await trio.to_thread.run_sync(wait_for, driver, read_form, lambda phase: phase == "form")

        def sign_up() -> None:
            driver.find_element(By.ID, "name").send_keys("ann")
            if tokens:
                driver.find_element(By.ID, "token").send_keys("a-token-of-sixteen-characters")
            driver.find_element(By.ID, "join").click()

        await trio.to_thread.run_sync(sign_up)
        with trio.fail_after(WAIT):
            await received.wait()
        nursery.cancel_scope.cancel()
    assert first_messages == [["sign-up", "ann", "a-token-of-sixteen-characters" if tokens else None, {"room": ipd.name}]]


READ_OVER = """
return {connection: document.getElementById("connection").dataset.state, stream: window.watchDebug.streamState(),
        snapshots: window.watchDebug.snapshots, seq: Number(document.body.dataset.seq || -1)};
"""


@browser_mark
async def test_a_page_opened_on_an_ended_room_shows_it_over_and_closes_its_stream_instead_of_reconnecting(logs, driver):
    rooms, (ended, _, _) = ended_running_waiting(logs)
    async with trio.open_nursery() as nursery:
        port = await start(nursery, [rooms[ended].watched()])
        await rooms[ended].hub.finish()  # the room's event is over; the server goes on (other rooms, or the lingering page)
        await trio.to_thread.run_sync(driver.get, f"http://{HOST}:{port}/rooms/{room_name(ended)}/")
        drawn = await trio.to_thread.run_sync(wait_for, driver, READ_OVER, lambda page: page["seq"] == len(logs[ended]))
        shown = await trio.to_thread.run_sync(wait_for, driver, READ_OVER, lambda page: page["connection"] == "over")
        nursery.cancel_scope.cancel()
    closed = 2  # EventSource.CLOSED: a closed stream is never reopened
    assert drawn["seq"] == len(logs[ended]), "the page shows the room's whole event"
    assert shown == {"connection": "over", "stream": closed, "snapshots": 1, "seq": len(logs[ended])}
