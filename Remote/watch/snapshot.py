"""What a watcher is told of a tournament: the snapshot of its state, each encounter's crosstable words, the standings. Pure.

The snapshot is the folded TournamentState as JSON, so that the snapshot at
seq S and the events after S together say everything the whole log says
(a test rebuilds the state from it). It leaves out only the steps of the
games of ended encounters, which `GET /games/<encounter>/<game>.json`
serves. Its keys:

    run, tournament, seq, game      which tournament (run: the hub's count), up to which event
    seats                           [fewest, most]: how many players an encounter of the game seats
    start, sign_ups, roster, total  the start event's body, the sign-ups, the roster, the schedule's size
    encounters                      every encounter that has started or ended, in schedule order
    misbehaviours, revisions        by name; [index, revised outcome] pairs
    stages, summary                 a format's stage events (their bodies), the summary event's body (ratings, format), or null
    finished, results, stops, resumes
    standings                       {"seq", "rows", "ratings", "format"} as of event seq, or null

An encounter is `{encounter, players, repetition, meeting, ended}` (players in
seat order: two, or as many as the game seats); a running one adds `games`
(`{players, steps, end}` each, with its game-start's own keys: Fish's
`colors` and `board`), an ended one `outcome`, `culprits`,
`game_ends` and `words` (each player's crosstable word, as crosstable.csv
writes it; null when the game has no words for outcomes); for a game seating
more than two, an ended one adds `places`, each player's `[name, place,
score]` in seat order as crosstable.csv's table per encounter writes them
(null when they cannot be told), and a player who misbehaved in it has the
word "removed".

The standings are derived, not logged (`standings_json`): the game's
standings rows, and the summary so far, as the manager writes it at the
end (`summary` event): `ratings`, every player's rating with its 95 %
interval over the ended encounters (every format), and `format`, for a
format played in stages its summary over the stages whose encounters have
all ended (a Swiss table, a knock-out's bracket, a gauntlet's table and its
SPRT). `format` is null for a schedule known from the roster, and for a knock-out
seeded by the ratings of an earlier event, whose seeds are in a file the
log only names. Every name in them is one of the roster's. For a game seating
more than two, the ratings and format so far are null (the `summary` event
at the end carries the manager's).

An arena's state (Admin/arena_state.py) gives a snapshot of the same keys
(`arena_snapshot_json`): no sign-ups, the roster the leaderboard's names
in its order, `total` null, no revisions and no stages. An arena never
ends, so nothing in its snapshot grows with its encounters: its
`encounters` are the running ones and the latest RECENT_ENDED that ended
with an outcome (`recent_encounters`; repetition 0), and what the older
ones add up to is in one key more, `arena`:

    waiting, playing, out   the queue (in order), who plays, who is out for good
    cooling                 by name, the end of each cool-down still running at the last event
    ended                   how many encounters have ended (with an outcome or interrupted): `finished`
    leaderboard             every player's row, best first ({"name", "mu", "sigma", "ordinal", "encounters", "streak"})
    history                 by name, [[t, ordinal], ...] oldest first: its μ - 3σ after its encounters, thinned
                            to at most 101 points (Admin/arena_ratings.py's `history`), for every player of the roster
    misbehaved              by name, how many misbehaviours of the player's counted (only those who misbehaved)

Its standings' `rows` are the leaderboard's too (as of their own `seq`),
its `ratings` and `format` null; an encounter's `places` are null, and an
ended one has `ratings`: each player's row after it with `change`, its
μ's change (Admin/arena_state.py's `rated_json`), as the stream's second
line of its `encounter-end` has them, and `ended_at`, its end's `t`.

Nothing here knows a game or a format: words, standings and scores come
through the Game, summaries through the Format.
"""

from __future__ import annotations

import collections
import logging
import math
from collections.abc import Mapping
from typing import Any, Final

from Admin.arena_state import KEPT_ENDED, ArenaEncounter, ArenaState
from Admin.formats.settings import BY_RATING, KNOCK_OUT, NothingToPlay, staged_format
from Admin.formats.stage import Format, GroupPlayed, Played, Stage, StageResult, ended_as
from Admin.manager import TournamentRules
from Admin.ratings import ScoredEncounter, rate, rated_encounters, ratings_json
from Admin.stage_plan import stage_result
from Admin.tournament_state import ENCOUNTER_END, REVISION, EncounterState, TournamentState
from Common.strict import StructureError
from Remote.exports import (
    INTERRUPTED,
    IRREGULAR,
    REMOVED,
    ExportError,
    cell_words,
    encounter_rows,
    format_of,
    results_so_far_value,
    settings_of,
)
from Remote.game_description import Game

