"""The conformance kit: checks that any game of the registry plays by the host's rules, each taking a Game.

The idea of trio.testing's check_two_way_stream: a check is handed the
thing to judge (here a Game, `Remote.game_registry.GAMES[name]`) and runs the same
tournament-level checks on every game: a loopback tournament of its
built-in players over TCP, a misbehaving player kicked with its reason, the
event log folded and resumed after stops at events throughout, the exports
rebuilt byte for byte, the watch snapshot equal to the fold, and the
layout rule. tests/test_conformance.py calls each check for every game of
the registry, so a game added there is under all of them.

What a Game does not say (which built-in kind plays honestly,
settings that keep a tournament short, players that misbehave
late) is in KITS, the one per-game table here, which a new game fills in;
`kit_of` fails naming the missing entry.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest
import trio

from Admin.tournament_state import fold
from Common.fish.replay import record_events
from Common.fish.replay import replay as replay_fish_game
from Common.fish.wire import outcome_to_json as fish_outcome_to_json
from Common.ipd.chance import MatchKey
from Common.ipd.replay import replay as replay_ipd_match
from Common.santorini.replay import replay as replay_santorini_game
from Player.configuration import LocalPlayerEntry, create_players
from Remote import client, encounter_loop, hosting
from Remote.cli import EXIT_DONE
from Remote.configuration import read_client_configuration, read_server_configuration
from Remote.event_log_reader import read_events
from Remote.event_log_writer import EVENTS_FILE, EventLogWriter
from Remote.exports import CROSSTABLE_CSV, GAMES_NDJSON, RESULTS_JSON, TOURNAMENT_TRF, structure_export
from Remote.game_description import Game, play_tournament
from Remote.game_registry import DEFAULT_GAME, GAMES
from Remote.loopback import PROJECT_ROOT, ServerProcess, run_clients
from Remote.watch import WatchHub
from Remote.watch.snapshot import encounter_words, standings_json
from tests import export_logs
from tests.export_logs import ExportKit
from tests.house_server import events_of, run_server
from tests.page_kit import (
    FISH_SETTINGS,
    PageKit,
    fish_board,
    fish_cell,
    fish_players,
    fish_running,
    fish_tournament,
    ipd_board,
    ipd_cell,
    ipd_running,
    ipd_tournament,
    santorini_board,
    santorini_cell,
    santorini_players,
    santorini_running,
    santorini_tournament,
)
from tests.test_layout import PLAYER_FILES, ROOT, game_of, imports, sources
from tests.test_layout import name as module_name
from tests.watch_client import HOST, Watcher, log_events, start_watch, state_from_snapshot, when_seq, without_game_lines

log = logging.getLogger("test-watch")
TIME_LIMIT = 120.0
"""Seconds a loopback tournament's processes may take before the check fails (a bound, not a measure)."""


