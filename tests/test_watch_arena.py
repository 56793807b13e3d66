"""The watch page of an arena: what its snapshot and stream carry for the page, and the page itself in Chromium.

The stream test replays a real arena's log (xserver's own `serve` among the
prisoner's dilemma's house players, a breaker among them) into a watch hub
and reads `GET /events` with a strict client: the snapshot must carry the
queue, the leaderboard and its latest ended encounters' ratings, and each
`encounter-end` the ratings of its players after it, so that the page,
folding nothing but what it is sent, ends with the leaderboard of the
arena's summary.

The browser test runs a real xserver arena with house players and a watch
page, and checks in headless Chromium that the page's leaderboard lists
the players in the order the server's log printed at the end, that the
chart has a line per shown player, and that the latest results are the
last encounters that ended. The arena never ends, so its snapshot does
not grow with its encounters: a long arena's holds its latest 100 ended
ones, but every player's row, rating history and misbehaviour count, and a
page opened in the middle of it shows them as the fold has them, then adds
each later encounter, and keeps only the latest 200 ended encounters.
"""

from __future__ import annotations

import collections
import json
import re
import time
from pathlib import Path
from typing import Any

import h11
import trio
import trio.lowlevel

from Admin.arena_manager import placing
from Admin.arena_ratings import leaderboard_key, standing_json
from Admin.arena_state import KEPT_ENDED, ArenaState
from Remote.arena_exports import ArenaExports
from Remote.event_log_writer import EventLogWriter
from Remote.game_registry import GAMES
from Remote.loopback import ServerProcess
from Remote.watch import WatchHub
from Remote.watch import server as watch_server
from Remote.watch.snapshot import RECENT_ENDED
from tests.house_server import events_of, run_server
from tests.raw_client import stop, wait_for_log_sync
from tests.test_event_log_arena import HOUSE, arena_configuration
from tests.test_watch_browser import open_browser
from tests.test_watch_browser import pytestmark as browser_mark
from tests.test_watch_stream import parse_sse
from tests.watch_client import HOST, Watcher, get, start_watch

PAGE = re.compile(r"the page is at http://[^:]+:(\d+)/")
ROW = re.compile(r"(\d+)  (\S+) +-?\d+\.\d +-?\d+\.\d +\d+\.\d\d +\d+ +[+-]\d+$")
"""A row of the leaderboard the server logs at the end: rank, name, μ - 3σ, μ, σ, encounters, streak."""
WAIT = 60


async def strict_frames(port: int, last_seq: int) -> list[dict]:
    """`GET /events` read through h11 and the strict SSE parser, up to the log event `last_seq` (comments left out)."""
    frames: list[dict] = []
    stream = await trio.open_tcp_stream(HOST, port)
    async with stream:
        conn = h11.Connection(h11.CLIENT)
        await stream.send_all(conn.send(h11.Request(method="GET", target="/events", headers=[("host", HOST)])))
        await stream.send_all(conn.send(h11.EndOfMessage()))
        body = b""
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                conn.receive_data(await stream.receive_some(1 << 16))
            elif isinstance(event, h11.Response):
                assert event.status_code == 200
            elif isinstance(event, h11.Data):
                body += event.data
                while b"\n\n" in body:
                    block, body = body.split(b"\n\n", 1)
                    frame = parse_sse(block)
                    if frame["data"]:
                        frames.append(frame)
                        if frame["event"] == "message" and int(frame["id"]) >= last_seq:
                            return frames
            else:
                raise AssertionError(f"the stream ended before event {last_seq}: {event}")


