"""An arena's event log: what it holds, its strict reading, its exports, and a killed arena resumed from it.

Each arena is xserver's own `serve` in this process among house players
of the prisoner's dilemma (short matches, first come, a breaker among
them), for 0.6 s of the arena's clock, with its event log in a temporary
directory (tests/house_server.py). The test-only hook stops the server
right after the k-th event is written, as if the process had died there.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import signal
from pathlib import Path

import pytest
import trio

from Admin.arena_manager import placing
from Admin.arena_state import KEPT_ENDED, ArenaState
from Common.strict import StructureError
from Player.configuration import LocalPlayerEntry, create_players
from Remote.configuration import read_server_configuration
from Remote.event_log_reader import EventLogReadError, read_any_log, read_log
from Remote.event_log_writer import EVENTS_FILE, EventLogWriter
from Remote.game_description import play_arena
from Remote.game_registry import DEFAULT_GAME, GAMES
from Remote.rebuild_exports import APPENDED
from Remote.rebuild_exports import main as rebuild_main
from Remote.watch import WatchHub
from Remote.watch.snapshot import RECENT_ENDED, frozen_for_standings, standings_json
from Remote.xserver import CRASH_VARIABLE
from tests.export_logs import Recording
from tests.game_conformance import configuration
from tests.house_server import events_of, run_server
from tests.processes import run_xserver

HOUSE = [["tit-for-tat", "ann", ""], ["defector", "bob", ""], ["cooperator", "cat", ""], ["grudger", "eve", ""], ["breaker", "dan", ""]]


def arena_configuration(place: Path, **format_keys) -> dict:
    return {
        "game": "ipd",
        "port": 0,
        "min players": 0,
        "waiting for": 1,
        "repeat": 0,
        "event log": str(place / "log"),
        "format": {"kind": "arena", "minutes": 0.01, "pairing": "first come", "cool down": 0.05} | format_keys,
        "house players": HOUSE,
        "max rounds": 8,
    }


def arena_directory(place: Path) -> Path:
    (directory,) = [entry for entry in (place / "log").iterdir() if entry.is_dir()]
    return directory


def read_arena(directory: Path) -> ArenaState:
    state, game, torn = read_any_log(directory / EVENTS_FILE, GAMES)
    assert isinstance(state, ArenaState) and game is GAMES["ipd"] and not torn
    return state


def fold_of(events: list[dict], place: Path) -> ArenaState:
    """The strict fold of `events`, written as a log of their own."""
    path = place / "prefix.ndjson"
    path.write_text("".join(json.dumps(event) + "\n" for event in events))
    state, _, _ = read_any_log(path, GAMES)
    assert isinstance(state, ArenaState)
    return state


async def test_an_arena_logs_its_players_encounters_and_at_its_end_the_leaderboard_and_the_results(tmp_path):
    printed = await run_server(arena_configuration(tmp_path))
    events = events_of(tmp_path / "log")
    kinds = [event["type"] for event in events]
    assert kinds[0] == "start" and kinds[-2:] == ["summary", "results"]
    assert {"arena-join", "encounter-start", "game-start", "misbehaviour", "encounter-end"} <= set(kinds)
    assert events[0]["configuration"]["format"]["kind"] == "arena"
    state = read_arena(arena_directory(tmp_path))
    assert events[-2]["ratings"] == state.standings()
    (dan,) = [row for row in state.standings() if row["name"] == "dan"]  # the breaker: kicked from its first encounter
    assert (dan["encounters"], dan["streak"]) == (1, -1)
    assert events[-1]["output"] == printed[0]
    assert state.misbehaviours[0]["name"] == "dan" and state.out_for_good() == []
    ended = [event for event in events if event["type"] == "encounter-end"]
    assert state.finished == len(ended) > 2 and not state.running
    assert sorted(state.encounters) == sorted(event["encounter"] for event in ended[-KEPT_ENDED:]), "the latest ended only"


async def test_a_killed_arena_resumed_keeps_its_ratings_and_counts_and_ends_its_running_encounter_for_nobody(tmp_path):
    """Killed as the server is killed: what it wrote is a prefix of its log, here one that ends in a game's start after
    an encounter's end (a log the crash hook leaves depends on how far the encounters got by then)."""
    config = arena_configuration(tmp_path)
    await run_server(config)
    directory = arena_directory(tmp_path)
    whole = events_of(tmp_path / "log")
    first_end = next(number for number, event in enumerate(whole) if event["type"] == "encounter-end")
    kill = next(number for number, event in enumerate(whole) if number > first_end and event["type"] == "game-start") + 1
    before_kill = whole[:kill]
    (directory / EVENTS_FILE).write_text("".join(json.dumps(event) + "\n" for event in before_kill))
    killed = fold_of(before_kill, tmp_path)
    running = [encounter.index for encounter in killed.running]
    assert killed.ended_order and running  # some ended, some ran at the kill
    for name in APPENDED:
        (directory / name).write_text("killed before it appended its encounters\n")

    await run_server({**config, "resume": True})
    after = read_arena(directory)  # the whole log, read strictly: every later join's rating is the fold's
    written = {name: (directory / name).read_text() for name in APPENDED}
    assert rebuild_main([str(directory)]) == 0
    assert written == {name: (directory / name).read_text() for name in APPENDED}, "written again from the log"
    assert written["games.ndjson"] == "".join(line + "\n" for line in after.game_lines) != ""
    events = events_of(tmp_path / "log")
    assert events[:kill] == before_kill
    assert events[kill] == {**events[kill], "type": "resume", "returned": [], "absent": sorted({*killed.waiting, *killed.playing})}
    resumed_by = events[kill + 1 : kill + 1 + len(running) + len(killed.waiting)]
    assert [event["type"] for event in resumed_by] == ["encounter-end"] * len(running) + ["arena-leave"] * len(killed.waiting)
    assert [event["encounter"] for event in resumed_by if event["type"] == "encounter-end"] == running
    assert all(event["outcome"] is None for event in resumed_by if event["type"] == "encounter-end")
    at_resume = fold_of(events[: kill + 1 + len(resumed_by)], tmp_path)
    assert at_resume.standings() == killed.standings() and at_resume.ended_order == killed.ended_order
    assert at_resume.misbehaviours == killed.misbehaviours and at_resume.waiting == at_resume.playing == []
    records = {record["encounter"]: record for record in map(json.loads, written["encounters.ndjson"].splitlines())}
    assert events[-1]["type"] == "results" and len(records) == after.finished
    assert (records[running[0]]["status"], records[running[0]]["outcome"], records[running[0]]["ratings"]) == ("interrupted", None, None)


