"""An arena's state, folded from its event log: the matchmaking, the ratings, the encounters and who is in it. Pure.

An arena's log (docs/event-log.md, "An arena's events") is a `start` whose
configuration's `"format"` is of kind `arena`, then `arena-join`,
`arena-leave`, `encounter-start`, the games' events, `misbehaviour` and
`encounter-end` in the order the arena wrote them, and at its end a
`summary` and the `results`; a killed arena resumed adds a `resume`, the
interrupted encounters' ends (no outcome) and the leaves of those who were
waiting. `ArenaState.apply` folds one event; `fold_arena` a list.

The time of every input to the matchmaking (Admin/formats/arena.py) and
the ratings (Admin/arena_ratings.py) is the event's `t`; the arena opened
at its `start`'s `t`. So the fold gives the very floats the arena computed
as it ran, and a resumed arena goes on from exactly that state.

An arena never closes, so the state keeps nothing whole that grows with
its encounters: the running ones and the latest KEPT_ENDED ended ones. Of
every other, its players and outcome go to `rated` (what the Results are
made of: Admin/arena_outcomes.py; on file where the log is on disk), and
how often its players have met to `meetings` (a count per set of players
that met, which the arena's manager reads too). Each encounter is told to
`on_ended` as it ends, with its games' lines: the server appends it to its
exports there (docs/event-log.md).

Nothing here knows a game: how an outcome places its players is the
`placing` function the caller gives (Admin/arena_manager.py's `placing`,
from the game's rules), the same one the running arena rates with.
"""

from __future__ import annotations

import collections
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

import attrs

from Admin.arena_outcomes import EndedOutcomes, KeptOutcomes
from Admin.arena_ratings import ArenaRatings, EncounterEnded, Place, RatedEncounter, standing_json, standings_json
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
from Admin.formats.arena import Arena, Joined, Left, TableEnded, TableStarted
from Admin.formats.settings import ARENA, read_format
from Admin.tournament_state import LOG_VERSION, EventError, GameState, game_line
from Common.participant import Name
from Common.strict import StructureError, shorten, show

KEPT_ENDED: Final = 100
"""How many of the latest ended encounters the state keeps whole (the watch page's latest results): an arena never
closes, so each older one is handed on (`ArenaState.on_ended`: the server appends it to its files) and forgotten."""

Placing = Callable[[Any, tuple[Name, ...], frozenset[Name]], tuple[Place, ...]]
"""Each player's place in an ended encounter (seat order), from its outcome (wire form), its players and its culprits."""

_NOT_IN_STEP = frozenset({"seq", "t", "encounter", "game"})
_NOT_IN_END = _NOT_IN_STEP | {"type"}
_NOT_IN_GAME_START = _NOT_IN_END | {"players"}


def _shared(value: Any) -> Any:
    """`value` (JSON) with each string interned: an outcome names players, and kept for every encounter, its names should
    be the ratings' strings, not copies."""
    if type(value) is str:
        return sys.intern(value)
    if type(value) is list:
        return [_shared(item) for item in value]
    if type(value) is dict:
        return {sys.intern(key): _shared(item) for key, item in value.items()}
    return value


def is_arena_start(event: Mapping[str, Any]) -> bool:
    """Whether `event` is the `start` of an arena (its configuration's format is of kind arena)."""
    configuration = event.get("configuration")
    recorded = configuration.get("format") if type(configuration) is dict else None
    return event.get("type") == START and type(recorded) is dict and recorded.get("kind") == ARENA


@attrs.define
class ArenaEncounter:
    """One encounter of the arena: its players (seat order), its games, and once ended its outcome (None: interrupted)."""

    index: int
    players: tuple[Name, ...]
    meeting: int
    started_at: float
    games: list[GameState] = attrs.field(factory=list)
    """The games in full while it runs; emptied when it ends (their lines go to `ArenaState.on_ended`, or `game_lines`)."""
    game_ends: list[dict[str, Any] | None] = attrs.field(factory=list)
    misbehaved: list[dict[str, Any]] = attrs.field(factory=list)
    """The misbehaviours in it so far, in the order logged: `name`, `kind`, `reason`, `encounter`."""
    interrupted: bool = False
    """The server died while it ran: it ends without an outcome, rated for nobody."""
    ended: bool = False
    ended_at: float | None = None
    outcome: Any = None
    culprits: tuple[Name, ...] = ()
    ratings: list[dict[str, Any]] | None = None
    """Once it ended with an outcome, each player's leaderboard row after it, in seat order, with `change`, its μ's change
    (0 where the encounter was not rated for it): the page's latest results and chart (`rated_json`)."""


