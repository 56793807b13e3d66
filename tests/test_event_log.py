"""The event log: the fold equals the manager's live state at every event, folds compose, seq has no gap, the writer.

The live-state test runs the real manager and referee of every game of the
registry with a journal that folds each event as it is written and compares
the fold's Progress with the manager's right then (its players: the game's
honest kind and the misbehaving kinds of the kit's house players,
tests/game_conformance.py). The writer tests use a real file in a temporary
directory.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import trio
import trio.lowlevel
from hypothesis import given, settings
from hypothesis import strategies as st

from Admin.event_log import EventLog
from Admin.formats.settings import DEFAULT as DEFAULT_FORMAT
from Admin.formats.settings import FormatSettings, read_format
from Admin.manager import TournamentManager
from Admin.tournament_state import EventError, TournamentState, fold
from Player.configuration import LocalPlayerEntry, create_players
from Remote.event_log_reader import read_events
from Remote.event_log_writer import EVENTS_FILE, EventLogError, EventLogWriter, LogDirectory
from Remote.game_description import with_format
from Remote.game_registry import DEFAULT_GAME, GAMES
from tests.format_examples import example_format, format_kinds
from tests.game_conformance import kit_of


def house(game_name: str) -> list[tuple[str, str]]:
    """Honest players, and bob and dan of the two misbehaving kinds of the kit's house players; a second "ann" to rename."""
    kit = kit_of(GAMES[game_name])
    (_, breaker, silent) = [kind for kind, _, _ in kit.house[:3]]
    return [(kit.honest, "ann"), (breaker, "bob"), (kit.honest, "cat"), (silent, "dan"), (kit.honest, "ann")]


class FoldingJournal(EventLog):
    """Folds every event as it is written and checks the fold against the manager's state at that moment."""

    def __init__(self) -> None:
        self.state = TournamentState()
        self.events: list[dict] = []
        self.manager: TournamentManager | None = None
        self.compared = 0

    def write(self, event: dict) -> None:
        event = {"seq": len(self.events) + 1, "t": 0.0, **event}
        self.events.append(json.loads(json.dumps(event)))  # what the file would hold
        self.state.apply(self.events[-1])
        if self.manager is not None and self.manager._current is not None and self.state.roster is not None:
            assert self.manager.progress() == self.state.progress(), f"after event {event['seq']} ({event['type']})"
            self.compared += 1


async def run_logged(game_name: str, concurrent: bool = True, event_format: FormatSettings = DEFAULT_FORMAT) -> FoldingJournal:
    game = GAMES[game_name]
    configured = game.read_settings(kit_of(game).own)
    settings, _ = game.prepare(configured)
    journal = FoldingJournal()
    rules, staged = with_format(game.rules(settings), event_format)
    referee = game.make_referee(settings, 0.2, journal.write)
    manager = TournamentManager(
        None if game.group_game else referee,  # type: ignore[arg-type]  # a two-player game's referee
        rules,
        time_per_call=0.2,
        concurrent=concurrent,
        event_log=journal,
        output=lambda results: game.output(results, settings),
        event_format=staged,
        group_referee=referee if game.group_game else None,  # type: ignore[arg-type]  # a game of more than two players a game
    )
    journal.manager = manager
    players = create_players([LocalPlayerEntry(kind, name, "") for kind, name in house(game_name)], "house players", game.players)
    await manager.run(players)
    return journal


@pytest.mark.parametrize("concurrent", [True, False])
@pytest.mark.parametrize("game", sorted(GAMES))
async def test_the_fold_of_the_events_equals_the_managers_state_at_every_event(game, concurrent):
    journal = await run_logged(game, concurrent)
    assert journal.compared > 10
    state = journal.state
    assert state.results is not None and state.finished == state.total
    assert set(state.out) == {"bob", "dan"}
    assert [event["seq"] for event in journal.events] == list(range(1, len(journal.events) + 1))


@pytest.mark.parametrize("concurrent", [True, False])
@pytest.mark.parametrize("kind", format_kinds())
@pytest.mark.parametrize("game", sorted(GAMES))
async def test_in_every_format_the_fold_of_the_events_equals_the_managers_state_at_every_event(game, kind, concurrent):
    journal = await run_logged(game, concurrent, read_format(example_format(kind)))
    state = journal.state
    assert journal.compared > 5
    assert state.results is not None and state.finished == state.total
    assert state.summary is not None and [row["name"] for row in state.summary["ratings"]] != []
    assert "bob" in state.out
    if read_format(example_format(kind)).staged:
        assert state.stages and state.total == sum(len(stage["pairings"]) for stage in state.stages)


@pytest.fixture(scope="module")
def logged_events() -> list[dict]:
    return trio.run(run_logged, DEFAULT_GAME).events


@settings(max_examples=60, deadline=None)
@given(split=st.integers(min_value=0, max_value=10**6))
def test_the_fold_of_a_prefix_then_the_rest_equals_the_fold_of_the_whole(logged_events, split):
    split %= len(logged_events) + 1
    state = fold(logged_events[:split])
    for event in logged_events[split:]:
        state.apply(event)
    assert state == fold(logged_events)


