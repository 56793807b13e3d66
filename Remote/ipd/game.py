"""The iterated prisoner's dilemma, described for the host: the one value `Remote/game_registry.py` lists for it.

Its keys are those of `Common/ipd/settings.py` ("payoffs", "min rounds",
"end probability", "max rounds", "seed", "noise", "time per move",
"forfeits allowed", "repetitions", "pairings") and "records", a directory for
one CSV file per match (ipd.md section 8). A tournament without a
"seed" draws one from the operating system and logs it, so that nobody can
precompute the matches' lengths and the organiser can replay them. The
schedule is the round robin, `repetitions` times, or the listed pairings (a
pairing that names someone who did not sign up is skipped and logged). The
line on standard output is `{"game": "ipd", "seed": N, "outcomes": [...],
"standings": [...]}`; xclients prints the `results` message its players
received, or `null` if none did.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from Admin.ipd.referee import make_referee
from Admin.ipd.tournament import narrowed, results, revise
from Admin.manager import TournamentRules
from Admin.observer import Observer
from Admin.schedule import RoundRobin, Schedule, listed_pairings
from Common.ipd.messages import TournamentResults
from Common.ipd.names import MAX_NAME_LENGTH
from Common.ipd.outcomes import Irregular, MatchOutcome, match_score
from Common.ipd.settings import CHECKS, KEYS, IPDSettings, read_settings
from Common.ipd.standings import ranks_of
from Common.ipd.wire import structure, unstructure
from Common.strict import StructureError, show
from Player.ipd.kinds import PLAYERS
from Remote.game_description import Game
from Remote.ipd.exports import outcome_sides, standings_json
from Remote.ipd.fgw import FGW, FgwEvent, configure, fgw_door, record_writers
from Remote.ipd.records import RecordWriter
from Remote.ipd.remote_player import RemotePlayer
from Remote.ipd.server_proxy import ServerProxy, recognises_server_message

log = logging.getLogger(__name__)

SEED_BITS = 63


@attrs.frozen
class TournamentSettings:
    """The prisoner's dilemma's configuration: the game's settings, and where match records go (None: nowhere)."""

    game: IPDSettings
    records: Path | None = None
    fgw: FgwEvent | None = attrs.field(default=None, eq=False)
    """With the fgw door open (Remote/ipd/fgw.py): its matches, shared by the door and the writer of their files."""


RECORDS = "records"


def _records(value: Any) -> Path:
    """The "records" key's value: the path of a directory (that may not exist yet); ValueError otherwise."""
    if type(value) is not str or not value:
        raise ValueError(f"expected the path of a directory, got {show(value)}")
    if Path(value).exists() and not Path(value).is_dir():
        raise ValueError(f"{show(value)} is not a directory")
    return Path(value)


def _read_settings(keys: Mapping[str, Any]) -> TournamentSettings:
    keys = dict(keys)
    records = keys.pop(RECORDS, None)
    settings = read_settings(keys)
    if records is None:
        return TournamentSettings(settings)
    try:
        return TournamentSettings(settings, _records(records))
    except ValueError as error:
        raise StructureError(f"{error} @ $.{RECORDS}") from None


def _record_writers(settings: TournamentSettings) -> list[Observer]:
    writers = record_writers(settings.fgw)
    if settings.records is None:
        return writers
    settings.records.mkdir(parents=True, exist_ok=True)
    return [RecordWriter(settings.records), *writers]


def prepare(settings: TournamentSettings) -> tuple[TournamentSettings, str]:
    """The settings with a seed: the configured one, or one drawn now; the log line that names it."""
    if settings.game.seed is not None:
        return settings, f"seed {settings.game.seed}"
    seed = secrets.randbits(SEED_BITS)
    drawn = attrs.evolve(settings, game=attrs.evolve(settings.game, seed=seed))
    return drawn, f'seed {seed} (drawn; "seed": {seed} plays the same matches again)'


def _rules(tournament: TournamentSettings) -> TournamentRules:
    settings = tournament.game

    def schedule(names: Sequence[str]) -> Schedule:
        if settings.pairings is None:
            return RoundRobin(len(names), settings.repetitions)
        listed, skipped = listed_pairings(names, settings.pairings, settings.repetitions)
        for first, second in skipped:
            missing = ", ".join(name for name in (first, second) if name not in names)
            log.info("pairing [%s, %s] skipped: %s did not sign up", first, second, missing)
        return listed

    return TournamentRules(
        revise=revise,
        results=results,
        max_name_length=MAX_NAME_LENGTH,
        schedule=schedule,
        to_json=unstructure,
        from_json=lambda data: structure(data, MatchOutcome),
        score=match_score,
        narrowed=narrowed,
    )


