"""The gauntlet (Admin/formats/gauntlet.py): its pairings and sides, misbehaviour, its table, and the SPRT that stops a match of pairs."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from Admin.formats.gauntlet import Gauntlet
from Admin.formats.sprt import SPRTSettings, llr_pentanomial
from Admin.formats.stage import DRAW, LOSS, WIN, Played, Stage, StageResult

Result = tuple[float | None, frozenset[int]]
"""What an encounter ended with: the first player's score and the culprits."""

TEST = SPRTSettings(elo0=0, elo1=10, alpha=0.05, beta=0.05)


def first_wins(first: int, second: int) -> Result:
    return WIN, frozenset()


def run(
    gauntlet: Gauntlet, players: int, result: Callable[[int, int], Result] = first_wins, out: frozenset[int] = frozenset()
) -> list[StageResult]:
    """The whole event, the way the manager runs it: a culprit is out at once, and its encounters after that end unplayed."""
    stages: list[StageResult] = []
    while (stage := gauntlet.next_stage(players, out, stages)) is not None:
        played = []
        for first, second in stage.pairings:
            score, culprits = (None, frozenset()) if first in out or second in out else result(first, second)
            played.append(Played(first, second, score, culprits))
            out = out | culprits
        stages.append(StageResult(stage, tuple(played)))
        assert len(stages) <= 10_000, "the event does not end"
    return stages


def test_one_stage_holds_every_pairing_cycle_by_cycle_the_candidate_starting_in_even_cycles():
    stage = Gauntlet(candidates=(0,), cycles=3).next_stage(3, frozenset(), [])
    assert stage == Stage(((0, 1), (0, 2), (1, 0), (2, 0), (0, 1), (0, 2)), "gauntlet: 3 cycles")


def test_candidates_meet_every_other_player_but_not_each_other_in_the_order_given():
    stage = Gauntlet(candidates=(2, 0), cycles=2).next_stage(4, frozenset(), [])
    assert stage is not None
    assert stage.pairings == ((2, 1), (2, 3), (0, 1), (0, 3), (1, 2), (3, 2), (1, 0), (3, 0))
    assert Gauntlet(candidates=(2, 0), cycles=2).expected_encounters(4) == 8


def test_the_event_is_its_one_stage():
    stages = run(Gauntlet(candidates=(0,), cycles=2), 3)
    assert len(stages) == 1
    assert Gauntlet(candidates=(0,), cycles=2).next_stage(3, frozenset(), stages) is None


def test_a_player_out_before_the_event_is_not_paired():
    stage = Gauntlet(candidates=(0,), cycles=2).next_stage(3, frozenset({2}), [])
    assert stage is not None and stage.pairings == ((0, 1), (1, 0))
    assert Gauntlet(candidates=(0,), cycles=2).next_stage(3, frozenset({0}), []) is None


def test_a_misbehaving_candidate_plays_no_more_and_its_unplayed_encounters_count_nowhere():
    """Candidate 0 misbehaves against 1 in cycle 0 (and loses it); its later encounters end unplayed."""

    def result(first: int, second: int) -> Result:
        return (LOSS, frozenset({0})) if (first, second) == (0, 1) else (WIN, frozenset())

    stages = run(Gauntlet(candidates=(0,), cycles=2), 3, result)
    assert [played.score for played in stages[0].played] == [LOSS, None, None, None]
    row = Gauntlet(candidates=(0,), cycles=2).summary(3, stages, None)["candidates"][0]
    assert (row["wins"], row["draws"], row["losses"]) == (0, 0, 1)


def test_the_summary_tables_each_candidate_against_each_opponent():
    """Candidate 0, two cycles: beats 1, draws 2, loses to 1 (who starts in cycle 1); the last encounter is not scored.

    In all 1 win, 1 draw, 1 loss: score 0.5, Elo 0; variance per encounter
    (0.25 + 0 + 0.25) / 3 = 1/6, of the mean 1/18, deviation 0.2357, times
    1.959964: 0.4619679; Elo of 0.9619679: 400 log10(0.9619679 / 0.0380321)
    = 561.204, of 0.0380321 its opposite: error 561.204. Against 1 alone
    (a win, a loss) the interval leaves 0 .. 1: no finite error.
    """
    outcomes = {(0, 1): (WIN, frozenset()), (0, 2): (DRAW, frozenset()), (1, 0): (WIN, frozenset()), (2, 0): (None, frozenset())}
    gauntlet = Gauntlet(candidates=(0,), cycles=2)
    summary = gauntlet.summary(3, run(gauntlet, 3, lambda first, second: outcomes[first, second]), None)
    assert summary == {
        "kind": "gauntlet",
        "cycles": 2,
        "candidates": [
            {
                "player": 0,
                "score": 1.5,
                "wins": 1,
                "draws": 1,
                "losses": 1,
                "elo": 0.0,
                "error": pytest.approx(561.204, abs=1e-3),
                "opponents": [
                    {"player": 1, "score": 1.0, "wins": 1, "draws": 0, "losses": 1, "elo": 0.0, "error": None},
                    {"player": 2, "score": 0.5, "wins": 0, "draws": 1, "losses": 0, "elo": 0.0, "error": 0.0},
                ],
            }
        ],
    }
    assert "sprt" not in summary


