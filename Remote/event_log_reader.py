"""Reading an event log (`events.ndjson`) back, strictly: every line, every event, and the Results checked.

`read_log(path, games)` is what resume and `python -m Remote.rebuild_exports` read a
log with: the folded state, its game, and whether a torn last line was
dropped. It trusts nothing in the file. Each line must be one JSON object
(`read_events`); each event must have its type's shape and follow from the
events before it (the fold, `Admin/tournament_state.py`: names of the
roster, encounters of the schedule that have started, `seq` without a gap);
and what only the game knows is checked as each event is read (`GameCheck`):
the first event is the `start` of a game this host runs, with settings it
reads; the roster's schedule has the number of encounters the roster says; a
stage's tables (pairs, or tables of a game of more) seat no more players than the game's most;
an encounter has the players, repetition and meeting of its place in the
schedule and starts only after its players' earlier encounters ended; every
outcome is one the game's converter reads; and the `results` event holds
exactly the Results and the output that the outcomes and revisions before it
give. Anything else is an EventLogReadError, one line naming the line's number.

An arena's log (its `start`'s format is of kind `arena`) is folded by
`Admin/arena_state.py` instead, and `read_any_log` returns that fold: the
same strictness, with what only the game knows checked by `ArenaCheck`:
the format's table fits the game, every name is one of the game, every
outcome is one the game reads (and places its players: the ratings are
recomputed from them), and the `results` are exactly those the outcomes
give (in the order their encounters ended, among the leaderboard).
`read_log` reads a tournament's log only, and refuses an arena's.

`read_events(path)` returns the events and whether the last line was torn
(`LoggedEvents` reads them one at a time, as `read_any_log` does).
A line is torn when it is the last one and has no newline: the server was
killed while writing it (its writer writes each event and its newline at
once, so nothing after a newline can be complete). Every other line must be
one JSON object of finite numbers; anything else (a blank line, text that
is not JSON, `NaN`, `1e400`, an array) is refused with an EventLogReadError
that names the line's number. What the events say is not judged here: the
fold (`Admin/tournament_state.py`) does that.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from Admin.arena_manager import placing
from Admin.arena_state import ArenaState, is_arena_start
from Admin.formats.settings import schedule_of
from Admin.manager import TournamentRules
from Admin.revisions import revised_by_index
from Admin.schedule import Schedule, Staged
from Admin.tournament_state import ENCOUNTER_END, ENCOUNTER_START, RESULTS, REVISION, ROSTER, STAGE, START, EventError, TournamentState
from Common.strict import StructureError, shorten, show
from Remote.arena_exports import ArenaExports
from Remote.exports import ExportError, format_of, results_so_far_value, settings_of
from Remote.game_description import Game


class EventLogReadError(ValueError):
    """A line of an event log that is not one JSON object; the message names its line number."""


def read_arena_events(
    events: Iterable[dict[str, Any]], games: Mapping[str, Game], files: ArenaExports | None = None
) -> tuple[ArenaState, Game]:
    """The fold of an arena's events, the first its start, checked strictly; EventLogReadError naming the line.

    `files` are told of each encounter as it ends, and keep the outcomes (None: the fold keeps their games and outcomes)."""
    check: ArenaCheck | None = None
    state: ArenaState | None = None
    for number, event in enumerate(events, start=1):
        try:
            if check is None or state is None:
                check = ArenaCheck(GameCheck.of(event, games).game, event)
                state = ArenaState(check.placing)
                if files is not None:
                    state.on_ended, state.rated = files.ended, files.outcomes()
            state.apply(event)
            check.after(event, state)
        except (EventError, ExportError, StructureError, ValueError) as error:
            raise EventLogReadError(f"line {number}: {error}") from None
    assert check is not None and state is not None  # an arena's log has its start
    return state, check.game


class ArenaCheck:
    """What only the game knows about an arena's events, checked as each is folded (see the module's docstring)."""

    def __init__(self, game: Game, start: Mapping[str, Any]) -> None:
        self.game = game
        try:
            recorded = start.get("settings")
            self.settings = game.read_settings(recorded if isinstance(recorded, dict) else {})
        except StructureError as error:
            raise ValueError(f"the start event's settings: {error}") from None
        self.rules = game.rules(self.settings)
        self.placing = placing(self.rules)

    def after(self, event: Mapping[str, Any], state: ArenaState) -> None:
        """Check `event`, which `state` has just folded; ValueError, one line, if the game says it cannot be."""
        kind = event["type"]
        if kind == START:
            assert state.arena is not None
            fewest, most = self.game.players_per_encounter
            if not fewest <= state.arena.settings.players_per_game <= most:
                raise ValueError(
                    f"the arena seats {state.arena.settings.players_per_game} a table; a {self.game.name} game has {fewest} to {most}"
                )
        elif kind == "arena-join" and not self.game.players.is_name(event["name"]):
            raise ValueError(f"{show(event['name'])} is not a name in {self.game.name}")
        elif kind == RESULTS:
            outcomes = [self.rules.from_json(outcome) for outcome in state.outcomes]
            results = self.rules.results(outcomes, list(state.roster), frozenset(state.out_for_good()))
            if _json(self.rules.to_json(results)) != event["results"]:
                raise ValueError("the Results are not those that the outcomes before them give")
            if _json(self.game.output(results, self.settings)) != event["output"]:
                raise ValueError("the output is not the one that the outcomes before it give")


class LoggedEvents:
    """The events of the log at `path`, read one line at a time as they are iterated (a long arena's log is never
    in memory whole); once iterated, `torn` says whether a torn last line was dropped.

    OSError if the file cannot be read; EventLogReadError for a bad line.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.torn = False

    def __iter__(self) -> Iterator[dict[str, Any]]:
        with open(self.path, "rb") as file:
            for number, line in enumerate(file, start=1):
                if not line.endswith(b"\n"):
                    self.torn = True
                    return
                yield parse_event(line[:-1], number)


