"""The SPRT and the Elo of a score (Admin/formats/sprt.py): values worked out by hand, symmetries, simulated matches."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from Admin.formats.sprt import (
    SPRTSettings,
    elo_from_score,
    elo_pentanomial,
    elo_trinomial,
    llr_pentanomial,
    llr_trinomial,
    score_of_elo,
)

ELO_OF_60_PERCENT = 400 * math.log10(0.6 / 0.4)
"""The Elo difference whose expected score is 0.6 (70.44): it makes the hand computations short."""

counts = st.integers(min_value=0, max_value=200)
elos = st.floats(min_value=-300, max_value=300, allow_nan=False)


def test_the_trinomial_llr_equals_the_value_worked_out_by_hand():
    """4 wins, 4 draws, 2 losses; H0: Elo 0 (score 0.5), H1: Elo 70.44 (score 0.6).

    Frequencies (loss, draw, win) p̂ = (0.2, 0.4, 0.4), mean 0.2 + 0.4 = 0.6.
    Under H1 (s = 0.6) the observed distribution already has the mean, so
    θ = 0 and p1 = p̂.
    Under H0 (s = 0.5): gaps d = (-0.5, 0, 0.5); Σ p̂ d / (1 + θ d) = 0 reads
    -0.1 / (1 - 0.5 θ) + 0.2 / (1 + 0.5 θ) = 0, so 0.2 - 0.1 θ = 0.1 + 0.05 θ
    and θ = 2/3; p0 = p̂ / (1 + θ d) = (0.2 / (2/3), 0.4, 0.4 / (4/3)) =
    (0.3, 0.4, 0.3), whose mean is 0.5 indeed.
    LLR = 10 (0.2 log(0.2/0.3) + 0.4 log(0.4/0.4) + 0.4 log(0.4/0.3))
        = 2 log(2/3) + 4 log(4/3) = log(4/9 · 256/81) = log(1024/729) = 0.339798.
    """
    assert llr_trinomial(4, 4, 2, 0.0, ELO_OF_60_PERCENT) == pytest.approx(math.log(1024 / 729), abs=1e-9)
    assert math.log(1024 / 729) == pytest.approx(0.339798, abs=1e-6)


def test_the_pentanomial_llr_equals_the_value_worked_out_by_hand():
    """20 pairs scoring 0, 1/2, 1, 3/2, 2 points: 1, 3, 8, 5, 3 of them; H0: Elo 0, H1: the Elo of score 0.575 (52.51).

    Per-encounter scores a = (0, 1/4, 1/2, 3/4, 1); p̂ = (0.05, 0.15, 0.40,
    0.25, 0.15); mean 0.0375 + 0.2 + 0.1875 + 0.15 = 0.575: under H1, θ = 0
    and p1 = p̂.
    Under H0 (s = 0.5): d = (-1/2, -1/4, 0, 1/4, 1/2). Try θ = 1:
    p0 = p̂ / (1 + d) = (0.05/0.5, 0.15/0.75, 0.4, 0.25/1.25, 0.15/1.5)
       = (0.1, 0.2, 0.4, 0.2, 0.1): it sums to 1 and its mean is 0.5, so
    Σ p̂ d / (1 + θ d) = Σ p0 d = 0: θ = 1 is the root.
    LLR = 20 Σ p̂ log(p̂ / p0) = 20 Σ p̂ log(1 + d)
        = 1 log 0.5 + 3 log 0.75 + 8 log 1 + 5 log 1.25 + 3 log 1.5
        = log(0.5 · 0.421875 · 3.0517578 · 3.375) = log(2.1725893) = 0.775920.
    """
    elo1 = 400 * math.log10(0.575 / 0.425)
    by_hand = math.log(0.5 * 0.75**3 * 1.25**5 * 1.5**3)
    assert llr_pentanomial([1, 3, 8, 5, 3], 0.0, elo1) == pytest.approx(by_hand, abs=1e-9)
    assert by_hand == pytest.approx(0.775920, abs=1e-6)


def test_no_results_give_an_llr_of_zero():
    assert llr_trinomial(0, 0, 0, 0.0, 10.0) == 0.0
    assert llr_pentanomial([0, 0, 0, 0, 0], -5.0, 5.0) == 0.0


def test_wins_only_and_losses_only_have_an_llr_of_the_right_sign():
    """A category nobody reached counts 0.001 results, so a match of wins only still has an LLR."""
    assert llr_trinomial(10, 0, 0, 0.0, 10.0) > 0.0
    assert llr_trinomial(0, 0, 10, 0.0, 10.0) < 0.0
    assert llr_pentanomial([0, 0, 0, 0, 10], 0.0, 10.0) > 0.0


@given(counts, counts, counts, elos, st.floats(min_value=1, max_value=100))
def test_swapping_wins_and_losses_and_mirroring_the_hypotheses_flips_the_llr(wins, draws, losses, elo0, width):
    """The candidate's wins are its opponent's losses: H1 for one is H0 for the other, Elo negated."""
    elo1 = elo0 + width
    assert llr_trinomial(wins, draws, losses, elo0, elo1) == pytest.approx(-llr_trinomial(losses, draws, wins, -elo1, -elo0), abs=1e-6)


@given(st.lists(counts, min_size=5, max_size=5), elos, st.floats(min_value=1, max_value=100))
def test_reversing_the_pair_counts_and_mirroring_the_hypotheses_flips_the_pentanomial_llr(pairs, elo0, width):
    elo1 = elo0 + width
    assert llr_pentanomial(pairs, elo0, elo1) == pytest.approx(-llr_pentanomial(pairs[::-1], -elo1, -elo0), abs=1e-6)


@given(counts, counts, counts)
def test_one_more_win_raises_the_llr(wins, draws, losses):
    assert llr_trinomial(wins + 1, draws, losses, 0.0, 10.0) > llr_trinomial(wins, draws, losses, 0.0, 10.0)


def test_the_bounds_are_wald_s():
    """alpha = beta = 0.05: lower log(0.05 / 0.95) = -2.944, upper log(0.95 / 0.05) = 2.944.

    alpha 0.05, beta 0.1: log(0.1 / 0.95), log(0.9 / 0.05).
    """
    settings = SPRTSettings(elo0=0, elo1=10, alpha=0.05, beta=0.05)
    assert settings.lower_bound == pytest.approx(-2.944439, abs=1e-6)
    assert settings.upper_bound == pytest.approx(2.944439, abs=1e-6)
    other = SPRTSettings(elo0=0, elo1=5, alpha=0.05, beta=0.1)
    assert (other.lower_bound, other.upper_bound) == pytest.approx((math.log(0.1 / 0.95), math.log(0.9 / 0.05)))
    assert [settings.verdict(llr) for llr in (-3.0, -2.9, 0.0, 2.9, 3.0)] == ["H0", "neither", "neither", "neither", "H1"]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"elo0": 10, "elo1": 0, "alpha": 0.05, "beta": 0.05}, '"elo0" must be less than "elo1"'),
        ({"elo0": 0, "elo1": 10, "alpha": 0, "beta": 0.05}, '"alpha" must be a number between 0 and 1'),
        ({"elo0": 0, "elo1": 10, "alpha": 0.05, "beta": 1.5}, '"beta" must be a number between 0 and 1'),
        ({"elo0": 0, "elo1": 10, "alpha": 0.6, "beta": 0.5}, "must add up to less than 1"),
    ],
)
def test_settings_that_make_no_test_are_refused_in_one_line(settings, message):
    with pytest.raises(ValueError, match=message) as refused:
        SPRTSettings(**settings)
    assert "\n" not in str(refused.value)


def results(rng: random.Random, win: float, draw: float) -> float:
    """One encounter's score for the candidate, drawn with the given chances of a win and a draw."""
    roll = rng.random()
    return 1.0 if roll < win else 0.5 if roll < win + draw else 0.0


