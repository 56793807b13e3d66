"""A Swiss or round-robin event as a FIDE Tournament Report File (TRF16), for pairing checkers and rating tools. Pure, game-free.

The file (FIDE Handbook C.04 Annex 2, "TRF16"; JaVaFo's and bbpPairings'
input) is a few header lines and one `001` line per player, each line
ending in CR LF (the spec asks for a CR last; LF-only readers take it too):

    012 ipd 20261201T120000Z-000000      the tournament's name: the game and the tournament's id
    042 2026/12/01                       its first day (UTC), from the id the event log's writer gives it
    062 7                                how many players
    092 Individual: Swiss system         the kind (free text): "Swiss system" or "round robin[, N cycles]"
    XXR 3                                the rounds (JaVaFo's and bbpPairings' key)
    001 ... one line per player, in fixed columns (1-based, both ends included):
        1-3 "001", 5-8 starting rank, 10 sex, 11-13 title, 15-47 name, 49-52 rating,
        54-56 federation, 58-68 FIDE number, 70-79 birth date, 81-84 points ("%4.1f"),
        86-89 rank, then one block of 10 columns per round from column 92:
        opponent's starting rank (4, "0000": none), colour ("w", "b", "-"), result.

What we write there, and why:

* **Players**: starting rank = the player's place in the roster (sign-up
  order, from 1); name = its name (cut to the 33 columns of the field; no
  rule of ours makes a longer one than 64, and the starting rank is what
  identifies a player). Sex, title, federation, FIDE number and birth date
  are blank: we know none of them.
* **Rating**: blank. Our ratings (Admin/ratings.py) are on the Elo scale but
  anchored at the field's mean, so a 1500 of ours is not a FIDE 1500; a
  rating tool reading the column would take them for FIDE ratings. Blank is
  the TRF's "unrated" (a 0 may be read as a rating of 0).
* **Rounds**: a Swiss's round k is its stage k. A round robin's round is
  the circle method's (Berger tables): in each cycle of n players (n + 1
  with an odd n, the extra one standing for a rest), the pair i < j meets in
  the round r with 2r = i + j (mod n - 1), the last player meeting player r
  in round r, so that every player has one encounter per round and each
  line's round k names an opponent whose line names it back in round k (what
  a TRF reader checks); cycle c's rounds follow cycle c - 1's. Our schedule
  plays a round robin as a list, each player in its own order: the TRF's
  rounds are a layout, not the order the encounters were played in.
* **Colours**: the player listed first in an encounter (who starts) is
  "w", the other "b"; for forfeits too (the scheduled colours).
* **Results** come from the raw outcomes (the referee's), scored by the
  game's rules (`TournamentRules.score`), exactly as the manager hands them
  to the formats, not from the revised ones: a Swiss was paired from these
  scores and its standings count them, so a pairing checker re-pairing round
  k from rounds 1 .. k - 1 needs them; a revision (a later misbehaviour
  turning a culprit's earlier games into losses) is our penalty, which the
  Results and results.json carry, while the TRF records the games as they
  were played (as chess keeps a disqualified player's played games); and a
  round once written never changes as the event goes on. So: "1", "=",
  "0" for a played encounter (a score of None, nobody scored, is "0" for
  both); a culprit's encounter is a forfeit loss "-" for the culprit and a
  forfeit win "+" for its opponent ("-" for both when both misbehaved).
* **Byes**: a Swiss's bye is the TRF16 code of a pairing-allocated bye,
  `0000 - U`, worth a win as in our Swiss. (The older "+" without an
  opponent is a forfeit win, and "F" a full-point bye the player asked for.)
* **No encounter in a round**: ten blank columns (the TRF's "not paired",
  worth nothing): the round robin's rest round with an odd number of
  players, every round of a player after it is out, and an encounter not
  played because a player was out before it, for both its players (nobody
  scored in it; the TRF's "+" / "-" would give one of them a point our event
  did not). An encounter that is running or yet to play is blank too until
  it ends: the file is rewritten as the event goes (like results.json), and
  a round fills in as its encounters end.
* **Points** are the sum of the round codes' values (1, 1/2, 0; a bye 1),
  which TRF readers check: for a Swiss they equal its standings' score; for
  a round robin, wins and half draws of the raw outcomes.
* **Rank**: the event's own ranking. A Swiss's is its summary's standings
  (score, Buchholz, Sonneborn-Berger) once it has one, and by points then
  starting rank before. A round robin's is the game's standings of the
  Results so far (as results.json's `standings`, shared ranks included),
  then the players they leave out (those out, in the IPD) by points and
  starting rank.
* **Which events**: a Swiss, and a round robin (the default, or with
  cycles; the game's own round robin too, such as the IPD's repetitions).
  Listed pairings, knock-outs and gauntlets get no TRF (their encounters
  are not rounds of a round robin or a Swiss), nor do events the file
  cannot hold: more than 9,999 players (4 columns of starting rank), or
  more than 99 rounds (no score could then outgrow the 4 columns of points,
  99.9 at most). Whether an event has a TRF depends only on its
  configuration and roster, so a file never goes stale.
* **Not written**: 052 (the last day: the fold of the log keeps no clock,
  and the exports must be rebuilt byte for byte from the log) and the
  rounds' dates (132), for the same reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from Admin.formats.settings import ROUND_ROBIN, SWISS, FormatSettings, schedule_of
from Admin.manager import TournamentRules
from Admin.schedule import RoundRobin
from Admin.tournament_state import TournamentState
from Common.participant import Name

LINE_END = "\r\n"
MAX_PLAYERS = 9999
"""The starting rank has 4 columns."""
MAX_ROUNDS = 99
"""Points have 4 columns ("99.5"); with at most 99 rounds, nobody can score 100."""
NAME_WIDTH = 33
WIN, DRAW, LOSS, FORFEIT_WIN, FORFEIT_LOSS, PAIRING_BYE = "1", "=", "0", "+", "-", "U"
POINTS = {WIN: 1.0, DRAW: 0.5, LOSS: 0.0, FORFEIT_WIN: 1.0, FORFEIT_LOSS: 0.0, PAIRING_BYE: 1.0}
"""What each result code we write is worth."""
WHITE, BLACK, NO_COLOUR = "w", "b", "-"
_TOURNAMENT_ID = re.compile(r"(\d{4})(\d{2})(\d{2})T\d{6}Z-\d{6}")
"""The event log's name of a tournament (Remote/event_log_writer.py): the UTC time it started, and a count."""


