"""The knock-out (Admin/formats/knock_out.py): the seeded bracket, byes, who advances, the summary, and properties of whole events."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from Admin.formats.knock_out import KnockOut, bracket_order
from Admin.formats.stage import DRAW, LOSS, WIN, Played, Stage, StageResult

Result = tuple[float | None, frozenset[int]]
"""What an encounter ended with: the first player's score and the culprits."""


def better_seed_wins(first: int, second: int) -> Result:
    """Sign-up order is the seeding here, and the player listed first is the better seed."""
    return WIN, frozenset()


def run(
    knock_out: KnockOut, players: int, result: Callable[[int, int], Result] = better_seed_wins, out: frozenset[int] = frozenset()
) -> list[StageResult]:
    """The whole event, the way the manager runs it: each stage's encounters, a culprit out from then on."""
    stages: list[StageResult] = []
    while (stage := knock_out.next_stage(players, out, stages)) is not None:
        played = []
        for first, second in stage.pairings:
            score, culprits = (None, frozenset()) if first in out or second in out else result(first, second)
            played.append(Played(first, second, score, culprits))
        out = out | {culprit for encounter in played for culprit in encounter.culprits}
        stages.append(StageResult(stage, tuple(played)))
        assert len(stages) <= 10, "the event does not end"
    return stages


def test_the_bracket_of_eight_is_1_8_4_5_2_7_3_6():
    assert [seed + 1 for seed in bracket_order(8)] == [1, 8, 4, 5, 2, 7, 3, 6]
    first = KnockOut().next_stage(8, frozenset(), [])
    assert first == Stage(((0, 7), (3, 4), (1, 6), (2, 5)), "knock-out round 1 of 3 (quarter-finals)")


def test_the_top_two_seeds_meet_only_in_the_final_and_the_top_four_only_from_the_semi_finals():
    stages = run(KnockOut(), 16)
    assert [result.stage.pairings for result in stages[2:]] == [((0, 3), (1, 2)), ((0, 1),)]
    assert KnockOut().summary(16, stages, None)["winner"] == 0


def test_the_top_seeds_have_the_byes_when_the_field_is_not_a_power_of_two():
    stage = KnockOut().next_stage(5, frozenset(), [])
    assert stage == Stage(((3, 4),), "knock-out round 1 of 3 (quarter-finals)", byes=(0, 1, 2))
    stage = KnockOut().next_stage(6, frozenset(), [])
    assert stage is not None and stage.byes == (0, 1) and stage.pairings == ((3, 4), (2, 5))


def test_a_seeding_from_an_earlier_event_replaces_the_sign_up_order():
    """Seeds from the top: players 3, 1, 0, 2; seed 1 (player 3) meets seed 4 (player 2), listed first."""
    stage = KnockOut(seeding=(3, 1, 0, 2)).next_stage(4, frozenset(), [])
    assert stage == Stage(((3, 2), (1, 0)), "knock-out round 1 of 2 (semi-finals)")


def test_a_seeding_that_is_not_the_roster_is_refused_in_one_line():
    with pytest.raises(ValueError, match=r"knock-out: the seeding must name each of the 4 players \(0 to 3\) once, got \[0, 1, 1, 2\]"):
        KnockOut(seeding=(0, 1, 1, 2)).next_stage(4, frozenset(), [])


def test_the_labels_name_the_last_three_rounds():
    labels = [result.stage.label for result in run(KnockOut(), 16)]
    assert labels == [
        "knock-out round 1 of 4",
        "knock-out round 2 of 4 (quarter-finals)",
        "knock-out round 3 of 4 (semi-finals)",
        "knock-out round 4 of 4 (final)",
    ]
    assert [result.stage.label for result in run(KnockOut(), 2)] == ["knock-out round 1 of 1 (final)"]


@pytest.mark.parametrize(("players", "encounters"), [(0, 0), (1, 0), (2, 1), (5, 4), (16, 15), (70, 69)])
def test_a_knock_out_has_one_encounter_fewer_than_players(players, encounters):
    assert KnockOut().expected_encounters(players) == encounters
    assert sum(len(result.played) for result in run(KnockOut(), players)) == encounters


def test_on_a_draw_the_better_seed_advances():
    """Seeding (1, 0): player 1 is seed 1 and listed first; a draw sends it through, whichever side scored."""
    stages = run(KnockOut(seeding=(1, 0)), 2, lambda first, second: (DRAW, frozenset()))
    assert stages[0].stage.pairings == ((1, 0),)
    assert KnockOut(seeding=(1, 0)).summary(2, stages, None)["winner"] == 1
    assert KnockOut().summary(2, run(KnockOut(), 2, lambda first, second: (DRAW, frozenset())), None)["winner"] == 0