def run_test(seed: int, win: float, draw: float, settings: SPRTSettings, pentanomial: bool, most_pairs: int) -> tuple[str, int]:
    """A match of pairs of encounters until the test decides or `most_pairs` ran out: the verdict and the pairs played."""
    rng = random.Random(seed)
    wins = draws = losses = 0
    pairs = [0] * 5
    for played in range(1, most_pairs + 1):
        scores = [results(rng, win, draw) for _ in range(2)]
        wins += scores.count(1.0)
        draws += scores.count(0.5)
        losses += scores.count(0.0)
        pairs[round(2 * sum(scores))] += 1
        if pentanomial:
            llr = llr_pentanomial(pairs, settings.elo0, settings.elo1)
        else:
            llr = llr_trinomial(wins, draws, losses, settings.elo0, settings.elo1)
        if settings.verdict(llr) != "neither":
            return settings.verdict(llr), played
    return "neither", most_pairs


@pytest.mark.parametrize("pentanomial", [False, True])
def test_a_much_stronger_candidate_is_accepted_as_h1_early(pentanomial):
    """60 % wins, 20 % draws (score 0.7, about +147 Elo) against H0 Elo 0, H1 Elo 10: H1 within 200 pairs, every seed.

    (About 90 to 160 pairs; the test of equal players below takes 1,000 to 6,500.)
    """
    settings = SPRTSettings(elo0=0, elo1=10, alpha=0.05, beta=0.05)
    for seed in range(5):
        verdict, pairs = run_test(seed, 0.6, 0.2, settings, pentanomial, most_pairs=200)
        assert verdict == "H1", (seed, pairs)


