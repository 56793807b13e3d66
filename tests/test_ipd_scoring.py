"""A round's scores: the payoff matrix, forfeits, and noise."""

from __future__ import annotations

import ipd_strategies as ips
import pytest
from hypothesis import given

from Common.ipd.moves import MOVES, RECORDED, Recorded
from Common.ipd.scoring import Payoffs, round_scores, with_noise

DEFAULT = Payoffs()


@pytest.mark.parametrize(
    ("first", "second", "scores"),
    [
        ("C", "C", (3, 3)),
        ("D", "D", (1, 1)),
        ("C", "D", (0, 5)),
        ("D", "C", (5, 0)),
        (None, "C", (0, 3)),
        (None, "D", (0, 3)),
        ("C", None, (3, 0)),
        ("D", None, (3, 0)),
        (None, None, (0, 0)),
    ],
)
def test_the_default_payoffs_score_every_round_as_the_contract_says(first: Recorded, second: Recorded, scores: tuple) -> None:
    assert round_scores(DEFAULT, first, second) == scores


@ips.QUICK
@given(ips.payoffs(), ips.recordeds(), ips.recordeds())
def test_payoffs_are_symmetric(payoffs: Payoffs, first: Recorded, second: Recorded) -> None:
    a, b = round_scores(payoffs, first, second)
    assert round_scores(payoffs, second, first) == (b, a)


@ips.QUICK
@given(ips.payoffs(), ips.recordeds())
def test_a_forfeit_never_scores_more_than_a_legal_move(payoffs: Payoffs, opponent: Recorded) -> None:
    forfeited, _ = round_scores(payoffs, None, opponent)
    for move in MOVES:
        assert forfeited <= round_scores(payoffs, move, opponent)[0]
    assert forfeited == payoffs.sucker


@ips.QUICK
@given(ips.payoffs(), ips.moves())
def test_a_forfeit_never_costs_the_opponent(payoffs: Payoffs, opponent: str) -> None:
    against_forfeit = round_scores(payoffs, opponent, None)[0]
    # The opponent gets R whatever it played: at least what either legal move of the forfeiter would have left it.
    assert against_forfeit == payoffs.reward
    assert against_forfeit >= min(round_scores(payoffs, opponent, move)[0] for move in MOVES)
    assert against_forfeit >= round_scores(payoffs, opponent, "D")[0]


@ips.QUICK
@given(ips.payoffs())
def test_both_forfeited_score_s_each(payoffs: Payoffs) -> None:
    assert round_scores(payoffs, None, None) == (payoffs.sucker, payoffs.sucker)


@ips.QUICK
@given(ips.payoffs())
def test_mutual_cooperation_beats_taking_turns_at_exploiting(payoffs: Payoffs) -> None:
    exploit = round_scores(payoffs, "D", "C")[0] + round_scores(payoffs, "C", "D")[0]
    assert 2 * round_scores(payoffs, "C", "C")[0] > exploit


def test_noise_flips_a_move_and_never_a_forfeit() -> None:
    assert with_noise("C", True) == "D"
    assert with_noise("D", True) == "C"
    assert with_noise(None, True) is None
    for value in RECORDED:
        assert with_noise(value, False) == value
