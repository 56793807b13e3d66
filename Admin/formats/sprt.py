"""The sequential probability ratio test of one player against another, and the Elo of a score, the way fastchess computes them. Pure.

The model is the logistic Elo: a player `elo` points stronger than its
opponent scores `1 / (1 + 10 ** (-elo / 400))` per encounter on average.
The test (Wald's SPRT, in the generalised form of Michel Van den Bergh's
notes, which fastchess's `logistic` model and cutechess use) weighs H0
"the difference is elo0" against H1 "it is elo1":

* The results are counted in categories, each with its score: wins, draws
  and losses (1, 1/2, 0: the *trinomial* model), or, when encounters come
  in pairs with the sides swapped, the pairs by their score out of 2
  (0, 1/2, 1, 3/2, 2, scaled to 0, 1/4, 1/2, 3/4, 1: the *pentanomial*
  model, which sees that the two encounters of a pair are not
  independent and so needs fewer of them).
* Under a hypothesis with expected score s, the likeliest distribution
  over the categories that has mean s is, given the observed frequencies
  p̂ᵢ of the categories with scores aᵢ: pᵢ = p̂ᵢ / (1 + θ (aᵢ - s)), where
  θ solves Σ p̂ᵢ (aᵢ - s) / (1 + θ (aᵢ - s)) = 0 (one root keeps every pᵢ
  positive; the left side decreases in θ there, so it is found by a
  safeguarded Newton search).
* LLR = N Σ p̂ᵢ (log p1ᵢ - log p0ᵢ), N the number of results (pairs, in
  the pentanomial model). A category nobody reached counts 0.001 results
  (fastchess's regularisation: without it a match of wins only has no
  likeliest distribution); no results at all give LLR 0.
* Bounds: the test accepts H0 when LLR <= log(beta / (1 - alpha)), H1
  when LLR >= log((1 - beta) / alpha), and goes on in between.

The Elo of a score s is 400 log10(s / (1 - s)); its error is half the width
of the Elo interval of the score's 95 % normal interval (the score's
standard deviation from the observed results, per encounter or per pair),
so an estimate reads `Elo: 12.30 +/- 8.10` as fastchess prints it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist
from typing import Literal

import attrs

TRINOMIAL_SCORES = (0.0, 0.5, 1.0)
"""The score of a loss, a draw and a win: the trinomial model's categories in that order."""

PENTANOMIAL_SCORES = (0.0, 0.25, 0.5, 0.75, 1.0)
"""The score of a pair scoring 0, 1/2, 1, 3/2 and 2 points out of 2, per encounter: the pentanomial model's categories."""

REGULARISED = 1e-3
"""How many results a category nobody reached counts for (fastchess's)."""

Z95 = NormalDist().inv_cdf(0.975)
"""The standard normal quantile of a two-sided 95 % interval (1.95996...)."""

SPRTVerdict = Literal["H0", "H1", "neither"]


def score_of_elo(elo: float) -> float:
    """The expected score per encounter of a player `elo` points stronger than its opponent (logistic)."""
    return 1.0 / (1.0 + 10.0 ** (-elo / 400.0))


def elo_from_score(score: float) -> float:
    """The Elo difference that gives a mean score of `score` (the inverse of `score_of_elo`); infinite at 0 and 1."""
    if score <= 0.0:
        return -math.inf
    if score >= 1.0:
        return math.inf
    return 400.0 * math.log10(score / (1.0 - score))


def _positive(_instance: object, attribute: attrs.Attribute, value: float) -> None:
    if not 0.0 < value < 1.0:
        raise ValueError(f'sprt: "{attribute.name}" must be a number between 0 and 1, got {value!r}')


@attrs.frozen
class SPRTSettings:
    """A test of H0 "the candidate is elo0 stronger" against H1 "elo1 stronger", with error rates alpha (H1 accepted wrongly) and beta."""

    elo0: float
    elo1: float
    alpha: float = attrs.field(validator=_positive)
    beta: float = attrs.field(validator=_positive)

    def __attrs_post_init__(self) -> None:
        if not self.elo0 < self.elo1:
            raise ValueError(f'sprt: "elo0" must be less than "elo1", got {self.elo0!r} and {self.elo1!r}')
        if not self.alpha + self.beta < 1.0:
            raise ValueError(f'sprt: "alpha" and "beta" must add up to less than 1, got {self.alpha!r} and {self.beta!r}')

    @property
    def lower_bound(self) -> float:
        """At or below it, H0 is accepted: log(beta / (1 - alpha))."""
        return math.log(self.beta / (1.0 - self.alpha))

    @property
    def upper_bound(self) -> float:
        """At or above it, H1 is accepted: log((1 - beta) / alpha)."""
        return math.log((1.0 - self.beta) / self.alpha)

    def verdict(self, llr: float) -> SPRTVerdict:
        """ "H1" when `llr` reached the upper bound, "H0" the lower one, "neither" in between (the test goes on)."""
        if llr >= self.upper_bound:
            return "H1"
        if llr <= self.lower_bound:
            return "H0"
        return "neither"

    def as_json(self) -> dict[str, float]:
        return {"elo0": self.elo0, "elo1": self.elo1, "alpha": self.alpha, "beta": self.beta}


