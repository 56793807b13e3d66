"""Ratings on the Elo scale with 95 % intervals: a Bradley–Terry fit of every encounter of an event, pure and game-free.

The model. Player i has a strength θ_i (natural-log scale); i scores
against j with probability logistic(θ_i - θ_j) = 1 / (1 + e^(θ_j - θ_i)). An
encounter `(first, second, score)` counts as `score` of a win for `first`
and `1 - score` of a win for `second`: a draw (0.5) is half a win to each,
the usual Bradley–Terry with draws as halves (any score in [0, 1] is read
the same way). An encounter of a table of more than two players (a game of
up to four) counts as the pairwise encounters among its players that are
no culprit, each won by the one the game scores higher, drawn on equal
scores (`table_encounters`); so a player's `games` count those pairs. The fit maximises the log-likelihood

    Σ_encounters  score · log logistic(θ_f - θ_s) + (1 - score) · log logistic(θ_s - θ_f)

over the players who scored in at least one encounter (the *rated*
players). A player with no scored encounter has no rating: None, and no
part in the fit or in the mean.

The prior. A player who won every encounter (or lost every one, or a
group of players that never scored against the rest) has no finite
maximum. So each rated player also plays `prior_draws` virtual draws
(default 1) against a virtual opponent of strength 0, the mean: the usual
fix. It pulls every rating a little towards the mean, and most the ratings
that rest on few games; an undefeated player gets a finite rating above
everyone it beat. `prior_draws=0` is the plain maximum-likelihood fit,
refused (ValueError) when it has no finite maximum.

The scale and the anchor. A rating is 400 · log10 of the strength,
θ · 400 / ln 10, so a rating difference D means an expected score of
1 / (1 + 10^(-D/400)), as in Elo; the ratings are then shifted so that
their mean over the rated players is 0.

The intervals. The fit is Newton's method on the exact Hessian (numpy; a
dense matrix of the rated players, about 0.3 s for 1,000 players). The
covariance of the strengths is the inverse of the observed Fisher
information at the maximum (with the prior's curvature; without a prior,
the information plus 11ᵀ/n, whose inverse restricted to the centred
parameters is the pseudo-inverse); the covariance of the ratings is that
of the centred strengths, C Σ C with C = I - 11ᵀ/n, on the Elo scale. A
rating's 95 % interval is the rating ± 1.96 standard errors. The
likelihood of superiority of a over b is Φ((r_a - r_b) / sd(r_a - r_b)),
the normal approximation of the difference with its covariance.

That interval is the normal (Wald) approximation at the fit. It is good
for a player with a mixed record and many games; for a record of all
wins (or all losses) the prior sets how far out the rating goes, the
interval is only a rough guide, and repeating such a record moves the
rating further out without narrowing it much.

The JSON form (for results.json and a ratings file that seeds a later
event): rows ranked by rating, best first, one decimal,

    {"name": "ann", "rating": 61.2, "low": -40.3, "high": 162.7, "games": 10, "superiority": 0.912}

where `superiority` is the likelihood that this player is stronger than
the next rated player in the list (null for the last rated player); a
player with no games has rating, low, high and superiority null and comes
last. `read_ratings` reads such a list back strictly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from Admin.formats.stage import Played
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

ELO_PER_NATURAL_UNIT = 400 / math.log(10)
"""Rating points per unit of natural-log strength: a rating is 400 · log10 of the strength."""

Z_95 = 1.959963984540054
"""The 97.5th percentile of the standard normal: a 95 % interval is ± this many standard errors."""

DEFAULT_PRIOR_DRAWS = 1.0
"""Virtual draws per rated player against a mean-strength opponent (module docstring, "The prior")."""

ScoredEncounter = tuple[int, int, float | None]
"""`(first, second, score)`: sign-up indices and the first's score (1, 0.5, 0; None: nobody scored, skipped)."""


@attrs.frozen
class PlayerRating:
    """One rated player: the rating (Elo scale, mean 0), its 95 % interval, its standard error, and the encounters it rests on."""

    rating: float
    low: float
    high: float
    standard_error: float
    games: int


