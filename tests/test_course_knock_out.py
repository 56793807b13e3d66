"""The course's knock-out (Admin/formats/course_knock_out.py): its games from the front, who goes on, its three ends, and that it ends."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from Admin.formats.course_knock_out import FEWER_THAN_TWO, FINAL, NO_GAME, SAME_WINNERS, CourseKnockOut, games_of, tables_of
from Admin.formats.settings import read_format, staged_format
from Admin.formats.stage import GroupPlayed, StageResult
from Common.strict import StructureError
from Remote.configuration import read_server_configuration
from Remote.game_registry import DEFAULT_GAME, GAMES

Decide = Callable[[int, tuple[int, ...]], tuple[tuple[int, ...], frozenset[int]]]
"""A game's winners and culprits, from the round's number and its players."""


def first_seat_wins(round_number: int, players: tuple[int, ...]) -> tuple[tuple[int, ...], frozenset[int]]:
    return players[:1], frozenset()


def everyone_ties(round_number: int, players: tuple[int, ...]) -> tuple[tuple[int, ...], frozenset[int]]:
    return players, frozenset()


def run(knock_out: CourseKnockOut, players: int, decide: Decide = first_seat_wins, out: frozenset[int] = frozenset()) -> list[StageResult]:
    """The whole event the way the manager runs it: each stage's games, a culprit out from then on."""
    stages: list[StageResult] = []
    while (stage := knock_out.next_stage(players, out, stages)) is not None:
        groups = []
        for table in stage.pairings:
            winners, culprits = decide(len(stages) + 1, table)
            groups.append(GroupPlayed(table, tuple(player for player in winners if player not in culprits), culprits))
        out = out | {culprit for group in groups for culprit in group.culprits}
        stages.append(StageResult(stage, (), tuple(groups)))
        assert len(stages) <= players + 2, "the event does not end"
    return stages


@pytest.mark.parametrize(
    ("players", "sizes"),
    [(2, [2]), (4, [4]), (5, [3, 2]), (6, [4, 2]), (7, [4, 3]), (8, [4, 4]), (9, [4, 3, 2]), (10, [4, 4, 2]), (13, [4, 4, 3, 2])],
)
def test_games_of_four_from_the_front_with_the_courses_fallback_sizes(players, sizes):
    assert games_of(players, 4) == sizes


def test_a_round_seats_the_field_in_its_order_from_the_front():
    assert tables_of((0, 2, 3, 5, 6, 8, 9), 4) == ((0, 2, 3, 5), (6, 8, 9))


