"""The Swiss format: its pairings over random events (properties), its corner cases, and its standings' tie-breaks.

The properties run whole events: 2 to 40 players, 1 to min(9, players - 1)
rounds, every encounter's result drawn (wins, losses, draws, nobody
scoring, culprits put out, some players out before the start). Where a
property needs to know whether a pairing without repeats exists, a
brute-force search answers for fields of up to 16 players, and the
module's matching (itself checked against the brute force here) for larger.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from itertools import combinations
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from Admin.formats import swiss as swiss_module
from Admin.formats.matching import pair_by_matching
from Admin.formats.stage import DRAW, LOSS, WIN, Played, Stage, StageResult
from Admin.formats.swiss import Swiss

BRUTE_FORCE_LIMIT = 16

OUTCOMES: tuple[Any, ...] = (WIN, WIN, WIN, LOSS, LOSS, LOSS, DRAW, DRAW, None, "first out", "second out", "both out")
"""An encounter's drawn result: a score for the first, or the culprits (the other one wins; both: nobody scores)."""


@attrs.frozen
class Event:
    """A whole event as the manager would run it: each stage with the players out before it, and who is out at the end."""

    players: int
    rounds: int
    stages: tuple[StageResult, ...]
    out_before: tuple[frozenset[int], ...]
    out_at_end: frozenset[int]


def played(pairing: tuple[int, int], outcome: Any) -> Played:
    first, second = pairing
    if outcome == "first out":
        return Played(first, second, LOSS, frozenset({first}))
    if outcome == "second out":
        return Played(first, second, WIN, frozenset({second}))
    if outcome == "both out":
        return Played(first, second, None, frozenset({first, second}))
    return Played(first, second, outcome)


def play(swiss: Swiss, players: int, outcome_of: Callable[[tuple[int, int]], Any], out: frozenset[int] = frozenset()) -> Event:
    """Run the event to its end, each encounter's result from `outcome_of(pairing)`."""
    stages: list[StageResult] = []
    out_before = []
    while (stage := swiss.next_stage(players, out, stages)) is not None:
        assert len(stages) < swiss.rounds + 1
        results = tuple(played(pairing, outcome_of(pairing)) for pairing in stage.pairings)
        out_before.append(out)
        out = out.union(*(result.culprits for result in results))
        stages.append(StageResult(stage, results))
    return Event(players, swiss.rounds, tuple(stages), tuple(out_before), out)


def scores(players: int, stages: Sequence[StageResult]) -> list[float]:
    totals = [0.0] * players
    for result in stages:
        for bye in result.stage.byes:
            totals[bye] += 1
        for encounter in result.played:
            if encounter.score is not None:
                totals[encounter.first] += encounter.score
                totals[encounter.second] += 1 - encounter.score
    return totals


def opponents(players: int, stages: Sequence[StageResult]) -> list[set[int]]:
    met: list[set[int]] = [set() for _ in range(players)]
    for result in stages:
        for first, second in result.stage.pairings:
            met[first].add(second)
            met[second].add(first)
    return met


def balances(players: int, stages: Sequence[StageResult]) -> list[int]:
    """Encounters started minus encounters not started."""
    balance = [0] * players
    for result in stages:
        for first, second in result.stage.pairings:
            balance[first] += 1
            balance[second] -= 1
    return balance


def started_latest(player: int, stages: Sequence[StageResult]) -> bool | None:
    """Whether `player` started its latest encounter; None: it has had none."""
    for result in reversed(stages):
        for first, second in result.stage.pairings:
            if player in (first, second):
                return player == first
    return None


def brute_force_can_pair(players: Sequence[int], met: Sequence[set[int]]) -> bool:
    """Whether `players` can all be paired, nobody meeting an opponent it has met (a search over every pairing)."""

    @cache
    def can(left: frozenset[int]) -> bool:
        if not left:
            return True
        first = min(left)
        return any(can(left - {first, other}) for other in left - {first} if other not in met[first])

    return len(players) % 2 == 0 and can(frozenset(players))


