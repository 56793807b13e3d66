"""What a watcher is told of a tournament: the snapshot of its state, each encounter's crosstable words, the standings. Pure.

The snapshot is the folded TournamentState as JSON, so that the snapshot at
seq S and the events after S together say everything the whole log says
(a test rebuilds the state from it). It leaves out only the steps of the
games of ended encounters, which `GET /games/<encounter>/<game>.json`
serves. Its keys:

    run, tournament, seq, game      which tournament (run: the hub's count), up to which event
    start, sign_ups, roster, total  the start event's body, the sign-ups, the roster, the schedule's size
    encounters                      every encounter that has started or ended, in schedule order
    misbehaviours, revisions        by name; [index, revised outcome] pairs
    stages, summary                 a format's stage events (their bodies), the summary event's body (ratings, format), or null
    finished, results, stops, resumes
    standings                       {"seq", "rows"} as of event seq, or null

An encounter is `{encounter, players, repetition, meeting, ended}`; a running
one adds `games` (`{players, steps, end}` each), an ended one `outcome`,
`culprits`, `game_ends` and `words` (each player's crosstable word, as
crosstable.csv writes it; null when the game has no words for outcomes).

Nothing here knows a game: words and standings come through the Game.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from Admin.tournament_state import ENCOUNTER_END, REVISION, EncounterState, TournamentState
from Remote.exports import ExportError, cell_words, results_so_far_value
from Remote.game_description import Game

log = logging.getLogger("xserver.watch")

Words = dict[str, str]


def snapshot_json(
    state: TournamentState,
    run: int,
    words: Mapping[int, Words | None],
    standings: dict[str, Any] | None,
) -> dict[str, Any]:
    """The snapshot of `state` (see the module's docstring); `words` by encounter index, for the ended ones."""
    start = state.start
    return {
        "type": "snapshot",
        "run": run,
        "tournament": None if start is None else start.get("tournament"),
        "seq": state.last_seq,
        "game": None if start is None else start.get("game"),
        "start": start,
        "sign_ups": state.sign_ups,
        "roster": None if state.roster is None else list(state.roster),
        "total": state.total,
        "encounters": [_encounter_json(encounter, words.get(index)) for index, encounter in sorted(state.encounters.items())],
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


def _encounter_json(encounter: EncounterState, words: Words | None) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "encounter": encounter.index,
        "players": list(encounter.players),
        "repetition": encounter.repetition,
        "meeting": encounter.meeting,
        "ended": encounter.ended,
    }
    if encounter.ended:
        shown |= {"outcome": encounter.outcome, "culprits": list(encounter.culprits), "game_ends": encounter.game_ends, "words": words}
    else:
        shown["games"] = [{"players": game.players, "steps": game.steps, "end": game.end} for game in encounter.games]
    return shown


def encounter_words(state: TournamentState, index: int, game: Game) -> Words | None:
    """Each player's crosstable word for the ended encounter `index` after the events so far; None if they cannot be told."""
    encounter = state.encounters[index]
    try:
        return cell_words(state, index, encounter.players, game.outcome_sides)
    except ExportError as error:
        log.warning("watch: no crosstable words for encounter %d: %s", index, error)
        return None


def changed_words(event: Mapping[str, Any]) -> int | None:
    """The encounter whose crosstable words `event` changes (its end, or a revision of it), if any."""
    return event["encounter"] if event["type"] in (ENCOUNTER_END, REVISION) else None


def frozen_for_standings(state: TournamentState) -> TournamentState:
    """A copy of what the standings read of `state`, safe to read in a thread while the live state goes on.

    Ended encounters never change again, so the copy shares them.
    """
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
    )


def standings_json(state: TournamentState, game: Game) -> dict[str, Any] | None:
    """`{"seq", "rows"}`: the game's standings rows of the Results so far, as of `state`'s last event; None if it has none."""
    if state.start is None or state.roster is None:
        return None
    try:
        rows = game.standings_json(results_so_far_value(state, game), list(state.roster))
    except ExportError as error:
        log.warning("watch: no standings: %s", error)
        return None
    return {"seq": state.last_seq, "rows": rows}
