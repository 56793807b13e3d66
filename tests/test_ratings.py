"""Ratings with 95 % intervals (Admin/ratings.py): a Bradley–Terry fit of the encounters, on the Elo scale, anchored at the mean.

Properties: the ratings do not depend on the order of the encounters (nor
on which player is listed first); a player with the same opponents as
another and more points rates higher; the ratings' mean is 0; every
interval contains its rating and narrows when the games are repeated; the
likelihood of superiority is 0.5 for a player and itself and
complementary for a pair. Checks against independent computations: the
closed form for two players, a hand-written likelihood with its
finite-difference Hessian for three, and choix's maximum-likelihood fit.
The ratings file is read back strictly.
"""

from __future__ import annotations

import json
import math

import choix
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from Admin.formats.stage import DRAW, LOSS, WIN, Played
from Admin.ratings import (
    ELO_PER_NATURAL_UNIT,
    RATING_KEYS,
    Z_95,
    RatingEntry,
    encounters_of,
    normal_cdf,
    rate,
    ratings_from_json,
    ratings_json,
    read_ratings,
)
from Common.strict import StructureError

SCORES = (WIN, DRAW, LOSS)


@st.composite
def events(draw, min_players: int = 2, max_players: int = 7, unscored: bool = True) -> tuple[int, list]:
    """A number of players and some encounters among them (scores 1, 0.5, 0; None sometimes)."""
    players = draw(st.integers(min_players, max_players))
    pair = st.lists(st.integers(0, players - 1), min_size=2, max_size=2, unique=True)
    score = st.sampled_from((*SCORES, None)) if unscored else st.sampled_from(SCORES)
    encounters = draw(st.lists(st.tuples(pair, score).map(lambda drawn: (*drawn[0], drawn[1])), min_size=1, max_size=30))
    return players, encounters


@st.composite
def linked_events(draw) -> tuple[int, list]:
    """Encounters in which every player reaches every other by "scored against" (a ring of draws), so the plain maximum is finite."""
    players, encounters = draw(events(unscored=False))
    ring = [(player, (player + 1) % players, DRAW) for player in range(players)]
    return players, draw(st.permutations(encounters + ring))


def rated_values(ratings) -> list[float]:
    return [rated.rating for rated in ratings.players if rated is not None]


# Properties.


@given(events(), st.randoms(use_true_random=False))
def test_the_ratings_do_not_depend_on_the_order_of_the_encounters_or_who_is_listed_first(event, random):
    players, encounters = event
    shuffled = random.sample(encounters, len(encounters))
    turned = [(second, first, None if score is None else 1 - score) for first, second, score in shuffled]
    assert rate(players, shuffled) == rate(players, encounters)
    assert rate(players, turned) == rate(players, encounters)


@st.composite
def a_better_twin(draw) -> tuple[int, list, int, int]:
    """Players `better` and `worse` with the same opponents, the better scoring at least as much against each and beating the worse."""
    players, encounters = draw(events(min_players=3, unscored=False))
    better, worse = players, players + 1
    opponents = draw(st.lists(st.integers(0, players - 1), min_size=1, max_size=8))
    for opponent in opponents:
        worse_score = draw(st.sampled_from(SCORES))
        better_score = draw(st.sampled_from([score for score in SCORES if score >= worse_score]))
        encounters += [(better, opponent, better_score), (opponent, worse, 1 - worse_score)]
    encounters += [(better, worse, WIN)] * draw(st.integers(1, 3))
    return players + 2, encounters, better, worse


@given(a_better_twin(), st.sampled_from((0.5, 1.0, 4.0)))
def test_a_player_with_the_same_opponents_and_more_points_rates_higher(twin, prior_draws):
    players, encounters, better, worse = twin
    ratings = rate(players, encounters, prior_draws)
    assert ratings.rating(better) > ratings.rating(worse)
    assert ratings.likelihood_of_superiority(better, worse) > 0.5


@given(events(), st.sampled_from((0.5, 1.0, 4.0)))
def test_the_ratings_of_the_rated_players_average_zero(event, prior_draws):
    ratings = rate(*event, prior_draws)
    values = rated_values(ratings)
    assert sum(values) == pytest.approx(0, abs=1e-6)


