"""The exports of an event log, made from the folded state of a tournament and its Game. Game-free.

Three files beside `events.ndjson` (four for a Swiss or a round robin),
each rewritten whole and atomically (a temporary file in the same
directory, then `os.replace`), so that a reader never sees half a file:

* `results.json` (`results_export`, one ResultsExport): the configuration
  that mattered (the `start` event's), the players in sign-up order, every
  encounter of the schedule, the Results exactly as xserver printed them
  (null while the tournament is unfinished) and the standings (of the
  Results so far, while unfinished). EXPORT_CONVERTER reads it back
  strictly: `structure_export(json.loads(text))`.
* `crosstable.csv` (`crosstable_csv`), for a game of two players a table of
  one row and one column per player (roster order); each cell says, from the row player's side, what became of
  each encounter of the pair (schedule order, joined with "; "):
  the game's word for its outcome and its games (`Game.outcome_sides`:
  "won 2–1", "lost", "drawn 25:25", ...), "irregular" where the row player misbehaved in it,
  "revised WORD" where a revision changed its outcome to one whose word is
  WORD, "revised away" where a revision deleted it, "not played" where a
  player was out before it, "running" and "to play" while unfinished. An
  empty cell: the pair never meets (and the diagonal). Then the totals:
  the counts of the cells' kinds (the first word of the word that counts,
  "revised" set aside) won, drawn, lost and irregular, which are those of
  the standings.
  For a game whose encounters seat more than two (`Game.players_per_encounter`,
  Fish), two-player cells make no sense: the file is a table per encounter
  instead (`encounter_table_csv`), one row per player per encounter of the
  schedule, in schedule then seat order, with the columns `encounter`, `stage`
  (the stage's number for a format played in stages, else empty), `player`,
  `place` and `score` (`Game.outcome_places` of the outcome after the
  revisions; empty where there is none), and `result`: the game's word
  (`Game.outcome_sides`), "removed" for a player who misbehaved in it, and
  "revised ...", "revised away", "not played", "running", "to play" as above.
* `games.ndjson` (`games_ndjson`): one line per game of an ended encounter,
  in (encounter, game) order (`Admin/tournament_state.py` makes the lines).
  An arena's exports are Remote/arena_exports.py's.
* `tournament.trf` (`tournament_trf`), for a Swiss or a round robin of a game
  of two players only: the event as a FIDE Tournament Report File (TRF16),
  which pairing checkers and rating tools read; `Admin/trf.py` says what goes
  where. TRF records games between two players, so a game seating more than
  two has none.

`results.json` lists each encounter's players, however many, in seat order.

The exports are not synced to disk: the log is the durable record, and
`python -m Remote.rebuild_exports DIR` rebuilds them from it.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import secrets
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import cattrs

from Admin.encounter import Encounter
from Admin.formats.settings import DEFAULT as DEFAULT_FORMAT
from Admin.formats.settings import FormatSettings, read_format, schedule_of
from Admin.manager import TournamentRules
from Admin.revisions import revise
from Admin.tournament_state import TournamentState
from Admin.trf import report_text, tournament_report
from Common.participant import Name
from Common.strict import StructureError, register_json_object, show, strict_converter
from Common.strict import structure as structure_strictly
from Remote.game_description import Game

EXPORT_VERSION = 1
"""The format version of results.json."""
RESULTS_JSON, CROSSTABLE_CSV, GAMES_NDJSON, TOURNAMENT_TRF = "results.json", "crosstable.csv", "games.ndjson", "tournament.trf"

PLAYED, NOT_PLAYED, RUNNING, TO_PLAY = "played", "not played", "running", "to play"
STATUSES = (PLAYED, NOT_PLAYED, RUNNING, TO_PLAY)
"""An encounter of the schedule: played to an outcome; ended unplayed (a player was out); started; not started."""
INTERRUPTED = "interrupted"
"""An arena's encounter that ran when the server died: it ended without an outcome, rated for nobody."""
IRREGULAR, REVISED, REVISED_AWAY, REMOVED = "irregular", "revised", "revised away", "removed"
KINDS = ("won", "drawn", "lost", IRREGULAR)
"""The totals of the crosstable: a cell's word counts for the kind it starts with."""
SEPARATOR = "; "
ENCOUNTER_TABLE_HEADER = ("encounter", "stage", "player", "place", "score", "result")
"""The columns of crosstable.csv for a game seating more than two."""


class ExportError(ValueError):
    """A log whose exports cannot be made (no start event, an outcome its game refuses); one line."""


# ---------------------------------------------------------------------------
# results.json