def read_events(path: Path) -> tuple[list[dict[str, Any]], bool]:
    """The events of the log at `path`, in order, and whether a torn last line was dropped (`LoggedEvents`)."""
    logged = LoggedEvents(path)
    return list(logged), logged.torn


def read_log(path: Path, games: Mapping[str, Game]) -> tuple[TournamentState, Game | None, bool]:
    """The state folded from the log at `path`, its game (None: no event yet), and whether a torn last line was dropped.

    OSError if the file cannot be read; EventLogReadError, naming a line, for anything wrong in it.
    """
    state, game, torn = read_any_log(path, games)
    if isinstance(state, ArenaState):
        raise EventLogReadError("line 1: the log of an arena, not of a tournament")
    return state, game, torn


def read_any_log(
    path: Path, games: Mapping[str, Game], files: ArenaExports | None = None
) -> tuple[TournamentState | ArenaState, Game | None, bool]:
    """`read_log`'s reading of a tournament's log, or of an arena's (its fold an ArenaState, which tells `files` of
    each encounter as it ends; see the module's docstring)."""
    logged = LoggedEvents(path)
    events = iter(logged)
    first = next(events, None)
    if first is None:
        return TournamentState(), None, logged.torn
    if is_arena_start(first):
        arena, game = read_arena_events(itertools.chain([first], events), games, files)
        return arena, game, logged.torn
    state = TournamentState()
    check: GameCheck | None = None
    for number, event in enumerate(itertools.chain([first], events), start=1):
        try:
            if check is None:
                check = GameCheck.of(event, games)
            state.apply(event)
            check.after(event, state)
        except (EventError, ExportError, StructureError, ValueError) as error:
            raise EventLogReadError(f"line {number}: {error}") from None
    return state, None if check is None else check.game, logged.torn


