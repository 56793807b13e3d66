"""The watch stream of an event played in stages, read by a strict client: the stages, the summary, and the summary so far.

Events of every staged format (tests/format_examples.py, and a gauntlet
stopped by an SPRT) among each game's watched house players (one of whom
breaks a rule) run in this process; a watcher written with h11
(tests/watch_client.py) reads the stream from before the start to the
final standings. The oracle is the log: every `standings` frame is the
fold of the log up to its seq through `standings_json`, and once every
stage has ended the summary so far is the one the manager wrote (the
`summary` event), ratings and format alike.

The events are played one encounter at a time (`concurrent=False`): two
encounters of a stage ending at once may make the manager start one of
them again (found while writing these tests; Admin/manager.py), which is
not the page's to show.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import trio

from Admin.formats.settings import read_format
from Admin.tournament_state import fold
from Remote.event_log_writer import EventLogWriter
from Remote.game_description import Game, play_tournament
from Remote.game_registry import DEFAULT_GAME, GAMES
from Remote.watch import WatchHub
from Remote.watch.routes import STATIC
from Remote.watch.snapshot import standings_json
from tests.format_examples import example_format
from tests.game_conformance import kit_of, log
from tests.watch_client import Watcher, get, log_events, start_watch

SPRT = {"kind": "gauntlet", "candidates": ["first"], "cycles": 4, "sprt": {"elo0": 0, "elo1": 200, "alpha": 0.1, "beta": 0.1}}
FORMATS = {kind: example_format(kind) for kind in ("swiss", "knock-out", "gauntlet")} | {"gauntlet with an SPRT": SPRT}


def players_for(game: Game, event_format: dict[str, Any]) -> tuple[list, dict[str, Any]]:
    """The game's watched house players and the format among them: a gauntlet's candidate is the first player;
    for an SPRT, one honest opponent of it."""
    players = kit_of(game).watch_players()
    if event_format["kind"] != "gauntlet":
        return players, event_format
    named = event_format | {"candidates": [players[0][0]]}
    return ([players[0], players[2]] if "sprt" in event_format else players), named


async def play_staged(
    game: Game, players: list, event_format: dict[str, Any], event_log: EventLogWriter, settings: dict[str, Any] | None = None
) -> None:
    """The tournament of `players` in `event_format` as xserver plays it, with the game's `settings` (default: the kit's watched ones)."""
    await play_tournament(
        game,
        game.read_settings(kit_of(game).watch_settings if settings is None else settings),
        players,
        60.0,
        log,
        concurrent=False,
        event_log=event_log,
        configuration={"format": event_format},
        event_format=read_format(event_format),
    )


async def watch_an_event(game: Game, event_format: dict[str, Any], directory: Path) -> tuple[list[dict], dict]:
    """The frames a strict watcher reads from before the start to the final standings, and a snapshot taken at the end."""
    hub, event_log = WatchHub(), EventLogWriter(directory)
    frames: list[dict] = []
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, hub)
        hub.attach(event_log, game)
        watcher = await Watcher.open(port)
        nursery.start_soon(event_log.run)
        nursery.start_soon(play_staged, game, *players_for(game, event_format), event_log)
        results = None
        while True:
            frame = await watcher.frame()
            assert frame is not None, "the stream ended early"
            frames.append(frame)
            data = json.loads(frame["data"][0])
            if frame["event"] == "message" and data["type"] == "results":
                results = data["seq"]
            if frame["event"] == "standings" and results is not None and data["seq"] >= results:
                break
        await watcher.aclose()
        late = await Watcher.open(port)
        snapshot = json.loads((await late.frame())["data"][0])
        await late.aclose()
        nursery.cancel_scope.cancel()
    return frames, snapshot


@pytest.mark.parametrize("kind", sorted(FORMATS))
@pytest.mark.parametrize("game_name", sorted(GAMES))
async def test_the_standings_of_a_staged_event_carry_the_summary_so_far_which_ends_as_the_summary_event(game_name, kind, tmp_path):
    game = GAMES[game_name]
    frames, snapshot = await watch_an_event(game, FORMATS[kind], tmp_path)
    events = log_events(tmp_path)
    end = fold(events)
    assert end.stages and end.summary is not None and end.summary["format"]["kind"] == FORMATS[kind]["kind"]
    standings = [json.loads(frame["data"][0]) for frame in frames if frame["event"] == "standings"]
    for shown in standings:
        assert shown == standings_json(fold(events[: shown["seq"]]), game), f"the standings as of event {shown['seq']}"
        assert shown["ratings"] is not None and shown["format"] is not None and shown["format"]["kind"] == FORMATS[kind]["kind"]
    last = standings[-1]
    assert (last["ratings"], last["format"]) == (end.summary["ratings"], end.summary["format"]), "the summary so far ends as it"
    first_stage_over = (
        next(event["seq"] for event in events if event["type"] == "stage" and event["stage"] == 2) if len(end.stages) > 1 else None
    )
    if first_stage_over is not None:
        mid = standings_json(fold(events[:first_stage_over]), game)
        assert mid is not None and mid["ratings"] != end.summary["ratings"], "the ratings so far are those of the encounters so far"
    assert snapshot["stages"] == [{k: v for k, v in e.items() if k not in ("seq", "t", "type")} for e in events if e["type"] == "stage"]
    assert snapshot["summary"] == end.summary
    assert snapshot["standings"] == last


async def test_a_round_robin_has_ratings_so_far_that_end_as_the_summary_events_and_no_format(tmp_path):
    game = GAMES[DEFAULT_GAME]
    frames, snapshot = await watch_an_event(game, {"kind": "round robin", "cycles": 1}, tmp_path)
    standings = [json.loads(frame["data"][0]) for frame in frames if frame["event"] == "standings"]
    assert standings and all(shown["format"] is None and shown["ratings"] is not None for shown in standings)
    assert snapshot["stages"] == [] and snapshot["summary"]["format"] is None
    assert standings[-1]["ratings"] == snapshot["summary"]["ratings"]


async def test_a_knock_out_seeded_by_an_earlier_events_ratings_has_ratings_so_far_but_no_bracket_before_its_summary(tmp_path):
    """Its seeds are in a file the log only names: the page draws the bracket from the stages until the summary comes."""
    game = GAMES[DEFAULT_GAME]
    by_rating = {"kind": "knock-out", "seeding": "rating", "ratings": "earlier.json"}
    event_log = EventLogWriter(tmp_path)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(event_log.run)
        await play_staged(game, kit_of(game).watch_players(), by_rating, event_log)
        nursery.cancel_scope.cancel()
    event_log.close()
    events = log_events(tmp_path)
    ended = max(event["seq"] for event in events if event["type"] == "encounter-end")
    so_far = standings_json(fold(events[:ended]), game)
    assert so_far is not None and so_far["ratings"] and so_far["format"] is None


async def test_the_page_loads_the_script_that_draws_the_format():
    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, WatchHub())
        page, script = await get(port, "/"), await get(port, "/formats.js")
        assert (script.status, script.headers["content-type"], script.body) == (200, "text/javascript; charset=utf-8", STATIC["formats.js"])
        assert '<script src="/formats.js" defer></script>' in page.body.decode()
        nursery.cancel_scope.cancel()