async def test_the_snapshot_and_stream_of_an_arena_carry_its_queue_and_each_encounters_ratings(tmp_path):
    await run_server(arena_configuration(tmp_path))
    events = events_of(tmp_path / "log")
    game = GAMES["ipd"]
    rules_placing = placing(game.rules(game.read_settings({})))
    middle = next(at for at, event in enumerate(events) if event["type"] == "encounter-end" and at > len(events) // 2)
    hub = WatchHub()
    writer = EventLogWriter(None, ArenaState(rules_placing))
    hub.attach(writer, game)
    for event in events[: middle + 1]:
        writer.write(event)
    writer.flush()
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, hub)
        async with trio.open_nursery() as reading:
            got: list[list[dict]] = []

            async def read() -> None:
                got.append(await strict_frames(port, len(events)))

            reading.start_soon(read)
            while not hub.watchers:  # the watcher is registered (its snapshot decided) before the rest is written
                await trio.lowlevel.checkpoint()
            feed(writer, events[middle + 1 :])
        nursery.cancel_scope.cancel()
    (frames,) = got
    snapshot = json.loads(frames[0]["data"][0])
    assert frames[0]["event"] == "snapshot" and snapshot["seq"] == middle + 1

    # the state the server folded at each point, for comparison
    expected = ArenaState(rules_placing)
    for event in events[: middle + 1]:
        expected.apply(event)
    assert snapshot["arena"]["waiting"] == expected.waiting and snapshot["arena"]["playing"] == expected.playing
    assert snapshot["arena"]["out"] == expected.out_for_good()
    shown = {encounter["encounter"]: encounter for encounter in snapshot["encounters"] if encounter["ended"]}
    assert sorted(shown) == sorted(list(expected.ended_order)[-RECENT_ENDED:])
    for index, encounter in shown.items():
        assert encounter["ratings"] == expected.encounters[index].ratings and encounter["ended_at"] == expected.encounters[index].ended_at

    # the page's fold: each player's latest row, from the snapshot's leaderboard and then each encounter-end's second line
    assert snapshot["arena"]["leaderboard"] == expected.standings()
    rows = {row["name"]: row for row in snapshot["arena"]["leaderboard"]}

    def take(ratings: list[dict]) -> None:
        for row in ratings:
            if rows.get(row["name"]) is None or rows[row["name"]]["encounters"] <= row["encounters"]:
                rows[row["name"]] = {key: value for key, value in row.items() if key != "change"}

    ends = 0
    for frame in frames[1:]:
        if frame["event"] != "message":
            continue
        event = json.loads(frame["data"][0])
        assert event == events[event["seq"] - 1]
        before = {name: expected.ratings.player(name) for name in event.get("players", []) if name in expected.ratings}
        expected.apply(event)
        if event["type"] != "encounter-end" or event["outcome"] is None:
            continue
        ends += 1
        ratings = json.loads(frame["data"][1])["ratings"]
        assert [row["name"] for row in ratings] == event["players"]
        for row in ratings:
            after = expected.ratings.player(row["name"])
            assert row == standing_json(after) | {"change": after.mu - before[row["name"]].mu}
        take(ratings)
    assert ends > 0 and any(json.loads(frame["data"][0])["type"] == "summary" for frame in frames[1:] if frame["event"] == "message")
    summary = next(event for event in events if event["type"] == "summary")
    assert sorted(rows.values(), key=lambda row: (-row["ordinal"], -row["encounters"], row["name"])) == summary["ratings"]
    assert [standing.name for standing in sorted(expected.ratings.leaderboard(), key=leaderboard_key)] == [
        row["name"] for row in summary["ratings"]
    ]


READ_ARENA = """
const rows = [...document.querySelectorAll("#leaderboard tbody tr")];
return {arena: document.body.dataset.arena, progress: document.getElementById("progress-text").textContent,
        leaderboard: rows.map((tr) => tr.dataset.player),
        lines: [...document.querySelectorAll("#arena-chart polyline")].map((line) => line.dataset.player),
        results: [...document.querySelectorAll("#arena-results li")].map((li) => Number(li.dataset.encounter)),
        queue: [...document.querySelectorAll("#arena-queue li[data-name]")].map((li) => li.dataset.name),
        links: [...document.querySelectorAll("#downloads a[download]")].filter((a) => getComputedStyle(a).display !== "none")
          .map((a) => a.getAttribute("href")),
        players: rows.length};
"""


