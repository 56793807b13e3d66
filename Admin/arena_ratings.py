"""An arena's live ratings: the Weng–Lin Bayesian rating of every player, folded from the encounters as they end. Pure.

The data. An `EncounterEnded` is one ended encounter: its players in seat
order (two, or up to four for Fish), each player's place (1 best; players
who tie share a place; only the order of the places counts) or MISBEHAVED
for a culprit, and the time it ended (the event's `t`). `ArenaRatings` is
the fold of those results: `rate(result)` changes it (in place, as
`TournamentState.apply` does) and returns the `RatedEncounter`, each
player's rating before and after, which `result_line` words for the
organiser's log. The same results in the same order give exactly the same
floats, so an arena resumed from its event log has the ratings it had.

The model. A player's skill is a normal belief N(μ, σ²), at first
N(25, (25/3)²), openskill's defaults (a new player's μ - 3σ is 0). An
encounter updates the beliefs of its players with openskill's
`BradleyTerryFull` (Weng and Lin 2011, algorithm 1): an encounter of k
players counts as its k(k-1)/2 pairwise results, the better place
winning and equal places drawing (half a win each), the model and the
reading of a table that `Admin/ratings.py`'s fit at the end of an event
uses. Why not openskill's default, `PlackettLuce`: for two players both
give the same update (up to rounding; two-player games are most of what
an arena plays), but for a table of four with a shared first place
PlackettLuce 6.2 moves the third as much as the winners (places 1, 1, 3,
4 from new ratings: μ 25.9, 25.9, 25.9, 22.2), which a participant who
finished third would not call fair; BradleyTerryFull gives 30.3, 30.3,
22.4, 17.1. openskill's dynamics τ = 25/300 is kept (each update first
widens σ a little, so a rating keeps following a player whose play
changes, however many encounters it has), with `limit_sigma`: an update
never widens σ beyond what it was before, so a rating never becomes less
certain by playing; σ shrinks with every encounter towards a floor
(1.5 to 2 in an arena of two-player games) where τ balances what an
encounter tells.

The leaderboard ranks by the ordinal μ - 3σ, the rating the player's
skill is above with 99.87 % belief: a newcomer starts at 0 and climbs as it
proves itself, so one lucky win does not put it first. Ties: more
encounters first, then the name.

Draws. Players who share a place tie: a draw between two moves the
stronger one's μ down a little and the weaker one's up.

Misbehaviour (decision). A culprit's encounter is lost irregularly: each
culprit is rated as alone in last place, behind every other player of the
table (the other culprits included), who all share first place (so, a
loss to each of them), from the ratings before the encounter. The others are rated among themselves, by
their places, if two or more of them are left; if one or none is left,
the encounter is not rated for them at all. So a rule-abiding player
never loses rating because an opponent misbehaved, and never gains any
from a win it did not play for: its rating says how it plays, whoever it
met. Both culprits of a two-player encounter lose, each as if the other
had won.

A player's row: `encounters` counts the encounters that were rated for it
(an encounter not rated for a player, above, leaves its whole row as it
was); `streak` is +n after n wins in a row, -n after n losses in a row, 0
after a draw (or before any encounter). A win is the best place among
those rated together (shared or not) unless they all share it (a draw);
a culprit loses.

The history (for the page's chart). Each player's μ - 3σ after its
encounters, with the encounter's end time, kept compactly: the points
after every `stride`-th encounter, at most HISTORY_POINTS of them (the
stride doubles, and every other point goes, when one more would be kept),
and the latest point. So a player's history is at most HISTORY_POINTS + 1
points (and at least HISTORY_POINTS / 2 once it has played that many
encounters), evenly spaced in encounters, whatever the arena's length:
1,000 players with their histories take about 2 MB.

The JSON form (`results.json`), one row per player in leaderboard order:

    {"name": "ann", "mu": 27.5, "sigma": 4.125, "ordinal": 15.125, "encounters": 12, "streak": -2}

with the floats as Python writes them, which read back exactly.
`read_arena_ratings` reads such a list back strictly.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence
from typing import Any, Final, Literal

import attrs
from openskill.models import BradleyTerryFull

from Common.participant import Name
from Common.strict import (
    StructureError,
    finite_number,
    load_document,
    register_json_object,
    show,
    strict_converter,
    string,
    structure,
    whole_number,
)

MU: Final = 25.0
"""A new player's μ: openskill's default."""
SIGMA: Final = 25.0 / 3.0
"""A new player's σ: openskill's default, so that a new player's ordinal μ - 3σ is 0."""
MISBEHAVED: Final = "misbehaved"
"""The place of a culprit in an `EncounterEnded`."""
HISTORY_POINTS: Final = 100
"""The most points of a player's history kept at its stride (the latest point comes on top); see the module docstring."""
MAX_TABLE: Final = 4
"""The most players an encounter seats (Fish's tables of four)."""

