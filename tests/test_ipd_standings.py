"""The revisions after misbehaviour, and the Standings with their tie-breaks."""

from __future__ import annotations

from fractions import Fraction

import ipd_strategies as ips
import pytest
from hypothesis import given
from hypothesis import strategies as st

from Common.ipd.names import Name
from Common.ipd.outcomes import Irregular, Misbehaved, Played, Scored, Standing
from Common.ipd.standings import culprits_of, revise, standings, tournament_results

A, B, C, D = (Name(n) for n in ("alice", "bob", "carl", "dora"))


def misbehaved(first: Name, second: Name, *culprits: Name) -> Misbehaved:
    return Misbehaved(first, second, frozenset(culprits))


@st.composite
def tournaments_with_culprits(draw: st.DrawFn) -> tuple[ips.RoundRobin, list[Played], frozenset[Name]]:
    """A round robin, some culprits and the match of each at which it misbehaves, and what was played.

    A match is not played once one of its players is out; a culprit's
    misbehaviour happens in its n-th match (counting from 0), if it gets that
    far; two culprits may misbehave in the same match.
    """
    robin = draw(ips.round_robins())
    culprits = draw(st.lists(st.sampled_from(robin.players), min_size=1, max_size=len(robin.players), unique=True))
    at = {culprit: draw(st.integers(0, 2 * len(robin.players))) for culprit in culprits}
    played_so_far = dict.fromkeys(robin.players, 0)
    out: set[Name] = set()
    played: list[Played] = []
    for match in robin.matches:
        if out & set(match.players):
            continue
        now = frozenset(p for p in match.players if p in at and played_so_far[p] == at[p])
        for player in match.players:
            played_so_far[player] += 1
        if now:
            played.append(Misbehaved(match.first, match.second, now))
            out |= now
        else:
            played.append(match)
    return robin, played, frozenset(out)


# ---------------------------------------------------------------------------
# Standings follow from the outcomes


@ips.QUICK
@given(ips.round_robins())
def test_a_standing_is_the_mean_of_total_per_round_rounded_to_6_decimals(robin: ips.RoundRobin) -> None:
    table = standings(robin.matches, robin.players, ())
    assert sorted(s.name for s in table) == sorted(robin.players)
    for standing in table:
        ratios = [
            Fraction(m.first_score if m.first == standing.name else m.second_score, m.rounds)
            for m in robin.matches
            if standing.name in m.players
        ]
        assert standing.matches == len(ratios)
        assert standing.score == float(round(sum(ratios) / len(ratios), 6))
        assert abs(standing.score - float(sum(ratios)) / len(ratios)) <= 5e-7 + 1e-12


@ips.QUICK
@given(ips.round_robins())
def test_standings_rank_by_score_then_matches_won_then_sign_up_order(robin: ips.RoundRobin) -> None:
    table = standings(robin.matches, robin.players, ())
    wins = {p: sum(1 for m in robin.matches if m.winner() == p) for p in robin.players}
    keys = [(-s.score, -wins[s.name], robin.players.index(s.name)) for s in table]
    assert keys == sorted(keys)


@ips.QUICK
@given(ips.round_robins(), st.randoms(use_true_random=False))
def test_the_order_of_the_outcomes_does_not_change_the_standings(robin: ips.RoundRobin, shuffle: object) -> None:
    shuffled = list(robin.matches)
    shuffle.shuffle(shuffled)  # type: ignore[attr-defined]
    assert standings(shuffled, robin.players, ()) == standings(robin.matches, robin.players, ())


def test_a_score_is_rounded_to_6_decimals() -> None:
    table = standings([Scored(A, B, 1, 2, 3)], [A, B], ())
    assert table == (Standing(B, 0.666667, 1), Standing(A, 0.333333, 1))


def test_equal_scores_are_ranked_by_matches_won() -> None:
    # alice and bob both score 3 per round on average; bob won two matches, alice none.
    outcomes = [Scored(A, C, 3, 3, 1), Scored(B, C, 4, 2, 1), Scored(B, D, 2, 0, 1)]
    table = standings(outcomes, [A, B, C, D], ())
    assert [s.name for s in table] == [B, A, C, D]
    assert table[0].score == table[1].score == 3.0


def test_equal_scores_and_wins_are_ranked_by_sign_up_order() -> None:
    table = standings([Scored(A, B, 3, 3, 1)], [B, A], ())
    assert [s.name for s in table] == [B, A]