@browser_mark
def test_the_page_shows_a_real_arenas_leaderboard_chart_and_latest_results(tmp_path: Path):
    from selenium.webdriver.support.ui import WebDriverWait

    config = {
        "game": "ipd",
        "min players": 0,
        "waiting for": 1,
        "repeat": 0,
        "event log": str(tmp_path / "log"),
        "format": {"kind": "arena", "minutes": 0.05, "pairing": "first come", "cool down": 0.2},
        "house players": HOUSE,
        "max rounds": 8,
        "watch": {"port": 0},
        "watch linger": 30,
    }
    server = ServerProcess(config)
    driver = None
    try:
        port = int(PAGE.search(wait_for_log_sync(server, "the page is at")[0])[1])
        driver = open_browser(tmp_path / "profile")
        driver.get(f"http://127.0.0.1:{port}/")
        shown = WebDriverWait(driver, WAIT, poll_frequency=0.1).until(
            lambda d: (page := d.execute_script(READ_ARENA))["arena"] == "1" and "the arena is over" in page["progress"] and page
        )
        driver.save_screenshot(str(tmp_path / "arena.png"))
        print(f"the arena's page: {tmp_path / 'arena.png'}")
        wait_for_log_sync(server, "the arena is over")
        lines = server.log_lines
        header = next(at for at, line in enumerate(lines) if "μ-3σ" in line)
        printed = [ROW.search(line.rstrip()) for line in lines[header + 1 : header + 1 + len(HOUSE)]]
        order = [match[2] for match in printed if match is not None]
        assert len(order) == len(HOUSE)
        assert shown["leaderboard"] == order
        assert shown["lines"] == order[: min(10, len(order))]
        assert shown["links"] == ["/results.json", "/crosstable.csv", "/games.ndjson", "/encounters.ndjson"]
    finally:
        if driver is not None:
            driver.quit()
        stop(server)
    events = events_of(tmp_path / "log")
    rated = [event["encounter"] for event in events if event["type"] == "encounter-end" and event["outcome"] is not None]
    assert shown["results"] == list(reversed(rated[-20:]))


STRATEGIES = ("tit-for-tat", "defector", "cooperator", "grudger")
READ_DEBUG = "return Object.assign({seq: Number(document.body.dataset.seq || -1)}, window.watchDebug, {seqs: null});"


def page_at(driver: Any, seq: int) -> dict:
    """The page's counters once it has drawn event `seq`, within WAIT seconds."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT, poll_frequency=0.05).until(lambda d: (page := d.execute_script(READ_DEBUG))["seq"] >= seq and page)


@browser_mark
async def test_the_page_keeps_a_thousand_players_leaderboard_filling_only_the_rows_that_changed(tmp_path, capsys):
    from selenium.webdriver.support.ui import WebDriverWait

    players = [[STRATEGIES[at % len(STRATEGIES)], f"p{at:04d}", ""] for at in range(1000)]
    await run_server(arena_configuration(tmp_path, minutes=0.05) | {"house players": players})
    events = events_of(tmp_path / "log")
    half = len(events) // 2
    hub, writer = watched_arena(events[:half])
    driver = await trio.to_thread.run_sync(open_browser, tmp_path / "profile")
    try:
        async with trio.open_nursery() as nursery:
            port = await start_watch(nursery, hub)
            await trio.to_thread.run_sync(driver.get, f"http://{HOST}:{port}/")
            await trio.to_thread.run_sync(page_at, driver, half)
            began = time.monotonic()
            for first in range(half, len(events), 500):  # the rest in batches, each one drawn before the next comes
                feed(writer, events[first : first + 500])
                debug = await trio.to_thread.run_sync(page_at, driver, min(first + 500, len(events)))
            caught_up = time.monotonic() - began
            waiting = hub.state.waiting
            shown = await trio.to_thread.run_sync(driver.execute_script, READ_ARENA)
            await trio.to_thread.run_sync(driver.save_screenshot, str(tmp_path / "arena-1000.png"))
            picked = shown["leaderboard"][500]  # a player far from the top, ticked for the chart
            await trio.to_thread.run_sync(
                driver.execute_script, f'document.querySelector("#leaderboard tr[data-player={picked}] input").click();'
            )
            ticked = await trio.to_thread.run_sync(
                lambda: WebDriverWait(driver, WAIT, poll_frequency=0.05).until(
                    lambda d: len(lines := d.execute_script(READ_ARENA)["lines"]) == 11 and lines
                )
            )
            nursery.cancel_scope.cancel()
    finally:
        await trio.to_thread.run_sync(driver.quit)
    summary = next(event for event in events if event["type"] == "summary")
    rated = [event["encounter"] for event in events if event["type"] == "encounter-end" and event["outcome"] is not None]
    streamed = [event for event in events[half:] if event["type"] == "encounter-end" and event["outcome"] is not None]
    assert shown["leaderboard"] == [row["name"] for row in summary["ratings"]] and shown["players"] == 1000
    assert shown["lines"] == shown["leaderboard"][:10]
    assert ticked == [*shown["leaderboard"][:10], picked], "the top 10 and the player ticked, in leaderboard order"
    assert shown["results"] == list(reversed(rated[-20:]))
    assert shown["queue"] == waiting[:200], "the page's queue is the server's (its first 200; empty if nobody waited at the end)"
    assert debug["snapshots"] == 1 and debug["gaps"] == 0
    assert debug["encounters"] == 200 < len(rated), "the page keeps the latest 200 ended encounters of the arena"
    assert debug["arenaRows"] <= 1000 + 1000 + 2 * len(streamed), "rows filled: the snapshot's, the summary's, the players of each end"
    with capsys.disabled():
        print(
            f"\n1,000 players, {len(rated)} encounters, {len(events) - half} events streamed in {caught_up:.1f} s: "
            f"{debug['renders']} frames drawn, {debug['arenaRows']} rows filled, {debug['arenaRanks']} ranks moved, "
            f"the first arena draw {debug['arenaFirstMs']:.0f} ms, the slowest after it {debug['arenaSlowestMs']:.0f} ms; "
            f"the page: {tmp_path / 'arena-1000.png'}"
        )


def watched_arena(events: list[dict]) -> tuple[WatchHub, EventLogWriter]:
    """A watch hub of an IPD arena whose writer (no log on disk) has written and published `events`; `feed` writes more."""
    game = GAMES["ipd"]
    hub = WatchHub()
    writer = EventLogWriter(None, ArenaState(placing(game.rules(game.read_settings({})))))
    hub.attach(writer, game)
    feed(writer, events)
    return hub, writer


def feed(writer: EventLogWriter, events: list[dict]) -> None:
    """Write `events` and publish them as one batch."""
    for event in events:
        writer.write(event)
    writer.flush()


def long_arena_state(events: list[dict], ratings: dict[int, Any] | None = None) -> ArenaState:
    """The arena's state after `events`, as the server folds it; into `ratings`, each encounter's ratings rows as it ends
    (the state keeps only the latest encounters)."""
    game = GAMES["ipd"]
    state = ArenaState(
        placing(game.rules(game.read_settings({}))),
        on_ended=None if ratings is None else lambda state, encounter, lines: ratings.__setitem__(encounter.index, encounter.ratings),
    )
    for event in events:
        state.apply(event)
    return state


def history_json(state: ArenaState) -> dict[str, list[list[float]]]:
    """Each player's rating history as the fold keeps it (thinned), `[t, μ - 3σ]` oldest first."""
    return {name: [[point.time, point.ordinal] for point in state.ratings.history(name)] for name in state.roster}