Place = int | Literal["misbehaved"]
"""A player's place in an encounter: 1 is best, players who tie share one; MISBEHAVED for a culprit."""

_MODEL: Final = BradleyTerryFull(mu=MU, sigma=SIGMA, limit_sigma=True)
"""The rating model (module docstring, "The model"); `rate` is never given its own `limit_sigma`, which would change it."""


def ordinal(mu: float, sigma: float) -> float:
    """The number the leaderboard ranks by: μ - 3σ."""
    return mu - 3 * sigma


def _check_places(result: EncounterEnded, attribute: Any, places: tuple[Place, ...]) -> None:
    if len(places) != len(result.players):
        raise ValueError(f"{len(places)} places for {len(result.players)} players")
    for place in places:
        if place != MISBEHAVED and not (type(place) is int and 1 <= place <= len(places)):
            raise ValueError(f"a place is a whole number in 1..{len(places)} or {MISBEHAVED!r}, got {show(place)}")


def _check_players(result: EncounterEnded, attribute: Any, players: tuple[Name, ...]) -> None:
    if not 2 <= len(players) <= MAX_TABLE:
        raise ValueError(f"an encounter has 2 to {MAX_TABLE} players, got {len(players)}")
    for name in players:
        if type(name) is not str or not name:
            raise ValueError(f"a player's name is a string of at least one character, got {show(name)}")
    if len(set(players)) != len(players):
        raise ValueError(f"a player sits twice at one encounter: {', '.join(players)}")


def _check_time(result: EncounterEnded, attribute: Any, time: float) -> None:
    if not math.isfinite(time):
        raise ValueError(f"an encounter's end time is a finite number, got {time}")


@attrs.frozen
class EncounterEnded:
    """One ended encounter: its players in seat order, each one's place (or MISBEHAVED), and when it ended (seconds)."""

    players: tuple[Name, ...] = attrs.field(converter=tuple, validator=_check_players)
    places: tuple[Place, ...] = attrs.field(converter=tuple, validator=_check_places)
    time: float = attrs.field(validator=_check_time)

    @property
    def culprits(self) -> tuple[Name, ...]:
        """The players who misbehaved, in seat order."""
        return tuple(name for name, place in zip(self.players, self.places, strict=True) if place == MISBEHAVED)


@attrs.frozen
class LeaderboardRow:
    """A player's row of the leaderboard: its rating (μ, σ), encounters rated and current streak (+wins, -losses)."""

    name: Name
    mu: float = MU
    sigma: float = SIGMA
    encounters: int = 0
    streak: int = 0

    @property
    def ordinal(self) -> float:
        """μ - 3σ, what the leaderboard ranks by."""
        return ordinal(self.mu, self.sigma)


def leaderboard_key(standing: LeaderboardRow) -> tuple[float, int, Name]:
    """The leaderboard's order: higher μ - 3σ first, then more encounters, then the name."""
    return (-standing.ordinal, -standing.encounters, standing.name)


@attrs.frozen
class RatingChange:
    """One player's rating before and after an encounter; `rated` is False where the encounter was not rated for it."""

    name: Name
    place: Place
    before: LeaderboardRow
    after: LeaderboardRow

    @property
    def rated(self) -> bool:
        return self.after.encounters > self.before.encounters


@attrs.frozen
class RatedEncounter:
    """What `ArenaRatings.rate` did with one result: every player's change, in seat order."""

    result: EncounterEnded
    changes: tuple[RatingChange, ...]


@attrs.frozen
class HistoryPoint:
    """A point of a player's rating history: μ - 3σ after its `encounters`-th rated encounter, which ended at `time`."""

    encounters: int
    time: float
    ordinal: float


@attrs.define
class _History:
    """A player's history, thinned evenly: the points after encounters stride, 2·stride, ... and the latest one."""

    stride: int = 1
    times: array[float] = attrs.field(factory=lambda: array("d"))
    ordinals: array[float] = attrs.field(factory=lambda: array("d"))
    latest: HistoryPoint | None = None

    def add(self, point: HistoryPoint) -> None:
        self.latest = point
        if point.encounters % self.stride != 0:
            return
        self.times.append(point.time)
        self.ordinals.append(point.ordinal)
        if len(self.times) > HISTORY_POINTS:
            self.stride *= 2
            self.times, self.ordinals = self.times[1::2], self.ordinals[1::2]

    def points(self) -> tuple[HistoryPoint, ...]:
        kept = [
            HistoryPoint(self.stride * (index + 1), time, value)
            for index, (time, value) in enumerate(zip(self.times, self.ordinals, strict=True))
        ]
        if self.latest is not None and (not kept or kept[-1].encounters != self.latest.encounters):
            kept.append(self.latest)
        return tuple(kept)