@attrs.frozen
class MisbehaviourEntry:
    """Why a player is out: the misbehaviour's kind and reason, and its encounter (None: outside any)."""

    kind: str
    reason: str
    encounter: int | None


@attrs.frozen
class ExportedPlayer:
    """One sign-up: the name asked for, the name given (None: none fitted, left out), its misbehaviour if any."""

    requested: Name
    assigned: Name | None
    misbehaviour: MisbehaviourEntry | None


def _status(instance: object, attribute: attrs.Attribute, value: object) -> None:
    if value not in STATUSES:
        raise ValueError(f"expected a status {', '.join(map(show, STATUSES))}, got {show(value)}")


def _seated(value: Any) -> tuple[Name, ...]:
    """An encounter's players from results.json: two or more different names."""
    if type(value) is not list or len(value) < 2 or any(type(name) is not str for name in value) or len(set(value)) != len(value):
        raise ValueError(f"expected two or more different names, got {show(value)}")
    return tuple(value)


@attrs.frozen
class EncounterEntry:
    """One encounter of the schedule, wire values as the log holds them.

    `outcome` is the referee's (None unless played); `revised` is the
    outcome after the revisions (None: deleted, or not played); `games` is
    each ended game's `game-end` (without encounter and game).
    """

    index: int
    players: tuple[Name, ...]
    """In seat order: two, or as many as the game seats."""
    repetition: int
    meeting: int
    status: str = attrs.field(validator=_status)
    outcome: Any
    culprits: tuple[Name, ...]
    revised: Any
    games: tuple[Any, ...]


@attrs.frozen
class ResultsExport:
    """Everything results.json says of one tournament (see the module's docstring)."""

    version: int
    tournament: str | None
    game: str
    configuration: dict[str, Any]
    """The `start` event's: every value that can change the Results, as configured."""
    settings: dict[str, Any]
    """The `start` event's: the game's settings as prepared (the IPD's seed drawn)."""
    finished: bool
    players: tuple[ExportedPlayer, ...]
    encounters: tuple[EncounterEntry, ...]
    results: Any
    """The JSON value xserver printed on standard output; None while unfinished."""
    standings: tuple[dict[str, Any], ...]
    """The game's standings rows (`Game.standings_json`), best first."""
    ratings: tuple[dict[str, Any], ...] = ()
    """Every player's rating with its 95 % interval (Admin/ratings.py), best first; () while unfinished."""
    format: dict[str, Any] | None = None
    """The format's summary (a Swiss table, a bracket, an SPRT's verdict); None for a schedule known from the roster."""


def _json_value(value: Any, path: str = "") -> Any:
    """`value` if it is plain JSON (objects with string keys, arrays, strings, finite numbers, booleans, null)."""
    where = f" (at {path})" if path else ""
    if value is None or type(value) in (str, bool, int):
        return value
    if type(value) is float:
        if not math.isfinite(value):
            raise ValueError(f"expected a finite number, got {value!r}{where}")
        return value
    if type(value) is list:
        return [_json_value(element, f"{path}[{index}]") for index, element in enumerate(value)]
    if type(value) is dict:
        for key in value:
            if type(key) is not str:
                raise ValueError(f"expected an object with string keys, got the key {key!r}{where}")
        return {key: _json_value(element, f"{path}.{key}") for key, element in value.items()}
    raise ValueError(f"expected a JSON value, got {show(value)}{where}")


def _json_object(value: Any, _: Any = None) -> dict[str, Any]:
    if type(value) is not dict:
        raise ValueError(f"expected a JSON object, got {show(value)}")
    return _json_value(value)


def _export_converter() -> cattrs.Converter:
    converter = strict_converter()
    converter.register_structure_hook_func(lambda type_: type_ is Any, lambda value, _: _json_value(value))
    converter.register_structure_hook_func(lambda type_: type_ == dict[str, Any], _json_object)
    converter.register_unstructure_hook_func(lambda type_: type_ == tuple[Name, ...], list)
    for cls in (MisbehaviourEntry, ExportedPlayer, EncounterEntry, ResultsExport):
        checks: dict[str, Callable[[Any], Any]] | None = {"players": _seated} if cls is EncounterEntry else None
        register_json_object(converter, cls, keys={field.name: field.name for field in attrs.fields(cls)}, checks=checks)
    return converter


EXPORT_CONVERTER = _export_converter()
"""The strict converter of results.json: nothing coerced, no key unknown or missing."""


def unstructure_export(export: ResultsExport) -> dict[str, Any]:
    """`export` as the JSON value of results.json."""
    return EXPORT_CONVERTER.unstructure(export)