def can_pair(players: Sequence[int], met: Sequence[set[int]]) -> bool:
    if len(players) <= BRUTE_FORCE_LIMIT:
        return brute_force_can_pair(players, met)
    return len(players) % 2 == 0 and pair_by_matching(list(players), list(met)) is not None


def can_have_a_round(players: Sequence[int], met: Sequence[set[int]]) -> bool:
    """Whether `players` can have a round: all paired without repeats, but for one bye when they are odd."""
    if len(players) % 2 == 0:
        return can_pair(players, met)
    return any(can_pair([other for other in players if other != bye], met) for bye in players)


def closed(group: list[int], met: Sequence[set[int]]) -> bool:
    """Whether `group` is even and none of its players has met another."""
    return len(group) % 2 == 0 and not any(b in met[a] for a, b in combinations(group, 2))


@st.composite
def fields(draw: st.DrawFn) -> tuple[int, int, frozenset[int]]:
    """A number of players, of rounds, and who is out before the start (a few, sometimes)."""
    players = draw(st.integers(2, 40))
    rounds = draw(st.integers(1, min(9, players - 1)))
    out = draw(st.frozensets(st.integers(0, players - 1), max_size=players // 4))
    return players, rounds, out


def drawn_event(data: st.DataObject, field: tuple[int, int, frozenset[int]]) -> Event:
    players, rounds, out = field
    return play(Swiss(rounds), players, lambda pairing: data.draw(st.sampled_from(OUTCOMES), label=f"{pairing}"), out)


@settings(max_examples=300, deadline=None)
@given(st.data(), fields())
def test_every_round_pairs_each_player_left_once_and_never_two_who_have_met(data, field):
    event = drawn_event(data, field)
    for index, result in enumerate(event.stages):
        met = opponents(event.players, event.stages[:index])
        stage = result.stage
        active = set(range(event.players)) - event.out_before[index]
        in_stage = [player for pairing in stage.pairings for player in pairing] + list(stage.byes)
        assert sorted(in_stage) == sorted(active), f"{stage.label}: {stage} for {sorted(active)}"
        assert stage.pairings, f"{stage.label} has no encounter"
        assert len(stage.byes) == len(active) % 2
        for first, second in stage.pairings:
            assert second not in met[first], f"{stage.label}: {first} and {second} meet again"


@settings(max_examples=300, deadline=None)
@given(st.data(), fields())
def test_the_event_ends_after_its_rounds_or_when_no_round_without_repeats_is_left(data, field):
    event = drawn_event(data, field)
    assert len(event.stages) <= event.rounds
    assert [result.stage.label for result in event.stages] == [
        f"Swiss round {k} of {event.rounds}" for k in range(1, len(event.stages) + 1)
    ]
    if len(event.stages) < event.rounds:
        active = sorted(set(range(event.players)) - event.out_at_end)
        assert len(active) < 2 or not can_have_a_round(active, opponents(event.players, event.stages))


@settings(max_examples=200, deadline=None)
@given(st.data(), st.integers(3, 40))
def test_nobody_out_and_at_most_half_the_field_in_rounds_always_plays_every_round(data, players):
    rounds = data.draw(st.integers(1, (players - 1) // 2))
    event = drawn_event(data, (players, rounds, frozenset()))
    if not event.out_at_end:
        assert len(event.stages) == rounds


@settings(max_examples=300, deadline=None)
@given(st.data(), fields())
def test_a_bye_goes_to_the_lowest_ranked_with_the_fewest_byes_unless_the_others_could_not_then_be_paired(data, field):
    event = drawn_event(data, field)
    for index, result in enumerate(event.stages):
        if not result.stage.byes:
            continue
        (bye,) = result.stage.byes
        before = event.stages[:index]
        total = scores(event.players, before)
        byes = [sum(player in earlier.stage.byes for earlier in before) for player in range(event.players)]
        active = sorted(set(range(event.players)) - event.out_before[index], key=lambda player: (-total[player], player))
        preferred = sorted(active, key=lambda player: (byes[player], -active.index(player)))
        met = opponents(event.players, before)
        passed_over = preferred[: preferred.index(bye)]
        for player in passed_over:
            others = [other for other in active if other != player]
            assert not can_pair(others, met), f"{result.stage.label}: the bye went to {bye}, not {player}"


def check_score_groups(event: Event) -> None:
    """When every score group is even and none of its players has met another, every pairing is within a group.

    And when the top group is even, none of its players has met another, and
    the rest can be paired without repeats, the top group is paired within itself.
    """
    for index, result in enumerate(event.stages):
        before = event.stages[:index]
        total, met = scores(event.players, before), opponents(event.players, before)
        paired = sorted((player for pairing in result.stage.pairings for player in pairing), key=lambda player: (-total[player], player))
        groups: dict[float, list[int]] = {}
        for player in paired:
            groups.setdefault(total[player], []).append(player)

        if all(closed(group, met) for group in groups.values()):
            for first, second in result.stage.pairings:
                assert total[first] == total[second], f"{result.stage.label}: {first} ({total[first]}) v {second} ({total[second]})"
        top = groups[total[paired[0]]]
        rest = [player for player in paired if player not in top]
        if closed(top, met) and can_pair(rest, met):
            for first, second in result.stage.pairings:
                assert (first in top) == (second in top), f"{result.stage.label}: {first} v {second} across the top group {top}"


@settings(max_examples=300, deadline=None)
@given(st.data(), fields())
def test_score_groups_that_can_pair_among_themselves_do(data, field):
    check_score_groups(drawn_event(data, field))


@settings(max_examples=300, deadline=None)
@given(st.data(), fields())
def test_the_player_with_the_lower_balance_of_starts_starts(data, field):
    """Balance: encounters started minus not started. Equal balances: the one that did not start its latest encounter, if only one."""
    event = drawn_event(data, field)
    for index, result in enumerate(event.stages):
        before = event.stages[:index]
        balance = balances(event.players, before)
        for first, second in result.stage.pairings:
            assert balance[first] <= balance[second], f"{result.stage.label}: {first} ({balance[first]}) starts against {second}"
            if balance[first] == balance[second]:
                assert not (started_latest(first, before) is True and started_latest(second, before) is not True)


@settings(max_examples=100, deadline=None)
@given(st.data(), fields())
def test_the_same_results_give_the_same_stages_and_each_stage_is_asked_for_anew(data, field):
    event = drawn_event(data, field)
    again = Swiss(event.rounds)
    for index, result in enumerate(event.stages):
        assert again.next_stage(event.players, event.out_before[index], event.stages[:index]) == result.stage
    assert again.next_stage(event.players, event.out_at_end, event.stages) is None


@settings(max_examples=100, deadline=None)
@given(st.data(), fields())
def test_without_the_score_group_search_the_matching_alone_still_never_repeats_keeps_to_score_groups_and_plays_every_round_it_can(
    data, field
):
    with mock.patch.object(swiss_module, "BUDGET_BASE", 0), mock.patch.object(swiss_module, "BUDGET_PER_PLAYER", 0):
        event = drawn_event(data, field)
    for index, result in enumerate(event.stages):
        met = opponents(event.players, event.stages[:index])
        for first, second in result.stage.pairings:
            assert second not in met[first]
    if len(event.stages) < event.rounds:
        active = sorted(set(range(event.players)) - event.out_at_end)
        assert len(active) < 2 or not can_have_a_round(active, opponents(event.players, event.stages))
    check_score_groups(event)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 14).map(lambda half: 2 * half), st.data())
def test_the_matching_finds_a_pairing_exactly_when_one_exists(size, data):
    pairs = list(combinations(range(size), 2))
    met_pairs = data.draw(st.sets(st.sampled_from(pairs))) if pairs else set()
    met: list[set[int]] = [set() for _ in range(size)]
    for a, b in met_pairs:
        met[a].add(b)
        met[b].add(a)
    points = data.draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 1.5]), min_size=size, max_size=size))
    ranked = sorted(range(size), key=lambda player: (-points[player], player))
    can = brute_force_can_pair(range(size), met)
    for found in (pair_by_matching(ranked, met), pair_by_matching(ranked, met, points)):
        assert (found is not None) == can
        if found is not None:
            assert sorted(player for pairing in found for player in pairing) == list(range(size))
            assert all(b not in met[a] for a, b in found)