@attrs.frozen
class GameKit:
    """What the kit needs to know of one game that its Game does not say."""

    honest: str
    """A built-in kind that plays by the rules (the misbehaving ones are the game's: `GamePlayers.misbehaving`)."""
    own: dict[str, Any]
    """The game's own configuration keys for a short tournament of house players (a seed where it draws)."""
    house: tuple[tuple[str, str, str], ...]
    """Five house players for the resume tournament: an honest one, the misbehaving kind, a silent one, `{slow}`, `{breaker}`."""
    slow_player: str
    """A player file: plays by the rules, taking its time."""
    late_breaker: str
    """A player file: plays by the rules until it meets "dan", its last opponent, so its earlier win is revised."""
    watch_players: Callable[[], list]
    """The players of the watched tournament: one misbehaves (a revision where the game has them)."""
    watch_settings: dict[str, Any]
    replay: Callable[[dict, Any, Any], dict]
    """A `games.ndjson` line replayed through Common's rules to its end: (line, settings, its encounter)."""
    outcomes: Callable[[Any], list]
    """The outcomes in xserver's output line."""
    received: Callable[[Any], Any]
    """What xclients prints of the Results whose xserver output line is given."""
    received_in_arena: Callable[[Any, str], Any]
    """What xclients prints of an arena's Results whose xserver output line is given, when its first player is `name`:
    the Results narrowed to that player's encounters where they list outcomes (TournamentRules.narrowed)."""
    names: tuple[str, str]
    """Two names at the edge of the game's name rule (the sign-up with tokens plays them)."""
    page: PageKit
    """What the watch page shows of the game (the browser tests)."""
    exports: ExportKit
    """How the game's scripted tournaments are played (the exports' tests)."""
    variants: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    """Further keys of the resume tournament worth a run of their own."""
    exports_keys: dict[str, Any] = attrs.field(factory=dict)
    """Keys added to the resume tournament for the exports check."""
    revises: bool = True
    """Whether a misbehaviour revises earlier outcomes in the game (Fish: never; its resume tournament has no revision)."""
    arrival_dependent: frozenset[str] = frozenset()
    """Misbehaving kinds whose verdict depends on when their bytes arrive, not on the loop that reads them (the IPD's
    flooder: its flood is judged with its answer, or, when a loaded machine made that answer late (a forfeit, "time
    per move" 0.2 s), as a late copy and then at its next match's start); the comparison of the two loops leaves them out."""


SANTORINI_SLOW = '''
"""A good player that takes its time (well within the time limit)."""
import time
from Player.santorini.strategic import GoodStrategy

class Slow(GoodStrategy):
    def take_turn(self, me, board):
        time.sleep(0.005)
        return super().take_turn(me, board)

def make_strategy():
    return Slow()
'''

SANTORINI_LATE_BREAKER = '''
"""A good player that breaks the rules in its encounter with dan, its last: its earlier win is revised."""
from Player.santorini.strategic import GoodStrategy

class BreaksAgainstDan(GoodStrategy):
    def start_encounter(self, me, opponent):
        if opponent == "dan":
            raise RuntimeError("not against dan")

def make_strategy():
    return BreaksAgainstDan()
'''

IPD_LATE_BREAKER = '''
"""A tit-for-tat that answers "B" in its match with dan, its last: its earlier match is revised."""
from Player.ipd.classics import TitForTat

class BreaksAgainstDan(TitForTat):
    def start_match(self, me, opponent):
        self.opponent = opponent

    def move(self, me, round, prev):
        return "B" if self.opponent == "dan" else super().move(me, round, prev)

def make_strategy():
    return BreaksAgainstDan()
'''

IPD_SLOW = '''
"""A tit-for-tat that takes its time (well within the time per move)."""
import time
from Player.ipd.classics import TitForTat

class Slow(TitForTat):
    def move(self, *args):
        time.sleep(0.002)
        return super().move(*args)

def make_strategy():
    return Slow()
'''


FISH_SLOW = '''
"""A greedy player that takes its time (well within the time limit)."""
import time
from Player.fish.greedy import Greedy

class Slow(Greedy):
    def move(self, state, actions):
        time.sleep(0.005)
        return super().move(state, actions)

def make_strategy():
    return Slow()
'''

FISH_LATE_BREAKER = '''
"""A greedy player that answers a placement with a hole in a game where it plays white (seated second): in the kit's
tournament it plays red in its first game, so it breaks in a later round, if it gets there. Its choices depend only on
what the calls say, so a resumed tournament plays as the uninterrupted one."""
from Common.fish.geometry import Position
from Common.fish.state import Color
from Player.fish.greedy import Greedy

class BreaksAsWhite(Greedy):
    color = None

    def assigned_color(self, color):
        self.color = color

    def place(self, state):
        return Position(99, 99) if self.color is Color.WHITE else super().place(state)

def make_strategy():
    return BreaksAsWhite()
'''


def replay_fish(line: dict, settings: Any, encounter: Any) -> dict:
    return fish_outcome_to_json(replay_fish_game(record_events(line)))