@given(events())
def test_every_interval_contains_its_rating_at_1_96_standard_errors_each_side(event):
    for rated in rate(*event).players:
        if rated is not None:
            assert rated.low < rated.rating < rated.high
            assert rated.high - rated.rating == pytest.approx(Z_95 * rated.standard_error)
            assert rated.rating - rated.low == pytest.approx(Z_95 * rated.standard_error)


@given(linked_events(), st.integers(2, 5))
def test_playing_every_encounter_k_times_keeps_the_plain_ratings_and_narrows_every_interval_by_root_k(event, times):
    players, encounters = event
    once, repeated = rate(players, encounters, prior_draws=0), rate(players, encounters * times, prior_draws=0)
    for one, more in zip(once.players, repeated.players, strict=True):
        assert more.rating == pytest.approx(one.rating, abs=1e-6)
        assert more.standard_error == pytest.approx(one.standard_error / math.sqrt(times))


@given(linked_events(), st.integers(2, 5))
def test_playing_every_encounter_again_narrows_every_interval_with_the_prior(event, times):
    players, encounters = event
    once, repeated = rate(players, encounters), rate(players, encounters * times)
    for one, more in zip(once.players, repeated.players, strict=True):
        if one is not None:
            assert more.high - more.low < one.high - one.low


@given(events())
def test_the_likelihood_of_superiority_is_a_half_for_a_player_and_itself_and_complementary_for_a_pair(event):
    ratings = rate(*event)
    rated = [player for player, rating in enumerate(ratings.players) if rating is not None]
    for a in rated:
        assert ratings.likelihood_of_superiority(a, a) == 0.5
        for b in rated:
            forwards, backwards = ratings.likelihood_of_superiority(a, b), ratings.likelihood_of_superiority(b, a)
            assert forwards + backwards == pytest.approx(1)
            assert (forwards > 0.5) == (ratings.rating(a) > ratings.rating(b) + 1e-9) or abs(ratings.rating(a) - ratings.rating(b)) < 1e-6


# Against independent computations.


@given(st.integers(2, 40).flatmap(lambda games: st.tuples(st.just(games), st.integers(1, 2 * games - 1))))
def test_two_players_plain_fit_is_the_closed_form(games_and_half_points):
    """a scores w of g (draws as halves, 0 < w < g): r_a - r_b = 400 log10(w / (g - w)).

    Its standard error is 400/ln 10 · sqrt(g / (w (g - w))), each rating's half that.
    """
    games, half_points = games_and_half_points
    wins, draws = divmod(half_points, 2)
    encounters = [(0, 1, WIN)] * wins + [(1, 0, DRAW)] * draws + [(1, 0, WIN)] * (games - wins - draws)
    w = half_points / 2
    ratings = rate(2, encounters, prior_draws=0)
    difference = 400 * math.log10(w / (games - w))
    error = ELO_PER_NATURAL_UNIT * math.sqrt(games / (w * (games - w)))
    assert ratings.rating(0) == pytest.approx(difference / 2)
    assert ratings.rating(1) == pytest.approx(-difference / 2)
    for player in (0, 1):
        assert ratings.players[player].standard_error == pytest.approx(error / 2)
    assert ratings.likelihood_of_superiority(0, 1) == pytest.approx(normal_cdf(difference / error))


def test_two_players_three_wins_of_four_by_hand():
    ratings = rate(2, [(0, 1, WIN), (0, 1, WIN), (1, 0, LOSS), (1, 0, WIN)], prior_draws=0)
    # log10(3) · 400 = 190.8; standard error of the difference (400 / ln 10) · sqrt(4/3) = 200.6.
    assert ratings.rating(0) - ratings.rating(1) == pytest.approx(190.848501, abs=1e-5)
    assert 2 * ratings.players[0].standard_error == pytest.approx(200.592, abs=1e-3)
    assert ratings.likelihood_of_superiority(0, 1) == pytest.approx(0.8293, abs=1e-4)


def log_likelihood(strengths: list[float], encounters: list, prior_draws: float) -> float:
    """The documented likelihood, written out independently: draws as halves, the prior as virtual draws against strength 0."""

    def log_logistic(x: float) -> float:
        return -math.log1p(math.exp(-x)) if x > -30 else x - math.log1p(math.exp(x))

    total = 0.0
    for first, second, score in encounters:
        difference = strengths[first] - strengths[second]
        total += score * log_logistic(difference) + (1 - score) * log_logistic(-difference)
    for strength in strengths:
        total += prior_draws * 0.5 * (log_logistic(strength) + log_logistic(-strength))
    return total