class GameCheck:
    """What only the game knows about a log's events, checked as each is folded (see the module's docstring)."""

    def __init__(self, game: Game) -> None:
        self.game = game
        self.rules: TournamentRules | None = None
        """The game's rules, once the start has given the settings."""
        self.schedule: Schedule | None = None
        self.staged: Staged | None = None
        """The schedule of a format played in stages, as its stage events announce it."""
        self.roster: list[str] = []
        self.earlier: dict[int, list[int]] = {}
        """Each player's (roster position's) encounters, in schedule order."""

    @classmethod
    def of(cls, event: Mapping[str, Any], games: Mapping[str, Game]) -> GameCheck:
        """The check of the log whose first event is `event`: its `start`, naming a game of `games`."""
        if event.get("type") != START:
            raise EventLogReadError(f"the first event must be the start, got {show(event.get('type'))}")
        name = event.get("game")
        if type(name) is not str or name not in games:
            raise EventLogReadError(f"unknown game {shorten(repr(name), 40)} (this program knows {', '.join(sorted(games))})")
        return cls(games[name])

    @property
    def _rules(self) -> TournamentRules:
        if self.rules is None:  # the start comes first (`of`), so never
            raise ValueError("an event before the start")
        return self.rules

    def after(self, event: Mapping[str, Any], state: TournamentState) -> None:
        """Check `event`, which `state` has just folded; ValueError, one line, if the game says it cannot be."""
        kind = event["type"]
        if kind == START:
            self.rules = self.game.rules(settings_of(state, self.game))
        elif kind == ROSTER:
            self._roster(event, state)
        elif kind == STAGE:
            self._stage(event)
        elif kind in (ENCOUNTER_START, ENCOUNTER_END):
            self._encounter(event, state)
        elif kind == REVISION and event["outcome"] is not None:
            self._outcome(event["outcome"], event["encounter"])
        elif kind == RESULTS:
            self._results(event, state)

    def _roster(self, event: Mapping[str, Any], state: TournamentState) -> None:
        self.roster = list(event["players"])
        for name in self.roster:
            if not self.game.players.is_name(name):
                raise ValueError(f"{show(name)} is not a name in {self.game.name}")
        event_format = format_of(state)
        if event_format.staged:
            self.schedule = self.staged = Staged()
        else:
            self.schedule = schedule_of(event_format, self._rules.schedule)(self.roster)
        if len(self.schedule) != event["encounters"]:
            raise ValueError(f"the roster's schedule has {len(self.schedule)} encounters, not {event['encounters']}")
        for index in range(len(self.schedule)):
            for player in self.schedule.pairing(index):
                self.earlier.setdefault(player, []).append(index)

    def _stage(self, event: Mapping[str, Any]) -> None:
        if self.staged is None:
            raise ValueError("a stage in a tournament whose format is not played in stages")
        position = {name: number for number, name in enumerate(self.roster)}
        fewest, most = self.game.players_per_encounter
        for table in event["pairings"]:
            if not fewest <= len(table) <= most:
                raise ValueError(
                    f"stage {event['stage']} seats {len(table)} players at a table; a {self.game.name} game has {fewest} to {most}"
                )
        for index in self.staged.add([tuple(position[name] for name in table) for table in event["pairings"]]):
            for player in self.staged.pairing(index):
                self.earlier.setdefault(player, []).append(index)

    def _encounter(self, event: Mapping[str, Any], state: TournamentState) -> None:
        assert self.schedule is not None  # the fold refuses an encounter before the roster
        index = event["encounter"]
        pairing = self.schedule.pairing(index)
        scheduled = [self.roster[player] for player in pairing]
        if event["players"] != scheduled:
            raise ValueError(f"encounter {index} is {show(scheduled)}'s in the schedule, not {show(event['players'])}")
        if event["type"] == ENCOUNTER_START:
            place = self.schedule.encounter(index)
            if (event["repetition"], event["meeting"]) != (place.repetition, place.meeting):
                raise ValueError(f"encounter {index} is repetition {place.repetition}, meeting {place.meeting} in the schedule")
        if event["type"] == ENCOUNTER_START or event["outcome"] is None:  # it starts, or ends without starting
            for player in pairing:
                before = self.earlier[player][: self.earlier[player].index(index)]
                if not all(earlier in state.encounters and state.encounters[earlier].ended for earlier in before):
                    raise ValueError(f"encounter {index} comes before {self.roster[player]}'s earlier encounters ended")
        if event["type"] == ENCOUNTER_END and event["outcome"] is not None:
            self._outcome(event["outcome"], index)

    def _outcome(self, outcome: Any, index: int) -> None:
        try:
            self._rules.from_json(outcome)
        except StructureError as error:
            raise ValueError(f"the outcome of encounter {index} is not one of {self.game.name}: {error}") from None

    def _results(self, event: Mapping[str, Any], state: TournamentState) -> None:
        played = {index: (self._rules.from_json(e.outcome), e.culprits) for index, e in state.encounters.items() if e.outcome is not None}
        for index, outcome in revised_by_index(played, self._rules.revise).items():
            if _json(None if outcome is None else self._rules.to_json(outcome)) != state.revised(index):
                raise ValueError(f"the revisions of encounter {index} are not those that the culprits after it give")
        results = results_so_far_value(state, self.game)
        if _json(self._rules.to_json(results)) != event["results"]:
            raise ValueError("the Results are not those that the outcomes and revisions before them give")
        if _json(self.game.output(results, settings_of(state, self.game))) != event["output"]:
            raise ValueError("the output is not the one that the outcomes and revisions before it give")


def _json(value: Any) -> Any:
    """`value` as it reads back from JSON (tuples become lists)."""
    return json.loads(json.dumps(value))


def parse_event(line: bytes, number: int) -> dict[str, Any]:
    """The event on line `number` (counted from 1), or EventLogReadError naming that line."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise EventLogReadError(f"line {number}: not UTF-8 (byte {error.start + 1})") from None
    try:
        event = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError as error:
        raise EventLogReadError(f"line {number}: not JSON: {error.msg} at column {error.colno}") from None
    except ValueError as error:  # a constant or a number refused above
        raise EventLogReadError(f"line {number}: not JSON: {error}") from None
    if type(event) is not dict:
        raise EventLogReadError(f"line {number}: an event is a JSON object, got {_kind(event)}")
    return event


def _refuse_constant(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is too large to be a finite number")
    return value


def _kind(value: Any) -> str:
    if type(value) is list:
        return "an array"
    if type(value) is str:
        return "a string"
    if value is None:
        return "null"
    if type(value) is bool:
        return "true or false"
    return "a number"