def test_the_opponent_of_a_culprit_advances_whatever_the_score():
    stages = run(KnockOut(), 4, lambda first, second: (WIN, frozenset({first})) if first == 0 else (WIN, frozenset()))
    assert stages[1].stage.pairings == ((1, 3),)
    summary = KnockOut().summary(4, stages, None)
    assert summary["winner"] == 1
    assert summary["bracket"][0][0] == {"players": [0, 3], "winner": 3, "score": WIN}


def test_when_both_players_misbehave_nobody_advances_and_the_next_opponent_has_a_walkover():
    """Round 1: 0-3 both misbehave; 1-2 is won by 1. The final is a walkover for 1: a stage of byes only."""

    def result(first: int, second: int) -> Result:
        return (None, frozenset({first, second})) if first == 0 else (WIN, frozenset())

    stages = run(KnockOut(), 4, result)
    assert [result.stage for result in stages] == [
        Stage(((0, 3), (1, 2)), "knock-out round 1 of 2 (semi-finals)"),
        Stage((), "knock-out round 2 of 2 (final)", byes=(1,)),
    ]
    summary = KnockOut().summary(4, stages, None)
    assert summary["winner"] == 1
    assert summary["bracket"] == [
        [{"players": [0, 3], "winner": None, "score": None}, {"players": [1, 2], "winner": 1, "score": WIN}],
        [{"bye": 1}],
    ]
    assert [row["rank"] for row in summary["standings"]] == [1, 2, 2, 2]


def test_a_walkover_is_a_stage_of_byes_when_two_players_are_left_apart():
    """Eight players; in round 1, 0-7, 3-4 and 1-6 both misbehave, and 2 beats 5: 2 walks over to the end."""

    def result(first: int, second: int) -> Result:
        return (WIN, frozenset()) if first == 2 else (None, frozenset({first, second}))

    stages = run(KnockOut(), 8, result)
    assert [result.stage for result in stages[1:]] == [
        Stage((), "knock-out round 2 of 3 (semi-finals)", byes=(2,)),
        Stage((), "knock-out round 3 of 3 (final)", byes=(2,)),
    ]
    assert KnockOut().summary(8, stages, None)["winner"] == 2
    # With two players left in different halves, round 2 has byes only, and the final is played.
    survivors = {0: (WIN, frozenset()), 3: (None, frozenset({3, 4})), 1: (None, frozenset({1, 6})), 2: (WIN, frozenset())}
    stages = run(KnockOut(), 8, lambda first, second: survivors[first])
    assert [result.stage for result in stages[1:]] == [
        Stage((), "knock-out round 2 of 3 (semi-finals)", byes=(0, 2)),
        Stage(((0, 2),), "knock-out round 3 of 3 (final)"),
    ]
    assert KnockOut().summary(8, stages, None)["bracket"][1] == [{"bye": 0}, {"bye": 2}]


def test_a_player_out_before_its_encounter_is_not_paired_and_its_opponent_has_a_bye():
    stages = run(KnockOut(), 4, out=frozenset({3}))
    assert stages[0].stage == Stage(((1, 2),), "knock-out round 1 of 2 (semi-finals)", byes=(0,))
    summary = KnockOut().summary(4, stages, None)
    assert summary["winner"] == 0
    assert {"player": 3, "rank": 3, "eliminated in round": 1} in summary["standings"]


def test_when_nobody_is_left_the_event_ends_without_a_winner():
    stages = run(KnockOut(), 2, lambda first, second: (None, frozenset({first, second})))
    summary = KnockOut().summary(2, stages, None)
    assert summary["winner"] is None
    assert [row["eliminated in round"] for row in summary["standings"]] == [1, 1]


def test_a_round_whose_players_are_all_out_is_a_stage_of_nothing_that_records_them():
    """The summary is not told who is out: it reads it from the stage that did not pair them."""
    stages = run(KnockOut(), 3, out=frozenset({0, 1, 2}))
    assert [result.stage for result in stages] == [Stage((), "knock-out round 1 of 2 (semi-finals)")]
    summary = KnockOut().summary(3, stages, None)
    assert summary["winner"] is None
    assert [row["eliminated in round"] for row in summary["standings"]] == [1, 1, 1]


def test_one_player_wins_a_final_of_one_walkover():
    stages = run(KnockOut(), 1)
    assert [result.stage for result in stages] == [Stage((), "knock-out round 1 of 1 (final)", byes=(0,))]
    assert KnockOut().summary(1, stages, None) == {
        "kind": "knock-out",
        "winner": 0,
        "rounds": 1,
        "bracket": [[{"bye": 0}]],
        "standings": [{"player": 0, "rank": 1, "eliminated in round": None}],
    }
    assert KnockOut().summary(1, run(KnockOut(), 1, out=frozenset({0})), None)["winner"] is None
    assert KnockOut().next_stage(0, frozenset(), []) is None