@attrs.frozen
class Ratings:
    """Every player's rating (sign-up order; None for a player with no games) and the covariance the intervals come from.

    `covariance` is in rating points squared, one row per rated player in
    sign-up order (`rows[player]` is its row, None for an unrated player);
    it is read-only, and left out of equality and repr.
    """

    players: tuple[PlayerRating | None, ...]
    prior_draws: float
    rows: tuple[int | None, ...] = attrs.field(repr=False)
    covariance: NDArray[np.float64] = attrs.field(eq=False, repr=False)

    def rating(self, player: int) -> float | None:
        """`player`'s rating, or None when it has no games."""
        rated = self.players[player]
        return None if rated is None else rated.rating

    def values(self) -> tuple[float | None, ...]:
        """Every player's rating in sign-up order (None: no games)."""
        return tuple(None if rated is None else rated.rating for rated in self.players)

    def likelihood_of_superiority(self, a: int, b: int) -> float:
        """The probability that `a` is stronger than `b`: Φ((r_a - r_b) / sd(r_a - r_b)); 0.5 for a player and itself.

        ValueError (one line) when either has no rating.
        """
        row_a, row_b = self._row(a), self._row(b)
        if row_a == row_b:
            return 0.5
        variance = self.covariance[row_a, row_a] + self.covariance[row_b, row_b] - 2 * self.covariance[row_a, row_b]
        difference = self.players[a].rating - self.players[b].rating  # type: ignore[union-attr]  # both rated (_row)
        if not variance > 0:
            return 0.5 if difference == 0 else float(difference > 0)
        return normal_cdf(difference / math.sqrt(variance))

    def _row(self, player: int) -> int:
        if type(player) is not int or not 0 <= player < len(self.players):
            raise ValueError(f"no player {show(player)} among {len(self.players)}")
        row = self.rows[player]
        if row is None:
            raise ValueError(f"player {player} has no rating (no games)")
        return row


def normal_cdf(x: float) -> float:
    """Φ(x), the standard normal's distribution function."""
    return 0.5 * math.erfc(-x / math.sqrt(2))


def encounters_of(played: Iterable[Played]) -> list[ScoredEncounter]:
    """The encounters `(first, second, score)` of a format's `Played`s (a None score stays None, and is skipped by `rate`)."""
    return [(one.first, one.second, one.score) for one in played]


def table_encounters(scores: Sequence[tuple[int, float | None]]) -> list[ScoredEncounter]:
    """An encounter of a table as pairwise encounters: `scores` are `(player, score)` of its players that are no culprit,
    in seat order; each pair of those that scored counts as a win of the higher score, a draw on equal scores."""
    scored = [(player, score) for player, score in scores if score is not None]
    pairs: list[ScoredEncounter] = []
    for position, (first, mine) in enumerate(scored):
        for second, theirs in scored[position + 1 :]:
            pairs.append((first, second, 1.0 if mine > theirs else 0.5 if mine == theirs else 0.0))
    return pairs


def rated_encounters(table: Sequence[int], culprits: frozenset[int], score: Callable[[int], float | None]) -> list[ScoredEncounter]:
    """The encounters the ratings count of one played (revised) encounter of `table` (sign-up indices, seat order):
    of two players, `(first, second, the first's score)` unless nobody scored; of more, `table_encounters` of those
    that are no culprit. `score(player)`: the rules' score of a player in its outcome."""
    if len(table) == 2:
        first, second = table
        mine = score(first)
        return [] if mine is None else [(first, second, mine)]
    return table_encounters([(player, score(player)) for player in table if player not in culprits])