def test_the_matching_keeps_to_the_score_groups_where_the_first_pairing_it_finds_does_not():
    """Four players on 1 (2 and 3 have met) above two on 0: down the ranking, 0 v 1 would leave 2 and 3 to cross to the group below."""
    met = [set(), set(), {3}, {2}, set(), set()]
    assert pair_by_matching(list(range(6)), met) == [(0, 1), (2, 4), (3, 5)]
    assert pair_by_matching(list(range(6)), met, [1.0, 1.0, 1.0, 1.0, 0.0, 0.0]) == [(0, 2), (1, 3), (4, 5)]


@settings(max_examples=100, deadline=None)
@given(st.data(), fields())
def test_the_standings_rank_every_player_by_score_then_buchholz_then_sonneborn_berger_the_out_last(data, field):
    event = drawn_event(data, field)
    summary = Swiss(event.rounds).summary(event.players, event.stages, None)
    lines = summary["standings"]
    total = scores(event.players, event.stages)
    assert summary["rounds played"] == len(event.stages)
    assert sorted(line["player"] for line in lines) == list(range(event.players))
    assert [line["rank"] for line in lines] == list(range(1, event.players + 1))
    for line in lines:
        assert line["score"] == total[line["player"]]
    keys = [(not line["out"], line["score"], line["buchholz"], line["sonneborn-berger"], -line["player"]) for line in lines]
    assert keys == sorted(keys, reverse=True)