def settings_json(tournament: TournamentSettings) -> dict[str, Any]:
    """The IPD's settings as its configuration keys ("records" changes no Result and is left out)."""
    settings = tournament.game
    fields = attrs.asdict(settings, recurse=False)
    keys = {KEYS[field]: value for field, value in fields.items() if field not in ("payoffs", "pairings", "seed")}
    payoffs = settings.payoffs
    keys["payoffs"] = {"R": payoffs.reward, "S": payoffs.sucker, "T": payoffs.temptation, "P": payoffs.punishment}
    if settings.seed is not None:
        keys["seed"] = settings.seed
    if settings.pairings is not None:
        keys["pairings"] = [list(pairing) for pairing in settings.pairings]
    return keys


def output(tournament: TournamentResults, settings: TournamentSettings) -> dict[str, Any]:
    return {
        "game": "ipd",
        "seed": settings.game.seed,
        "outcomes": unstructure(tournament.outcomes),
        "standings": unstructure(tournament.standings),
    }


def describe(outcome: MatchOutcome) -> str:
    if isinstance(outcome, Irregular):
        return f"{outcome.first} against {outcome.second}: irregular, {outcome.second} misbehaved"
    return f"{outcome.first} {outcome.first_score} : {outcome.second_score} {outcome.second} in {outcome.rounds} rounds"


HEADINGS = ("rank", "player", "score", "matches")


def table(tournament: TournamentResults, names: Sequence[str]) -> str:
    """The Standings as aligned lines, equal players sharing a rank; players who misbehaved are not listed (ipd.md section 5)."""
    rows = [HEADINGS] + [
        (str(rank), standing.name, f"{standing.score:.6f}", str(standing.matches))
        for rank, standing in zip(ranks_of(tournament.outcomes, tournament.standings), tournament.standings, strict=True)
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADINGS))]
    lines = []
    for rank, name, score, matches in rows:
        lines.append(f"{rank.rjust(widths[0])}  {name.ljust(widths[1])}  {score.rjust(widths[2])}  {matches.rjust(widths[3])}")
    return "\n".join(line.rstrip() for line in lines)


SETTINGS_HELP = """\
  "payoffs"          {"R": 3, "S": 0, "T": 5, "P": 1} by default; T > R > P > S and 2R > T + S
  "min rounds"       whole number >= 1, default 1: no match ends before it
  "end probability"  number 0..1, default 0.00346: after each round from "min rounds" on, the match ends so likely
  "max rounds"       whole number >= "min rounds", default 2000: no match is longer
  "seed"             whole number >= 0, default drawn and logged: the matches' lengths and noise
  "noise"            number 0..1, default 0: how likely a submitted move is flipped
  "time per move"    positive number of seconds, default 1: a later reply forfeits the round
  "forfeits allowed" whole number >= 0, default 3: one more in a match and the player is out
  "repetitions"      whole number >= 1, default 1: the schedule is played this often
  "pairings"         list of [A, B], default a round robin: the matches, in order
  "records"          path of a directory, default none: one CSV file per match, written when it ends
"""

GAME = Game(
    name="ipd",
    players=PLAYERS,
    settings_keys={KEYS[field]: CHECKS[field] for field in KEYS} | {RECORDS: _records},
    read_settings=_read_settings,
    make_referee=lambda settings, time_per_call, note: make_referee(settings.game, settings.game.seed, time_per_call, note=note),
    rules=_rules,
    remote_player=RemotePlayer,
    client_proxy=ServerProxy,
    output=output,
    results_to_json=unstructure,
    no_results=None,
    describe_outcome=describe,
    standings_table=table,
    settings_help=SETTINGS_HELP,
    prepare=prepare,
    observers=_record_writers,
    settings_json=settings_json,
    local_settings=lambda configured, recorded: attrs.evolve(recorded, records=configured.records, fgw=configured.fgw),
    outcome_sides=outcome_sides,
    standings_json=standings_json,
    board_view=Path(__file__).with_name("board_view.js"),
    play_view=Path(__file__).with_name("play_view.js"),
    title="the prisoner's dilemma",
    recognises_server_message=recognises_server_message,
    schedule_keys=("pairings", "repetitions"),
    websocket_doors={FGW: fgw_door},
    configure_doors=configure,
)
