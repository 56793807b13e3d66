"""A tournament's state, folded from its events: what resume, the exports and the watchers read. Pure.

An event is a JSON object `{"seq": N, "t": ..., "type": ..., ...}` of the
event log (docs/event-log.md). `fold(events)` is the one function from a
list of events to the TournamentState; `TournamentState.apply` takes one
more event, so a writer or a watcher keeps the state up to date as events
arrive, and `fold(prefix)` then `apply` of the rest equals `fold(whole)`.

Nothing here knows a game: outcomes, Results and steps stay in their wire
form. A game's events (those that carry "encounter" and "game") are kept as
the steps of that game; `game-start` opens a game (its keys of the game's
own, Fish's `colors` and `board`, kept in the game's record) and `game-end`
closes it.
When an encounter ends, each of its games becomes one line of games.ndjson
(`game_line`), and its steps leave the encounter, so that a long
tournament's state holds only the running games in full.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, cast

import attrs

from Admin.event_types import (
    ARENA_JOIN,
    ARENA_LEAVE,
    ENCOUNTER_END,
    ENCOUNTER_START,
    GAME_END,
    GAME_START,
    MISBEHAVIOUR,
    RESULTS,
    RESUME,
    REVISION,
    ROSTER,
    SIGN_UP,
    STAGE,
    START,
    STOP,
    SUMMARY,
    ShapeError,
    check_shape,
)
from Common.participant import Name
from Common.strict import shorten, show

LOG_VERSION = 1
"""The format version the `start` event names; a log of another version is refused."""
ENVELOPE = ("seq", "t", "type")
"""The keys every event has."""
_NOT_IN_STEP = frozenset({"seq", "t", "encounter", "game"})
"""A game's event as a step of its record keeps its type and fields."""
_NOT_IN_END = _NOT_IN_STEP | {"type"}
_NOT_IN_GAME_START = _NOT_IN_END | {"players"}
"""A game-start's keys that are not the game's own."""


Table = tuple[Name, Name]
"""An encounter's players in seat order: two, or more in a game of more than two players a game. Typed as a pair until
Remote/exports.py and Remote/watch/snapshot.py read tables (issue 18); then `tuple[Name, ...]`."""


class EventError(ValueError):
    """An event that does not fit the events before it; the message names its seq."""


@attrs.frozen
class Progress:
    """What the manager and the fold must agree on at every event: the ended encounters and who is out."""

    ended: Mapping[int, tuple[Any, tuple[Name, ...]]]
    """By schedule index: the raw outcome (wire form, None: not played) and the culprits."""
    out: frozenset[Name]
    stages: int = 0
    """How many stages of a format played in stages have been announced (0 for a schedule known from the roster)."""


@attrs.define
class GameState:
    """One game of an encounter: its players, its steps so far, and its end once it has one."""

    players: list[Name]
    steps: list[dict[str, Any]] = attrs.field(factory=list)
    end: dict[str, Any] | None = None
    start: dict[str, Any] = attrs.field(factory=dict)
    """The game-start's keys of the game's own (Fish's `colors` and `board`); none for Santorini and the IPD."""


@attrs.define
class EncounterState:
    """One encounter that has started: its players, its games, and, once ended, its outcome."""

    index: int
    players: Table
    """Two or more, in seat order."""
    repetition: int = 0
    meeting: int = 0
    games: list[GameState] = attrs.field(factory=list)
    """The games in full while the encounter runs; emptied when it ends (see `game_ends`, `TournamentState.game_lines`)."""
    game_ends: list[dict[str, Any] | None] = attrs.field(factory=list)
    """Each game's end, once the encounter has ended."""
    ended: bool = False
    outcome: Any = None
    culprits: tuple[Name, ...] = ()