def ipd_players() -> list:
    kinds = [("tit-for-tat", "tft"), ("defector", "dee"), ("breaker", "bad"), ("cooperator", "coop")]
    return create_players([LocalPlayerEntry(kind, name, "") for kind, name in kinds], "house players", GAMES["ipd"].players)


def replay_ipd(line: dict, settings: Any, encounter: Any) -> dict:
    key = MatchKey(settings.game.seed, encounter.repetition, *encounter.players, encounter.meeting)
    return replay_ipd_match(line, settings.game, key)


KITS: dict[str, GameKit] = {
    "santorini": GameKit(
        honest="good",
        own={"best of": 1},
        house=(
            ("good", "ann", "Player/santorini/example_player.py"),
            ("breaker", "bob", ""),
            ("infinite", "cat", ""),
            ("good", "dan", "{slow}"),
            ("good", "eve", "{breaker}"),
        ),
        slow_player=SANTORINI_SLOW,
        late_breaker=SANTORINI_LATE_BREAKER,
        watch_players=santorini_players,
        watch_settings={},
        replay=lambda line, settings, encounter: replay_santorini_game(line),
        outcomes=lambda printed: printed,
        received=lambda printed: printed,
        received_in_arena=lambda printed, name: [outcome for outcome in printed if name in outcome[:2]],
        names=("alice", "bob"),
        page=PageKit(santorini_tournament, running=santorini_running, cell=santorini_cell, board=santorini_board),
        exports=export_logs.SANTORINI,
        variants={"fair starts": {"fair starts": True}},
        exports_keys={"best of": 3},
    ),
    "ipd": GameKit(
        honest="tit-for-tat",
        own={"seed": 7, "end probability": 0.2, "max rounds": 12, "time per move": 0.2},
        house=(
            ("tit-for-tat", "ann", ""),
            ("breaker", "bob", ""),
            ("infinite", "cat", ""),
            ("tit-for-tat", "dan", "{slow}"),
            ("tit-for-tat", "eve", "{breaker}"),
        ),
        slow_player=IPD_SLOW,
        late_breaker=IPD_LATE_BREAKER,
        watch_players=ipd_players,
        watch_settings={"min rounds": 5, "max rounds": 8, "seed": 7},
        replay=replay_ipd,
        outcomes=lambda printed: printed["outcomes"],
        received=lambda printed: ["results", printed["outcomes"], printed["standings"]],
        received_in_arena=lambda printed, name: [
            "results",
            [outcome for outcome in printed["outcomes"] if name in outcome[:2]],
            printed["standings"],
        ],
        names=("Alice", "bob_2"),
        page=PageKit(ipd_tournament, running=ipd_running, cell=ipd_cell, board=ipd_board),
        exports=export_logs.IPD,
        arrival_dependent=frozenset({"flooder"}),
    ),
    "fish": GameKit(
        honest="greedy",
        own={"rows": 3, "columns": 4, "seed": 5},
        house=(
            ("greedy", "ann", "Player/fish/greedy.py"),
            ("breaker", "bob", ""),
            ("infinite", "cat", ""),
            ("greedy", "dan", "{breaker}"),
            ("greedy", "eve", "{slow}"),
        ),
        slow_player=FISH_SLOW,
        late_breaker=FISH_LATE_BREAKER,
        watch_players=fish_players,
        watch_settings=FISH_SETTINGS,
        replay=replay_fish,
        outcomes=lambda printed: printed,
        received=lambda printed: printed,
        received_in_arena=lambda printed, name: printed,  # its Results list no outcomes: whole
        names=("ALICE", "abcdefghijkl"),
        page=PageKit(fish_tournament, running=fish_running, cell=fish_cell, board=fish_board),
        exports=export_logs.FISH,
        revises=False,
    ),
}
"""The one per-game table: a game of the registry without an entry here fails every check, naming the entry."""


def kit_of(game: Game) -> GameKit:
    """The game's entry in KITS; the test fails naming what is missing when it has none."""
    if game.name not in KITS:
        pytest.fail(f'tests/game_conformance.py: KITS has no entry for the game "{game.name}": a new game fills one in', pytrace=False)
    return KITS[game.name]