@pytest.mark.parametrize("pentanomial", [False, True])
def test_equal_strength_tends_to_h0(pentanomial):
    """35 % wins, 30 % draws, 35 % losses (Elo 0) against H0 Elo 0, H1 Elo 10 (alpha = beta = 0.05): H0 in at least 9 runs of 10.

    Accepting H1 here is the test's error of the first kind, 5 % of runs;
    a reversed LLR or swapped bounds would accept H1 nearly always.
    """
    settings = SPRTSettings(elo0=0, elo1=10, alpha=0.05, beta=0.05)
    verdicts = [run_test(seed, 0.35, 0.3, settings, pentanomial, most_pairs=20_000)[0] for seed in range(10)]
    assert verdicts.count("H0") >= 9, verdicts


def test_the_elo_of_a_score():
    """0.5 is Elo 0; 0.75 is 400 log10(3) = 190.85; 0.25 its opposite; 0 and 1 are infinite."""
    assert elo_from_score(0.5) == 0.0
    assert elo_from_score(0.75) == pytest.approx(190.848502, abs=1e-6)
    assert elo_from_score(0.25) == pytest.approx(-190.848502, abs=1e-6)
    assert elo_from_score(1.0) == math.inf
    assert elo_from_score(0.0) == -math.inf


@given(st.floats(min_value=-1000, max_value=1000, allow_nan=False))
def test_the_elo_of_the_expected_score_of_an_elo_is_that_elo(elo):
    assert elo_from_score(score_of_elo(elo)) == pytest.approx(elo, abs=1e-6)


def test_the_elo_error_of_wins_draws_and_losses_equals_the_value_worked_out_by_hand():
    """60 wins, 20 draws, 20 losses: score 0.7, Elo -400 log10(1/0.7 - 1) = 147.19.

    Variance per encounter: 0.6 · 0.3² + 0.2 · 0.2² + 0.2 · 0.7² = 0.054 + 0.008 + 0.098 = 0.16;
    of the mean: 0.16 / 100, deviation 0.04; times 1.959964: 0.0783986.
    Interval 0.6216014 .. 0.7783986: Elo -400 log10(0.6087479) = 86.225 ..
    -400 log10(0.2846889) = 218.252; error (218.252 - 86.225) / 2 = 66.01.
    """
    estimate = elo_trinomial(60, 20, 20)
    assert estimate.elo == pytest.approx(147.19, abs=0.005)
    assert estimate.error == pytest.approx(66.013, abs=0.001)
    assert str(estimate) == "147.19 +/- 66.01"


def test_the_elo_error_of_pairs_is_taken_per_pair():
    """The 20 pairs above (1, 3, 8, 5, 3): score 0.575, Elo -400 log10(0.425/0.575) = 52.51.

    Variance per pair: 0.05 · 0.575² + 0.15 · 0.325² + 0.4 · 0.075² + 0.25 · 0.175² + 0.15 · 0.425²
    = 0.0165313 + 0.0158438 + 0.00225 + 0.0076563 + 0.0270938 = 0.069375;
    of the mean: / 20 = 0.00346875, deviation 0.0588961, times 1.959964: 0.1154342.
    Interval 0.4595658 .. 0.6904342: Elo -400 log10(1.1759671) = -28.158 ..
    -400 log10(0.4483639) = 139.348; error (139.348 + 28.158) / 2 = 83.75.
    """
    estimate = elo_pentanomial([1, 3, 8, 5, 3])
    assert estimate.elo == pytest.approx(52.5116, abs=1e-4)
    assert estimate.error == pytest.approx(83.753, abs=1e-3)
    assert str(estimate) == "52.51 +/- 83.75"


def test_an_estimate_that_is_not_finite_is_none_in_json():
    assert elo_trinomial(3, 0, 0).as_json() == {"elo": None, "error": None}
    assert elo_trinomial(0, 0, 0).as_json() == {"elo": None, "error": None}


def test_an_even_score_prints_as_zero_elo_not_minus_zero():
    assert str(elo_trinomial(1, 1, 1)) == "0.00 +/- 561.20"
