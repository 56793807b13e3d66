"""The arena's live ratings (Admin/arena_ratings.py): a deterministic fold, sensible moves, the JSON rows, the log line, convergence."""

from __future__ import annotations

import itertools
import json
import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from Admin.arena_ratings import (
    HISTORY_POINTS,
    MISBEHAVED,
    MU,
    SIGMA,
    STANDING_KEYS,
    ArenaRatings,
    EncounterEnded,
    fold,
    places_by_score,
    read_arena_ratings,
    result_line,
    standings_json,
)
from Common.ipd.chance import MatchKey
from Common.strict import StructureError
from Player.ipd.classics import Alternator, Cooperator, Defector, Grudger
from tests.arena_rating_strategies import encounters, histories
from tests.ipd_strategies import fixed_length, play_strategies

# ---------------------------------------------------------------------------
# The fold


@given(histories())
def test_the_same_results_in_the_same_order_give_exactly_the_same_ratings(results: list[EncounterEnded]) -> None:
    once, again = fold(results), fold(results)
    assert json.dumps(standings_json(once)) == json.dumps(standings_json(again))
    assert all(once.history(name) == again.history(name) for name in ("ann", "bob") if name in once)


@given(histories(), st.data())
def test_a_resumed_fold_goes_on_as_the_whole_one(results: list[EncounterEnded], data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(results)))
    resumed = fold(results[:cut])
    for result in results[cut:]:
        resumed.rate(result)
    assert resumed == fold(results)


@given(histories(), encounters(sizes=(2, 2), culprits=False))
def test_the_winner_of_two_does_not_go_down_and_the_loser_does_not_go_up(results: list[EncounterEnded], last: EncounterEnded) -> None:
    ratings = fold(results)
    first, second = ratings.rate(last).changes
    if first.place == second.place:
        return
    winner, loser = (first, second) if int(first.place) < int(second.place) else (second, first)
    assert winner.after.mu >= winner.before.mu
    assert loser.after.mu <= loser.before.mu
    assert (winner.after.streak, loser.after.streak) == (max(winner.before.streak, 0) + 1, min(loser.before.streak, 0) - 1)


@given(histories(), encounters())
def test_sigma_never_grows_and_a_new_players_shrinks_at_once(results: list[EncounterEnded], last: EncounterEnded) -> None:
    ratings = fold(results)
    for change in ratings.rate(last).changes:
        assert change.after.sigma <= change.before.sigma
        if change.rated and change.before.encounters == 0:
            assert change.after.sigma < SIGMA


def test_sigma_shrinks_towards_a_floor_with_games() -> None:
    ratings = ArenaRatings()
    sigmas = []
    for game in range(200):
        ratings.rate(EncounterEnded(("ann", "bob"), (1 + game % 2, 2 - game % 2), float(game)))
        sigmas.append(ratings.player("ann").sigma)
    assert sigmas == sorted(sigmas, reverse=True)
    assert sigmas[49] < SIGMA / 2
    assert 1 < sigmas[-1] < 2  # the floor: τ keeps a rating able to move


@given(histories(), encounters().filter(lambda result: MISBEHAVED in result.places))
def test_a_culprit_loses_and_the_others_are_rated_among_themselves(results: list[EncounterEnded], last: EncounterEnded) -> None:
    ratings, without_culprits = fold(results), fold(results)
    changes = ratings.rate(last).changes
    others = [(name, place) for name, place in zip(last.players, last.places, strict=True) if place != MISBEHAVED]
    if len(others) >= 2:
        rank = {place: index + 1 for index, place in enumerate(sorted({place for _, place in others}))}  # the same order
        without_culprits.rate(EncounterEnded(tuple(name for name, _ in others), tuple(rank[place] for _, place in others), last.time))
    for change in changes:
        if change.place == MISBEHAVED:
            assert change.rated
            assert change.after.mu <= change.before.mu
            assert change.after.streak < 0
        elif len(others) >= 2:
            assert change.rated
            assert change.after == without_culprits.player(change.name)
        else:
            assert not change.rated
            assert change.after == change.before


def test_a_player_whose_only_opponent_misbehaved_keeps_its_row() -> None:
    ratings = ArenaRatings()
    ratings.rate(EncounterEnded(("ann", "bob"), (1, 2), 1.0))
    before = ratings.player("ann")
    change = ratings.rate(EncounterEnded(("bob", "ann"), (MISBEHAVED, 1), 2.0)).changes[1]
    assert not change.rated
    assert ratings.player("ann") == before
    assert len(ratings.history("ann")) == 1


def test_a_draw_moves_the_stronger_down_and_the_weaker_up() -> None:
    ratings = fold([EncounterEnded(("ann", "bob"), (1, 2), 1.0)])
    strong, weak = ratings.rate(EncounterEnded(("ann", "bob"), (1, 1), 2.0)).changes
    assert strong.after.mu < strong.before.mu
    assert weak.after.mu > weak.before.mu
    assert (strong.after.streak, weak.after.streak) == (0, 0)