@attrs.define
class TournamentState:
    """Everything the events of one tournament say, in their wire form."""

    start: dict[str, Any] | None = None
    sign_ups: list[dict[str, Any]] = attrs.field(factory=list)
    roster: tuple[Name, ...] | None = None
    total: int | None = None
    """The number of encounters in the schedule, once the roster is known."""
    encounters: dict[int, EncounterState] = attrs.field(factory=dict)
    """Every encounter that has started (or ended unplayed), by schedule index."""
    misbehaviours: dict[Name, dict[str, Any]] = attrs.field(factory=dict)
    """By name: `kind`, `reason` and `encounter` (None: outside any encounter)."""
    revisions: dict[int, Any] = attrs.field(factory=dict)
    """By schedule index: the latest revised outcome (None: deleted)."""
    stages: list[dict[str, Any]] = attrs.field(factory=list)
    """The `stage` events without their envelope, for a format played in stages (Admin/formats/stage.py)."""
    staged: dict[int, Table] = attrs.field(factory=dict)
    """By schedule index: the players (two or more) the stages paired (empty for a schedule known from the roster)."""
    summary: dict[str, Any] | None = None
    """The `summary` event without its envelope: `ratings` and `format`."""
    results: dict[str, Any] | None = None
    """The `results` event without its envelope: `results` and `output`."""
    stops: int = 0
    resumes: int = 0
    last_seq: int = 0
    last_type: str | None = attrs.field(default=None, eq=False)
    """The type of the last event: after `results` or `stop`, only a few may follow (`_ENDS`). Not part of what
    the tournament's state is (a watcher's snapshot does not carry it)."""
    game_lines: dict[tuple[int, int], str] = attrs.field(factory=dict)
    """The games.ndjson line of every game of an ended encounter, by (encounter, game)."""
    out_at_results: frozenset[Name] | None = attrs.field(default=None, eq=False)
    """Who was out when the Results were settled (None before them): a player that fails to take them misbehaves
    after them and changes nobody's result. Follows from `misbehaviours` and the order of the events, so not
    part of what the tournament's state is (a watcher's snapshot does not carry it)."""

    @property
    def running(self) -> list[EncounterState]:
        """The encounters that have started and not ended, in schedule order."""
        return [encounter for index, encounter in sorted(self.encounters.items()) if not encounter.ended]

    @property
    def finished(self) -> int:
        """How many encounters have ended (played or not)."""
        return sum(encounter.ended for encounter in self.encounters.values())

    @property
    def out(self) -> frozenset[Name]:
        return frozenset(self.misbehaviours)

    def progress(self) -> Progress:
        ended = {index: (e.outcome, e.culprits) for index, e in self.encounters.items() if e.ended}
        return Progress(ended, self.out, len(self.stages))

    def revised_so_far(self) -> dict[int, Any]:
        """Every played encounter that ended, by schedule index: its outcome after the revisions so far."""
        return {index: self.revised(index) for index, e in self.encounters.items() if e.ended and e.outcome is not None}

    def revised(self, index: int) -> Any:
        """The outcome of the ended encounter at `index` after the revisions so far (None: deleted or not played)."""
        return self.revisions[index] if index in self.revisions else self.encounters[index].outcome

    def apply(self, event: Mapping[str, Any], shaped: bool = False) -> None:
        """Take one more event; EventError if its shape is not its type's or it does not follow from the events before it.

        `shaped`: the event was made by this server, in this process, so its shape is not checked again (the check
        costs more than the rest of the fold); what it must follow from still is. An event read back is never shaped.
        """
        seq = event.get("seq")
        if seq != self.last_seq + 1 or type(seq) is not int:
            raise EventError(f"event {show(seq)} follows event {self.last_seq}: seq must count up by one")
        kind: Any = event.get("type")
        try:
            if not shaped:
                check_shape(event)
            following = _ENDS[RESULTS] if self.last_type == MISBEHAVIOUR and self.results is not None else _ENDS.get(self.last_type or "")
            if following is not None and kind not in following:
                raise EventError(f"nothing but {' or '.join(sorted(following))} may follow {self.last_type}")
            handler = _HANDLERS.get(kind)
            if handler is not None:
                handler(self, event)
            else:
                self._step(event)
        except (ShapeError, EventError) as error:
            raise EventError(f"event {seq} ({shorten(str(kind), 40)}): {error}") from None
        self.last_seq = seq
        self.last_type = kind

    def _start(self, event: Mapping[str, Any]) -> None:
        if self.start is not None:
            raise EventError("a second start")
        if event["version"] != LOG_VERSION:
            raise EventError(f"version {show(event['version'])}; this server reads version {LOG_VERSION}")
        self.start = _body(event)

    def _sign_up(self, event: Mapping[str, Any]) -> None:
        if self.roster is not None:
            raise EventError("a sign-up after the roster")
        assigned = event["assigned"]
        if assigned is not None and any(entry["assigned"] == assigned for entry in self.sign_ups):
            raise EventError(f"the name {show(assigned)} was assigned before")
        self.sign_ups.append({"requested": event["requested"], "assigned": assigned})

    def _roster(self, event: Mapping[str, Any]) -> None:
        if self.roster is not None:
            raise EventError("a second roster")
        signed_up = [entry["assigned"] for entry in self.sign_ups if entry["assigned"] is not None]
        if event["players"] != signed_up:
            raise EventError(f"the players {show(event['players'])} are not those who signed up, {show(signed_up)}")
        self.roster = tuple(event["players"])
        self.total = event["encounters"]

    def _stage(self, event: Mapping[str, Any]) -> None:
        if self.roster is None or self.total is None:
            raise EventError("a stage before the roster")
        if event["stage"] != len(self.stages) + 1:
            raise EventError(f"stage {event['stage']} follows stage {len(self.stages)}")
        if any(index not in self.encounters or not self.encounters[index].ended for index in range(self.total)):
            raise EventError(f"stage {event['stage']} starts before every encounter of stage {len(self.stages)} has ended")
        if event["first"] != self.total:
            raise EventError(f"stage {event['stage']} starts at encounter {event['first']}, not at {self.total}")
        playing: set[Name] = set()
        for table in (self._pair({"players": pair}) for pair in event["pairings"]):
            for name in table:
                if name in self.misbehaviours:
                    raise EventError(f"{show(name)} is out and plays no more")
            playing |= set(table)
            self.staged[self.total] = table
            self.total += 1
        for name in event["byes"]:
            self._in_roster(name)
            if name in playing:
                raise EventError(f"{show(name)} has a bye and plays in stage {event['stage']}")
        self.stages.append(_body(event))

    def _summary(self, event: Mapping[str, Any]) -> None:
        if self.roster is None or self.running or self.finished != self.total:
            raise EventError(f"a summary after {self.finished} of {self.total or 0} encounters ended")
        self.summary = {"ratings": event["ratings"], "format": event["format"]}

    def _encounter_start(self, event: Mapping[str, Any]) -> None:
        index = self._scheduled(event)
        if index in self.encounters:
            raise EventError(f"encounter {index} started before")
        players = self._pair(event)
        if self.staged and self.staged[index] != players:
            raise EventError(f"encounter {index} pairs {show(list(self.staged[index]))}, not {show(list(players))}")
        for name in players:
            if name in self.misbehaviours:
                raise EventError(f"{show(name)} is out and plays no more")
        self.encounters[index] = EncounterState(index, players, event["repetition"], event["meeting"])

    def _misbehaviour(self, event: Mapping[str, Any]) -> None:
        name, index = event["name"], event["encounter"]
        self._in_roster(name)
        if self.results is not None and index is not None:
            raise EventError(f"{show(name)} misbehaved in encounter {index} after the Results")
        if name in self.misbehaviours:
            raise EventError(f"{show(name)} is out already")
        if index is not None and name not in self._running_encounter(event).players:
            raise EventError(f"{show(name)} does not play in encounter {index}")
        self.misbehaviours[name] = {key: event[key] for key in ("kind", "reason", "encounter")}

    def _encounter_end(self, event: Mapping[str, Any]) -> None:
        index = self._scheduled(event)
        encounter = self.encounters.get(index)
        players, culprits = self._pair(event), tuple(event["culprits"])
        if encounter is None:  # not played: a player was out before it could start
            if self.staged and self.staged[index] != players:
                raise EventError(f"encounter {index} pairs {show(list(self.staged[index]))}, not {show(list(players))}")
            if event["outcome"] is not None or culprits:
                raise EventError(f"encounter {index} did not start, so it has no outcome and no culprits")
            if not set(players) & set(self.misbehaviours):
                raise EventError(f"encounter {index} did not start, yet none of its players is out")
            encounter = self.encounters[index] = EncounterState(index, players)
        elif encounter.ended:
            raise EventError(f"encounter {index} ended twice")
        else:
            if players != encounter.players:
                raise EventError(f"encounter {index} started with {show(list(encounter.players))}, not {show(list(players))}")
            if event["outcome"] is None:
                raise EventError(f"encounter {index} started, so it has an outcome")
            misbehaved = {name for name, entry in self.misbehaviours.items() if entry["encounter"] == index}
            if set(culprits) != misbehaved or len(set(culprits)) != len(culprits):
                raise EventError(f"the culprits {show(list(culprits))} are not those who misbehaved in it, {show(sorted(misbehaved))}")
        encounter.ended = True
        encounter.outcome = event["outcome"]
        encounter.culprits = culprits
        for number, game in enumerate(encounter.games):
            self.game_lines[index, number] = game_line(index, number, game)
        encounter.game_ends = [game.end for game in encounter.games]
        encounter.games = []

    def _revision(self, event: Mapping[str, Any]) -> None:
        index, culprit = event["encounter"], event["culprit"]
        encounter = self.encounters.get(index)
        if encounter is None or not encounter.ended or encounter.outcome is None:
            raise EventError(f"encounter {show(index)} has no outcome to revise")
        if culprit not in self.misbehaviours:
            raise EventError(f"the culprit {show(culprit)} has not misbehaved")
        self.revisions[index] = event["outcome"]

    def _results(self, event: Mapping[str, Any]) -> None:
        if self.roster is None or self.running or self.finished != self.total:
            raise EventError(f"Results after {self.finished} of {self.total or 0} encounters ended")
        self.results = {"results": event["results"], "output": event["output"]}
        self.out_at_results = self.out

    def _stop(self, event: Mapping[str, Any]) -> None:
        self.stops += 1

    def _arena_only(self, event: Mapping[str, Any]) -> None:
        raise EventError("an arena's event in a tournament's log (its format is not the arena)")

    def _resume(self, event: Mapping[str, Any]) -> None:
        returned, absent = event["returned"], event["absent"]
        for name in (*returned, *absent):
            self._in_roster(name)
        if set(returned) & set(absent):
            raise EventError(f"{show(sorted(set(returned) & set(absent)))} both returned and absent")
        self.resumes += 1
        self.forget_unfinished()

    def _in_roster(self, name: Name) -> None:
        if self.roster is None or name not in self.roster:
            raise EventError(f"{show(name)} is not in the roster")

    def _scheduled(self, event: Mapping[str, Any]) -> int:
        """The event's encounter, if the schedule has it."""
        index = event["encounter"]
        if self.total is None or index >= self.total:
            raise EventError(f"encounter {index} is not in the schedule of {self.total or 0}")
        return index

    def _pair(self, event: Mapping[str, Any]) -> Table:
        """The event's players (two, or a table of more), different players of the roster."""
        players = cast(Table, tuple(event["players"]))
        for name in players:
            self._in_roster(name)
        for position, name in enumerate(players):
            if name in players[:position]:
                raise EventError(f"{show(name)} cannot play against itself")
        return players

    def forget_unfinished(self) -> None:
        """What an interrupted run leaves unfinished is undone: its running encounters are replayed from their
        first game, so they and the misbehaviours in them (which take effect when their encounter ends) are forgotten."""
        running = {encounter.index for encounter in self.running}
        for index in running:
            del self.encounters[index]
        self.misbehaviours = {name: m for name, m in self.misbehaviours.items() if m["encounter"] not in running}

    def _game_start(self, event: Mapping[str, Any]) -> None:
        encounter = self._running_encounter(event)
        if sorted(event["players"]) != sorted(encounter.players):
            raise EventError(f"the players {show(event['players'])} are not encounter {event['encounter']}'s")
        if event["game"] != len(encounter.games):
            raise EventError(f"game {event['game']} starts after {len(encounter.games)} games")
        own = {key: value for key, value in event.items() if key not in _NOT_IN_GAME_START}
        encounter.games.append(GameState(list(event["players"]), start=own))

    def _game_end(self, event: Mapping[str, Any]) -> None:
        self._open_game(event).end = {key: value for key, value in event.items() if key not in _NOT_IN_END}

    def _step(self, event: Mapping[str, Any]) -> None:
        self._open_game(event).steps.append({key: value for key, value in event.items() if key not in _NOT_IN_STEP})

    def _running_encounter(self, event: Mapping[str, Any]) -> EncounterState:
        encounter = self.encounters.get(event["encounter"])
        if encounter is None or encounter.ended:
            raise EventError(f"encounter {event['encounter']} is not running")
        return encounter

    def _open_game(self, event: Mapping[str, Any]) -> GameState:
        games = self._running_encounter(event).games
        if event["game"] != len(games) - 1 or games[-1].end is not None:
            raise EventError(f"game {event['game']} of encounter {event['encounter']} is not being played")
        return games[-1]