def structure_export(data: Any) -> ResultsExport:
    """The JSON value of results.json as a ResultsExport, or StructureError naming what is wrong and where."""
    return structure_strictly(data, ResultsExport, EXPORT_CONVERTER)


def results_export(state: TournamentState, game: Game) -> ResultsExport:
    """results.json of the tournament whose events folded to `state`."""
    start = _start(state)
    roster = state.roster or ()
    results = results_so_far_value(state, game)
    if state.results is not None and game.rules(settings_of(state, game)).to_json(results) != state.results["results"]:
        raise ExportError("the Results the log recorded are not those its outcomes and revisions give")
    misbehaviours = {name: MisbehaviourEntry(**entry) for name, entry in state.misbehaviours.items()}
    players = tuple(
        ExportedPlayer(sign_up["requested"], sign_up["assigned"], misbehaviours.get(sign_up["assigned"])) for sign_up in state.sign_ups
    )
    return ResultsExport(
        version=EXPORT_VERSION,
        tournament=start.get("tournament"),
        game=start["game"],
        configuration=start.get("configuration", {}),
        settings=start.get("settings", {}),
        finished=state.results is not None,
        players=players,
        encounters=tuple(_encounters(state, game)),
        results=None if state.results is None else state.results["output"],
        standings=tuple(game.standings_json(results, roster)),
        ratings=() if state.summary is None else tuple(state.summary["ratings"]),
        format=None if state.summary is None else state.summary["format"],
    )


def _encounters(state: TournamentState, game: Game) -> list[EncounterEntry]:
    entries = []
    for index, players, encounter in _schedule(state, game):
        started = state.encounters.get(index)
        if started is None:
            entries.append(EncounterEntry(index, players, encounter.repetition, encounter.meeting, TO_PLAY, None, (), None, ()))
            continue
        if started.ended:
            status = NOT_PLAYED if started.outcome is None else PLAYED
            revised, ends = state.revised(index), tuple(started.game_ends)
        else:
            status, revised = RUNNING, None
            ends = tuple(played.end for played in started.games if played.end is not None)
        entries.append(
            EncounterEntry(
                index,
                started.players,
                encounter.repetition,
                encounter.meeting,
                status,
                started.outcome,
                started.culprits,
                revised,
                ends,
            )
        )
    return entries


# ---------------------------------------------------------------------------
# The Results so far


def settings_of(state: TournamentState, game: Game) -> Any:
    """The game's settings as the log's `start` event recorded them."""
    try:
        return game.read_settings(_start(state).get("settings", {}))
    except StructureError as error:
        raise ExportError(f"the start event's settings: {error}") from None


def results_so_far_value(state: TournamentState, game: Game) -> Any:
    """The game's Results of the outcomes so far, revised as the manager revises them (those printed, once finished:
    a player that misbehaved after them, failing to take them, changes nothing)."""
    rules = game.rules(settings_of(state, game))
    roster = state.roster or ()
    played = [
        (outcome_from_json(rules, encounter.outcome, index), encounter.culprits)
        for index, encounter in sorted(state.encounters.items())
        if encounter.ended and encounter.outcome is not None
    ]
    out = {name for name in (state.out if state.out_at_results is None else state.out_at_results) if name in roster}
    return rules.results(revise(played, rules.revise), list(roster), out)


def results_so_far(state: TournamentState, game: Game) -> Any:
    """The JSON value xserver would print for the outcomes so far (what it prints on stopping, on standard error)."""
    return game.output(results_so_far_value(state, game), settings_of(state, game))


def outcome_from_json(rules: TournamentRules, outcome: Any, index: int) -> Any:
    try:
        return rules.from_json(outcome)
    except StructureError as error:
        raise ExportError(f"the outcome of encounter {index}: {error}") from None


# ---------------------------------------------------------------------------
# crosstable.csv


def crosstable_csv(state: TournamentState, game: Game) -> str:
    """crosstable.csv of the tournament whose events folded to `state` (see the module's docstring)."""
    if game.group_game:
        return encounter_table_csv(state, game)
    roster = list(state.roster or ())
    sides = game.outcome_sides
    cells: dict[tuple[Name, Name], list[str]] = {}
    counts = {name: dict.fromkeys(KINDS, 0) for name in roster}
    for index, pair, _ in _schedule(state, game):
        words = cell_words(state, index, pair, sides)
        for name, word in words.items():
            other = pair[1] if name == pair[0] else pair[0]
            cells.setdefault((name, other), []).append(word)
            kind = kind_of(word)
            if kind is not None and name in counts:
                counts[name][kind] += 1
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["player", *roster, *KINDS])
    for name in roster:
        row = [SEPARATOR.join(cells.get((name, other), [])) for other in roster]
        writer.writerow([name, *row, *(counts[name][kind] for kind in KINDS)])
    return text.getvalue()