LONG_ARENA_MINUTES = 0.06
"""About 700 encounters of the five house players on an idle machine: well over the 250 the snapshot's test needs."""
PAGE_ARENA_MINUTES = 0.05
"""About 600 encounters on an idle machine (about 400 on a busy one): well over the 260 the page's test needs; the page
is opened 110 encounters before the end, so that it drops some and its histories stay under its thinning (400 points a
player: the test adds the points after the snapshot one by one)."""
PAGE_ENDED_KEPT = 200
"""The ended encounters of an arena the page keeps (watch.js's ARENA_ENDED_KEPT)."""


def rated_before(events: list[dict], count: int) -> int:
    """The index of the event after which `count` encounters have ended with an outcome, one still running."""
    ends = 0
    for at, event in enumerate(events):
        ends += event["type"] == "encounter-end" and event["outcome"] is not None
        if ends >= count and event["type"] == "encounter-start":
            return at
    raise AssertionError(f"the arena has fewer than {count} encounters")


async def test_the_snapshot_of_a_long_arena_holds_its_recent_encounters_and_every_players_row_history_and_count(tmp_path):
    await run_server(arena_configuration(tmp_path, minutes=LONG_ARENA_MINUTES))
    events = events_of(tmp_path / "log")
    middle = rated_before(events, 2 * RECENT_ENDED + 50)
    hub, writer = watched_arena([])
    sizes = []
    for part in (events[: rated_before(events, RECENT_ENDED + 10) + 1], events[: middle + 1]):
        feed(writer, part[hub.state.last_seq :])
        sizes.append(len(hub.snapshot_bytes()))
    snapshot = json.loads(hub.snapshot_bytes().split(b"data: ", 1)[1])
    expected = long_arena_state(events[: middle + 1])
    assert snapshot["seq"] == middle + 1

    ends = [event for event in events[: middle + 1] if event["type"] == "encounter-end"]
    rated = [event["encounter"] for event in ends if event["outcome"] is not None]
    running = {event["encounter"] for event in events[: middle + 1] if event["type"] == "encounter-start"} - {e["encounter"] for e in ends}
    shown = [encounter["encounter"] for encounter in snapshot["encounters"]]
    assert running and shown == sorted([*rated[-RECENT_ENDED:], *running]), "the running encounters and the latest 100 ended"
    kept = sorted([*[event["encounter"] for event in ends][-KEPT_ENDED:], *running])
    assert sorted(hub.state.encounters) == kept, "the fold itself keeps no more than the latest ended encounters"
    for encounter in snapshot["encounters"]:
        if encounter["ended"]:
            assert encounter["ratings"] == expected.encounters[encounter["encounter"]].ratings

    arena = snapshot["arena"]
    assert arena["ended"] == snapshot["finished"] == len(ends) > 2 * RECENT_ENDED
    assert arena["leaderboard"] == expected.standings() and [row["name"] for row in arena["leaderboard"]] == snapshot["roster"]
    assert len(arena["leaderboard"]) == len(HOUSE) and all(row["encounters"] > 0 for row in arena["leaderboard"])
    assert arena["history"] == history_json(expected)
    assert max(len(points) for points in arena["history"].values()) > RECENT_ENDED // 2, "the histories reach before the latest 100"
    culprits = collections.Counter(name for event in ends if event["outcome"] is not None for name in event["culprits"])
    assert arena["misbehaved"] == dict(culprits) == {"dan": 1}
    assert sizes[1] < 1.5 * sizes[0], f"the snapshot at 110 and at 250 encounters: {sizes} bytes"