log = logging.getLogger("xserver.watch")

RECENT_ENDED: Final = KEPT_ENDED
"""How many of an arena's ended encounters its snapshot carries, the latest (the page's latest results): all its fold
keeps whole."""

Words = dict[str, str]
Places = list[list[Any]]
"""Each player's `[name, place, score]` in an ended encounter, in seat order."""


def snapshot_json(
    state: TournamentState | ArenaState,
    run: int,
    words: Mapping[int, Words | None],
    standings: dict[str, Any] | None,
    places: Mapping[int, Places | None] | None = None,
    seats: tuple[int, int] = (2, 2),
) -> dict[str, Any]:
    """The snapshot of `state` (see the module's docstring); `words` by encounter index, for the ended ones, and their
    `places` for a game seating more than two (None: a game of two)."""
    if isinstance(state, ArenaState):
        return arena_snapshot_json(state, run, words, standings, places, seats)
    return {
        **_head(state.start, run, state.last_seq, seats),
        "sign_ups": state.sign_ups,
        "roster": None if state.roster is None else list(state.roster),
        "total": state.total,
        "encounters": [
            _encounter_json(encounter, words.get(index), None if places is None else places.get(index), places is not None)
            for index, encounter in sorted(state.encounters.items())
        ],
        "misbehaviours": state.misbehaviours,
        "revisions": [[index, outcome] for index, outcome in sorted(state.revisions.items())],
        "stages": state.stages,
        "summary": state.summary,
        "finished": state.finished,
        "results": state.results,
        "stops": state.stops,
        "resumes": state.resumes,
        "standings": standings,
    }


def _encounter_json(encounter: EncounterState, words: Words | None, places: Places | None, with_places: bool) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "encounter": encounter.index,
        "players": list(encounter.players),
        "repetition": encounter.repetition,
        "meeting": encounter.meeting,
        "ended": encounter.ended,
    }
    if encounter.ended:
        shown |= {"outcome": encounter.outcome, "culprits": list(encounter.culprits), "game_ends": encounter.game_ends, "words": words}
        if with_places:
            shown["places"] = places
    else:
        shown["games"] = [{"players": game.players, **game.start, "steps": game.steps, "end": game.end} for game in encounter.games]
    return shown


def _head(start: dict[str, Any] | None, run: int, seq: int, seats: tuple[int, int]) -> dict[str, Any]:
    """The keys every snapshot opens with, a tournament's and an arena's alike: which run and event, the game, the seats."""
    return {
        "type": "snapshot",
        "run": run,
        "tournament": None if start is None else start.get("tournament"),
        "seq": seq,
        "game": None if start is None else start.get("game"),
        "seats": list(seats),
        "start": start,
    }


def arena_snapshot_json(
    state: ArenaState,
    run: int,
    words: Mapping[int, Words | None],
    standings: dict[str, Any] | None,
    places: Mapping[int, Places | None] | None,
    seats: tuple[int, int],
) -> dict[str, Any]:
    """The snapshot of an arena's `state` (see the module's docstring): nothing in it grows with the arena's encounters."""
    roster = list(state.roster)
    return {
        **_head(state.start, run, state.last_seq, seats),
        "sign_ups": [],
        "roster": roster,
        "total": None,
        "encounters": [
            _arena_encounter_json(encounter, words.get(encounter.index), places is not None) for encounter in recent_encounters(state)
        ],
        "misbehaviours": {entry["name"]: {key: entry[key] for key in ("kind", "reason", "encounter")} for entry in state.misbehaviours},
        "revisions": [],
        "stages": [],
        "summary": state.summary,
        "finished": state.finished,
        "results": state.results,
        "stops": state.stops,
        "resumes": state.resumes,
        "standings": standings,
        "arena": {
            "waiting": state.waiting,
            "playing": state.playing,
            "out": state.out_for_good(),
            "cooling": _cooling(state),
            "ended": state.finished,
            "leaderboard": state.standings(),
            "history": {name: [[point.time, point.ordinal] for point in state.ratings.history(name)] for name in roster},
            "misbehaved": dict(sorted(collections.Counter(entry["name"] for entry in state.misbehaviours).items())),
        },
    }