def test_streaks_count_wins_and_losses_in_a_row() -> None:
    won_by_ann = [(1, 2), (1, 2), (1, 2), (2, 1), (2, 1), (1, 1), (1, 2)]
    streaks = []
    ratings = ArenaRatings()
    for time, places in enumerate(won_by_ann):
        ratings.rate(EncounterEnded(("ann", "bob"), places, float(time)))
        streaks.append((ratings.player("ann").streak, ratings.player("bob").streak))
    assert streaks == [(1, -1), (2, -2), (3, -3), (-1, 1), (-2, 2), (0, 0), (1, -1)]


@pytest.mark.parametrize(
    ("scores", "places"), [((3, 1), (1, 2)), ((2, 2), (1, 1)), ((5, 9, 5, 0), (2, 1, 2, 4)), ((1.5, 1.5, 1.5), (1, 1, 1))]
)
def test_places_by_score_share_a_place_on_equal_scores(scores: tuple, places: tuple) -> None:
    assert places_by_score(scores) == places


def test_a_table_of_four_counts_the_shared_best_place_as_a_win() -> None:
    ratings = ArenaRatings()
    changes = ratings.rate(EncounterEnded(("ann", "bob", "cat", "dan"), (1, 1, 3, 4), 1.0)).changes
    assert [change.after.streak for change in changes] == [1, 1, -1, -1]
    assert changes[0].after.mu == changes[1].after.mu > MU > changes[2].after.mu > changes[3].after.mu


@pytest.mark.parametrize(
    ("players", "places", "time", "words"),
    [
        (("ann",), (1,), 0.0, "2 to 4 players"),
        (("ann", "bob", "cat", "dan", "eve"), (1, 2, 3, 4, 5), 0.0, "2 to 4 players"),
        (("ann", "ann"), (1, 2), 0.0, "sits twice"),
        (("ann", 7), (1, 2), 0.0, "got 7"),
        (("ann", ""), (1, 2), 0.0, 'got ""'),
        (("ann", "bob"), (1,), 0.0, "1 places for 2 players"),
        (("ann", "bob"), (1, 3), 0.0, "got 3"),
        (("ann", "bob"), (0, 1), 0.0, "got 0"),
        (("ann", "bob"), (True, 2), 0.0, "got true"),
        (("ann", "bob"), (1, "lost"), 0.0, 'got "lost"'),
        (("ann", "bob"), (1, 2), math.inf, "finite"),
    ],
)
def test_an_encounter_that_cannot_be_is_refused(players: tuple, places: tuple, time: float, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        EncounterEnded(players, places, time)


# ---------------------------------------------------------------------------
# The leaderboard and the history


@given(histories())
def test_the_leaderboard_ranks_by_ordinal_then_encounters_then_name(results: list[EncounterEnded]) -> None:
    board = fold(results).leaderboard()
    keys = [(-row.ordinal, -row.encounters, row.name) for row in board]
    assert keys == sorted(keys)
    assert all(row.ordinal == row.mu - 3 * row.sigma for row in board)


def test_new_players_start_at_ordinal_zero_in_name_order() -> None:
    ratings = ArenaRatings()
    for name in ("cat", "ann", "bob"):
        ratings.join(name)
    assert [(row.name, row.ordinal, row.encounters) for row in ratings.leaderboard()] == [("ann", 0, 0), ("bob", 0, 0), ("cat", 0, 0)]


def test_a_long_history_stays_small_and_evenly_spaced() -> None:
    ratings = ArenaRatings()
    for game in range(1, 1001):
        ratings.rate(EncounterEnded(("ann", "bob"), (1, 2) if game % 3 else (2, 1), float(game)))
        history = ratings.history("ann")
        assert len(history) <= HISTORY_POINTS + 1
        assert history[-1].encounters == game
        assert history[-1].ordinal == ratings.player("ann").ordinal
    assert len(history) >= HISTORY_POINTS // 2
    steps = {later.encounters - earlier.encounters for earlier, later in itertools.pairwise(history[:-1])}
    assert steps == {16}  # 1,000 encounters at a stride of 16: 62 points, then the latest
    assert [point.time for point in history] == [float(point.encounters) for point in history]


# ---------------------------------------------------------------------------
# The JSON rows


@given(histories())
def test_the_json_rows_read_back_exactly(results: list[EncounterEnded]) -> None:
    ratings = fold(results)
    assert read_arena_ratings(json.dumps(standings_json(ratings))) == tuple(ratings.leaderboard())


def _document() -> list[dict]:
    ratings = fold([EncounterEnded(("ann", "bob"), (1, 2), 1.0), EncounterEnded(("cat", "bob"), (1, 1), 2.0)])
    ratings.join("dan")
    return standings_json(ratings)


def _unplayed(rows: list[dict]) -> dict:
    return next(row for row in rows if row["encounters"] == 0)


@given(st.sampled_from(STANDING_KEYS), st.sampled_from(['"5"', "true", "1e400", "null", "[]", "{}"]), st.integers(0, 3))
def test_the_reader_refuses_a_value_of_the_wrong_kind(key: str, bad: str, row: int) -> None:
    document = _document()
    if key == "name" and bad in ('"5"',):
        return  # "5" is a name
    document[row][key] = "BAD"
    text = json.dumps(document).replace('"BAD"', bad)
    with pytest.raises(StructureError, match=rf"@ \$\[{row}\]\.{key}"):
        read_arena_ratings(text)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda rows: rows[0].pop("streak"), "required key missing"),
        (lambda rows: rows[0].update(games=1), 'unknown key "games"'),
        (lambda rows: rows[0].update(ordinal=math.nextafter(rows[0]["ordinal"], 0)), "mu - 3 sigma"),
        (lambda rows: rows[0].update(sigma=0), "positive"),
        (lambda rows: rows[0].update(streak=-5), "longer than"),
        (lambda rows: _unplayed(rows).update(mu=26.0, ordinal=26.0 - 3 * SIGMA), "new player's rating"),
        (lambda rows: rows[1].update(name=rows[0]["name"]), "given twice"),
        (lambda rows: rows.reverse(), "leaderboard order"),
    ],
)
def test_the_reader_refuses_rows_that_cannot_be(change, words: str) -> None:
    document = _document()
    change(document)
    with pytest.raises(StructureError, match=words):
        read_arena_ratings(json.dumps(document))