READ_FOLD = """
return {seq: Number(document.body.dataset.seq || -1), progress: document.getElementById("progress-text").textContent,
        rows: [...document.querySelectorAll("#leaderboard tbody tr")].map((tr) => JSON.parse(tr.dataset.row)),
        histories: Object.fromEntries(Arena.debug().histories), misbehaved: Object.fromEntries(Arena.debug().misbehaved),
        results: [...document.querySelectorAll("#arena-results li")].map((li) => Number(li.dataset.encounter)),
        encounters: window.watchDebug.encounters};
"""


def page_folded(driver: Any, seq: int) -> dict:
    """The page's leaderboard, histories and counts once it has drawn event `seq`, within WAIT seconds."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT, poll_frequency=0.05).until(lambda d: (page := d.execute_script(READ_FOLD))["seq"] >= seq and page)


@browser_mark
async def test_a_page_opened_in_a_long_arena_shows_every_players_row_and_history_as_the_fold_has_them(tmp_path):
    await run_server(arena_configuration(tmp_path, minutes=PAGE_ARENA_MINUTES))
    events = events_of(tmp_path / "log")
    rated_in_all = sum(event["type"] == "encounter-end" and event["outcome"] is not None for event in events)
    opened_after = rated_in_all - (PAGE_ENDED_KEPT - RECENT_ENDED + 10)  # the page then ends with more than it keeps
    assert opened_after >= RECENT_ENDED + 50, f"the arena rated {rated_in_all} encounters; the test needs {2 * RECENT_ENDED + 60}"
    middle = rated_before(events, opened_after)
    hub, writer = watched_arena(events[: middle + 1])
    driver = await trio.to_thread.run_sync(open_browser, tmp_path / "profile")
    try:
        async with trio.open_nursery() as nursery:
            port = await start_watch(nursery, hub)
            await trio.to_thread.run_sync(driver.get, f"http://{HOST}:{port}/")
            opened = await trio.to_thread.run_sync(page_folded, driver, middle + 1)
            feed(writer, events[middle + 1 :])
            ended = await trio.to_thread.run_sync(page_folded, driver, len(events))
            nursery.cancel_scope.cancel()
    finally:
        await trio.to_thread.run_sync(driver.quit)
    then = long_arena_state(events[: middle + 1])
    assert opened["rows"] == then.standings(), "every player's row, dan's too, whose only encounter was long before"
    assert opened["histories"] == history_json(then)
    assert opened["misbehaved"] == {"dan": 1}

    # after the snapshot, a point for each player of each encounter rated, as a page that watched from the start adds them
    summary = next(event for event in events if event["type"] == "summary")
    assert ended["rows"] == summary["ratings"]
    histories = history_json(then)
    rated = [event for event in events if event["type"] == "encounter-end" and event["outcome"] is not None]
    ratings_after: dict[int, Any] = {}
    long_arena_state(events, ratings_after)
    for event in rated:
        if event["seq"] > middle + 1:
            for row in ratings_after[event["encounter"]] or []:
                histories[row["name"]].append([event["t"], row["ordinal"]])
    assert ended["histories"] == histories and ended["misbehaved"] == {"dan": 1}
    assert ended["results"] == [event["encounter"] for event in reversed(rated[-20:])]
    finished = sum(event["type"] == "encounter-end" for event in events)
    assert f"{finished} encounters finished" in ended["progress"] and finished > PAGE_ENDED_KEPT
    assert ended["encounters"] == PAGE_ENDED_KEPT, "the page keeps the latest 200 ended encounters, not every one"


async def test_a_watcher_far_behind_in_an_arena_gets_a_snapshot_not_events_of_encounters_it_has_forgotten(tmp_path):
    """Caught up from the log file, an `encounter-end` the arena has forgotten would come without its ratings: the page's
    chart would miss them. Within memory it catches up as a tournament's does."""
    await run_server(arena_configuration(tmp_path))
    events = events_of(tmp_path / "log")
    game = GAMES["ipd"]
    hub = WatchHub(memory_bytes=600)
    (tmp_path / "watched").mkdir()
    writer = EventLogWriter(tmp_path / "watched", ArenaState(placing(game.rules(game.read_settings({})))))
    hub.attach(writer, game)
    for event in events:
        writer.write(event)
    writer.flush()
    last = events[-1]["seq"]
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, hub)
        behind = await Watcher.open(port, headers=[("last-event-id", "3")])
        far = await behind.frame()
        await behind.aclose()
        near = await Watcher.open(port, headers=[("last-event-id", str(last - 1))])
        frames = await near.events_until(last)
        await near.aclose()
        nursery.cancel_scope.cancel()
    assert far is not None and far["event"] == "snapshot" and hub.from_file == 0
    assert [json.loads(frame["data"][0]) for frame in frames if frame["event"] == "message"] == events[-1:]