def test_with_an_sprt_each_stage_is_a_pair_of_encounters_with_the_sides_swapped():
    gauntlet = Gauntlet(candidates=(1,), cycles=10, sprt=TEST)
    assert gauntlet.next_stage(2, frozenset(), []) == Stage(((1, 0), (0, 1)), "SPRT pair 1: LLR 0.00 (-2.94, 2.94)")
    assert gauntlet.expected_encounters(2) == 10


def test_the_sprt_stops_as_soon_as_the_llr_reaches_the_upper_bound():
    """The candidate wins everything: the test is cautious with results all alike and needs about a hundred pairs."""
    gauntlet = Gauntlet(candidates=(0,), cycles=400, sprt=TEST)
    stages = run(gauntlet, 2, lambda first, second: (WIN, frozenset()) if first == 0 else (LOSS, frozenset()))
    pairs = len(stages)
    assert 50 < pairs < 200
    assert llr_pentanomial([0, 0, 0, 0, pairs - 1], 0, 10) < TEST.upper_bound <= llr_pentanomial([0, 0, 0, 0, pairs], 0, 10)
    llr_before = llr_pentanomial([0, 0, 0, 0, pairs - 1], 0, 10)
    assert stages[-1].stage.label == f"SPRT pair {pairs}: LLR {llr_before:.2f} (-2.94, 2.94)"
    sprt = gauntlet.summary(2, stages, None)["sprt"]
    assert sprt["verdict"] == "H1"
    assert sprt["llr"] == pytest.approx(llr_pentanomial([0, 0, 0, 0, pairs], 0, 10))
    assert (sprt["lower bound"], sprt["upper bound"]) == (TEST.lower_bound, TEST.upper_bound)
    assert (sprt["elo0"], sprt["elo1"], sprt["alpha"], sprt["beta"]) == (0, 10, 0.05, 0.05)
    assert (sprt["pairs"], sprt["pentanomial"]) == (pairs, [0, 0, 0, 0, pairs])


def test_the_sprt_says_neither_when_the_cycles_run_out_first():
    gauntlet = Gauntlet(candidates=(0,), cycles=6, sprt=TEST)
    stages = run(gauntlet, 2, lambda first, second: (DRAW, frozenset()))
    assert len(stages) == 3
    sprt = gauntlet.summary(2, stages, None)["sprt"]
    assert sprt["verdict"] == "neither"
    assert TEST.lower_bound < sprt["llr"] < 0
    assert sprt["pentanomial"] == [0, 0, 3, 0, 0]


def test_a_misbehaving_opponent_ends_the_sprt_and_its_cut_pair_is_left_out_of_the_test():
    """Pair 1: the candidate wins one and draws one. Pair 2: the opponent misbehaves in the first encounter (a win for the candidate)."""
    outcomes = iter([(WIN, frozenset()), (DRAW, frozenset()), (WIN, frozenset({1}))])
    gauntlet = Gauntlet(candidates=(0,), cycles=20, sprt=TEST)
    stages = run(gauntlet, 2, lambda first, second: next(outcomes))
    assert len(stages) == 2
    assert stages[1].played[1].score is None
    summary = gauntlet.summary(2, stages, None)
    assert summary["sprt"]["pentanomial"] == [0, 0, 0, 1, 0]
    assert summary["sprt"]["verdict"] == "neither"
    assert summary["candidates"][0]["wins"] == 2


@pytest.mark.parametrize(("win", "draw", "verdict"), [(0.6, 0.2, "H1"), (0.2, 0.2, "H0")])
def test_a_much_stronger_or_weaker_candidate_is_decided_long_before_the_cycles_run_out(win, draw, verdict):
    """Seeded random results, 60 % or 20 % wins and 20 % draws; 2,000 cycles allowed (1,000 pairs)."""
    rng = random.Random(7)

    def result(first: int, second: int) -> Result:
        roll = rng.random()
        score = WIN if roll < win else DRAW if roll < win + draw else LOSS
        return (score if first == 0 else 1.0 - score), frozenset()

    gauntlet = Gauntlet(candidates=(0,), cycles=2000, sprt=TEST)
    stages = run(gauntlet, 2, result)
    assert len(stages) < 200
    assert gauntlet.summary(2, stages, None)["sprt"]["verdict"] == verdict


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Gauntlet(candidates=(0, 1), cycles=2, sprt=TEST), "gauntlet: an SPRT needs exactly one candidate, got 2"),
        (lambda: Gauntlet(candidates=(0,), cycles=3, sprt=TEST), "the cycles must be even, got 3"),
        (lambda: Gauntlet(candidates=(0,), cycles=0), '"cycles" must be a positive whole number, got 0'),
        (lambda: Gauntlet(candidates=(1, 1), cycles=2), r"the candidates must be one or more distinct players, got \[1, 1\]"),
        (lambda: Gauntlet(candidates=(0,), cycles=2, sprt=TEST).next_stage(3, frozenset(), []), "exactly one opponent"),
        (lambda: Gauntlet(candidates=(5,), cycles=2).next_stage(3, frozenset(), []), r"candidate 5 is not among the 3 players \(0 to 2\)"),
    ],
)
def test_a_gauntlet_that_cannot_be_played_is_refused_in_one_line(make, message):
    with pytest.raises(ValueError, match=message) as refused:
        make()
    assert "\n" not in str(refused.value)