def recent_encounters(state: ArenaState) -> list[ArenaEncounter]:
    """The arena's running encounters and the latest RECENT_ENDED that ended with an outcome, by number.

    Whatever `state.encounters` still holds of them: it may have forgotten older ones, never these.
    """
    recent = set(state.ended_order)  # the latest KEPT_ENDED, which RECENT_ENDED is
    shown = [encounter for index, encounter in state.encounters.items() if not encounter.ended or index in recent]
    return sorted(shown, key=lambda encounter: encounter.index)


def _cooling(state: ArenaState) -> dict[str, float]:
    """The players cooling down after a misbehaviour as of the last event, each with the time its cool-down ends."""
    cooling = {} if state.arena is None else state.arena.cooling_until
    return {name: until for name, until in sorted(cooling.items()) if until > state.last_t}


def _arena_encounter_json(encounter: ArenaEncounter, words: Words | None, with_places: bool) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "encounter": encounter.index,
        "players": list(encounter.players),
        "repetition": 0,
        "meeting": encounter.meeting,
        "ended": encounter.ended,
    }
    if encounter.ended:
        shown |= {"outcome": encounter.outcome, "culprits": list(encounter.culprits), "game_ends": encounter.game_ends, "words": words}
        shown["ratings"], shown["ended_at"] = encounter.ratings, encounter.ended_at
        if with_places:
            shown["places"] = None
    else:
        shown["games"] = [{"players": game.players, **game.start, "steps": game.steps, "end": game.end} for game in encounter.games]
    return shown


def encounter_words(state: TournamentState | ArenaState, index: int, game: Game) -> Words | None:
    """Each player's crosstable word for the ended encounter `index` after the events so far; None if they cannot be told."""
    if isinstance(state, ArenaState):
        return _arena_words(state.encounters[index], game)
    encounter = state.encounters[index]
    culprit = REMOVED if game.group_game else IRREGULAR
    try:
        return cell_words(state, index, encounter.players, game.outcome_sides, culprit)
    except ExportError as error:
        log.warning("watch: no crosstable words for encounter %d: %s", index, error)
        return None


def _arena_words(encounter: ArenaEncounter, game: Game) -> Words | None:
    """Each player's word for an arena's ended encounter: the game's, "irregular" for a culprit, "interrupted" for all."""
    if encounter.outcome is None:
        return dict.fromkeys(encounter.players, INTERRUPTED)
    try:
        words = game.outcome_sides(encounter.outcome, encounter.game_ends)
    except (StructureError, ValueError) as error:
        log.warning("watch: no words for encounter %d: %s", encounter.index, error)
        return None
    culprit = REMOVED if game.group_game else IRREGULAR
    return {name: culprit if name in encounter.culprits else words.get(name, "") for name in encounter.players}


def encounter_places(state: TournamentState | ArenaState, index: int, game: Game) -> Places | None:
    """Each player's `[name, place, score]` in the ended encounter `index`, as crosstable.csv's table per encounter has
    them; None if they cannot be told (and in an arena)."""
    if isinstance(state, ArenaState):
        return None
    encounter = state.encounters[index]
    try:
        return [[row.player, row.place, row.score] for row in encounter_rows(state, index, encounter.players, game)]
    except ExportError as error:
        log.warning("watch: no places for encounter %d: %s", index, error)
        return None


def encounter_ratings(state: TournamentState | ArenaState, index: int) -> list[dict[str, Any]] | None:
    """For an arena's ended encounter, each player's leaderboard row after it and its μ's `change` (seat order); None
    for a tournament's, and for an arena's encounter that was interrupted."""
    return state.encounters[index].ratings if isinstance(state, ArenaState) else None


def changed_words(event: Mapping[str, Any]) -> int | None:
    """The encounter whose crosstable words `event` changes (its end, or a revision of it), if any."""
    return event["encounter"] if event["type"] in (ENCOUNTER_END, REVISION) else None


def frozen_for_standings(state: TournamentState | ArenaState) -> TournamentState | dict[str, Any]:
    """A copy of what the standings read of `state`, safe to read in a thread while the live state goes on.

    Ended encounters never change again, so the copy shares them. An arena's standings are made at once (its
    leaderboard is kept sorted as it goes): the copy is they.
    """
    if isinstance(state, ArenaState):
        return {"seq": state.last_seq, "rows": state.standings(), "ratings": None, "format": None}
    return TournamentState(
        start=state.start,
        roster=state.roster,
        total=state.total,
        encounters={index: encounter for index, encounter in state.encounters.items() if encounter.ended},
        misbehaviours=dict(state.misbehaviours),
        revisions=dict(state.revisions),
        stages=list(state.stages),
        staged=dict(state.staged),
        results=state.results,
        last_seq=state.last_seq,
        out_at_results=state.out_at_results,
    )