def test_the_summary_of_five_players():
    """Seeds 1-3 have byes; 4 beats 5; the upsets: 4 beats 1, then 3 beats 2 and wins the final against 4."""
    upsets = {(3, 4): WIN, (0, 3): LOSS, (1, 2): LOSS, (2, 3): WIN}
    stages = run(KnockOut(), 5, lambda first, second: (upsets[first, second], frozenset()))
    assert KnockOut().summary(5, stages, None) == {
        "kind": "knock-out",
        "winner": 2,
        "rounds": 3,
        "bracket": [
            [{"bye": 0}, {"players": [3, 4], "winner": 3, "score": WIN}, {"bye": 1}, {"bye": 2}],
            [{"players": [0, 3], "winner": 3, "score": LOSS}, {"players": [1, 2], "winner": 2, "score": LOSS}],
            [{"players": [2, 3], "winner": 2, "score": WIN}],
        ],
        "standings": [
            {"player": 2, "rank": 1, "eliminated in round": None},
            {"player": 3, "rank": 2, "eliminated in round": 3},
            {"player": 0, "rank": 3, "eliminated in round": 2},
            {"player": 1, "rank": 3, "eliminated in round": 2},
            {"player": 4, "rank": 5, "eliminated in round": 1},
        ],
    }


# Properties of whole events: any field, seeding, results (draws, unscored encounters, culprits), players out before.

OUTCOMES = [
    (WIN, ()),
    (DRAW, ()),
    (LOSS, ()),
    (LOSS, ("first",)),
    (WIN, ("second",)),
    (WIN, ("first",)),
    (DRAW, ("second",)),
    (None, ("first", "second")),
    (None, ()),
]
"""Scores and culprits an encounter may end with (the last: not played, as when a player was out), odd ones included."""


@st.composite
def events(draw: st.DrawFn) -> tuple[int, KnockOut, frozenset[int], bool, Callable[[int, int], Result]]:
    """A field, its seeding, who is out before the event, whether it is clean (nobody misbehaves, every encounter scored), the results."""
    players = draw(st.integers(min_value=1, max_value=70))
    seeding = draw(st.none() | st.permutations(range(players)).map(tuple))
    clean = draw(st.booleans())
    out = frozenset() if clean else draw(st.frozensets(st.integers(0, players - 1), max_size=3))
    outcomes = OUTCOMES[:3] if clean else OUTCOMES
    chosen = draw(st.lists(st.sampled_from(outcomes), min_size=players, max_size=players))

    def result(first: int, second: int) -> Result:
        score, culprits = chosen[(first * 31 + second) % players]
        return score, frozenset(first if name == "first" else second for name in culprits)

    return players, KnockOut(seeding), out, clean, result


def players_of(stage: Stage) -> list[int]:
    return [player for pairing in stage.pairings for player in pairing] + list(stage.byes)


@settings(max_examples=300, deadline=None)
@given(events())
def test_properties_of_whole_events(event):
    players, knock_out, out_before, clean, result = event
    stages = run(knock_out, players, result, out_before)
    summary = knock_out.summary(players, stages, None)
    winner = summary["winner"]
    encounters = [played for stage in stages for played in stage.played]

    # At most n - 1 encounters; exactly n - 1 when nobody misbehaves and every encounter is scored.
    assert len(encounters) <= players - 1
    if clean:
        assert len(encounters) == players - 1
        assert winner is not None
    # A stage pairs each player once at most, and never one out before it.
    out = set(out_before)
    for stage in stages:
        assert len(players_of(stage.stage)) == len(set(players_of(stage.stage)))
        assert not out & set(players_of(stage.stage))
        out |= {culprit for played in stage.played for culprit in played.culprits}
    # One winner, who is not out; none only when everyone still in is out.
    assert stages
    if winner is not None:
        assert winner not in out
    else:
        assert set(players_of(stages[-1].stage)) <= out
    # Each encounter sends one player on at most, a winner who is no culprit always; a culprit never plays again.
    for number, stage in enumerate(stages):
        later = [set(players_of(result.stage)) for result in stages[number + 1 :]]
        on = later[0] | {winner} if later else {winner}
        for played in stage.played:
            assert len(on & {played.first, played.second}) <= 1
            if played.winner() is not None and played.winner() not in played.culprits:
                assert played.winner() in on
            for culprit in played.culprits:
                assert not any(culprit in players_then for players_then in later)
            loser = {played.first, played.second} - on
            assert not any(loser & players_then for players_then in later)
    # Each player is ranked once; only the winner was eliminated in no round; ranks never fall down the table.
    standings = summary["standings"]
    assert sorted(row["player"] for row in standings) == list(range(players))
    assert [row["player"] for row in standings if row["eliminated in round"] is None] == ([winner] if winner is not None else [])
    assert [row["rank"] for row in standings] == sorted(row["rank"] for row in standings)
    assert standings[0]["rank"] == 1