@attrs.frozen
class RoundEntry:
    """One player's round: the opponent's starting rank (0: none), the colour ("w", "b", "-") and the result code."""

    opponent: int
    colour: str
    result: str

    @property
    def points(self) -> float:
        return POINTS[self.result]


BYE = RoundEntry(0, NO_COLOUR, PAIRING_BYE)


@attrs.frozen
class ReportedPlayer:
    """One `001` line: starting rank, name, points, rank, and each round (None: nothing in that round)."""

    number: int
    name: str
    points: float
    rank: int
    rounds: tuple[RoundEntry | None, ...]


@attrs.frozen
class Report:
    """What the file says: its header values and its players, in starting rank order."""

    name: str
    start_date: str | None
    """YYYY/MM/DD, or None when unknown."""
    kind: str
    rounds: int
    players: tuple[ReportedPlayer, ...]


# ---------------------------------------------------------------------------
# The text


def player_line(player: ReportedPlayer) -> str:
    """The `001` line of `player` (without its line end, trailing blanks dropped)."""
    name = player.name[:NAME_WIDTH]
    # 001 rank sex+title name rating fed FIDE-number birth-date points rank
    head = f"001 {player.number:>4} {'':4} {name:<{NAME_WIDTH}} {'':4} {'':3} {'':11} {'':10} {player.points:>4.1f} {player.rank:>4}"
    blocks = "".join("  " + (" " * 8 if entry is None else _block(entry)) for entry in player.rounds)
    return (head + blocks).rstrip()


def _block(entry: RoundEntry) -> str:
    opponent = f"{entry.opponent:>4}" if entry.opponent else "0000"
    return f"{opponent} {entry.colour} {entry.result}"


def report_text(report: Report) -> str:
    """The whole file: the header lines, then one `001` line per player; every line ends in CR LF."""
    lines = [f"012 {report.name}"]
    if report.start_date is not None:
        lines.append(f"042 {report.start_date}")
    lines += [f"062 {len(report.players)}", f"092 {report.kind}", f"XXR {report.rounds}"]
    lines += [player_line(player) for player in report.players]
    return "".join(line + LINE_END for line in lines)


# ---------------------------------------------------------------------------
# From the fold of an event log


def tournament_report(
    state: TournamentState,
    rules: TournamentRules,
    event_format: FormatSettings,
    game: str,
    standings: Callable[[], Sequence[Mapping[str, Any]]],
) -> Report | None:
    """The TRF of the event whose log folded to `state`, or None when it has none (see the module's docstring).

    `rules` are the game's (for the scores of outcomes and the round robin);
    `standings()` gives the game's standings rows of the Results so far,
    best first (`Game.standings_json`), for a round robin's ranks.
    """
    if state.roster is None or len(state.roster) > MAX_PLAYERS:
        return None
    roster = list(state.roster)
    if event_format.kind == SWISS:
        planned = event_format.rounds if state.summary is None else _rounds_played(state, event_format.rounds)
        if planned > MAX_ROUNDS:
            return None
        rounds = _swiss_rounds(state, rules, roster)
        kind = "Individual: Swiss system"
    elif event_format.kind == ROUND_ROBIN:
        schedule = schedule_of(event_format, rules.schedule)(roster)
        if not isinstance(schedule, RoundRobin):
            return None
        per_cycle = len(roster) - 1 + len(roster) % 2 if len(roster) > 1 else 0
        planned = per_cycle * schedule.repetitions
        if planned > MAX_ROUNDS:
            return None
        rounds = _round_robin_rounds(state, rules, roster, schedule, per_cycle)
        kind = "Individual: round robin" + (f", {schedule.repetitions} cycles" if schedule.repetitions > 1 else "")
    else:
        return None
    points = {name: sum(entry.points for entry in rounds[name] if entry is not None) for name in roster}
    ranks = _swiss_ranks(state, roster, points) if event_format.kind == SWISS else _ranks_of_standings(standings(), roster, points)
    players = tuple(
        ReportedPlayer(number, name, points[name], ranks[name], tuple(rounds[name])) for number, name in enumerate(roster, start=1)
    )
    tournament = (state.start or {}).get("tournament")
    return Report(
        name=game if tournament is None else f"{game} {tournament}",
        start_date=start_date(tournament),
        kind=kind,
        rounds=planned,
        players=players,
    )