def inverse_3x3(m: list[list[float]]) -> list[list[float]]:
    (a, b, c), (d, e, f), (g, h, i) = m
    determinant = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    adjugate = [
        [e * i - f * h, c * h - b * i, b * f - c * e],
        [f * g - d * i, a * i - c * g, c * d - a * f],
        [d * h - e * g, b * g - a * h, a * e - b * d],
    ]
    return [[value / determinant for value in row] for row in adjugate]


@pytest.mark.parametrize(
    "encounters",
    [
        [(0, 1, WIN), (0, 1, WIN), (1, 2, DRAW), (2, 0, LOSS), (1, 2, WIN)],
        [(0, 1, WIN), (0, 2, WIN), (1, 2, WIN), (1, 2, DRAW)],  # 0 won everything, 2 won nothing
        [(0, 1, DRAW), (2, 0, WIN), (2, 1, WIN), (2, 1, WIN), (1, 0, LOSS)],
    ],
)
@pytest.mark.parametrize("prior_draws", [1.0, 3.0])
def test_three_players_intervals_are_those_of_a_finite_difference_hessian(encounters, prior_draws):
    ratings = rate(3, encounters, prior_draws)
    # The strengths of the fit, recovered up to the shift the anchoring took off: the prior's score equation fixes it.
    centred = [ratings.rating(player) / ELO_PER_NATURAL_UNIT for player in range(3)]
    shift = bisect(lambda s: sum(1 / (1 + math.exp(-(c + s))) for c in centred) - 1.5, -20, 20)
    strengths = [c + shift for c in centred]
    step = 1e-4

    def at(offsets: dict[int, float]) -> float:
        return log_likelihood([s + offsets.get(player, 0.0) for player, s in enumerate(strengths)], encounters, prior_draws)

    for player in range(3):  # the fit is the maximum: the slope is 0 every way
        assert (at({player: step}) - at({player: -step})) / (2 * step) == pytest.approx(0, abs=1e-6)
    hessian = [[0.0] * 3 for _ in range(3)]
    for i in range(3):
        for j in range(3):
            if i == j:
                hessian[i][i] = (at({i: step}) - 2 * at({}) + at({i: -step})) / step**2
            else:
                hessian[i][j] = (at({i: step, j: step}) - at({i: step, j: -step}) - at({i: -step, j: step}) + at({i: -step, j: -step})) / (
                    4 * step**2
                )
    covariance = inverse_3x3([[-value for value in row] for row in hessian])
    centring = [[(1 if i == j else 0) - 1 / 3 for j in range(3)] for i in range(3)]
    centred_covariance = [
        [sum(centring[i][k] * covariance[k][m] * centring[m][j] for k in range(3) for m in range(3)) for j in range(3)] for i in range(3)
    ]
    for player in range(3):
        expected = ELO_PER_NATURAL_UNIT * math.sqrt(centred_covariance[player][player])
        assert ratings.players[player].standard_error == pytest.approx(expected, rel=1e-4)
    variance = centred_covariance[0][0] + centred_covariance[1][1] - 2 * centred_covariance[0][1]
    expected_superiority = normal_cdf((strengths[0] - strengths[1]) / math.sqrt(variance))
    assert ratings.likelihood_of_superiority(0, 1) == pytest.approx(expected_superiority, abs=1e-5)


def bisect(function, low: float, high: float) -> float:
    for _ in range(200):
        middle = (low + high) / 2
        if (function(middle) > 0) == (function(high) > 0):
            high = middle
        else:
            low = middle
    return (low + high) / 2


@given(linked_events())
def test_the_plain_fit_is_choix_maximum_likelihood_fit(event):
    """choix takes wins only: every encounter counts twice, a draw as one win each way (the same maximum)."""
    players, encounters = event
    pairwise = []
    for first, second, score in encounters:
        halves = int(score * 2)
        pairwise += [(first, second)] * halves + [(second, first)] * (2 - halves)
    strengths = choix.ilsr_pairwise(players, pairwise, alpha=0.0, max_iter=10_000, tol=1e-12)
    expected = (strengths - np.mean(strengths)) * ELO_PER_NATURAL_UNIT
    ratings = rate(players, encounters, prior_draws=0)
    assert ratings.values() == pytest.approx(list(expected), abs=1e-3)