def cell_words(state: TournamentState, index: int, players: Sequence[Name], sides: Any, culprit: str = IRREGULAR) -> dict[Name, str]:
    """Each player's crosstable word for the encounter at `index` (also the watch page's): one source for both.

    `culprit` is the word of a player who misbehaved in it (the table per encounter's is "removed")."""
    encounter = state.encounters.get(index)
    if encounter is None:
        return dict.fromkeys(players, TO_PLAY)
    if not encounter.ended:
        return dict.fromkeys(encounter.players, RUNNING)
    if encounter.outcome is None:
        return dict.fromkeys(encounter.players, NOT_PLAYED)
    revised = state.revised(index)
    if revised != encounter.outcome:
        if revised is None:
            return dict.fromkeys(encounter.players, REVISED_AWAY)
        return {name: f"{REVISED} {word}" for name, word in _sides(sides, revised, index, encounter.players).items()}
    words = _sides(sides, encounter.outcome, index, encounter.players, encounter.game_ends)
    return {name: culprit if name in encounter.culprits else word for name, word in words.items()}


def _sides(sides: Any, outcome: Any, index: int, players: Sequence[Name], game_ends: Any = ()) -> dict[Name, str]:
    try:
        words = sides(outcome, game_ends)
    except StructureError as error:
        raise ExportError(f"the outcome of encounter {index}: {error}") from None
    if set(words) != set(players):
        raise ExportError(f"the outcome of encounter {index}, {show(outcome)}, is not one of {_and(players)}")
    return words


def _and(names: Sequence[Name]) -> str:
    """`ann and bob`, `ann, bob and cat`."""
    return f"{', '.join(names[:-1])} and {names[-1]}"


@attrs.frozen
class PlaceRow:
    """One player's row of the table per encounter: its place and score (None: none), and its word."""

    player: Name
    place: int | None
    score: Any
    result: str


def encounter_rows(state: TournamentState, index: int, players: Sequence[Name], game: Game) -> list[PlaceRow]:
    """Each player's row for the encounter at `index`, in seat order (crosstable.csv's and the watch page's table per encounter).

    Places and scores are those of the outcome after the revisions (none while it is to play or running, or when it
    was not played or revised away)."""
    words = cell_words(state, index, players, game.outcome_sides, culprit=REMOVED)
    encounter = state.encounters.get(index)
    places: dict[Name, tuple[int | None, Any]] = {}
    if encounter is not None and encounter.ended and encounter.outcome is not None:
        revised = state.revised(index)
        if revised is not None:
            places = _places(game, revised, index, players)
    return [PlaceRow(name, *places.get(name, (None, None)), words[name]) for name in players]


def _places(game: Game, outcome: Any, index: int, players: Sequence[Name]) -> dict[Name, tuple[int | None, Any]]:
    try:
        told = list(game.outcome_places(outcome))
    except StructureError as error:
        raise ExportError(f"the outcome of encounter {index}: {error}") from None
    places = {name: (place, score) for name, place, score in told}
    if told and set(places) != set(players):
        raise ExportError(f"the places of encounter {index}, {show(outcome)}, are not those of {_and(players)}")
    return places


def encounter_table_csv(state: TournamentState, game: Game) -> str:
    """crosstable.csv of a game seating more than two: a row per player per encounter (see the module's docstring)."""
    stages = stage_numbers(state)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(ENCOUNTER_TABLE_HEADER)
    for index, players, _ in _schedule(state, game):
        for row in encounter_rows(state, index, players, game):
            writer.writerow([index, stages.get(index, ""), row.player, _cell(row.place), _cell(row.score), row.result])
    return text.getvalue()


def _cell(value: Any) -> str:
    """A place or a score as a CSV cell: empty for None, a string as it is, any other JSON value as JSON."""
    if value is None:
        return ""
    return value if type(value) is str else json.dumps(value, ensure_ascii=False)


def stage_numbers(state: TournamentState) -> dict[int, int]:
    """The stage's number of each encounter of a format played in stages, by schedule index (empty for the others)."""
    return {index: stage["stage"] for stage in state.stages for index in range(stage["first"], stage["first"] + len(stage["pairings"]))}