_ENDS = {RESULTS: frozenset({STOP, MISBEHAVIOUR}), STOP: frozenset({STOP, RESUME})}
"""What may follow the Results (a stop that came while the server finished, or a player that failed to take them,
when that counts: a misbehaviour outside any encounter, which the same may follow) and a stop (a resume, or another stop)."""

_HANDLERS = {
    START: TournamentState._start,
    SIGN_UP: TournamentState._sign_up,
    ROSTER: TournamentState._roster,
    ENCOUNTER_START: TournamentState._encounter_start,
    MISBEHAVIOUR: TournamentState._misbehaviour,
    ENCOUNTER_END: TournamentState._encounter_end,
    REVISION: TournamentState._revision,
    STAGE: TournamentState._stage,
    SUMMARY: TournamentState._summary,
    RESULTS: TournamentState._results,
    STOP: TournamentState._stop,
    RESUME: TournamentState._resume,
    GAME_START: TournamentState._game_start,
    GAME_END: TournamentState._game_end,
    ARENA_JOIN: TournamentState._arena_only,
    ARENA_LEAVE: TournamentState._arena_only,
}


def _body(event: Mapping[str, Any]) -> dict[str, Any]:
    """An event without its envelope."""
    return {key: value for key, value in event.items() if key not in ENVELOPE}


def game_record(encounter: int, game: int, state: GameState) -> dict[str, Any]:
    """One game's record, as games.ndjson holds it (docs/event-log.md): its players, the game-start's own keys of
    the game (Fish's `colors` and `board`), its steps and its end."""
    return {"encounter": encounter, "game": game, "players": state.players, **state.start, "steps": state.steps, "end": state.end}


def game_line(encounter: int, game: int, state: GameState) -> str:
    """One game's record as a line of games.ndjson, without its newline."""
    return json.dumps(game_record(encounter, game, state), separators=(",", ":"))


def fold(events: Iterable[Mapping[str, Any]]) -> TournamentState:
    """The state of a tournament after `events`, the first of which has seq 1."""
    state = TournamentState()
    for event in events:
        state.apply(event)
    return state