def rated_json(rated: RatedEncounter) -> list[dict[str, Any]]:
    """Each player's row after an encounter (`standing_json`) and `change`, what the encounter moved its μ by, in seat order."""
    return [standing_json(change.after) | {"change": change.after.mu - change.before.mu} for change in rated.changes]


@attrs.define
class ArenaState:
    """Everything an arena's events say: the matchmaking (`arena`), the ratings, the encounters, the end."""

    placing: Placing = attrs.field(eq=False, repr=False)
    start: dict[str, Any] | None = None
    arena: Arena | None = None
    """The matchmaking, once the start has given its settings."""
    ratings: ArenaRatings = attrs.field(factory=ArenaRatings)
    encounters: dict[int, ArenaEncounter] = attrs.field(factory=dict)
    """The running encounters and the latest KEPT_ENDED ended ones, by number (from 0, in the order they started)."""
    finished: int = 0
    """How many encounters have ended (with an outcome or interrupted)."""
    misbehaviours: list[dict[str, Any]] = attrs.field(factory=list)
    """Every misbehaviour that counted, in order: `name`, `kind`, `reason`, `encounter`."""
    ended_order: collections.deque[int] = attrs.field(factory=lambda: collections.deque(maxlen=KEPT_ENDED))
    """The latest KEPT_ENDED encounters that ended with an outcome, in the order they ended."""
    rated: EndedOutcomes = attrs.field(factory=KeptOutcomes)
    """Their players (seat order) and outcomes (wire form), in the same order: what the arena's Results are made of (in
    memory, or read back from a file the server appends to; its names shared with the ratings')."""
    meetings: dict[tuple[Name, ...], int] = attrs.field(factory=dict)
    """How often each set of players (sorted) has met: the next encounter's `meeting` (the running server's manager
    reads its own from here: a table's players meet again only after its end is folded)."""
    summary: dict[str, Any] | None = None
    results: dict[str, Any] | None = None
    stops: int = 0
    resumes: int = 0
    last_seq: int = 0
    last_t: float = 0.0
    last_type: str | None = attrs.field(default=None, eq=False)
    on_ended: Callable[[ArenaState, ArenaEncounter, list[str]], None] | None = attrs.field(default=None, eq=False, repr=False)
    """Told of each encounter as it ends, with its games' lines of games.ndjson (the server appends them to its files);
    None: the lines go into `game_lines`."""
    game_lines: list[str] = attrs.field(factory=list)
    """Without `on_ended`: games.ndjson's lines, in the order their encounters ended."""
    served: bool = attrs.field(default=False, eq=False, repr=False)
    """This is the running server's fold (its event log writer's): it forgets the ended encounters beyond the latest
    KEPT_ENDED when told (`forget_ended`: after each batch, once the watch page has read the encounters it ended), not at
    once."""
    _kept_ended: collections.deque[int] = attrs.field(factory=collections.deque, eq=False, repr=False)

    # --- what the readers ask --------------------------------------------------------

    @property
    def roster(self) -> tuple[Name, ...]:
        """Everybody that ever joined, in leaderboard order."""
        return tuple(standing.name for standing in self.ratings.leaderboard())

    @property
    def running(self) -> list[ArenaEncounter]:
        return [encounter for _, encounter in sorted(self.encounters.items()) if not encounter.ended]

    @property
    def waiting(self) -> list[Name]:
        """The queue, in its order."""
        return [] if self.arena is None else self.arena.queue()

    @property
    def playing(self) -> list[Name]:
        return [] if self.arena is None else sorted(self.arena.playing)

    @property
    def outcomes(self) -> list[Any]:
        """The outcomes (wire form) in the order their encounters ended: what the arena's Results are made of."""
        return [outcome for _, outcome in self.rated]

    def standings(self) -> list[dict[str, Any]]:
        """The leaderboard as `standings_json` rows, best first."""
        return standings_json(self.ratings)

    def out_for_good(self) -> list[Name]:
        """The players out for the rest of the arena, in leaderboard order."""
        return [] if self.arena is None else [name for name in self.roster if self.arena.out_for_good(name)]

    # --- the fold ---------------------------------------------------------------------

    def apply(self, event: Mapping[str, Any], shaped: bool = False) -> None:
        """Take one more event; EventError (naming its seq) if its shape is wrong or it cannot follow the events before it."""
        seq = event.get("seq")
        if seq != self.last_seq + 1 or type(seq) is not int:
            raise EventError(f"event {show(seq)} follows event {self.last_seq}: seq must count up by one")
        kind: Any = event.get("type")
        try:
            if not shaped:
                check_shape(event)
            following = _ENDS.get(self.last_type or "")
            if following is not None and kind not in following:
                raise EventError(f"nothing but {' or '.join(sorted(following))} may follow {self.last_type}")
            if kind != START and self.arena is None:
                raise EventError("the first event must be the arena's start")
            if event["t"] < self.last_t and kind in _TIMED:
                raise EventError(f"the time went back, from {self.last_t} to {event['t']}")
            handler = _HANDLERS.get(kind)
            if handler is None and kind in _TOURNAMENT_ONLY:
                raise EventError("a tournament's event in an arena's log")
            if handler is not None:
                handler(self, event)
            else:
                self._step(event)
        except (ShapeError, EventError) as error:
            raise EventError(f"event {seq} ({shorten(str(kind), 40)}): {error}") from None
        except ValueError as error:  # the matchmaking or the ratings refuse it
            raise EventError(f"event {seq} ({shorten(str(kind), 40)}): {str(error).removeprefix('arena: ')}") from None
        self.last_seq = seq
        self.last_type = kind
        if kind in _TIMED:
            self.last_t = event["t"]

    def _start(self, event: Mapping[str, Any]) -> None:
        if self.start is not None:
            raise EventError("a second start")
        if event["version"] != LOG_VERSION:
            raise EventError(f"version {show(event['version'])}; this server reads version {LOG_VERSION}")
        try:
            settings = read_format(event["configuration"].get("format")).arena
        except StructureError as error:
            raise EventError(f"the configuration's format: {error}") from None
        if settings is None:
            raise EventError("the configuration's format is not the arena")
        self.start = {key: value for key, value in event.items() if key not in ("seq", "t", "type")}
        self.arena = Arena(settings, event["t"])

    @property
    def _arena(self) -> Arena:
        assert self.arena is not None  # `apply` refuses every event before the start
        return self.arena

    def _join(self, event: Mapping[str, Any]) -> None:
        name = event["name"]
        rating = self.ratings.join(name).ordinal
        if event["rating"] != rating:
            raise EventError(f"{show(name)} joins with the rating {event['rating']!r}, but its rating is {rating!r}")
        opponent = event["opponent"]
        self._arena.apply(Joined(name, rating, event["t"], opponent))

    def _leave(self, event: Mapping[str, Any]) -> None:
        name = event["name"]
        if name not in self.ratings:
            raise EventError(f"{show(name)} never joined the arena")
        if name in self._arena.playing:
            raise EventError(f"{show(name)} leaves while it plays an encounter")
        self._arena.apply(Left(name, event["t"]))

    def _encounter_start(self, event: Mapping[str, Any]) -> None:
        index, players = event["encounter"], tuple(map(sys.intern, event["players"]))
        if index != self._arena.encounters:
            raise EventError(f"encounter {index} starts where encounter {self._arena.encounters} is next")
        met = tuple(sorted(players))
        meeting = self.meetings.get(met, 0)
        if (event["repetition"], event["meeting"]) != (0, meeting):
            raise EventError(f"encounter {index} is repetition 0, meeting {meeting} of its players")
        self._arena.apply(TableStarted(players, event["t"]))
        self.meetings[met] = meeting + 1
        self.encounters[index] = ArenaEncounter(index, players, meeting, event["t"])

    def _misbehaviour(self, event: Mapping[str, Any]) -> None:
        name, index = event["name"], event["encounter"]
        if index is None:
            raise EventError("in an arena a misbehaviour belongs to an encounter")
        encounter = self._running(index)
        if name not in encounter.players:
            raise EventError(f"{show(name)} does not play in encounter {index}")
        if any(entry["name"] == name for entry in encounter.misbehaved):
            raise EventError(f"{show(name)} misbehaved in encounter {index} already")
        encounter.misbehaved.append({key: event[key] for key in ("name", "kind", "reason", "encounter")})

    def _encounter_end(self, event: Mapping[str, Any]) -> None:
        index, players, culprits = event["encounter"], tuple(event["players"]), tuple(event["culprits"])
        encounter = self._running(index)
        if players != encounter.players:
            raise EventError(f"encounter {index} started with {show(list(encounter.players))}, not {show(list(players))}")
        outcome = event["outcome"]
        if outcome is None:
            if not encounter.interrupted or culprits:
                raise EventError(f"encounter {index} has an outcome and its culprits unless the server died while it ran")
            self._arena.apply(TableEnded(players, event["t"]))
        else:
            misbehaved = [entry["name"] for entry in encounter.misbehaved]
            if set(culprits) != set(misbehaved) or len(set(culprits)) != len(culprits):
                raise EventError(f"the culprits {show(list(culprits))} are not those who misbehaved in it, {show(misbehaved)}")
            places = self.placing(outcome, players, frozenset(culprits))
            self._arena.apply(TableEnded(players, event["t"], frozenset(culprits)))
            rated = self.ratings.rate(EncounterEnded(players, places, event["t"]))  # type: ignore[arg-type]  # attrs' tuple converter
            encounter.ratings = rated_json(rated)
            self.misbehaviours += encounter.misbehaved
            self.ended_order.append(index)
            self.rated.add(encounter.players, _shared(outcome))
        encounter.ended, encounter.ended_at, encounter.outcome, encounter.culprits = True, event["t"], outcome, culprits
        encounter.misbehaved = []
        lines = [game_line(index, number, game) for number, game in enumerate(encounter.games)]
        encounter.game_ends = [game.end for game in encounter.games]
        encounter.games = []
        self.finished += 1
        if self.on_ended is None:
            self.game_lines += lines
        else:
            self.on_ended(self, encounter, lines)
        self._kept_ended.append(index)
        if not self.served:
            self.forget_ended()

    def forget_ended(self) -> None:
        """Forget the ended encounters but the latest KEPT_ENDED."""
        while len(self._kept_ended) > KEPT_ENDED:
            del self.encounters[self._kept_ended.popleft()]

    def _summary(self, event: Mapping[str, Any]) -> None:
        if self.running:
            raise EventError(f"a summary while {len(self.running)} encounters run")
        if event["ratings"] != self.standings():
            raise EventError("the summary's ratings are not those the encounters before it give")
        if event["format"] is not None:
            raise EventError(f"an arena's summary has the format null, got {show(event['format'])}")
        self.summary = {"ratings": event["ratings"], "format": None}

    def _results(self, event: Mapping[str, Any]) -> None:
        if self.summary is None or self.last_type != SUMMARY:
            raise EventError("an arena's Results come right after its summary")
        self.results = {"results": event["results"], "output": event["output"]}

    def _stop(self, event: Mapping[str, Any]) -> None:
        self.stops += 1

    def _resume(self, event: Mapping[str, Any]) -> None:
        """The server died or was stopped: nobody is connected any more. Its running encounters end without an outcome
        (the misbehaviours in them forgotten with them), and whoever was in the arena is absent until it signs up again."""
        inside = {*self._arena.waiting, *self._arena.playing}
        if event["returned"] or set(event["absent"]) != inside or len(set(event["absent"])) != len(event["absent"]):
            raise EventError(f"a resumed arena has nobody returned yet and the absent {show(sorted(inside))}")
        for encounter in self.running:
            encounter.interrupted = True
            encounter.misbehaved = []
        self.resumes += 1

    def _running(self, index: int) -> ArenaEncounter:
        encounter = self.encounters.get(index)
        if encounter is None or encounter.ended:
            raise EventError(f"encounter {index} is not running")
        return encounter

    def _game_start(self, event: Mapping[str, Any]) -> None:
        encounter = self._running(event["encounter"])
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

    def _open_game(self, event: Mapping[str, Any]) -> GameState:
        games = self._running(event["encounter"]).games
        if event["game"] != len(games) - 1 or games[-1].end is not None:
            raise EventError(f"game {event['game']} of encounter {event['encounter']} is not being played")
        return games[-1]