def start_date(tournament: str | None) -> str | None:
    """The day (YYYY/MM/DD, UTC) a tournament named by the event log's writer started; None for another name."""
    found = None if tournament is None else _TOURNAMENT_ID.fullmatch(tournament)
    return None if found is None else "/".join(found.groups())


def berger_round(first: int, second: int, players: int) -> int:
    """The round (from 0) of one cycle of a round robin of `players` in which `first` and `second` meet: the circle method."""
    low, high = sorted((first, second))
    last = players - 1 + players % 2  # the fixed player of the circle: the last one, or the rest of an odd field
    if high == last:
        return low
    return (low + high) * (last + 1) // 2 % last  # 2r = low + high (mod last), and last is odd


Rounds = dict[Name, list[RoundEntry | None]]


def _encounter_entries(state: TournamentState, index: int, rules: TournamentRules, numbers: Mapping[Name, int]) -> dict[Name, RoundEntry]:
    """Each player's round entry for the encounter at `index`: none until it has ended, and none when it was not played."""
    encounter = state.encounters.get(index)
    if encounter is None or not encounter.ended or encounter.outcome is None:
        return {}
    first, second = encounter.players
    if encounter.culprits:
        results = {name: FORFEIT_LOSS if name in encounter.culprits else FORFEIT_WIN for name in (first, second)}
    else:
        score = rules.score(rules.from_json(encounter.outcome), first)
        results = {first: _code(score), second: _code(None if score is None else 1.0 - score)}
    return {
        first: RoundEntry(numbers[second], WHITE, results[first]),
        second: RoundEntry(numbers[first], BLACK, results[second]),
    }


def _code(score: float | None) -> str:
    if score is None:
        return LOSS
    for code in (WIN, DRAW, LOSS):
        if score == POINTS[code]:
            return code
    raise ValueError(f"a score of {score!r}: the TRF knows 1, 1/2 and 0")


def _swiss_rounds(state: TournamentState, rules: TournamentRules, roster: list[Name]) -> Rounds:
    numbers = {name: number for number, name in enumerate(roster, start=1)}
    rounds: Rounds = {name: [None] * len(state.stages) for name in roster}
    for number, stage in enumerate(state.stages):
        for bye in stage["byes"]:
            rounds[bye][number] = BYE
        for index in range(stage["first"], stage["first"] + len(stage["pairings"])):
            for name, entry in _encounter_entries(state, index, rules, numbers).items():
                rounds[name][number] = entry
    return rounds


def _round_robin_rounds(state: TournamentState, rules: TournamentRules, roster: list[Name], schedule: RoundRobin, per_cycle: int) -> Rounds:
    numbers = {name: number for number, name in enumerate(roster, start=1)}
    rounds: Rounds = {name: [None] * (per_cycle * schedule.repetitions) for name in roster}
    for index in sorted(state.encounters):  # only an ended encounter has entries
        first, second = schedule.pairing(index)
        number = index // schedule.per_round * per_cycle + berger_round(first, second, len(roster))
        for name, entry in _encounter_entries(state, index, rules, numbers).items():
            rounds[name][number] = entry
    return rounds


def _rounds_played(state: TournamentState, planned: int) -> int:
    summary = (state.summary or {}).get("format") or {}
    played = summary.get("rounds played")
    return played if type(played) is int else planned


def _by_points(names: Sequence[Name], points: Mapping[Name, float], roster: list[Name]) -> list[Name]:
    """`names` by points, most first, then by starting rank."""
    number = {name: place for place, name in enumerate(roster)}
    return sorted(names, key=lambda name: (-points[name], number[name]))


def _swiss_ranks(state: TournamentState, roster: list[Name], points: Mapping[Name, float]) -> dict[Name, int]:
    rows = ((state.summary or {}).get("format") or {}).get("standings")
    if rows:
        return {roster[row["player"]]: row["rank"] for row in rows}
    return {name: place for place, name in enumerate(_by_points(roster, points, roster), start=1)}


def _ranks_of_standings(rows: Sequence[Mapping[str, Any]], roster: list[Name], points: Mapping[Name, float]) -> dict[Name, int]:
    """The rank of each row's player (its "rank", or its place), then the players of no row by points."""
    playing = set(roster)
    ranks = {row["player"]: row.get("rank", place) for place, row in enumerate(rows, start=1) if row.get("player") in playing}
    left = _by_points([name for name in roster if name not in ranks], points, roster)
    return ranks | {name: place for place, name in enumerate(left, start=len(ranks) + 1)}