def rate(players: int, encounters: Iterable[ScoredEncounter], prior_draws: float = DEFAULT_PRIOR_DRAWS) -> Ratings:
    """The ratings of `players` players (indices 0 .. players - 1) after `encounters`; see the module docstring.

    ValueError, one line, for an encounter that names no player or the same
    player twice, a score outside [0, 1], a negative or infinite
    `prior_draws`, or (with `prior_draws=0`) encounters that have no finite
    maximum.
    """
    if type(players) is not int or players < 0:
        raise ValueError(f"the number of players must be a whole number >= 0, got {show(players)}")
    if type(prior_draws) not in (int, float) or not 0 <= prior_draws < math.inf:
        raise ValueError(f"prior_draws must be a finite number >= 0, got {show(prior_draws)}")
    firsts, seconds, scores = _checked(players, encounters)
    games = np.bincount(firsts, minlength=players) + np.bincount(seconds, minlength=players)
    rated = np.flatnonzero(games)
    rows = np.full(players, -1)
    rows[rated] = np.arange(len(rated))
    pairs = _Pairs.of(rows[firsts], rows[seconds], scores, len(rated))
    if prior_draws == 0:
        _require_finite_maximum(pairs, rated)
    strengths = _fit(pairs, float(prior_draws))
    covariance = _centred(np.linalg.inv(_information(pairs, strengths, float(prior_draws))).astype(np.float64))
    elo_covariance = covariance * ELO_PER_NATURAL_UNIT**2
    elo_covariance.flags.writeable = False
    elo = (strengths - (strengths.mean() if strengths.size else 0.0)) * ELO_PER_NATURAL_UNIT
    errors = np.sqrt(np.maximum(np.diag(elo_covariance), 0.0))
    by_player: list[PlayerRating | None] = [None] * players
    for row, player in enumerate(rated.tolist()):
        rating, error = float(elo[row]), float(errors[row])
        by_player[player] = PlayerRating(rating, rating - Z_95 * error, rating + Z_95 * error, error, int(games[player]))
    return Ratings(
        players=tuple(by_player),
        prior_draws=float(prior_draws),
        rows=tuple(None if row < 0 else row for row in rows.tolist()),
        covariance=elo_covariance,
    )


def _checked(players: int, encounters: Iterable[ScoredEncounter]) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """The scored encounters as arrays (firsts, seconds, scores), each checked; ValueError naming the first that is wrong."""
    firsts: list[int] = []
    seconds: list[int] = []
    scores: list[float] = []
    for index, encounter in enumerate(encounters):
        if type(encounter) is not tuple or len(encounter) != 3:
            raise ValueError(f"encounter {index}: expected (first, second, score), got {show(encounter)}")
        first, second, score = encounter
        for player in (first, second):
            if type(player) is not int or not 0 <= player < players:
                raise ValueError(f"encounter {index}: expected a player in 0..{players - 1}, got {show(player)}")
        if first == second:
            raise ValueError(f"encounter {index}: player {first} cannot meet itself")
        if score is None:
            continue
        if type(score) not in (int, float) or not 0 <= score <= 1:
            raise ValueError(f"encounter {index}: expected a score in [0, 1] (1, 0.5, 0) or None, got {show(score)}")
        firsts.append(first)
        seconds.append(second)
        scores.append(float(score))
    return np.array(firsts, dtype=np.int64), np.array(seconds, dtype=np.int64), np.array(scores, dtype=np.float64)


@attrs.frozen
class _Pairs:
    """The encounters summed by pair of rated players (rows, `low < high`): games played and `low`'s score."""

    size: int
    low: NDArray[np.int64]
    high: NDArray[np.int64]
    games: NDArray[np.float64]
    score: NDArray[np.float64]

    @staticmethod
    def of(firsts: NDArray[np.int64], seconds: NDArray[np.int64], scores: NDArray[np.float64], size: int) -> _Pairs:
        swapped = firsts > seconds
        low, high = np.where(swapped, seconds, firsts), np.where(swapped, firsts, seconds)
        low_score = np.where(swapped, 1.0 - scores, scores)
        keys, which = np.unique(low * max(size, 1) + high, return_inverse=True)
        return _Pairs(
            size=size,
            low=keys // max(size, 1),
            high=keys % max(size, 1),
            games=np.bincount(which, minlength=len(keys)).astype(np.float64),
            score=np.bincount(which, weights=low_score, minlength=len(keys)).astype(np.float64),
        )


