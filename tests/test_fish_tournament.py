"""Fish's configuration keys, its seeded boards, and the tournament rules (Results, score, no revision)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from Admin.fish.tournament import RULES
from Common.fish.chance import board_of, draw_board
from Common.fish.results import Outcome, Results
from Common.fish.settings import FishSettings, read_settings, settings_json
from Common.strict import StructureError


def test_the_defaults_are_a_5_by_5_board_with_drawn_fish():
    assert read_settings({}) == FishSettings(rows=5, columns=5, fish=None, seed=None)


@pytest.mark.parametrize(
    "keys, message",
    [
        ({"rows": 1}, "expected a whole number in 2..9, got 1 @ $.rows"),
        ({"columns": "5"}, 'expected a whole number, got "5" @ $.columns'),
        ({"fish": 6}, "expected a whole number in 1..5, got 6 @ $.fish"),
        ({"fish": True}, "expected a whole number, got true @ $.fish"),
        ({"rows": 2, "columns": 4}, '"rows" x "columns" must make at least 9 tiles (the penguins of 3 players), got 2 x 4 @ $'),
        ({"row": 3}, 'unknown key "row"; did you mean "rows"? @ $'),
    ],
)
def test_bad_keys_are_refused_in_one_line(keys, message):
    with pytest.raises(StructureError) as refused:
        read_settings(keys)
    assert str(refused.value) == message


def test_the_settings_read_back_from_their_keys():
    settings = FishSettings(rows=3, columns=4, fish=2, seed=9)
    assert read_settings(settings_json(settings)) == settings
    assert settings_json(FishSettings()) == {"rows": 5, "columns": 5}


@given(st.integers(0, 2**63), st.integers(0, 10_000))
def test_a_drawn_board_depends_on_the_seed_and_the_encounter_alone(seed, encounter):
    board = draw_board(4, 6, seed, encounter)
    assert board == draw_board(4, 6, seed, encounter)
    assert all(len(row) == 6 and all(1 <= fish <= 5 for fish in row) for row in board.rows) and len(board.rows) == 4


def test_a_drawn_board_is_the_same_in_every_run():
    # pinned: a resumed tournament's log names only the seed, so the draw must never change
    assert draw_board(2, 5, 1, 0).rows == ((5, 1, 3, 5, 2), (5, 3, 5, 2, 3))


def test_a_fixed_number_of_fish_covers_every_tile():
    assert board_of(FishSettings(rows=3, columns=3, fish=4), 7).rows == ((4, 4, 4),) * 3


def outcome(players, scores):
    players = tuple(players)
    kept = [score for score in scores if score is not None]
    winners = tuple(p for p, s in zip(players, scores, strict=True) if kept and s == max(kept))
    return Outcome(players, scores, winners)


def test_the_results_are_who_never_lost_and_the_culprits_in_sign_up_order():
    roster = ["ann", "bob", "cy", "dee", "eve", "fay"]
    round_1 = [outcome(["ann", "bob", "cy", "dee"], [5, 9, 9, None]), outcome(["eve", "fay"], [3, 2])]
    final = [outcome(["bob", "cy", "eve"], [7, 7, 1])]
    results = RULES.results(round_1 + final, roster, {"dee"})
    assert results == Results(("bob", "cy"), ("dee",))
    assert RULES.to_json(results) == [["bob", "cy"], ["dee"]]


def test_a_player_who_misbehaves_later_wins_nothing_and_earlier_outcomes_stand():
    earlier = outcome(["ann", "bob"], [5, 3])
    assert RULES.revise(earlier, "ann", frozenset()) is earlier
    assert RULES.results([earlier], ["ann", "bob"], {"ann"}) == Results((), ("ann",))


def test_the_score_shares_a_win_among_tied_winners():
    tied = outcome(["ann", "bob", "cy"], [4, 4, 1])
    assert [RULES.score(tied, name) for name in ("ann", "bob", "cy")] == [0.5, 0.5, 0.0]
    assert RULES.score(outcome(["ann", "bob"], [None, None]), "ann") is None


def test_an_outcome_goes_to_the_event_log_and_back_strictly():
    value = outcome(["ann", "bob"], [2, None])
    assert RULES.from_json(RULES.to_json(value)) == value
    with pytest.raises(StructureError):
        RULES.from_json({**RULES.to_json(value), "extra": 1})