def one_round(swiss: Swiss, players: int, stages: list[StageResult], outcomes: dict[tuple[int, int], Any], out=frozenset()) -> Stage:
    """Ask for the next stage, end it with `outcomes` (a draw where none is given), and add it to `stages`."""
    stage = swiss.next_stage(players, out, stages)
    assert stage is not None
    stages.append(StageResult(stage, tuple(played(pairing, outcomes.get(pairing, DRAW)) for pairing in stage.pairings)))
    return stage


def test_round_one_pairs_the_top_half_against_the_bottom_half_in_sign_up_order_starts_alternating():
    assert Swiss(3).next_stage(8, frozenset(), []) == Stage(((0, 4), (5, 1), (2, 6), (7, 3)), "Swiss round 1 of 3")


def test_round_two_pairs_winners_with_winners_one_who_started_against_one_who_did_not():
    swiss, stages = Swiss(3), []
    one_round(swiss, 8, stages, {(0, 4): WIN, (5, 1): LOSS, (2, 6): WIN, (7, 3): LOSS})
    stage = swiss.next_stage(8, frozenset(), stages)
    assert stage == Stage(((3, 0), (1, 2), (4, 7), (6, 5)), "Swiss round 2 of 3")


def test_two_players_meet_once_and_the_event_ends_there():
    swiss, stages = Swiss(3), []
    assert one_round(swiss, 2, stages, {}) == Stage(((0, 1),), "Swiss round 1 of 3")
    assert swiss.next_stage(2, frozenset(), stages) is None
    assert swiss.summary(2, stages, None)["rounds played"] == 1


def test_three_players_each_have_one_bye_the_lowest_ranked_first():
    swiss, stages = Swiss(3), []
    assert one_round(swiss, 3, stages, {(0, 1): WIN}) == Stage(((0, 1),), "Swiss round 1 of 3", byes=(2,))
    # 0 and 2 have 1, 1 has 0: 1 is the lowest-ranked and has had no bye, but 0 and 2 have not met.
    assert one_round(swiss, 3, stages, {}) == Stage(((2, 0),), "Swiss round 2 of 3", byes=(1,))
    assert one_round(swiss, 3, stages, {}) == Stage(((1, 2),), "Swiss round 3 of 3", byes=(0,))
    assert [line["byes"] for line in swiss.summary(3, stages, None)["standings"]] == [1, 1, 1]