def _logistic(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _log_logistic(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return -np.logaddexp(0.0, -x)


def _log_likelihood(pairs: _Pairs, strengths: NDArray[np.float64], prior_draws: float) -> float:
    difference = strengths[pairs.low] - strengths[pairs.high]
    data = pairs.score @ _log_logistic(difference) + (pairs.games - pairs.score) @ _log_logistic(-difference)
    prior = 0.5 * prior_draws * float(np.sum(_log_logistic(strengths) + _log_logistic(-strengths)))
    return float(data) + prior


def _gradient(pairs: _Pairs, strengths: NDArray[np.float64], prior_draws: float) -> NDArray[np.float64]:
    surplus = pairs.score - pairs.games * _logistic(strengths[pairs.low] - strengths[pairs.high])
    return (
        np.bincount(pairs.low, weights=surplus, minlength=pairs.size)
        - np.bincount(pairs.high, weights=surplus, minlength=pairs.size)
        + prior_draws * (0.5 - _logistic(strengths))
    )


def _information(pairs: _Pairs, strengths: NDArray[np.float64], prior_draws: float) -> NDArray[np.float64]:
    """The observed Fisher information (minus the Hessian) at `strengths`; plus 11ᵀ/n without a prior, so it is invertible."""
    p = _logistic(strengths[pairs.low] - strengths[pairs.high])
    weight = pairs.games * p * (1.0 - p)
    q = _logistic(strengths)
    information = np.full((pairs.size, pairs.size), 0.0 if prior_draws > 0 else 1.0 / max(pairs.size, 1))
    information[pairs.low, pairs.high] -= weight
    information[pairs.high, pairs.low] -= weight
    diagonal = np.arange(pairs.size)
    information[diagonal, diagonal] += (
        np.bincount(pairs.low, weights=weight, minlength=pairs.size)
        + np.bincount(pairs.high, weights=weight, minlength=pairs.size)
        + prior_draws * q * (1.0 - q)
    )
    return information


def _fit(pairs: _Pairs, prior_draws: float) -> NDArray[np.float64]:
    """The maximum of the log-likelihood (with the prior): Newton's method from 0, each step halved until the likelihood does not fall."""
    strengths = np.zeros(pairs.size)
    likelihood = _log_likelihood(pairs, strengths, prior_draws)
    for _ in range(200):
        step = np.linalg.solve(_information(pairs, strengths, prior_draws), _gradient(pairs, strengths, prior_draws))
        if pairs.size == 0 or float(np.max(np.abs(step))) < 1e-10:
            return strengths
        for _ in range(60):
            trial = strengths + step
            trial_likelihood = _log_likelihood(pairs, trial, prior_draws)
            if trial_likelihood >= likelihood - 1e-12 * abs(likelihood):
                break
            step = step / 2
        strengths, likelihood = trial, trial_likelihood
    raise RuntimeError("the ratings' fit did not converge in 200 Newton steps")


def _centred(covariance: NDArray[np.float64]) -> NDArray[np.float64]:
    """C Σ C with C = I - 11ᵀ/n: the covariance of the strengths less their mean."""
    if covariance.size == 0:
        return covariance
    row_means = covariance.mean(axis=1, keepdims=True)
    column_means = covariance.mean(axis=0, keepdims=True)
    return covariance - row_means - column_means + covariance.mean()


def _require_finite_maximum(pairs: _Pairs, rated: NDArray[np.int64]) -> None:
    """ValueError unless every rated player reaches every other by a chain of "scored against" (Ford's condition); without a prior,
    the maximum is finite exactly then."""
    if pairs.size <= 1:
        return
    scored_against: list[list[int]] = [[] for _ in range(pairs.size)]
    conceded_to: list[list[int]] = [[] for _ in range(pairs.size)]
    for low, high, games, score in zip(pairs.low.tolist(), pairs.high.tolist(), pairs.games.tolist(), pairs.score.tolist(), strict=True):
        if score > 0:
            scored_against[low].append(high)
            conceded_to[high].append(low)
        if score < games:
            scored_against[high].append(low)
            conceded_to[low].append(high)
    # Those reached from player 0 by "scored against" scored nothing against the rest; those reached by "conceded to" conceded nothing.
    for edges, verb in ((scored_against, "scored nothing against"), (conceded_to, "conceded nothing to")):
        reached = sorted(_reached_from(0, edges))
        if len(reached) < pairs.size:
            named = ", ".join(str(int(rated[row])) for row in reached[:5]) + (", ..." if len(reached) > 5 else "")
            who = f"player {named}" if len(reached) == 1 else f"players {named}"
            raise ValueError(f"no finite ratings without a prior: {who} {verb} the others (use prior_draws > 0)")


def _reached_from(start: int, edges: list[list[int]]) -> set[int]:
    reached, frontier = {start}, [start]
    while frontier:
        for following in edges[frontier.pop()]:
            if following not in reached:
                reached.add(following)
                frontier.append(following)
    return reached


# The JSON form.

RATING_KEYS = ("name", "rating", "low", "high", "games", "superiority")
"""The keys of a rating's JSON row, each required."""


def ratings_json(names: Sequence[str], ratings: Ratings) -> list[dict[str, Any]]:
    """The ratings as JSON rows, best first (equal ratings in sign-up order), unrated players last; see the module docstring."""
    if len(names) != len(ratings.players):
        raise ValueError(f"{len(names)} names for {len(ratings.players)} players")
    rated = sorted(
        ((player, rating) for player, rating in enumerate(ratings.players) if rating is not None), key=lambda rated: -rated[1].rating
    )
    rows: list[dict[str, Any]] = []
    for place, (player, rating) in enumerate(rated):
        following = rated[place + 1][0] if place + 1 < len(rated) else None
        superiority = None if following is None else round(ratings.likelihood_of_superiority(player, following), 3)
        rows.append(
            {
                "name": names[player],
                "rating": _one_decimal(rating.rating),
                "low": _one_decimal(rating.low),
                "high": _one_decimal(rating.high),
                "games": rating.games,
                "superiority": superiority,
            }
        )
    unrated = [player for player, rating in enumerate(ratings.players) if rating is None]
    rows += [{"name": names[player], "rating": None, "low": None, "high": None, "games": 0, "superiority": None} for player in unrated]
    return rows


def _one_decimal(value: float) -> float:
    return round(value, 1) + 0.0  # + 0.0: no -0.0 in the file


@attrs.frozen
class RatingEntry:
    """A row of a ratings file: a player's name, its rating and 95 % interval (None: it had no games), its games, and the
    likelihood that it is stronger than the next rated row."""

    name: str
    rating: float | None
    low: float | None
    high: float | None
    games: int
    superiority: float | None


def _number_or_null(value: Any) -> float | None:
    return None if value is None else finite_number(value)


def _probability_or_null(value: Any) -> float | None:
    if value is not None and not 0 <= finite_number(value) <= 1:
        raise ValueError(f"expected a probability in [0, 1], got {value}")
    return value


_CONVERTER = strict_converter()
register_json_object(
    _CONVERTER,
    RatingEntry,
    {key: key for key in RATING_KEYS},
    {
        "name": lambda value: string(value, "a name (a string)"),
        "rating": _number_or_null,
        "low": _number_or_null,
        "high": _number_or_null,
        "games": lambda value: whole_number(value, 0),
        "superiority": _probability_or_null,
    },
)


def read_ratings(text: str) -> tuple[RatingEntry, ...]:
    """The rows of a ratings file (`ratings_json`'s list as a JSON document), strictly: StructureError, one line, naming what is wrong.

    Refused: anything but a list of objects with exactly the keys
    RATING_KEYS; NaN, infinite numbers, and booleans or strings as numbers;
    a rating outside its interval; a rating without games, or games without
    a rating; a name given twice.
    """
    return ratings_from_json(load_document(text))


def ratings_from_json(value: Any) -> tuple[RatingEntry, ...]:
    """The rows of a ratings list already parsed from JSON, checked as `read_ratings` checks a file."""
    entries = structure(value, list[RatingEntry], _CONVERTER)
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        where = f"$[{index}]"
        if entry.name in seen:
            raise StructureError(f"the name {show(entry.name)} is given twice @ {where}.name")
        seen.add(entry.name)
        numbers = (entry.rating, entry.low, entry.high)
        if entry.games == 0 and numbers != (None, None, None):
            raise StructureError(f"a player with no games has no rating: rating, low and high must be null @ {where}")
        if entry.games > 0:
            if None in numbers:
                raise StructureError(f"a player with games has a rating: rating, low and high must be numbers @ {where}")
            if not entry.low <= entry.rating <= entry.high:  # type: ignore[operator]  # numbers, checked above
                raise StructureError(f"expected low <= rating <= high, got {entry.low}, {entry.rating}, {entry.high} @ {where}")
    return tuple(entries)