# Corner cases the issue names.


def test_an_undefeated_and_a_winless_player_get_finite_ratings_at_the_ends():
    encounters = [(0, 1, WIN), (0, 2, WIN), (0, 3, WIN), (1, 2, WIN), (2, 1, DRAW), (3, 1, WIN), (2, 3, LOSS), (3, 4, WIN), (1, 4, WIN)]
    ratings = rate(5, encounters)
    values = ratings.values()
    assert all(math.isfinite(value) for value in values)
    assert max(values) == values[0] and min(values) == values[4]
    assert all(math.isfinite(rated.low) and math.isfinite(rated.high) for rated in ratings.players)
    assert ratings.likelihood_of_superiority(0, 4) > 0.9


@pytest.mark.parametrize(
    ("encounters", "message"),
    [
        ([(1, 0, LOSS), (0, 2, WIN), (1, 2, DRAW)], "player 0 conceded nothing to the others"),
        ([(0, 1, LOSS), (0, 2, LOSS), (1, 2, DRAW)], "player 0 scored nothing against the others"),
        ([(1, 0, DRAW), (0, 2, WIN), (1, 2, WIN)], "players 0, 1 conceded nothing to the others"),
        ([(0, 1, DRAW), (2, 3, WIN), (3, 2, WIN)], "players 0, 1 scored nothing against the others"),
    ],
)
def test_without_the_prior_a_group_that_won_or_lost_everything_is_refused_by_name(encounters, message):
    with pytest.raises(ValueError) as refused:
        rate(4, encounters, prior_draws=0)
    assert str(refused.value) == f"no finite ratings without a prior: {message} (use prior_draws > 0)"


def test_a_player_with_no_games_has_no_rating_and_changes_nobody_elses():
    encounters = [(0, 2, WIN), (2, 0, DRAW), (0, 3, LOSS), (2, 3, LOSS), (1, 3, None)]
    with_absent = rate(4, encounters)
    without = rate(3, [(0, 1, WIN), (1, 0, DRAW), (0, 2, LOSS), (1, 2, LOSS)])
    assert with_absent.players[1] is None
    assert [with_absent.players[player] for player in (0, 2, 3)] == list(without.players)
    with pytest.raises(ValueError, match=r"^player 1 has no rating \(no games\)$"):
        with_absent.likelihood_of_superiority(0, 1)


def test_no_encounters_rate_nobody():
    assert rate(3, []).players == (None, None, None)
    assert rate(0, []).players == ()


def test_a_formats_played_encounters_are_rated_and_an_unscored_one_skipped():
    played = [Played(0, 1, WIN), Played(1, 2, DRAW), Played(2, 0, None, frozenset({2}))]
    assert encounters_of(played) == [(0, 1, WIN), (1, 2, DRAW), (2, 0, None)]
    assert [rated.games for rated in rate(3, encounters_of(played)).players] == [1, 2, 1]


@pytest.mark.parametrize(
    ("encounters", "message"),
    [
        ([(0, 3, WIN)], "encounter 0: expected a player in 0..2, got 3"),
        ([(0, 1, WIN), (1, 1, WIN)], "encounter 1: player 1 cannot meet itself"),
        ([(0, 1, 2)], "encounter 0: expected a score in [0, 1] (1, 0.5, 0) or None, got 2"),
        ([(0, 1, True)], "encounter 0: expected a score in [0, 1] (1, 0.5, 0) or None, got true"),
        ([(0, 1, math.nan)], "encounter 0: expected a score in [0, 1] (1, 0.5, 0) or None, got NaN"),
        ([(0, 1)], "encounter 0: expected (first, second, score), got [0, 1]"),
    ],
)
def test_a_wrong_encounter_is_refused_in_one_line(encounters, message):
    with pytest.raises(ValueError) as refused:
        rate(3, encounters)
    assert str(refused.value) == message


# The JSON form and the ratings file.