def test_scores_equal_to_6_decimals_are_a_tie() -> None:
    # 1.000001 and 1.0000006 round alike: the tie goes to wins (one each), then sign-up order.
    outcomes = [Scored(A, C, 10_000_010, 0, 10_000_000), Scored(B, D, 10_000_006, 0, 10_000_000)]
    table = standings(outcomes, [B, A, C, D], ())
    assert table[0].score == table[1].score == 1.000001
    assert [s.name for s in table][:2] == [B, A]


def test_a_player_without_a_scored_match_is_listed_with_score_0() -> None:
    assert standings([], [A, B], ()) == (Standing(A, 0.0, 0), Standing(B, 0.0, 0))


def test_an_irregular_outcome_is_not_scored_and_misbehaving_players_are_not_listed() -> None:
    outcomes = [Scored(A, C, 5, 0, 1), Irregular(A, B)]
    assert standings(outcomes, [A, B, C], {B}) == (Standing(A, 5.0, 1), Standing(C, 0.0, 1))


def test_an_outcome_naming_someone_else_is_a_bug() -> None:
    with pytest.raises(ValueError):
        standings([Scored(A, Name("zed"), 1, 1, 1)], [A, B], ())


# ---------------------------------------------------------------------------
# Revisions


@ips.QUICK
@given(tournaments_with_culprits())
def test_the_standings_after_revisions_are_those_of_the_tournament_without_the_culprits(
    case: tuple[ips.RoundRobin, list[Played], frozenset[Name]],
) -> None:
    robin, played, culprits = case
    _, table = tournament_results(played, robin.players)
    without = [m for m in robin.matches if not culprits & set(m.players)]
    others = [p for p in robin.players if p not in culprits]
    assert table == standings(without, others, ())
    assert culprits_of(played) == culprits


@ips.QUICK
@given(tournaments_with_culprits())
def test_revisions_leave_the_others_matches_alone_and_score_nothing_of_a_culprit(
    case: tuple[ips.RoundRobin, list[Played], frozenset[Name]],
) -> None:
    robin, played, culprits = case
    outcomes = revise(played)
    assert [o for o in outcomes if not culprits & set(o.players)] == [m for m in robin.matches if not culprits & set(m.players)]
    for outcome in outcomes:
        if culprits & set(outcome.players):
            assert isinstance(outcome, Irregular)
            assert outcome.second in culprits
        else:
            assert isinstance(outcome, Scored)


def test_the_match_of_the_misbehaviour_names_the_culprit_second() -> None:
    assert revise([misbehaved(A, B, B)]) == (Irregular(A, B),)
    assert revise([misbehaved(A, B, A)]) == (Irregular(B, A),)


def test_every_earlier_outcome_of_the_culprit_becomes_irregular() -> None:
    played = [Scored(A, B, 5, 0, 1), Scored(B, C, 3, 3, 1), Scored(A, C, 1, 1, 1), misbehaved(B, D, B)]
    assert revise(played) == (Irregular(A, B), Irregular(C, B), Scored(A, C, 1, 1, 1), Irregular(D, B))


def test_an_earlier_outcome_against_an_earlier_culprit_is_deleted() -> None:
    played = [Scored(A, B, 5, 0, 1), misbehaved(A, C, C), Scored(A, D, 1, 1, 1), misbehaved(B, D, B)]
    # carl misbehaved first: [alice, carl] stays irregular. Then bob: [alice, bob] becomes irregular.
    assert revise(played) == (Irregular(A, B), Irregular(A, C), Scored(A, D, 1, 1, 1), Irregular(D, B))
    # alice misbehaves last: her outcomes against bob and carl (both out before) are deleted,
    # the one against dora becomes irregular.
    assert revise([*played, misbehaved(A, D, A)]) == (Irregular(D, A), Irregular(D, B), Irregular(D, A))


def test_two_culprits_of_one_match_are_both_revised() -> None:
    played = [Scored(A, B, 3, 3, 1), Scored(A, C, 3, 3, 1), Scored(B, C, 3, 3, 1), misbehaved(A, B, A, B)]
    outcomes, table = tournament_results(played, [A, B, C])
    assert outcomes == (Irregular(C, A), Irregular(C, B), Irregular(A, B))
    assert table == (Standing(C, 0.0, 0),)


def test_a_player_out_before_any_match_is_not_listed() -> None:
    _, table = tournament_results([Scored(A, C, 3, 0, 1)], [A, B, C], also_out={B})
    assert [s.name for s in table] == [A, C]


def test_a_played_match_is_scored_or_misbehaved() -> None:
    with pytest.raises(TypeError):
        revise([Irregular(A, B)])  # type: ignore[list-item]
