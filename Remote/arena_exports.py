"""An arena's exports: results.json rewritten, and three files appended to as its encounters end. Game-free.

An arena never closes, so its exports are made to grow without being kept
(docs/event-log.md, "An arena's events"):

* `results.json` (`arena_results_json`), rewritten like a tournament's: the
  start's keys, the leaderboard, the queue, who plays, who is out, the
  running encounters, how many have ended, every misbehaviour and the
  Results (null until the end);
* `encounters.ndjson`, a line per ended encounter in the order they ended
  (`encounter_record`): its players, meeting, status (`played` or
  `interrupted`), times, outcome, culprits, each game's `game-end`, and each
  player's leaderboard row after it;
* `crosstable.csv`, its header and a row per ended encounter in the same
  order (`table_row`);
* `games.ndjson`, each ended encounter's games, in the same order.

`ArenaExports` is the fold's `on_ended` (Admin/arena_state.py): it turns
each ended encounter into its lines of the three files
(Remote/appended_lines.py); the running server's event log writer flushes
them with results.json, a resumed arena's fold and
`python -m Remote.rebuild_exports` write them anew as they read the log.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from Admin.arena_outcomes import EndedOutcomes, Rated
from Admin.arena_state import ArenaEncounter, ArenaState
from Admin.manager import TournamentRules
from Common.strict import StructureError
from Remote.appended_lines import AppendedLines, lines_in
from Remote.exports import (
    CROSSTABLE_CSV,
    EXPORT_VERSION,
    GAMES_NDJSON,
    INTERRUPTED,
    PLAYED,
    RUNNING,
    SEPARATOR,
    ExportError,
    json_document,
    outcome_from_json,
)
from Remote.game_description import Game

ENCOUNTERS_NDJSON = "encounters.ndjson"
TABLE_HEADER = ("encounter", "started", "ended", "players", "status", "result", "culprits")
"""The columns of an arena's crosstable.csv: a row per ended encounter, in the order they ended (an arena's players meet
any number of times, in any order, so a table of who beat whom would hide what the leaderboard rests on)."""
_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


class ArenaExports:
    """An arena's files in `directory` (None: the latest encounters' lines kept for the watch page), fed by its fold."""

    def __init__(self, directory: Path | None, games: Mapping[str, Game], flush_inline: bool = False) -> None:
        """`games`: those whose arena it may be (the start names it); `flush_inline`: see AppendedLines."""
        self._games = games
        self._rules: tuple[Game, TournamentRules] | None = None

        def appended(name: str, header: str = "", indexed: bool = False) -> AppendedLines:
            return AppendedLines(None if directory is None else directory / name, header, indexed, flush_inline)

        self.games = appended(GAMES_NDJSON, indexed=True)
        self.encounters = appended(ENCOUNTERS_NDJSON)
        self.table = appended(CROSSTABLE_CSV, header=_csv_line(TABLE_HEADER))

    def outcomes(self) -> EndedOutcomes:
        """The outcomes of the encounters that end, read back from encounters.ndjson (without a directory, from a
        temporary file of their own)."""
        return SpilledOutcomes() if self.encounters.path is None else OutcomesOnFile(self.encounters)

    def flushed_by_the_writer(self) -> None:
        """From now on the event log writer's thread flushes the files (a resumed arena's, written again inline)."""
        for appended in (self.games, self.encounters, self.table):
            appended.flush_inline = False

    def ended(self, state: ArenaState, encounter: ArenaEncounter, game_lines: list[str]) -> None:
        """The fold's `on_ended`: `encounter` ended, with these games."""
        game, rules = self._game_of(state)
        self.games.add(encounter.index, game_lines)
        self.encounters.add(encounter.index, [_ENCODE(encounter_record(encounter))])
        self.table.add(encounter.index, [_csv_line(table_row(encounter, game, rules)).removesuffix("\n")])

    def flush(self) -> None:
        """Append what the three files have buffered (from the writer's thread)."""
        for appended in (self.games, self.encounters, self.table):
            appended.flush()

    def _game_of(self, state: ArenaState) -> tuple[Game, TournamentRules]:
        if self._rules is None:
            assert state.start is not None  # an encounter ends after the arena's start
            game = self._games.get(state.start["game"])
            if game is None:
                raise ExportError(f"unknown game {state.start['game']!r}")
            try:
                self._rules = game, game.rules(game.read_settings(state.start["settings"]))
            except StructureError as error:
                raise ExportError(f"the start event's settings: {error}") from None
        return self._rules


