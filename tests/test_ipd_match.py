"""One match: its hidden length, its noise, the fold that scores it, and the contract's example scores."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

import ipd_strategies as ips
import pytest
from hypothesis import given
from hypothesis import strategies as st

from Common.ipd.chance import Horizon, MatchChance, MatchKey, match_length, match_seed
from Common.ipd.match import Match
from Common.ipd.moves import Prev, Totals, other_move
from Common.ipd.names import Name
from Common.ipd.outcomes import Misbehaved, Scored
from Common.ipd.scoring import round_scores
from Common.ipd.settings import IPDSettings
from Player.ipd.classics import Cooperator, Defector, TitForTat

ROOT = Path(__file__).resolve().parent.parent
A, B = Name("alice"), Name("bob")
KEY = MatchKey(seed=0, repetition=0, first=A, second=B)


def replies(draw: st.DrawFn, forfeits: bool = True) -> ips.Decider:
    """A Decider that answers from a random, fixed table of (round, Prev) -> reply."""
    table = draw(
        st.dictionaries(st.tuples(st.integers(1, 60), ips.prevs() | st.none()), ips.recordeds() if forfeits else ips.moves(), max_size=30)
    )
    default = draw(ips.moves())
    return lambda round_, prev: table.get((round_, prev), default)


# ---------------------------------------------------------------------------
# The hidden horizon


@ips.QUICK
@given(ips.match_keys(), ips.horizons())
def test_a_match_lasts_between_min_and_max_rounds(key: MatchKey, horizon: Horizon) -> None:
    assert horizon.min_rounds <= match_length(key, horizon) <= horizon.max_rounds


@ips.QUICK
@given(ips.match_keys(), ips.horizons())
def test_the_same_key_gives_the_same_length(key: MatchKey, horizon: Horizon) -> None:
    assert match_length(key, horizon) == match_length(MatchKey(key.seed, key.repetition, key.first, key.second, key.meeting), horizon)


@ips.QUICK
@given(ips.match_keys(), st.integers(1, 300))
def test_min_rounds_equal_to_max_rounds_is_a_fixed_length(key: MatchKey, rounds: int) -> None:
    assert match_length(key, Horizon(rounds, 0.5, rounds)) == rounds


@ips.QUICK
@given(ips.match_keys(), ips.horizons())
def test_end_probability_1_ends_at_min_rounds_and_0_at_max_rounds(key: MatchKey, horizon: Horizon) -> None:
    assert match_length(key, Horizon(horizon.min_rounds, 1.0, horizon.max_rounds)) == horizon.min_rounds
    assert match_length(key, Horizon(horizon.min_rounds, 0.0, horizon.max_rounds)) == horizon.max_rounds


@ips.QUICK
@given(ips.match_keys(), ips.horizons(), ips.horizons(), st.sampled_from([0.0, 0.3, 1.0]), st.sampled_from([0.0, 0.7]))
def test_the_draws_of_a_round_do_not_depend_on_the_length_or_the_noise(
    key: MatchKey, one: Horizon, other: Horizon, noise: float, other_noise: float
) -> None:
    """Whatever the horizon and the noise, the uniform draws behind round r are the same: no round leaks the length."""
    shared = min(match_length(key, one), match_length(key, other))
    first, second = MatchChance(key, one, noise), MatchChance(key, other, noise)
    assert [_flips(first) for _ in range(shared)] == [_flips(second) for _ in range(shared)]
    # Changing the noise level changes which draws flip a move, never the length.
    assert match_length(key, one) == _length(MatchChance(key, one, other_noise))


def _flips(chance: MatchChance) -> tuple[bool, bool]:
    draw = chance.draw_round()
    return (draw.flip_first, draw.flip_second)


def _length(chance: MatchChance) -> int:
    while not chance.draw_round().last:
        pass
    return chance.rounds_drawn


@ips.QUICK
@given(ips.match_keys())
def test_each_part_of_the_key_changes_the_seed(key: MatchKey) -> None:
    seed = match_seed(key)
    assert seed != match_seed(MatchKey(key.seed + 1, key.repetition, key.first, key.second, key.meeting))
    assert seed != match_seed(MatchKey(key.seed, key.repetition + 1, key.first, key.second, key.meeting))
    assert seed != match_seed(MatchKey(key.seed, key.repetition, key.second, key.first, key.meeting))
    assert seed != match_seed(MatchKey(key.seed, key.repetition, key.first, key.second, key.meeting + 1))


def test_the_seed_is_the_same_in_every_process() -> None:
    """No salted `hash`: other processes with other hash seeds draw the same lengths."""
    code = (
        "from Common.ipd.chance import Horizon, MatchKey, match_length\n"
        "print([match_length(MatchKey(7, r, 'alice', 'Bob_2'), Horizon(1, 0.00346, 2000)) for r in range(5)])\n"
    )
    here = [match_length(MatchKey(7, r, Name("alice"), Name("Bob_2")), Horizon(1, 0.00346, 2000)) for r in range(5)]
    for hash_seed in ("1", "2"):
        environment = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=environment, cwd=ROOT, timeout=60, check=True
        )
        assert out.stdout.strip() == str(here)


def test_the_default_horizon_has_a_median_length_of_about_200_rounds() -> None:
    horizon = IPDSettings().horizon
    lengths = [match_length(MatchKey(seed, 0, A, B), horizon) for seed in range(1001)]
    assert 170 <= statistics.median(lengths) <= 230
    assert min(lengths) >= 1 and max(lengths) <= 2000


# ---------------------------------------------------------------------------
# The fold


@ips.QUICK
@given(ips.ipd_settings(), ips.match_keys(), st.data())
def test_the_totals_are_the_sums_of_the_rounds_and_each_side_sees_its_own(
    settings: IPDSettings, key: MatchKey, data: st.DataObject
) -> None:
    played = ips.play_match(settings, key, replies(data.draw), replies(data.draw))
    first = sum(r.first_score for r in played.rounds)
    second = sum(r.second_score for r in played.rounds)
    for r in played.rounds:
        assert (r.first_score, r.second_score) == round_scores(settings.payoffs, r.first, r.second)
    assert played.first_over.totals == Totals(first, second)
    assert played.second_over.totals == Totals(second, first)
    assert played.first_over.rounds == played.second_over.rounds == len(played.rounds)
    last = played.rounds[-1]
    assert played.first_over.prev == Prev(last.first, last.second) == played.second_over.prev.swapped()
    for k, (mine, theirs) in enumerate(zip(played.first_requests, played.second_requests, strict=True), start=1):
        assert mine.round == theirs.round == k
        if k == 1:
            assert mine.prev is None and theirs.prev is None
        else:
            before = played.rounds[k - 2]
            assert mine.prev == Prev(before.first, before.second)
            assert theirs.prev == Prev(before.second, before.first)
    if isinstance(played.played, Scored):
        assert played.played == Scored(key.first, key.second, first, second, len(played.rounds))


@ips.QUICK
@given(ips.ipd_settings(), ips.match_keys(), st.data())
def test_replies_never_change_the_length_of_a_match_played_to_its_end(settings: IPDSettings, key: MatchKey, data: st.DataObject) -> None:
    played = ips.play_match(settings, key, replies(data.draw), replies(data.draw))
    if isinstance(played.played, Scored):
        assert len(played.rounds) == match_length(key, settings.horizon)
    else:
        assert len(played.rounds) <= match_length(key, settings.horizon)


@ips.QUICK
@given(ips.ipd_settings(), ips.match_keys(), st.data())
def test_no_message_before_the_end_depends_on_the_length(settings: IPDSettings, key: MatchKey, data: st.DataObject) -> None:
    """The same match cut shorter by "max rounds" sends the same requests for every round both play."""
    first, second = replies(data.draw), replies(data.draw)
    shorter = IPDSettings(
        payoffs=settings.payoffs,
        min_rounds=1,
        end_probability=settings.end_probability,
        max_rounds=data.draw(st.integers(1, settings.max_rounds)),
        noise=settings.noise,
        forfeits_allowed=settings.forfeits_allowed,
    )
    long, short = ips.play_match(settings, key, first, second), ips.play_match(shorter, key, first, second)
    shared = min(len(long.rounds), len(short.rounds))
    assert long.first_requests[:shared] == short.first_requests[:shared]
    assert long.second_requests[:shared] == short.second_requests[:shared]
    assert long.rounds[:shared] == short.rounds[:shared]


@ips.QUICK
@given(ips.ipd_settings(), ips.match_keys(), st.data())
def test_noise_0_keeps_every_move_and_noise_1_flips_every_submitted_move(settings: IPDSettings, key: MatchKey, data: st.DataObject) -> None:
    submitted: list[tuple] = []

    def recording(decide: ips.Decider, side: int) -> ips.Decider:
        def decide_and_note(round_: int, prev: Prev | None) -> str | None:
            reply = decide(round_, prev)
            submitted.append((round_, side, reply))
            return reply

        return decide_and_note

    first, second = replies(data.draw), replies(data.draw)
    for noise, change in [(0.0, lambda move: move), (1.0, other_move)]:
        submitted.clear()
        noisy = IPDSettings(
            min_rounds=settings.min_rounds,
            max_rounds=settings.max_rounds,
            end_probability=settings.end_probability,
            noise=noise,
            forfeits_allowed=100,
        )
        played = ips.play_match(noisy, key, recording(first, 0), recording(second, 1))
        for round_, side, reply in submitted:
            scored = (played.rounds[round_ - 1].first, played.rounds[round_ - 1].second)[side]
            assert scored == (None if reply is None else change(reply))


@ips.QUICK
@given(st.integers(0, 4), st.integers(1, 50), st.sampled_from([0.0, 1.0]))
def test_one_forfeit_more_than_allowed_puts_the_player_out(allowed: int, late_from: int, noise: float) -> None:
    settings = IPDSettings(min_rounds=200, max_rounds=200, forfeits_allowed=allowed, noise=noise)
    played = ips.play_match(settings, KEY, lambda k, prev: None if k >= late_from else "C", lambda k, prev: "D")
    assert played.played == Misbehaved(A, B, frozenset({A}))
    assert len(played.rounds) == late_from + allowed
    assert sum(r.first is None for r in played.rounds) == allowed + 1


def test_allowed_forfeits_are_scored_and_the_match_goes_on() -> None:
    settings = ips.fixed_length(10, forfeits_allowed=3)
    played = ips.play_match(settings, KEY, lambda k, prev: None if k in (2, 5, 9) else "C", lambda k, prev: "D")
    # Forfeits score S (0) and give the defector R (3); legal rounds: C against D.
    assert played.played == Scored(A, B, 0, 7 * 5 + 3 * 3, 10)
    assert played.rounds[1].first is None and played.rounds[1].second == "D"


def test_both_players_can_forfeit_too_often_in_the_same_round() -> None:
    settings = ips.fixed_length(10, forfeits_allowed=0)
    played = ips.play_match(settings, KEY, lambda k, prev: None, lambda k, prev: None)
    assert played.played == Misbehaved(A, B, frozenset({A, B}))
    assert played.rounds[0].first_score == played.rounds[0].second_score == 0


def test_the_fold_refuses_a_round_after_the_end_and_a_reply_that_is_no_move() -> None:
    match = Match(ips.fixed_length(1), KEY)
    with pytest.raises(ValueError):
        match.settle("B", "C")  # type: ignore[arg-type]
    match.settle("C", "C")
    assert match.over
    with pytest.raises(ValueError):
        match.settle("C", "C")
    with pytest.raises(ValueError):
        match.request(A)
    with pytest.raises(ValueError):
        match.prev(Name("carl"))


@ips.QUICK
@given(st.lists(ips.match_keys(st.just((A, B))), min_size=2, max_size=4, unique=True), ips.ipd_settings(most=30))
def test_matches_interleaved_round_by_round_end_as_matches_played_one_after_another(keys: list[MatchKey], settings: IPDSettings) -> None:
    sequential = [ips.play_match(settings, key, _tit_for_tat, _tit_for_tat).rounds for key in keys]
    matches = [Match(settings, key) for key in keys]
    interleaved: list[list] = [[] for _ in keys]
    while not all(match.over for match in matches):
        for match, rounds in zip(matches, interleaved, strict=True):
            if not match.over:
                rounds.append(match.settle(_tit_for_tat(match.round, match.prev(A)), _tit_for_tat(match.round, match.prev(B))))
    assert [tuple(rounds) for rounds in interleaved] == sequential


def _tit_for_tat(round_: int, prev: Prev | None) -> str:
    return "C" if prev is None or prev.theirs is None else prev.theirs


# ---------------------------------------------------------------------------
# The contract's examples: fixed 200-round matches, default payoffs, no noise


@pytest.mark.parametrize(
    ("first", "second", "scores"),
    [
        (TitForTat, Defector, (199, 204)),
        (Cooperator, Defector, (0, 1000)),
        (TitForTat, TitForTat, (600, 600)),
        (Defector, TitForTat, (204, 199)),
        (Cooperator, Cooperator, (600, 600)),
        (Defector, Defector, (200, 200)),
    ],
)
def test_fixed_200_round_matches_score_as_the_contract_says(first: type, second: type, scores: tuple[int, int]) -> None:
    played = ips.play_strategies(ips.fixed_length(200), KEY, first(), second())
    assert played.played == Scored(A, B, *scores, 200)