def test_ratings_json_ranks_by_rating_with_one_decimal_and_the_unrated_last():
    ratings = rate(4, [(0, 1, LOSS), (0, 1, DRAW), (1, 3, WIN), (3, 0, DRAW)])
    rows = ratings_json(["ann", "bob", "cy", "dee"], ratings)
    by_rating = sorted((0, 1, 3), key=lambda player: -ratings.rating(player))
    assert [row["name"] for row in rows] == [["ann", "bob", "cy", "dee"][player] for player in by_rating] + ["cy"]
    assert rows[0]["name"] == "bob"  # unbeaten
    assert [row["games"] for row in rows] == [ratings.players[player].games for player in by_rating] + [0]
    for row in rows[:3]:
        assert list(row) == list(RATING_KEYS)
        for key in ("rating", "low", "high"):
            assert row[key] == round(row[key], 1)
    assert rows[0]["rating"] == round(ratings.rating(1), 1)
    assert rows[0]["superiority"] == round(ratings.likelihood_of_superiority(by_rating[0], by_rating[1]), 3)
    assert rows[2]["superiority"] is None
    assert rows[3] == {"name": "cy", "rating": None, "low": None, "high": None, "games": 0, "superiority": None}


@given(events())
def test_a_ratings_file_reads_back_as_written(event):
    players, encounters = event
    names = [f"player{player}" for player in range(players)]
    rows = ratings_json(names, rate(players, encounters))
    entries = read_ratings(json.dumps(rows))
    assert entries == tuple(RatingEntry(**row) for row in rows)
    assert ratings_from_json(rows) == entries


GOOD_ROW = {"name": "ann", "rating": 12.3, "low": -80.1, "high": 104.7, "games": 4, "superiority": 0.7}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{}", "expected a list (a JSON array), got {} @ $"),
        ('[{"name": "ann", "rating": NaN, "low": 1, "high": 2, "games": 1, "superiority": null}]', "not JSON: NaN is not a JSON number"),
        (
            '[{"name": "ann", "rating": 1e400, "low": 1, "high": 2, "games": 1, "superiority": null}]',
            "too large to be finite @ $[0].rating",
        ),
        (json.dumps([{**GOOD_ROW, "rating": True}]), "expected a number, got true @ $[0].rating"),
        (json.dumps([{**GOOD_ROW, "games": "4"}]), 'expected a whole number, got "4" @ $[0].games'),
        (json.dumps([{**GOOD_ROW, "games": 4.0}]), "expected a whole number, got 4.0 @ $[0].games"),
        (json.dumps([{key: value for key, value in GOOD_ROW.items() if key != "low"}]), "required key missing @ $[0].low"),
        (json.dumps([{**GOOD_ROW, "rank": 1}]), 'unknown key "rank"'),
        (json.dumps([GOOD_ROW, GOOD_ROW]), 'the name "ann" is given twice @ $[1].name'),
        (json.dumps([{**GOOD_ROW, "low": 20.0}]), "expected low <= rating <= high, got 20.0, 12.3, 104.7 @ $[0]"),
        (json.dumps([{**GOOD_ROW, "games": 0}]), "a player with no games has no rating: rating, low and high must be null @ $[0]"),
        (json.dumps([{**GOOD_ROW, "high": None}]), "a player with games has a rating: rating, low and high must be numbers @ $[0]"),
        (json.dumps([{**GOOD_ROW, "superiority": 1.5}]), "expected a probability in [0, 1], got 1.5 @ $[0].superiority"),
        (json.dumps([{**GOOD_ROW, "name": 7}]), "expected a name (a string), got 7 @ $[0].name"),
    ],
)
def test_a_wrong_ratings_file_is_refused_in_one_line_naming_what_is_wrong(text, message):
    with pytest.raises(StructureError) as refused:
        read_ratings(text)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    ("players", "prior_draws", "message"),
    [
        (-1, 1.0, "the number of players must be a whole number >= 0, got -1"),
        (True, 1.0, "the number of players must be a whole number >= 0, got true"),
        (3, -1.0, "prior_draws must be a finite number >= 0, got -1.0"),
        (3, math.inf, "prior_draws must be a finite number >= 0, got Infinity"),
    ],
)
def test_a_wrong_number_of_players_or_prior_is_refused_in_one_line(players, prior_draws, message):
    with pytest.raises(ValueError) as refused:
        rate(players, [], prior_draws)
    assert str(refused.value) == message