def test_the_reader_refuses_what_is_not_a_list_of_rows() -> None:
    for text in ("{}", "[1]", "NaN", '[{"name": "ann"}'):
        with pytest.raises(StructureError):
            read_arena_ratings(text)


# ---------------------------------------------------------------------------
# The log line


def test_the_log_line_words_each_kind_of_result() -> None:
    ratings = ArenaRatings()
    lines = [
        result_line(ratings.rate(EncounterEnded(players, places, float(time))))
        for time, (players, places) in enumerate(
            [
                (("ann", "bob"), (2, 1)),
                (("ann", "bob"), (1, 1)),
                (("cat", "ann"), (MISBEHAVED, 1)),
                (("cat", "dan"), (MISBEHAVED, MISBEHAVED)),
                (("ann", "bob", "cat", "dan"), (3, 1, MISBEHAVED, 1)),
            ]
        )
    ]
    assert lines == [
        "bob 27.6 (+2.6) beat ann 22.4 (-2.6)",
        "ann 22.9 (+0.5) drew with bob 27.1 (-0.5)",
        "cat 22.1 (-2.9) misbehaved and lost to ann 22.9 (not rated)",
        "cat 19.9 (-2.2) and dan 22.0 (-3.0) both misbehaved",
        "1. bob 28.7 (+1.6), 1. dan 25.2 (+3.2), 3. ann 18.4 (-4.5); misbehaved: cat 13.8 (-6.1)",
    ]


# ---------------------------------------------------------------------------
# Convergence


def test_simulated_players_of_known_strength_end_in_their_order() -> None:
    """Eight players, each e times as likely as the one below it to win their encounter, a tenth of encounters drawn,
    paired at random, and one player that misbehaves in a fifth of its encounters: after 3,000 encounters the
    leaderboard has the eight in the order of their strength (so it has for 98 of the seeds 0 to 99)."""
    chance = random.Random(19)
    strengths = {f"p{strength}": float(strength) for strength in range(8)}
    strengths["mad"] = 3.5
    ratings = ArenaRatings()
    for time in range(3000):
        first, second = chance.sample(sorted(strengths), 2)
        if "mad" in (first, second) and chance.random() < 0.2:
            places = (MISBEHAVED, 1) if first == "mad" else (1, MISBEHAVED)
        elif chance.random() < 0.1:
            places = (1, 1)
        else:
            first_wins = chance.random() < 1 / (1 + math.exp(strengths[second] - strengths[first]))
            places = (1, 2) if first_wins else (2, 1)
        ratings.rate(EncounterEnded((first, second), places, float(time)))
    board = [row.name for row in ratings.leaderboard() if row.name != "mad"]
    assert board == sorted(board, key=lambda name: -strengths[name])


def test_real_prisoners_dilemma_strategies_end_in_their_order() -> None:
    """Matches of 60 rounds with 2 % noise among classics whose head-to-head order is known (the defector beats
    everyone, the grudger beats the alternator, the alternator beats the cooperator): the leaderboard says so."""
    strategies = {"defector": Defector, "grudger": Grudger, "alternator": Alternator, "cooperator": Cooperator}
    chance, game = random.Random(19), fixed_length(60, noise=0.02)
    ratings = ArenaRatings()
    for time in range(300):
        first, second = chance.sample(sorted(strategies), 2)
        key = MatchKey(seed=19, repetition=time, first=first, second=second)
        played = play_strategies(game, key, strategies[first](), strategies[second]()).played
        winner = played.winner()
        places = (1, 1) if winner is None else (1, 2) if winner == first else (2, 1)
        ratings.rate(EncounterEnded((first, second), places, float(time)))
    assert [row.name for row in ratings.leaderboard()] == ["defector", "grudger", "alternator", "cooperator"]