async def test_an_arenas_appended_files_are_served_as_they_stand_read_a_chunk_at_a_time(tmp_path, monkeypatch):
    """crosstable.csv, games.ndjson and encounters.ndjson: what the file holds, read in chunks (a long arena's file is
    never in memory whole), then what is still buffered for it; the same headers for HEAD; a tournament has no
    encounters.ndjson."""
    monkeypatch.setattr(watch_server, "SENT_CHUNK", 97)
    await run_server(arena_configuration(tmp_path))
    events = events_of(tmp_path / "log")
    game = GAMES["ipd"]
    directory = tmp_path / "watched"
    directory.mkdir()
    files = ArenaExports(directory, {game.name: game})
    state = ArenaState(placing(game.rules(game.read_settings({}))), on_ended=files.ended, rated=files.outcomes())
    writer = EventLogWriter(directory, state, arena_exports=files)
    hub = WatchHub()
    hub.attach(writer, game)
    half = len(events) // 2
    for event in events[:half]:
        writer.write(event)
    writer.flush()
    files.flush()
    for event in events[half:]:
        writer.write(event)
    writer.flush()  # folded, and buffered for the files
    appended = {"/crosstable.csv": files.table, "/games.ndjson": files.games, "/encounters.ndjson": files.encounters}
    assert all(kept.as_it_stands()[0] > 0 and kept.as_it_stands()[1] for kept in appended.values()), "part flushed, part not"
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, hub)
        served = {route: await get(port, route) for route in appended}
        heads = {route: await get(port, route, method="HEAD") for route in appended}
        nursery.cancel_scope.cancel()
    files.flush()
    for route in appended:
        body = (directory / route.removeprefix("/")).read_bytes()
        assert (served[route].status, served[route].body) == (200, body) and len(body) > 3 * watch_server.SENT_CHUNK
        assert (heads[route].status, heads[route].headers["content-length"], heads[route].body) == (200, str(len(body)), b"")
    records = [json.loads(line) for line in served["/encounters.ndjson"].body.splitlines()]
    assert [record["encounter"] for record in records] == [event["encounter"] for event in events if event["type"] == "encounter-end"]
    assert [(list(players), outcome) for players, outcome in state.rated] == [
        (record["players"], record["outcome"]) for record in records if record["status"] == "played"
    ], "the outcomes the Results are made of, read back from encounters.ndjson"