# ---------------------------------------------------------------------------
# A tournament of house players with an event log, xserver's own `serve` in this process


def configuration(game: str, tmp_path: Path, variant: str = "") -> dict:
    """A tournament of five house players (honest, misbehaving, silent, slow, breaking late), logged under tmp_path."""
    kit = kit_of(GAMES[game])
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "slow.py").write_text(kit.slow_player)
    (tmp_path / "breaker.py").write_text(kit.late_breaker)
    files = {"slow": str(tmp_path / "slow.py"), "breaker": str(tmp_path / "breaker.py")}
    house = [[kind, name, file.format(**files)] for kind, name, file in kit.house]
    own = ({} if game == DEFAULT_GAME else {"game": game}) | kit.own | (kit.variants[variant] if variant else {})
    return {
        "min players": 4,
        "port": 0,
        "host": HOST,
        "waiting for": 0.01,
        "repeat": 0,
        "time per call": 0.3,  # 0.2 s let an honest player time out at its first call, twice in full CI runs
        "house players": house,
        "event log": str(tmp_path / "log"),
        **own,
    }


def variants() -> list[tuple[str, str]]:
    """Every (game, variant) of the registry, "" the game's plain settings; a game without a kit still appears (and fails)."""
    return [(name, "") for name in GAMES] + [(name, variant) for name in GAMES if name in KITS for variant in KITS[name].variants]


async def play(
    game: Game,
    players: Sequence,
    hub: WatchHub | None,
    directory: Path | None,
    time_per_call: float = 5.0,
    event_log: EventLogWriter | None = None,
) -> tuple[Any, EventLogWriter]:
    """One tournament as xserver plays it, its events in `directory` (None: memory only), watched through `hub`."""
    event_log = event_log or EventLogWriter(directory)
    if hub is not None:
        hub.attach(event_log, game)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(event_log.run)
        output = await play_tournament(
            game, game.read_settings(kit_of(game).watch_settings), players, time_per_call, log, event_log=event_log, configuration={}
        )
        nursery.cancel_scope.cancel()
    event_log.close()
    return output, event_log


# ---------------------------------------------------------------------------
# The checks


def check_loopback_tournament(game: Game) -> None:
    """xserver and xclients as processes on 127.0.0.1: honest built-in players play a whole tournament to Results."""
    kit = kit_of(game)
    names = ["ann", "ben", "cal"]
    own = {"game": game.name, **kit.own}
    process = ServerProcess({"min players": 3, "max players": 3, "waiting for": 60, "repeat": 0, "time per call": 2, **own})
    clients = run_clients(
        {"game": game.name, "players": [[kit.honest, name, ""] for name in names], "observers": []}, process.port, TIME_LIMIT
    )
    served = process.finish(TIME_LIMIT)
    assert (served.status, clients.status) == (0, 0), served.log + clients.log
    assert "misbehaved" not in served.log and "kicked" not in clients.log, served.log + clients.log
    assert served.json() is not None and clients.json() not in (None, game.no_results), clients.output
    for name in names:
        assert f"{name} signed up" in served.log and f"{name} sent its sign-up" in clients.log