async def test_a_resumed_arena_whose_minutes_are_over_ends_at_once_with_the_ratings_it_had(tmp_path):
    """The arena's minutes are counted from its opening on the log's clock, the time the server was down included."""
    config = arena_configuration(tmp_path)
    await run_server(config, crash_after=60)
    directory = arena_directory(tmp_path)
    path = directory / EVENTS_FILE
    earlier = [{**event, "t": round(event["t"] - 3600, 3)} for event in events_of(tmp_path / "log")]  # killed an hour ago
    path.write_text("".join(json.dumps(event) + "\n" for event in earlier))
    killed = fold_of(earlier, tmp_path)

    printed = await run_server({**config, "resume": True})
    events = events_of(tmp_path / "log")
    after = [event["type"] for event in events[60:]]
    assert "encounter-start" not in after and after[-2:] == ["summary", "results"]
    assert events[-2]["ratings"] == killed.standings() and events[-1]["output"] == printed[0]
    assert await run_server({**config, "resume": True}) == printed  # ended: the same output again, nothing written
    assert events_of(tmp_path / "log") == events


async def test_the_exports_of_an_arena_hold_the_leaderboard_and_a_line_per_ended_encounter_and_rebuild_from_its_log(tmp_path, capsys):
    await run_server(arena_configuration(tmp_path))
    directory = arena_directory(tmp_path)
    state = read_arena(directory)
    ended = [event for event in events_of(tmp_path / "log") if event["type"] == "encounter-end"]
    written = {name: (directory / name).read_text() for name in ("results.json", *APPENDED)}
    results = json.loads(written["results.json"])
    assert results["kind"] == "arena" and results["finished"] and results["standings"] == state.standings()
    assert [row["name"] for row in results["standings"]] == list(state.roster)
    assert set(results["standings"][0]) == {"name", "mu", "sigma", "ordinal", "encounters", "streak"}
    assert (results["ended"], results["running"]) == (len(ended), []) and "encounters" not in results
    records = [json.loads(line) for line in written["encounters.ndjson"].splitlines()]
    assert [(record["encounter"], record["outcome"], record["culprits"]) for record in records] == [
        (event["encounter"], event["outcome"], event["culprits"]) for event in ended
    ], "a line per ended encounter, in the order they ended"
    assert [row["name"] for row in records[-1]["ratings"]] == ended[-1]["players"] and records[-1]["status"] == "played"
    rows = list(csv.reader(io.StringIO(written["crosstable.csv"])))
    assert rows[0] == ["encounter", "started", "ended", "players", "status", "result", "culprits"]
    assert [int(row[0]) for row in rows[1:]] == [event["encounter"] for event in ended]
    assert len(written["games.ndjson"].splitlines()) == len(state.game_lines) == len(ended)
    for name in written:
        (directory / name).unlink()
    assert rebuild_main([str(directory)]) == 0
    assert {name: (directory / name).read_text() for name in written} == written
    assert capsys.readouterr().out.endswith("(finished)\n")
    assert rebuild_main([str(tmp_path / "log")]) == 0
    assert "ended        5 players  an arena, " in capsys.readouterr().out