_ENDS = {RESULTS: frozenset({STOP}), STOP: frozenset({STOP, RESUME})}
"""What may follow the Results (a stop that came while the server finished) and a stop (a resume, or another stop)."""
_TIMED = frozenset({START, ARENA_JOIN, ARENA_LEAVE, ENCOUNTER_START, ENCOUNTER_END})
"""The events whose `t` the matchmaking reads: never earlier than the one before."""
_TOURNAMENT_ONLY = frozenset({SIGN_UP, ROSTER, STAGE, REVISION})

_HANDLERS: dict[str, Callable[[ArenaState, Mapping[str, Any]], None]] = {
    START: ArenaState._start,
    ARENA_JOIN: ArenaState._join,
    ARENA_LEAVE: ArenaState._leave,
    ENCOUNTER_START: ArenaState._encounter_start,
    MISBEHAVIOUR: ArenaState._misbehaviour,
    ENCOUNTER_END: ArenaState._encounter_end,
    SUMMARY: ArenaState._summary,
    RESULTS: ArenaState._results,
    STOP: ArenaState._stop,
    RESUME: ArenaState._resume,
    GAME_START: ArenaState._game_start,
    GAME_END: ArenaState._game_end,
}


def fold_arena(events: Iterable[Mapping[str, Any]], placing: Placing) -> ArenaState:
    """The state of an arena after `events`, the first of which is its start (seq 1)."""
    state = ArenaState(placing)
    for event in events:
        state.apply(event)
    return state