@attrs.define
class ArenaRatings:
    """Every player's rating, streak and history, folded from the encounters in the order they ended (module docstring)."""

    _standings: dict[Name, LeaderboardRow] = attrs.field(factory=dict, alias="standings")
    _histories: dict[Name, _History] = attrs.field(factory=dict, repr=False, alias="histories")

    def join(self, name: Name) -> LeaderboardRow:
        """Put `name` on the leaderboard with a new player's rating, unless it is there already; its row."""
        if name not in self._standings:
            self._standings[name] = LeaderboardRow(name)
            self._histories[name] = _History()
        return self._standings[name]

    def __contains__(self, name: object) -> bool:
        return name in self._standings

    def __len__(self) -> int:
        return len(self._standings)

    def player(self, name: Name) -> LeaderboardRow:
        """`name`'s row (KeyError for a player that never joined nor played)."""
        return self._standings[name]

    def history(self, name: Name) -> tuple[HistoryPoint, ...]:
        """`name`'s μ - 3σ after its rated encounters, thinned evenly (module docstring, "The history"); oldest first."""
        return self._histories[name].points()

    def leaderboard(self) -> list[LeaderboardRow]:
        """Every player's row, best first (`leaderboard_key`)."""
        return sorted(self._standings.values(), key=leaderboard_key)

    def rate(self, result: EncounterEnded) -> RatedEncounter:
        """Update the ratings of `result`'s players (joining any that are new); what changed, for the log."""
        before = tuple(self.join(name) for name in result.players)
        updates = _updates(before, result.places)
        changes = []
        for seat, (old, place) in enumerate(zip(before, result.places, strict=True)):
            new = old
            if seat in updates:
                mu, sigma, streak = updates[seat]
                new = LeaderboardRow(old.name, mu, sigma, old.encounters + 1, _next_streak(old.streak, streak))
                self._standings[old.name] = new
                self._histories[old.name].add(HistoryPoint(new.encounters, result.time, new.ordinal))
            changes.append(RatingChange(old.name, place, old, new))
        return RatedEncounter(result, tuple(changes))


def places_by_score(scores: Sequence[float]) -> tuple[int, ...]:
    """The places of players who scored `scores` (higher is better), those with equal scores sharing one: 1 + how many scored more."""
    return tuple(1 + sum(other > score for other in scores) for score in scores)


def fold(results: Iterable[EncounterEnded]) -> ArenaRatings:
    """The ratings after `results`, in order."""
    ratings = ArenaRatings()
    for result in results:
        ratings.rate(result)
    return ratings


def _updates(players: Sequence[LeaderboardRow], places: Sequence[Place]) -> dict[int, tuple[float, float, int]]:
    """By seat, for the players the encounter is rated for: the new μ and σ, and +1 (a win), 0 (a draw) or -1 (a loss)."""
    updates: dict[int, tuple[float, float, int]] = {}
    for culprit, place in enumerate(places):
        if place == MISBEHAVED:
            last = [2 if seat == culprit else 1 for seat in range(len(players))]
            mu, sigma = _rate(players, last)[culprit]
            updates[culprit] = (mu, sigma, -1)
    others = [seat for seat, place in enumerate(places) if place != MISBEHAVED]
    if len(others) >= 2:
        ranks = [int(places[seat]) for seat in others]
        best = min(ranks)
        draw = all(rank == best for rank in ranks)
        rated = _rate([players[seat] for seat in others], ranks)
        for seat, rank, (mu, sigma) in zip(others, ranks, rated, strict=True):
            updates[seat] = (mu, sigma, 0 if draw else 1 if rank == best else -1)
    return updates


def _rate(players: Sequence[LeaderboardRow], ranks: list[int]) -> list[tuple[float, float]]:
    """Each player's μ and σ after an encounter in which it finished at `ranks` (lower is better), by openskill."""
    teams = [[_MODEL.rating(mu=player.mu, sigma=player.sigma)] for player in players]
    return [(team[0].mu, team[0].sigma) for team in _MODEL.rate(teams, ranks=list(map(float, ranks)))]


def _next_streak(streak: int, outcome: int) -> int:
    if outcome == 0:
        return 0
    if outcome > 0:
        return streak + 1 if streak > 0 else 1
    return streak - 1 if streak < 0 else -1


def _mu_cell(change: RatingChange) -> str:
    if not change.rated:
        return f"{change.name} {change.after.mu:.1f} (not rated)"
    delta = round(change.after.mu - change.before.mu, 1) + 0.0  # + 0.0: no "-0.0"
    return f"{change.name} {change.after.mu:.1f} ({delta:+.1f})"