async def test_a_running_arena_appends_each_encounters_games_as_it_ends_and_keeps_none_in_memory(tmp_path):
    await run_server(arena_configuration(tmp_path))
    events = events_of(tmp_path / "log")
    game = GAMES["ipd"]
    handed: list[tuple[int, list[str]]] = []
    state = ArenaState(
        placing(game.rules(game.read_settings({}))), on_ended=lambda state, encounter, lines: handed.append((encounter.index, lines))
    )
    for event in events:
        state.apply(event)
    assert state.game_lines == [] and [encounter for encounter, _ in handed] == [
        event["encounter"] for event in events if event["type"] == "encounter-end"
    ]
    written = (arena_directory(tmp_path) / "games.ndjson").read_text()
    assert written == "".join(line + "\n" for _, lines in handed for line in lines) and len(handed) > 2


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda event: event["type"] == "arena-join" and {**event, "rating": 3.5}, "its rating is"),
        (lambda event: event["type"] == "summary" and {**event, "ratings": event["ratings"][::-1]}, "summary's ratings"),
        (lambda event: event["type"] == "encounter-end" and event["culprits"] and {**event, "culprits": []}, "culprits"),
        (lambda event: event["type"] == "encounter-start" and {**event, "meeting": 3}, "meeting"),
        (lambda event: event["type"] == "encounter-end" and {**event, "outcome": None}, "unless the server died"),
        (lambda event: event["type"] == "arena-join" and {**event, "name": "not a name!"}, "not a name"),
    ],
)
async def test_a_broken_arena_log_is_refused_with_one_line_naming_its_line(change, words, tmp_path):
    await run_server(arena_configuration(tmp_path))
    events = events_of(tmp_path / "log")
    number, broken = next((number, changed) for number, event in enumerate(events, 1) if (changed := change(event)))
    path = tmp_path / "broken.ndjson"
    path.write_text("".join(json.dumps(broken if seq == number else event) + "\n" for seq, event in enumerate(events, 1)))
    with pytest.raises(EventLogReadError) as refused:
        read_any_log(path, GAMES)
    assert str(refused.value).startswith(f"line {number}: ") and words in str(refused.value) and "\n" not in str(refused.value)


async def test_a_tournament_reader_refuses_an_arena_log(tmp_path):
    await run_server(arena_configuration(tmp_path))
    with pytest.raises(EventLogReadError, match=r"^line 1: the log of an arena"):
        read_log(arena_directory(tmp_path) / EVENTS_FILE, GAMES)