def test_a_culprit_is_never_paired_again_and_the_others_go_on_with_a_bye():
    swiss, stages = Swiss(3), []
    one_round(swiss, 4, stages, {(0, 2): "first out"})
    stage = swiss.next_stage(4, frozenset({0}), stages)
    assert stage is not None and 0 not in {player for pairing in stage.pairings for player in pairing} | set(stage.byes)
    assert stage.byes and len(stage.pairings) == 1
    assert swiss.next_stage(4, frozenset(), stages) == stage, "a culprit is out even when out does not say so"


def test_more_rounds_than_the_field_allows_end_the_event_when_everyone_has_met():
    swiss, stages = Swiss(5), []
    for _ in range(3):
        one_round(swiss, 4, stages, {})
    assert swiss.next_stage(4, frozenset(), stages) is None
    assert sorted(tuple(sorted(pairing)) for result in stages for pairing in result.stage.pairings) == list(combinations(range(4), 2))
    assert swiss.summary(4, stages, None)["rounds played"] == 3


def test_one_player_left_ends_the_event():
    swiss, stages = Swiss(4), []
    one_round(swiss, 3, stages, {(0, 1): "both out"})
    assert swiss.next_stage(3, frozenset({0, 1}), stages) is None


def test_an_encounter_nobody_scored_counts_nothing_for_either():
    swiss, stages = Swiss(1), []
    one_round(swiss, 2, stages, {(0, 1): None})
    assert [line["score"] for line in swiss.summary(2, stages, None)["standings"]] == [0.0, 0.0]


def test_ties_are_broken_by_buchholz_then_sonneborn_berger_then_rating_then_sign_up_order():
    """A hand-made event of 6 players and 2 rounds, with the figures worked out by hand.

    Round 1: 0 beats 1, 2 draws with 3, 4 beats 5. Round 2: 0 draws with 2,
    1 beats 4, 3 beats 5. Scores: 0 1.5, 1 1, 2 1, 3 1.5, 4 1, 5 0.
    Buchholz: 0: 1 + 1 = 2; 3: 1 + 0 = 1; 1: 1.5 + 1 = 2.5; 2: 1.5 + 1.5 = 3;
    4: 0 + 1 = 1; 5: 1 + 1.5 = 2.5.
    So 0 (1.5, 2) before 3 (1.5, 1); 2 (B 3) before 1 (B 2.5) before 4 (B 1).
    Sonneborn-Berger of 1: beat 4 (1) = 1; of 4: beat 5 (0) = 0.
    """
    pairings = [((0, 1), WIN), ((2, 3), DRAW), ((4, 5), WIN)], [((0, 2), DRAW), ((1, 4), WIN), ((3, 5), WIN)]
    stages = [
        StageResult(Stage(tuple(pairing for pairing, _ in round_), f"Swiss round {k} of 2"), tuple(played(p, o) for p, o in round_))
        for k, round_ in enumerate(pairings, 1)
    ]
    summary = Swiss(2).summary(6, stages, None)
    assert summary["kind"] == "swiss" and summary["rounds"] == 2 and summary["rounds played"] == 2
    assert summary["standings"][:3] == [
        {"player": 0, "rank": 1, "score": 1.5, "buchholz": 2.0, "sonneborn-berger": 1.0 * 1 + 0.5 * 1, "byes": 0, "out": False},
        {"player": 3, "rank": 2, "score": 1.5, "buchholz": 1.0, "sonneborn-berger": 0.5 * 1 + 1.0 * 0, "byes": 0, "out": False},
        {"player": 2, "rank": 3, "score": 1.0, "buchholz": 3.0, "sonneborn-berger": 0.5 * 1.5 + 0.5 * 1.5, "byes": 0, "out": False},
    ]
    assert [line["player"] for line in summary["standings"]] == [0, 3, 2, 1, 4, 5]


def test_a_player_put_out_ranks_below_every_player_still_in_whatever_its_score():
    swiss, stages = Swiss(2), []
    one_round(swiss, 4, stages, {(0, 2): LOSS, (3, 1): WIN})
    stage = swiss.next_stage(4, frozenset(), stages)
    assert stage is not None
    culprit = stage.pairings[0][0]
    stages.append(
        StageResult(stage, tuple(played(pairing, "first out" if pairing == stage.pairings[0] else DRAW) for pairing in stage.pairings))
    )
    lines = swiss.summary(4, stages, None)["standings"]
    assert lines[-1]["player"] == culprit and lines[-1]["out"] and not any(line["out"] for line in lines[:-1])