@settings(max_examples=60, deadline=None)
@given(position=st.integers(min_value=0, max_value=10**6), how=st.sampled_from(["drop", "repeat", "renumber"]))
def test_a_gap_or_a_repeat_in_seq_is_refused_naming_the_event(logged_events, position, how):
    position %= len(logged_events) - 1
    events = [dict(event) for event in logged_events]
    if how == "drop":
        del events[position]
    elif how == "repeat":
        events.insert(position, dict(events[position]))
    else:
        events[position]["seq"] += 1
    with pytest.raises(EventError, match=r"follows event \d+"):
        fold(events)


def test_no_event_is_written_twice_and_each_game_becomes_one_record(logged_events):
    bodies = [json.dumps({k: v for k, v in event.items() if k not in ("seq", "t")}, sort_keys=True) for event in logged_events]
    game_events = [body for body in bodies if '"game": ' in body and '"encounter": ' in body]
    assert len(set(game_events)) == len(game_events)
    state = fold(logged_events)
    starts = [event for event in logged_events if event["type"] == "game-start"]
    assert len(state.game_lines) == len(starts) and not state.running


async def test_the_writer_numbers_stores_and_syncs_events_before_an_end_can_be_learnt(tmp_path):
    directory = LogDirectory(tmp_path / "log")
    tournament = directory.new_tournament()
    published: list[list[str]] = []
    log = EventLogWriter(tournament)
    log.subscribers.append(lambda events, lines: published.append(lines))
    async with trio.open_nursery() as nursery:
        nursery.start_soon(log.run)
        log.write({"type": "start", "version": 1, "tournament": log.tournament, "game": DEFAULT_GAME, "configuration": {}, "settings": {}})
        for name in ("ann", "bob"):
            log.write({"type": "sign-up", "requested": name, "assigned": name})
        log.write({"type": "roster", "players": ["ann", "bob"], "encounters": 1})
        log.write({"type": "misbehaviour", "name": "bob", "kind": "broken", "reason": "gone", "encounter": None})
        log.write({"type": "encounter-end", "encounter": 0, "players": ["ann", "bob"], "outcome": None, "culprits": []})
        await log.durable()
        on_disk, torn = read_events(tournament / EVENTS_FILE)
        assert [event["seq"] for event in on_disk] == [1, 2, 3, 4, 5, 6] and not torn
        assert [line for lines in published for line in lines] == [json.dumps(event, separators=(",", ":")) for event in on_disk]
        assert log.state.finished == 1
        nursery.cancel_scope.cancel()
    log.close()
    directory.close()


def test_tournament_directories_sort_in_the_order_they_were_made(tmp_path):
    directory = LogDirectory(tmp_path)
    try:
        made = [directory.new_tournament(now=1_800_000_000) for _ in range(12)]
        made.append(directory.new_tournament(now=1_700_000_000))  # a clock set back still sorts last
        for path in made:
            (path / EVENTS_FILE).write_text("")
        assert directory.tournaments() == made
    finally:
        directory.close()
    assert os.path.exists(tmp_path / ".lock")


async def test_after_a_stop_nothing_more_is_written_and_the_stop_is_the_last_line(tmp_path):
    directory = LogDirectory(tmp_path / "log")
    tournament = directory.new_tournament()
    log = EventLogWriter(tournament)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(log.run)
        log.write({"type": "start", "version": 1, "tournament": log.tournament, "game": DEFAULT_GAME, "configuration": {}, "settings": {}})

        log.write({"type": "sign-up", "requested": "ann", "assigned": "ann"})
        log.write({"type": "sign-up", "requested": "bob", "assigned": "bob"})
        log.write({"type": "roster", "players": ["ann", "bob"], "encounters": 1})
        log.write({"type": "encounter-start", "encounter": 0, "players": ["ann", "bob"], "repetition": 0, "meeting": 0})
        log.write({"type": "game-start", "encounter": 0, "game": 0, "players": ["ann", "bob"]})
        playing = trio.Event()

        async def a_referee_still_playing() -> None:  # the tournament goes on until the stop reaches it
            while True:
                log.write({"type": "round", "encounter": 0, "game": 0, "round": 1, "moves": ["C", "C"]})
                playing.set()
                await trio.lowlevel.checkpoint()

        nursery.start_soon(a_referee_still_playing)
        await playing.wait()
        await log.stop("signal")
        nursery.cancel_scope.cancel()
    events, torn = read_events(tournament / EVENTS_FILE)
    assert events[-1]["type"] == "stop" and not torn
    assert [event["seq"] for event in events] == list(range(1, len(events) + 1))
    directory.close()


def test_a_log_directory_that_cannot_be_written_is_refused_at_once_in_one_line(tmp_path, monkeypatch):
    (tmp_path / "log").mkdir()
    (tmp_path / "log" / ".lock").write_text("")  # already there: opening it succeeds, making a tournament would not

    mkdir = Path.mkdir

    def refuse_anything_new(path, *args, **kwargs):  # as chmod 555 does for anyone but root
        if path.exists():
            return mkdir(path, *args, **kwargs)
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(Path, "mkdir", refuse_anything_new)
    with pytest.raises(EventLogError) as refused:
        LogDirectory(tmp_path / "log")
    assert str(refused.value) == f"cannot write in the event log {tmp_path / 'log'}: Permission denied"
    monkeypatch.undo()
    LogDirectory(tmp_path / "log").close()  # nothing left behind, nothing held
    assert sorted(os.listdir(tmp_path / "log")) == [".lock"]