class OutcomesOnFile:
    """The players and outcome of each encounter that ended with one, read back from encounters.ndjson, which the same
    fold appends its line to (`ArenaExports.ended`): nothing is kept but their number (Admin/arena_outcomes.py)."""

    def __init__(self, encounters: AppendedLines) -> None:
        self._encounters = encounters
        self._count = 0

    def add(self, players: tuple[str, ...], outcome: Any) -> None:
        self._count += 1  # its line follows, from `ArenaExports.ended`

    def __iter__(self) -> Iterator[Rated]:
        for line in self._encounters.each_line():
            record = json.loads(line)
            if record["status"] == PLAYED:
                yield tuple(record["players"]), record["outcome"]

    def __len__(self) -> int:
        return self._count


class SpilledOutcomes:
    """The players and outcome of each encounter that ended with one, a line each in an anonymous temporary file: an
    arena without an event log on disk keeps them there, not in memory, until its Results (Admin/arena_outcomes.py)."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - unlinked already: gone with the process
        self._count = 0
        self._lock = threading.Lock()

    def add(self, players: tuple[str, ...], outcome: Any) -> None:
        with self._lock:
            self._file.write(_ENCODE([list(players), outcome]).encode() + b"\n")
            self._count += 1

    def __iter__(self) -> Iterator[Rated]:
        with self._lock:
            self._file.flush()
            written = self._file.tell()
        for line in lines_in(self._file.fileno(), written):  # at offsets: the file's position is where `add` writes
            players, outcome = json.loads(line)
            yield tuple(players), outcome

    def __len__(self) -> int:
        return self._count


def arena_results_json(state: ArenaState) -> str:
    """results.json of an arena (docs/event-log.md)."""
    if state.start is None:
        raise ExportError("the log has no start event")
    start = state.start
    return json_document(
        {
            "version": EXPORT_VERSION,
            "tournament": start.get("tournament"),
            "game": start["game"],
            "kind": "arena",
            "configuration": start["configuration"],
            "settings": start["settings"],
            "finished": state.results is not None,
            "standings": state.standings(),
            "waiting": state.waiting,
            "playing": state.playing,
            "out": state.out_for_good(),
            "ended": state.finished,
            "running": [_encounter_json(encounter) for encounter in state.running],
            "misbehaviours": state.misbehaviours,
            "results": None if state.results is None else state.results["output"],
        }
    )


def encounter_record(encounter: ArenaEncounter) -> dict[str, Any]:
    """An ended encounter's line of encounters.ndjson: as results.json shows a running one, with each player's
    leaderboard row after it (`ratings`, with its μ's `change`; null when it was interrupted)."""
    return _encounter_json(encounter) | {"ratings": encounter.ratings}


def _encounter_json(encounter: ArenaEncounter) -> dict[str, Any]:
    return {
        "encounter": encounter.index,
        "players": list(encounter.players),
        "meeting": encounter.meeting,
        "status": _status(encounter),
        "started": encounter.started_at,
        "ended": encounter.ended_at,
        "outcome": encounter.outcome,
        "culprits": list(encounter.culprits),
        "games": encounter.game_ends,
    }


def _status(encounter: ArenaEncounter) -> str:
    if not encounter.ended:
        return RUNNING
    return INTERRUPTED if encounter.outcome is None else PLAYED


def table_row(encounter: ArenaEncounter, game: Game, rules: TournamentRules) -> list[Any]:
    """An ended encounter's row of crosstable.csv (TABLE_HEADER): `result` is the game's line for its outcome."""
    result = "" if encounter.outcome is None else game.describe_outcome(outcome_from_json(rules, encounter.outcome, encounter.index))
    return [
        encounter.index,
        f"{encounter.started_at:.3f}",
        "" if encounter.ended_at is None else f"{encounter.ended_at:.3f}",
        SEPARATOR.join(encounter.players),
        _status(encounter),
        result,
        SEPARATOR.join(encounter.culprits),
    ]


def _csv_line(row: tuple[Any, ...] | list[Any]) -> str:
    text = io.StringIO()
    csv.writer(text).writerow(row)
    return text.getvalue()