def kind_of(word: str) -> str | None:
    """The total a crosstable word counts for (None: none): its first word, past "revised"."""
    if word.startswith(REVISED + " "):
        word = word[len(REVISED) + 1 :]
    first = word.split(" ", 1)[0]
    return first if first in KINDS else None


def _schedule(state: TournamentState, game: Game) -> list[tuple[int, tuple[Name, ...], Any]]:
    """Every encounter of the schedule: its index, its players in seat order (as logged, once started), where it stands."""
    if state.roster is None:
        return []
    roster = list(state.roster)
    if state.stages or format_of(state).staged:  # a format played in stages: its pairings, those its stage events announced
        return [
            (index, state.encounters[index].players if index in state.encounters else pair, _met(state, index))
            for index, pair in state.staged.items()
        ]
    schedule = schedule_of(format_of(state), game.rules(settings_of(state, game)).schedule)(roster)
    if len(schedule) != state.total:
        raise ExportError(f"the roster event says {state.total} encounters; the game's schedule has {len(schedule)}")
    found = []
    for index, seats in enumerate(schedule):  # iterating is cheap; a round robin's pairing(index) is not
        logged = state.encounters.get(index)
        found.append((index, logged.players if logged else tuple(roster[seat] for seat in seats), schedule.encounter(index)))
    return found


def format_of(state: TournamentState) -> FormatSettings:
    """The format the log's `start` event recorded (the round robin when it names none)."""
    recorded = _start(state).get("configuration", {}).get("format")
    if recorded is None:
        return DEFAULT_FORMAT
    try:
        return read_format(recorded)
    except StructureError as error:
        raise ExportError(f"the start event's format: {error}") from None


def _met(state: TournamentState, index: int) -> Encounter:
    """Where the staged encounter at `index` stands: how often its players met before it."""
    logged = state.encounters.get(index)
    if logged is not None:
        return Encounter(index, logged.repetition, logged.meeting)
    pair = set(state.staged[index])
    return Encounter(index, meeting=sum(set(state.staged[earlier]) == pair for earlier in range(index)))


# ---------------------------------------------------------------------------
# tournament.trf


def tournament_trf(state: TournamentState, game: Game) -> str | None:
    """tournament.trf of a Swiss or round-robin event of a game of two (`Admin/trf.py`); None for the other formats, for a
    game seating more than two, and before the roster."""
    if state.roster is None or game.group_game:
        return None
    roster = state.roster
    rules = game.rules(settings_of(state, game))
    report = tournament_report(
        state, rules, format_of(state), game.name, lambda: game.standings_json(results_so_far_value(state, game), roster)
    )
    return None if report is None else report_text(report)


# ---------------------------------------------------------------------------
# games.ndjson, and writing them


def games_ndjson(state: TournamentState) -> str:
    """games.ndjson: one line per game of an ended encounter, in (encounter, game) order, each ending in a newline."""
    return "".join(state.game_lines[key] + "\n" for key in sorted(state.game_lines))


def results_json(state: TournamentState, game: Game) -> str:
    """results.json as text: the ResultsExport, indented, ending in a newline."""
    return json_document(unstructure_export(results_export(state, game)))


def json_document(data: Any) -> str:
    """An export's JSON document: indented, strict (no NaN), ending in a newline."""
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_exports(directory: Path, state: TournamentState, game: Game) -> list[str]:
    """Write results.json, crosstable.csv, games.ndjson (and tournament.trf) into `directory`, each replacing its old self
    atomically; the names written."""
    texts = export_texts(state, game)
    write_texts(Path(directory), texts)
    return list(texts)


def export_texts(state: TournamentState, game: Game) -> dict[str, str]:
    """The exports' texts by file name (rendered at once: the state may change while they are written)."""
    texts = {  # the crosstable first: it checks that each outcome is one of its encounter's players
        CROSSTABLE_CSV: crosstable_csv(state, game),
        RESULTS_JSON: results_json(state, game),
        GAMES_NDJSON: games_ndjson(state),
    }
    trf = tournament_trf(state, game)
    if trf is not None:
        texts[TOURNAMENT_TRF] = trf
    return texts


def write_texts(directory: Path, texts: dict[str, str]) -> None:
    """Write each of `texts` into `directory` under its name, atomically."""
    for name, text in texts.items():
        write_atomically(directory / name, text)


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` by a file holding `text` (UTF-8): written beside it under another name, then renamed."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        with open(temporary, "x", encoding="utf-8", newline="") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------
# What the log must hold


def _start(state: TournamentState) -> Mapping[str, Any]:
    if state.start is None:
        raise ExportError("the log has no start event")
    return state.start