async def test_the_watch_hub_shows_an_arenas_encounters_and_its_leaderboard(tmp_path):
    await run_server(arena_configuration(tmp_path))
    events = events_of(tmp_path / "log")
    game = GAMES["ipd"]
    hub = WatchHub()
    writer = EventLogWriter(None, ArenaState(placing(game.rules(game.read_settings({})))))
    hub.attach(writer, game)
    (misbehaved,) = [at for at, event in enumerate(events) if event["type"] == "encounter-end" and event["culprits"]]
    for event in events[: misbehaved + 1]:
        writer.write(event)
    writer.flush()
    snapshot = json.loads(hub.snapshot_bytes().split(b"data: ", 1)[1])
    (shown,) = [encounter for encounter in snapshot["encounters"] if encounter.get("culprits")]
    assert shown["words"]["dan"] == "irregular" and snapshot["arena"]["misbehaved"] == {"dan": 1}
    for event in events[misbehaved + 1 :]:
        writer.write(event)
    writer.flush()
    snapshot = json.loads(hub.snapshot_bytes().split(b"data: ", 1)[1])
    assert snapshot["seq"] == len(events) and snapshot["results"]["output"] == events[-1]["output"]
    assert [row["name"] for row in events[-2]["ratings"]] == snapshot["roster"]
    rated = [event["encounter"] for event in events if event["type"] == "encounter-end" and event["outcome"] is not None]
    assert [encounter["encounter"] for encounter in snapshot["encounters"]] == sorted(rated[-RECENT_ENDED:])
    assert snapshot["arena"]["leaderboard"] == events[-2]["ratings"] and snapshot["arena"]["misbehaved"] == {"dan": 1}
    assert all(encounter["ended"] and encounter["words"] for encounter in snapshot["encounters"])
    assert standings_json(frozen_for_standings(hub.state), game)["rows"] == events[-2]["ratings"]


def test_an_arena_may_keep_an_event_log_and_a_watch_page_but_no_ratings_file(tmp_path):
    config = arena_configuration(tmp_path) | {"watch": {"port": 0}}
    read = read_server_configuration(json.dumps(config), GAMES, "ipd")
    assert read.event_log == config["event log"] and read.watch is not None
    with pytest.raises(StructureError, match='"ratings out"'):
        read_server_configuration(json.dumps(config | {"ratings out": str(tmp_path / "r.json")}), GAMES, "ipd")


def test_a_real_xserver_killed_with_sigkill_in_its_arena_resumes_with_the_ratings_it_had(tmp_path):
    config = arena_configuration(tmp_path)
    killed_run = run_xserver(config, {CRASH_VARIABLE: "60"})
    assert killed_run.returncode == -signal.SIGKILL, killed_run.stderr
    killed_events = events_of(tmp_path / "log")
    killed = fold_of(killed_events, tmp_path)
    resumed_run = run_xserver({**config, "resume": True})
    assert resumed_run.returncode == 0, resumed_run.stderr
    assert "resume: arena " in resumed_run.stderr and "each comes back by signing up again" in resumed_run.stderr
    events = events_of(tmp_path / "log")
    assert events[:60] == killed_events and events[60]["type"] == "resume"
    gone = 1 + len(killed.running) + len(killed.waiting)  # the resume, the interrupted ends, the waiting players' leaves
    assert fold_of(events[: 60 + gone], tmp_path).standings() == killed.standings()
    assert json.loads(resumed_run.stdout) == read_arena(arena_directory(tmp_path)).results["output"]


async def test_a_tournaments_log_with_an_arenas_event_is_refused_naming_its_line(tmp_path):
    await run_server(configuration(DEFAULT_GAME, tmp_path))
    events = events_of(tmp_path / "log")
    joined = [*events[:3], {"seq": 4, "t": events[3]["t"], "type": "arena-join", "name": "ann", "rating": 0.0, "opponent": None}]
    path = tmp_path / "mixed.ndjson"
    path.write_text("".join(json.dumps(event) + "\n" for event in joined))
    with pytest.raises(EventLogReadError, match=r"^line 4: event 4 \(arena-join\): an arena's event in a tournament's log"):
        read_log(path, GAMES)


async def test_after_its_results_an_arena_takes_nobody_and_logs_nothing_more(tmp_path):
    """Late sign-ups and closed connections after the Results write no event: the log ends with them, readable."""
    game = GAMES["ipd"]
    config = read_server_configuration(json.dumps(arena_configuration(tmp_path)), GAMES, DEFAULT_GAME)
    assert config.event_format.arena is not None
    recording = Recording()
    arenas = []

    async def feed(arena) -> None:
        arenas.append(arena)
        for name, player in create_players(config.house_players, "house players", game.players):
            arena.join(name, player)
        await trio.sleep_forever()

    arena_log = logging.getLogger("test")
    await play_arena(game, config.settings, config.event_format.arena, 5.0, arena_log, lambda text: None, feed, event_log=recording)
    (arena,) = arenas
    written = list(recording.events)
    assert written[-1]["type"] == "results"
    ((_, late),) = create_players([LocalPlayerEntry("tit-for-tat", "zed", "")], "late", game.players)
    assert arena.join("zed", late) == "the arena is over"
    for _, name, _ in HOUSE:
        arena.left(name)
    assert recording.events == written