class _Lines(logging.Handler):
    """Every log line of the process while a check runs; `listening` is set once xserver says its port."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []
        self.listening = trio.Event()
        self.port = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name}: {record.getMessage()}")
        if record.name == "xserver" and record.getMessage().startswith("listening on ") and not self.port:
            self.port = int(record.getMessage().split(":")[-1].split()[0])
            self.listening.set()


async def check_misbehaving_player_kicked(game: Game, kind: str) -> None:
    """A built-in player of a misbehaving `kind` is out in its first encounter: the server logs why, and its client hears the same reason.

    Server and clients run in this process (so that the game checked may be
    one registered only inside a test) and talk over TCP on 127.0.0.1.
    """
    kit = kit_of(game)
    lines, printed, outcome = await _tournament_over_tcp(game, [[kit.honest, "ann", ""], [kind, "bob", ""], [kit.honest, "cal", ""]])
    said = "\n".join(lines)
    (misbehaved,) = [line.partition(" misbehaved: ")[2] for line in lines if line.startswith("xserver: bob misbehaved: ")] or [None]
    assert misbehaved is not None, f"{game.name}: the {kind!r} player was not put out:\n{said}"
    kicked = [line for line in lines if line.endswith(f"bob was kicked by the server: {misbehaved}")]
    assert kicked, f"{game.name}: bob's client did not hear the reason the server logged:\n{said}"
    assert not any(f"{name} misbehaved" in said or f"{name} was kicked" in said for name in ("ann", "cal")), said
    assert len(printed) == 1 and outcome.results is not None


async def check_both_loops_agree(game: Game, monkeypatch: pytest.MonkeyPatch) -> None:
    """Encounters of remote players run in the encounter loop (Remote/encounter_loop.py) end as they do as trio tasks.

    One tournament over TCP of two honest players and every misbehaving
    kind (but those whose verdict depends on when their bytes arrive),
    played twice: with the encounter loop (every encounter in it) and
    without (none): the same Results, the same reasons logged and heard.
    """
    kit = kit_of(game)
    named = {kind: "bad" + "abcdefgh"[n] for n, kind in enumerate(sorted(game.players.misbehaving))}  # the same names, whatever is left out
    kinds = sorted(game.players.misbehaving - kit.arrival_dependent)
    entries = [[kit.honest, "ann", ""], *([kind, named[kind], ""] for kind in kinds), [kit.honest, "cal", ""]]
    in_loop: list[int] = []
    play = encounter_loop.EncounterLoop.play

    async def counted(self: encounter_loop.EncounterLoop, coroutine: Any) -> Any:
        in_loop.append(1)
        return await play(self, coroutine)

    monkeypatch.setattr(encounter_loop.EncounterLoop, "play", counted)
    runs = []
    for used in (True, False):
        monkeypatch.setattr(encounter_loop, "ENCOUNTER_LOOP", used)
        in_loop.clear()
        lines, printed, _ = await _tournament_over_tcp(game, entries)
        told = sorted(line for line in lines if " misbehaved: " in line or " was kicked by the server: " in line)
        runs.append((printed, told, len(in_loop)))
    (with_loop, told, encounters), (without, told_without, none) = runs
    # A game seating more than two plays every encounter with its group referee as a trio task: none goes to the loop.
    assert none == 0 and (encounters == 0 if game.group_game else encounters >= len(entries) - 1)
    assert len(told) >= 2 * len(kinds), told
    assert (with_loop, told) == (without, told_without)


async def _tournament_over_tcp(game: Game, entries: list[list[str]]) -> tuple[list[str], list, Any]:
    """A tournament of the built-in players `entries` on xserver's `serve`, both in this process over TCP.

    The log lines, what xserver printed, and xclients' outcome.
    """
    own = {"game": game.name, **kit_of(game).own}
    config = read_server_configuration(
        json.dumps(
            {"min players": len(entries), "max players": len(entries), "port": 0, "host": HOST, "waiting for": 60, "repeat": 0}
            | {"time per call": 2, **own}
        ),
        GAMES,
        DEFAULT_GAME,
    )
    printed: list = []
    lines, root = _Lines(), logging.getLogger()
    level, root.level = root.level, logging.INFO
    root.addHandler(lines)
    try:
        async with trio.open_nursery() as nursery:

            async def run_server_() -> None:
                assert await hosting.serve(config, game, lambda: [], printed.append) == EXIT_DONE

            nursery.start_soon(run_server_)
            with trio.fail_after(TIME_LIMIT):
                await lines.listening.wait()
                clients = read_client_configuration(
                    json.dumps({"game": game.name, "players": entries, "observers": [], "ip": HOST, "port": lines.port}),
                    GAMES,
                    DEFAULT_GAME,
                )
                outcome = await client.run_clients(clients, create_players(clients.players, "players", game.players))
    finally:
        root.removeHandler(lines)
        root.level = level
    return lines.lines, printed, outcome


LAST_EVENTS = 3
"""A resume check stops after each of the last events whatever its stride: the last encounter's end, the summary, the Results."""