def _likeliest_with_mean(scores: Sequence[float], frequencies: Sequence[float], mean: float) -> list[float]:
    """The distribution over `scores` with mean `mean` that makes the observed `frequencies` likeliest (every frequency positive).

    pᵢ = p̂ᵢ / (1 + θ dᵢ) with dᵢ = aᵢ - mean, θ the root of
    f(θ) = Σ p̂ᵢ dᵢ / (1 + θ dᵢ) in (-1 / max d, -1 / min d), where f falls
    from +inf to -inf: Newton's steps, bisection when a step leaves the
    bracket that the signs of f keep.
    """
    gaps = [score - mean for score in scores]
    low, high = -1.0 / max(gaps), -1.0 / min(gaps)
    theta = 0.0
    for _ in range(200):
        value = sum(p * d / (1.0 + theta * d) for p, d in zip(frequencies, gaps, strict=True))
        if value == 0.0:
            break
        if value > 0.0:
            low = theta
        else:
            high = theta
        slope = -sum(p * d * d / (1.0 + theta * d) ** 2 for p, d in zip(frequencies, gaps, strict=True))
        step = theta - value / slope
        if not low < step < high:
            step = (low + high) / 2.0
        if abs(step - theta) <= 1e-15 * (1.0 + abs(theta)):
            theta = step
            break
        theta = step
    return [p / (1.0 + theta * d) for p, d in zip(frequencies, gaps, strict=True)]


def _llr(scores: Sequence[float], counts: Sequence[int], elo0: float, elo1: float) -> float:
    if sum(counts) == 0:
        return 0.0
    regularised = [count if count > 0 else REGULARISED for count in counts]
    total = sum(regularised)
    frequencies = [count / total for count in regularised]
    under_h0 = _likeliest_with_mean(scores, frequencies, score_of_elo(elo0))
    under_h1 = _likeliest_with_mean(scores, frequencies, score_of_elo(elo1))
    return total * sum(f * (math.log(p1) - math.log(p0)) for f, p0, p1 in zip(frequencies, under_h0, under_h1, strict=True))


def llr_trinomial(wins: int, draws: int, losses: int, elo0: float, elo1: float) -> float:
    """The log-likelihood ratio of H1 (elo1) against H0 (elo0) after `wins`, `draws` and `losses`, independent encounters."""
    return _llr(TRINOMIAL_SCORES, (losses, draws, wins), elo0, elo1)


def llr_pentanomial(pairs: Sequence[int], elo0: float, elo1: float) -> float:
    """The log-likelihood ratio of H1 against H0 after pairs of encounters; `pairs[k]`: how many pairs scored k/2 points out of 2."""
    if len(pairs) != 5:
        raise ValueError(f"sprt: the pentanomial counts are five (pairs scoring 0, 1/2, 1, 3/2, 2), got {len(pairs)}")
    return _llr(PENTANOMIAL_SCORES, pairs, elo0, elo1)


@attrs.frozen
class EloEstimate:
    """An Elo difference and the half-width of its 95 % interval; either is infinite when the score is 0 or 1, or nan without results."""

    elo: float
    error: float

    def __str__(self) -> str:
        return f"{self.elo:.2f} +/- {self.error:.2f}"

    def as_json(self) -> dict[str, float | None]:
        """JSON has no infinities: a value that is not finite is None."""
        return {"elo": self.elo if math.isfinite(self.elo) else None, "error": self.error if math.isfinite(self.error) else None}


def _estimate(scores: Sequence[float], counts: Sequence[int]) -> EloEstimate:
    total = sum(counts)
    if total == 0:
        return EloEstimate(math.nan, math.nan)
    mean = sum(score * count for score, count in zip(scores, counts, strict=True)) / total
    variance = sum(count * (score - mean) ** 2 for score, count in zip(scores, counts, strict=True)) / total
    spread = Z95 * math.sqrt(variance / total)
    error = (elo_from_score(mean + spread) - elo_from_score(mean - spread)) / 2.0
    return EloEstimate(elo_from_score(mean), error)


def elo_trinomial(wins: int, draws: int, losses: int) -> EloEstimate:
    """The Elo difference that `wins`, `draws` and `losses` show, with its error (the score's deviation per encounter)."""
    return _estimate(TRINOMIAL_SCORES, (losses, draws, wins))


def elo_pentanomial(pairs: Sequence[int]) -> EloEstimate:
    """The Elo difference that pairs of encounters show (`pairs[k]`: pairs scoring k/2 of 2), the deviation taken per pair."""
    return _estimate(PENTANOMIAL_SCORES, pairs)