def result_line(rated: RatedEncounter) -> str:
    """One result for the organiser's log, each player with its μ after and its change: `alice 27.1 (+1.9) beat bob 22.4 (-1.7)`.

    μ rather than the leaderboard's μ - 3σ: it is what the encounter moved
    (the ordinal of a new player also rises as σ shrinks, even in a loss).

    Two players: `beat`, `drew with`, `misbehaved and lost to` (the other
    `(not rated)`), or `... both misbehaved`. More: the players by place,
    `1. alice 27.1 (+1.9), 2. carol 24.3 (-0.7), ...`, then `misbehaved:`
    and the culprits.
    """
    changes = rated.changes
    culprits = [change for change in changes if change.place == MISBEHAVED]
    others = sorted((change for change in changes if change.place != MISBEHAVED), key=lambda change: int(change.place))
    if len(changes) == 2:
        if len(culprits) == 2:
            return f"{_mu_cell(culprits[0])} and {_mu_cell(culprits[1])} both misbehaved"
        if culprits:
            return f"{_mu_cell(culprits[0])} misbehaved and lost to {_mu_cell(others[0])}"
        first, second = others
        verb = "drew with" if first.place == second.place else "beat"
        return f"{_mu_cell(first)} {verb} {_mu_cell(second)}"
    words = ", ".join(f"{change.place}. {_mu_cell(change)}" for change in others)
    if culprits:
        words += ("; " if words else "") + "misbehaved: " + ", ".join(map(_mu_cell, culprits))
    return words


STANDING_KEYS: Final = ("name", "mu", "sigma", "ordinal", "encounters", "streak")
"""The keys of a row of `standings_json`, in order."""


def standing_json(standing: LeaderboardRow) -> dict[str, Any]:
    """A player's row for results.json; its floats as Python writes them, which read back exactly."""
    return {
        "name": standing.name,
        "mu": standing.mu,
        "sigma": standing.sigma,
        "ordinal": standing.ordinal,
        "encounters": standing.encounters,
        "streak": standing.streak,
    }


def standings_json(ratings: ArenaRatings) -> list[dict[str, Any]]:
    """The leaderboard as JSON rows, best first."""
    return [standing_json(standing) for standing in ratings.leaderboard()]


@attrs.frozen
class _Row:
    name: str
    mu: float
    sigma: float
    ordinal: float
    encounters: int
    streak: int


def _positive(value: Any) -> float:
    if not finite_number(value) > 0:
        raise ValueError(f"expected a positive number, got {show(value)}")
    return float(value)


_CONVERTER = strict_converter()
register_json_object(
    _CONVERTER,
    _Row,
    {key: key for key in STANDING_KEYS},
    {
        "name": lambda value: string(value, "a name (a string)"),
        "mu": lambda value: float(finite_number(value)),
        "sigma": _positive,
        "ordinal": lambda value: float(finite_number(value)),
        "encounters": lambda value: whole_number(value, 0),
        "streak": whole_number,
    },
)


def read_arena_ratings(text: str) -> tuple[LeaderboardRow, ...]:
    """The rows of `standings_json`'s list as a JSON document, strictly: StructureError, one line, naming what is wrong.

    Refused: anything but a list of objects with exactly STANDING_KEYS;
    NaN, infinite numbers, booleans or strings as numbers; a σ not above 0;
    an ordinal that is not exactly μ - 3σ; a streak longer than the
    encounters; a rating other than a new player's without encounters; a
    name given twice; rows out of leaderboard order.
    """
    return arena_ratings_from_json(load_document(text))


def arena_ratings_from_json(value: Any) -> tuple[LeaderboardRow, ...]:
    """The rows of a leaderboard already parsed from JSON, checked as `read_arena_ratings` checks a document."""
    rows = structure(value, list[_Row], _CONVERTER)
    standings: list[LeaderboardRow] = []
    seen: set[str] = set()
    for index, row in enumerate(rows):
        where = f"$[{index}]"
        standing = LeaderboardRow(row.name, row.mu, row.sigma, row.encounters, row.streak)
        if row.ordinal != standing.ordinal:
            raise StructureError(f"the ordinal must be mu - 3 sigma, {standing.ordinal!r}, got {row.ordinal!r} @ {where}.ordinal")
        if abs(row.streak) > row.encounters:
            raise StructureError(f"a streak of {row.streak} is longer than {row.encounters} encounters @ {where}.streak")
        if row.encounters == 0 and (row.mu, row.sigma) != (MU, SIGMA):
            raise StructureError(f"a player without encounters has a new player's rating, mu {MU!r} and sigma {SIGMA!r} @ {where}")
        if row.name in seen:
            raise StructureError(f"the name {show(row.name)} is given twice @ {where}.name")
        seen.add(row.name)
        if standings and leaderboard_key(standings[-1]) > leaderboard_key(standing):
            raise StructureError(f"the rows are not in leaderboard order (higher mu - 3 sigma, more encounters, name) @ {where}")
        standings.append(standing)
    return tuple(standings)