@settings(max_examples=300)
@given(players=st.integers(0, 300), size=st.integers(3, 6))
def test_every_player_has_a_seat_every_game_has_two_to_k_and_only_the_last_two_games_are_short(players, size):
    sizes = games_of(players, size)
    assert sum(sizes) == (players if players >= 2 else 0)
    assert all(2 <= count <= size for count in sizes)
    assert all(count == size for count in sizes[:-2])
    assert len(sizes) == (1 if 2 <= players <= size else -(-players // size) if players > size else 0)


def test_a_field_of_two_to_k_plays_one_final_game_and_its_winners_win():
    stages = run(CourseKnockOut(4), 3, decide=lambda number, table: (table[1:], frozenset()))
    assert [result.stage.pairings for result in stages] == [((0, 1, 2),)]
    summary = CourseKnockOut(4).summary(3, stages, None)
    assert summary["winners"] == [1, 2] and summary["end"] == FINAL
    assert stages[0].stage.label == "knock-out round 1 (final)"


def test_each_round_keeps_the_sign_up_order_of_those_left():
    stages = run(CourseKnockOut(4), 10, decide=lambda number, table: (table[-1:], frozenset()))
    assert [result.stage.pairings for result in stages] == [((0, 1, 2, 3), (4, 5, 6, 7), (8, 9)), ((3, 7, 9),)]
    assert CourseKnockOut(4).summary(10, stages, None)["winners"] == [9]


def test_all_tied_winners_go_on_and_a_culprit_never_does():
    def ties_with_a_culprit(number: int, table: tuple[int, ...]) -> tuple[tuple[int, ...], frozenset[int]]:
        return (table, frozenset({0})) if number == 1 and 0 in table else ((table[0],), frozenset())

    stages = run(CourseKnockOut(4), 8, ties_with_a_culprit)
    assert stages[1].stage.pairings == ((1, 2, 3, 4),)


def test_a_round_that_leaves_fewer_than_two_ends_the_event_and_they_win():
    def only_the_first_game_has_a_winner(number: int, table: tuple[int, ...]) -> tuple[tuple[int, ...], frozenset[int]]:
        return ((table[0],), frozenset()) if table[0] == 0 else ((), frozenset(table))

    stages = run(CourseKnockOut(4), 8, only_the_first_game_has_a_winner)
    summary = CourseKnockOut(4).summary(8, stages, None)
    assert len(stages) == 1 and summary["winners"] == [0] and summary["end"] == FEWER_THAN_TWO


def test_ties_in_every_game_end_where_the_reference_plays_forever_with_the_same_winners_twice():
    stages = run(CourseKnockOut(4), 9, everyone_ties)
    summary = CourseKnockOut(4).summary(9, stages, None)
    assert len(stages) == 2 and summary["winners"] == list(range(9)) and summary["end"] == SAME_WINNERS
    assert stages[0].stage.pairings == stages[1].stage.pairings


def test_a_field_of_one_wins_without_a_game():
    stages = run(CourseKnockOut(4), 3, out=frozenset({0, 2}))
    assert [(result.stage.pairings, result.stage.byes) for result in stages] == [((), (1,))]
    summary = CourseKnockOut(4).summary(3, stages, None)
    assert summary["winners"] == [1] and summary["end"] == NO_GAME


def decisions(data: st.DataObject) -> Decide:
    """Any winners and culprits, drawn per game as it is played (a game asked again is decided the same way)."""
    seen: dict[tuple[int, tuple[int, ...]], tuple[tuple[int, ...], frozenset[int]]] = {}

    def decide(number: int, table: tuple[int, ...]) -> tuple[tuple[int, ...], frozenset[int]]:
        if (number, table) not in seen:
            culprits = frozenset(data.draw(st.sets(st.sampled_from(table), max_size=len(table) - 1)))
            left = [player for player in table if player not in culprits]
            winners = tuple(data.draw(st.sets(st.sampled_from(left), min_size=1)))
            seen[number, table] = (tuple(sorted(winners)), culprits)
        return seen[number, table]

    return decide


@settings(max_examples=200, deadline=None)
@given(players=st.integers(0, 40), size=st.integers(3, 5), data=st.data())
def test_every_event_ends_and_its_winners_never_lost_a_game_and_are_no_culprits(players, size, data):
    knock_out = CourseKnockOut(size)
    stages = run(knock_out, players, decisions(data))
    summary = knock_out.summary(players, stages, None)
    assert summary["end"] in (FINAL, FEWER_THAN_TWO, SAME_WINNERS, NO_GAME)
    culprits = {culprit for result in stages for group in result.groups for culprit in group.culprits}
    lost = {player for result in stages for group in result.groups for player in group.players if player not in group.winners}
    never_lost = [player for player in range(players) if player not in lost and player not in culprits]
    assert summary["winners"] == never_lost
    for earlier, later in itertools.pairwise(stages[1:]):  # after the first round, every round has fewer players
        assert len({p for t in later.stage.pairings for p in t}) < len({p for t in earlier.stage.pairings for p in t})
    assert [row["rank"] for row in summary["standings"]][: len(never_lost)] == [1] * len(never_lost)
    if stages:
        assert knock_out.next_stage(players, frozenset(culprits), stages) is None


@pytest.mark.parametrize("players", [2, 5, 9, 16, 100])
def test_the_expected_games_are_those_of_an_event_with_one_winner_a_game(players):
    assert sum(len(result.stage.pairings) for result in run(CourseKnockOut(4), players)) == CourseKnockOut(4).expected_encounters(players)


def test_players_per_game_chooses_the_courses_knock_out_and_two_the_seeded_bracket():
    assert staged_format(read_format({"kind": "knock-out", "players per game": 4}), ["a", "b"]) == CourseKnockOut(4)
    assert read_format({"kind": "knock-out"}) == read_format({"kind": "knock-out", "players per game": 2})


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ({"kind": "knock-out", "players per game": 1}, "expected a whole number >= 2, got 1 @ $.format.players per game"),
        (
            {"kind": "knock-out", "players per game": 4, "seeding": "rating", "ratings": "r.json"},
            "a knock-out of more than 2 players per game takes the players in sign-up order @ $.format.seeding",
        ),
    ],
)
def test_a_bad_players_per_game_is_a_one_line_error(value, error):
    with pytest.raises(StructureError) as raised:
        read_format(value)
    assert str(raised.value) == error


SERVER = '{"min players": 2, "port": 0, "waiting for": 1, "repeat": 0'


def test_players_per_game_above_the_games_most_is_a_one_line_configuration_error():
    with pytest.raises(StructureError) as raised:
        read_server_configuration(SERVER + ', "format": {"kind": "knock-out", "players per game": 3}}', GAMES, DEFAULT_GAME)
    assert str(raised.value) == (
        f"expected a whole number from 2 to 2 (a {DEFAULT_GAME} game has at most 2 players), got 3 @ $.format.players per game"
    )


def test_a_game_of_up_to_four_plays_its_default_format_and_takes_games_of_four():
    course = read_format({"kind": "knock-out", "players per game": 4})
    group_game = attrs.evolve(GAMES[DEFAULT_GAME], players_per_encounter=(2, 4), default_format=course)
    games = {DEFAULT_GAME: group_game}
    assert read_server_configuration(SERVER + "}", games, DEFAULT_GAME).event_format == course
    assert (
        read_server_configuration(SERVER + ', "format": {"kind": "swiss", "rounds": 2}}', games, DEFAULT_GAME).event_format.kind == "swiss"
    )
    assert read_server_configuration(SERVER + "}", GAMES, DEFAULT_GAME).event_format == read_format({"kind": "round robin"})