def test_equal_buchholz_goes_to_sonneborn_berger_then_the_rating_then_sign_up_order():
    """Four players, two rounds: 0 beats 1, 2 beats 3; then 0 draws 2... built so that 1 and 3 tie on score and Buchholz.

    Round 1: 0 beats 1, 2 beats 3. Round 2: 0 draws with 3, 2 draws with 1.
    Scores: 0 1.5, 2 1.5, 1 0.5, 3 0.5. Buchholz: 0: 0.5 + 0.5 = 1; 2: 0.5 + 0.5 = 1;
    1: 1.5 + 1.5 = 3; 3: 1.5 + 1.5 = 3. Sonneborn-Berger: 0: 0.5 + 0.25 = 0.75; 2: the same;
    1: 0.75; 3: 0.75. Everything ties: the rating decides, and without one, sign-up order.
    """
    round_1, round_2 = [((0, 1), WIN), ((2, 3), WIN)], [((0, 3), DRAW), ((2, 1), DRAW)]
    stages = [
        StageResult(Stage(tuple(pairing for pairing, _ in round_), f"Swiss round {k} of 2"), tuple(played(p, o) for p, o in round_))
        for k, round_ in enumerate((round_1, round_2), 1)
    ]
    swiss = Swiss(2)
    assert [line["player"] for line in swiss.summary(4, stages, None)["standings"]] == [0, 2, 1, 3]
    assert [line["player"] for line in swiss.summary(4, stages, [1500, 1600, 1700, 1800])["standings"]] == [2, 0, 3, 1]
    assert {line["sonneborn-berger"] for line in swiss.summary(4, stages, None)["standings"]} == {0.75}


def test_sonneborn_berger_breaks_a_tie_on_score_and_buchholz_before_sign_up_order():
    """Round 1: 0 beats 1, 2 beats 3, 4 beats 5. Round 2: 0 beats 2, 1 beats 4, 5 beats 3.

    Scores: 0 2, 1 1, 2 1, 3 0, 4 1, 5 1. Buchholz: 1: 2 + 1 = 3; 2: 0 + 2 = 2;
    4: 1 + 1 = 2; 5: 1 + 0 = 1. Sonneborn-Berger: 2 beat 3 (0): 0; 4 beat 5 (1): 1.
    So 4 comes before 2, though 2 signed up first.
    """
    round_1, round_2 = [((0, 1), WIN), ((2, 3), WIN), ((4, 5), WIN)], [((0, 2), WIN), ((1, 4), WIN), ((3, 5), LOSS)]
    stages = [
        StageResult(Stage(tuple(pairing for pairing, _ in round_), f"Swiss round {k} of 2"), tuple(played(p, o) for p, o in round_))
        for k, round_ in enumerate((round_1, round_2), 1)
    ]
    lines = Swiss(2).summary(6, stages, None)["standings"]
    assert [(line["player"], line["score"], line["buchholz"], line["sonneborn-berger"]) for line in lines] == [
        (0, 2.0, 2.0, 2.0),
        (1, 1.0, 3.0, 1.0),
        (4, 1.0, 2.0, 1.0),
        (2, 1.0, 2.0, 0.0),
        (5, 1.0, 1.0, 0.0),
        (3, 0.0, 2.0, 0.0),
    ]


def test_expected_encounters_are_the_rounds_times_the_pairs_of_a_round():
    assert Swiss(7).expected_encounters(41) == 7 * 20
    assert Swiss(7).expected_encounters(40) == 7 * 20


@pytest.mark.parametrize("rounds", [0, -1, 1.5, True])
def test_rounds_must_be_a_positive_whole_number(rounds):
    with pytest.raises(ValueError, match="swiss: rounds must be a positive whole number"):
        Swiss(rounds)