def standings_json(state: TournamentState | dict[str, Any], game: Game) -> dict[str, Any] | None:
    """`{"seq", "rows", "ratings", "format"}` as of `state`'s last event (see the module's docstring); None before the roster.

    An arena's are its `frozen_for_standings`."""
    if isinstance(state, dict):
        return state
    if state.start is None or state.roster is None:
        return None
    try:
        rows = game.standings_json(results_so_far_value(state, game), list(state.roster))
    except ExportError as error:
        log.warning("watch: no standings: %s", error)
        return None
    return {"seq": state.last_seq, "rows": rows} | summary_so_far(state, game)


def summary_so_far(state: TournamentState, game: Game) -> dict[str, Any]:
    """`{"ratings", "format"}`: the summary as the manager would write it now: every format's ratings, and for a format played
    in stages its own summary (null otherwise); nulls before the roster."""
    nothing: dict[str, Any] = {"ratings": None, "format": None}
    try:
        settings = format_of(state)
        if state.roster is None:
            return nothing
        rules = game.rules(settings_of(state, game))
        names = list(state.roster)
        ratings = rate(len(names), _scored(state, rules, {name: index for index, name in enumerate(names)}))
        summary = None
        if settings.staged and (settings.kind != KNOCK_OUT or settings.seeding != BY_RATING):
            try:
                event_format: Format = staged_format(settings, names)
            except ValueError as error:  # what the manager plays then: nothing, and its summary says why
                event_format = NothingToPlay(str(error))
            lowest = [
                -math.inf if rating is None else rating for rating in ratings.values()
            ]  # the unrated rank last, as the manager has it
            summary = event_format.summary(len(names), _ended_stages(state, rules, event_format), lowest)
    except (ExportError, StructureError, ValueError) as error:
        log.warning("watch: no summary so far: %s", error)
        return nothing
    return {"ratings": ratings_json(names, ratings), "format": summary}


def _scored(state: TournamentState, rules: TournamentRules, position: Mapping[str, int]) -> list[ScoredEncounter]:
    """The ended encounters someone scored in, revised, as the ratings read them (the manager's `rated_encounters`)."""
    scored: list[ScoredEncounter] = []
    names = list(position)
    for index, encounter in sorted(state.encounters.items()):
        revised = state.revised(index) if encounter.ended else None
        if revised is not None:
            outcome = rules.from_json(revised)
            scored += rated_encounters(
                tuple(position[name] for name in encounter.players),
                frozenset(position[name] for name in encounter.culprits),
                lambda player, outcome=outcome: rules.score(outcome, names[player]),  # type: ignore[misc]
            )
    return scored


def _ended_stages(state: TournamentState, rules: TournamentRules, event_format: Format) -> list[StageResult]:
    """The stages every encounter of which has ended, each encounter as the format sees it (its outcome as the referee gave it)."""
    position = {name: index for index, name in enumerate(state.roster or ())}
    ended = []
    for logged in state.stages:
        indices = range(logged["first"], logged["first"] + len(logged["pairings"]))
        if not all(index in state.encounters and state.encounters[index].ended for index in indices):
            break
        stage = Stage(
            tuple(tuple(position[name] for name in table) for table in logged["pairings"]),
            logged["label"],
            tuple(position[name] for name in logged["byes"]),
        )
        ended.append(stage_result(stage, indices, lambda index: _played(state.encounters[index], rules, position)))
    return ended


def _played(encounter: EncounterState, rules: TournamentRules, position: Mapping[str, int]) -> tuple[Played | None, GroupPlayed]:
    """An ended encounter as a format sees it (the manager's `_played`)."""
    outcome = None if encounter.outcome is None else rules.from_json(encounter.outcome)
    name_of = {index: name for name, index in position.items()}
    return ended_as(
        tuple(position[name] for name in encounter.players),
        outcome is not None,
        frozenset(position[name] for name in encounter.culprits),
        lambda player: rules.score(outcome, name_of[player]),
    )