async def check_resume_after_any_event(
    game: Game,
    tmp_path: Path,
    variant: str = "",
    more: dict[str, Any] | None = None,
    expected_types: frozenset[str] | None = None,
    stride: int = 1,
    offset: int = 0,
) -> None:
    """Stopped after any event, the tournament resumes to the Results of the uninterrupted run; the log folds to them.

    `more` are further keys of the configuration (a "format"); `expected_types` are events the uninterrupted run must have,
    besides a misbehaviour and encounter ends (None: a revision, where the game revises). With `stride` k, only after every
    k-th event from the (`offset` mod k + 1)-th (so that checks of several events, each with its own offset, stop after
    events at every distance from the start between them) and after each of the last LAST_EVENTS (the summary, the Results).
    """
    if expected_types is None:
        expected_types = frozenset({"revision"} if kit_of(game).revises else ())
    reference = configuration(game.name, tmp_path / "reference", variant) | (more or {})
    expected = await run_server(reference)
    events = events_of(tmp_path / "reference" / "log")
    assert len(expected) == 1 and events[-1]["type"] == "results" and events[-1]["output"] == expected[0]
    assert {"misbehaviour", "encounter-end", *expected_types} <= {event["type"] for event in events}
    last = min(stride, LAST_EVENTS)
    for k in sorted({*range(1 + offset % stride, len(events), stride), *range(max(1, len(events) - last), len(events))}):
        place = tmp_path / f"crash-{k}"
        config = configuration(game.name, place, variant) | (more or {})
        assert await run_server(config, crash_after=k) == []
        assert len(events_of(place / "log")) == k
        resumed = await run_server({**config, "resume": True})
        assert resumed == expected, f"stopped after event {k} ({events[k - 1]['type']})"
        tournaments = sorted(entry for entry in (place / "log").iterdir() if entry.is_dir())
        final = fold(read_events(tournaments[-1] / EVENTS_FILE)[0])
        assert final.results is not None and final.results["output"] == expected[0], k


EXPORTS = (RESULTS_JSON, CROSSTABLE_CSV, GAMES_NDJSON, TOURNAMENT_TRF)
"""The live exports of the kit's round robin (a round robin has a TRF too)."""


async def check_exports_rebuilt(game: Game, tmp_path: Path) -> None:
    """results.json holds the printed Results, the live exports rebuild from the log, every game replays.

    `python -m Remote.rebuild_exports` rebuilds the live exports byte for byte.
    """
    kit = kit_of(game)
    (printed,) = await run_server({**configuration(game.name, tmp_path), **kit.exports_keys})
    (tournament,) = [entry for entry in (tmp_path / "log").iterdir() if entry.is_dir()]
    exports = [name for name in EXPORTS if name != TOURNAMENT_TRF or (tournament / name).exists()]  # a knock-out has no TRF
    live = {name: (tournament / name).read_bytes() for name in exports}

    export = structure_export(json.loads(live[RESULTS_JSON]))
    assert export.results == printed and export.finished

    for name in exports:
        (tournament / name).unlink()
    with trio.fail_after(60):
        rebuilt = await trio.run_process(
            [sys.executable, "-m", "Remote.rebuild_exports", str(tournament)],
            cwd=PROJECT_ROOT,
            capture_stdout=True,
            capture_stderr=True,
            check=False,
        )
    assert rebuilt.returncode == 0, rebuilt.stderr.decode()
    assert {name: (tournament / name).read_bytes() for name in EXPORTS if (tournament / name).exists()} == live

    lines = [json.loads(line) for line in live[GAMES_NDJSON].decode().splitlines()]
    encounters = {entry.index: entry for entry in export.encounters}
    assert lines and any(encounters[line["encounter"]].culprits for line in lines), "a game of an encounter with a culprit"
    settings = game.read_settings(export.settings)
    for line in lines:
        assert kit.replay(line, settings, encounters[line["encounter"]]) == line["end"]


async def check_watch_snapshot_equals_fold(game: Game, tmp_path: Path) -> None:
    """Watchers joining at any point: the snapshot is the fold of the log so far, the later events the log's, each once."""
    hub, event_log = WatchHub(), EventLogWriter(tmp_path)
    points = [3, 15, 30]  # watchers join when the log reaches these seqs, one before the start and one after the end
    reached = {point: when_seq(event_log, point) for point in points}
    watched: list[tuple[dict, list[dict]]] = []
    first_ready = trio.Event()

    async def watch(port: int, point: int | None) -> None:
        if point is not None:
            await reached[point].wait()
        watcher = await Watcher.open(port)
        snapshot = await watcher.frame()
        first_ready.set()
        frames: list[dict] = []
        finished = json.loads(snapshot["data"][0])["results"] is not None
        while not finished:
            frame = await watcher.frame()
            if frame["event"] == "message":
                frames.append(frame)
                finished = json.loads(frame["data"][0])["type"] == "results"
        watched.append((snapshot, frames))
        await watcher.aclose()

    async with trio.open_nursery() as nursery:
        port = await start_watch(nursery, hub)
        hub.attach(event_log, game)
        async with trio.open_nursery() as watching:
            for point in [None, *points]:
                watching.start_soon(watch, port, point)
            await first_ready.wait()
            output, _ = await play(game, kit_of(game).watch_players(), None, None, event_log=event_log)
        await watch(port, None)
        nursery.cancel_scope.cancel()
    events = log_events(tmp_path)
    whole = fold(events)
    assert whole.results["output"] == output
    assert len(watched) == 5 and len(events) > max(points)
    assert "misbehaviour" in [event["type"] for event in events]
    for snapshot, frames in watched:
        assert snapshot["event"] == "snapshot"
        shown = json.loads(snapshot["data"][0])
        seq = shown["seq"]
        assert int(snapshot["id"]) == seq
        rebuilt = state_from_snapshot(shown)
        assert rebuilt == without_game_lines(fold(events[:seq]))
        later = [json.loads(frame["data"][0]) for frame in frames]
        assert later == events[seq:], "the events after the snapshot are the log's, each once, in order"
        assert [int(frame["id"]) for frame in frames] == [event["seq"] for event in later]
        for event in later:
            rebuilt.apply(event)
        assert without_game_lines(rebuilt) == without_game_lines(whole)
        words = {
            shown_encounter["encounter"]: shown_encounter["words"] for shown_encounter in shown["encounters"] if shown_encounter["ended"]
        }
        for frame, event in zip(frames, later, strict=True):
            assert (len(frame["data"]) == 2) == (event["type"] in ("encounter-end", "revision"))
            if len(frame["data"]) == 2:
                words[event["encounter"]] = json.loads(frame["data"][1])["words"]
        assert words == {index: encounter_words(whole, index, game) for index, encounter in whole.encounters.items() if encounter.ended}
        if shown["standings"] is not None:
            assert shown["standings"] == standings_json(fold(events[: shown["standings"]["seq"]]), game)


def check_layout(game: Game) -> None:
    """The game has its description at Remote/<game>/game.py, and no game-free module imports any module of the game."""
    assert (ROOT / "Remote" / game.name / "game.py").is_file(), f"the game {game.name!r} has no Remote/{game.name}/game.py"
    game_free = [path for path in sources() if game_of(".".join(path.relative_to(ROOT).with_suffix("").parts)) is None]
    for path in game_free:
        if module_name(path) in PLAYER_FILES or module_name(path) == "Remote/game_registry.py":
            continue
        for module in imports(path):
            assert game_of(module) != game.name, f"{module_name(path)} is game-free but imports {module}"
