"""Fish's strict converter: every wire value round-trips, and nothing that only looks like one is taken."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from Common.fish.board import Board
from Common.fish.geometry import Action, Actions, Position
from Common.fish.names import Name
from Common.fish.results import Outcome, Results
from Common.fish.state import Color, PlayerState, State
from Common.fish.wire import structure, unstructure
from Common.strict import StructureError
from tests.fish_strategies import boards, names, played_states

STATE = {
    "players": [{"color": "red", "score": 3, "places": [[0, 0], [1, 1]]}, {"color": "white", "score": 0, "places": []}],
    "board": [[1, 2], [3, 4]],
}


@settings(max_examples=30)
@given(played_states())
def test_states_and_actions_round_trip(game):
    for state, action in game:
        assert structure(unstructure(state), State) == state
        if action is not None:
            assert structure(unstructure(action), Action) == action


@given(boards())
def test_ragged_boards_round_trip(board):
    assert structure(unstructure(board), Board) == board


def test_actions_with_skips_round_trip():
    actions = [[[0, 0], [1, 0]], "skip", [[2, 2], [0, 2]]]
    value = structure(actions, Actions)
    assert value == (Action(Position(0, 0), Position(1, 0)), "skip", Action(Position(2, 2), Position(0, 2)))
    assert unstructure(value) == actions
    assert structure([], Actions) == ()


def test_a_state_is_read_with_its_players_in_turn_order():
    state = structure(STATE, State)
    assert state.current == PlayerState(Color.RED, 3, (Position(0, 0), Position(1, 1)))
    assert unstructure(state) == STATE


@given(names())
def test_names_of_1_to_12_ascii_letters_are_taken(name):
    assert structure(name, Name) == name


@pytest.mark.parametrize(
    "value, type_, message",
    [
        (["5", 2], Position, 'expected a whole number, got "5" @ $[0]'),
        ([True, 2], Position, "expected a whole number, got true @ $[0]"),
        ([1e400, 0], Position, "expected a whole number, got a number too large to be finite @ $[0]"),
        ([1.0, 0], Position, "expected a whole number, got 1.0 @ $[0]"),
        ([-1, 0], Position, "expected a whole number >= 0, got -1 @ $[0]"),
        ([1, 2, 3], Position, "expected a position [r, c] of 2 elements, got 3 @ $"),
        ({"r": 1}, Position, 'expected a position [r, c] (a JSON array), got {"r": 1} @ $'),
        ([[0, 0]], Action, "expected an action [from, to] of 2 elements, got 1 @ $"),
        ([[0, 0], [0, "1"]], Action, 'expected a whole number, got "1" @ $[1][1]'),
        ([[1, 6]], Board, "expected a whole number in 0..5, got 6 @ $[0][1]"),
        ([[1, -1]], Board, "expected a whole number in 0..5, got -1 @ $[0][1]"),
        ([[1], 2], Board, "expected a row of fish (a JSON array), got 2 @ $[1]"),
        ("red ", Color, 'expected a colour, "red", "white", "brown" or "black", got "red " @ $'),
        ("", Name, 'expected a name of 1 to 12 ASCII letters, got "" @ $'),
        ("abcdefghijklm", Name, 'expected a name of 1 to 12 ASCII letters, got "abcdefghijklm" @ $'),
        ("ann1", Name, 'expected a name of 1 to 12 ASCII letters, got "ann1" @ $'),
        ("émile", Name, 'expected a name of 1 to 12 ASCII letters, got "émile" @ $'),
        (["skip", "pass"], Actions, 'expected an action or "skip", got "pass" @ $[1]'),
        ("skip", Actions, 'expected a list of actions and "skip"s (a JSON array), got "skip" @ $'),
        ([["ann"]], Results, "expected results [winners, culprits] of 2 elements, got 1 @ $"),
    ],
)
def test_values_that_only_look_right_are_refused_with_a_path(value, type_, message):
    with pytest.raises(StructureError) as refused:
        structure(value, type_)
    assert str(refused.value) == message


def with_player(**changes):
    return {**STATE, "players": [{**STATE["players"][0], **changes}, STATE["players"][1]]}


@pytest.mark.parametrize(
    "value, message",
    [
        (with_player(score="3"), 'expected a whole number, got "3" @ $.players[0].score'),
        (with_player(score=-3), "expected a whole number >= 0, got -3 @ $.players[0].score"),
        (with_player(colour="red"), 'unknown key "colour"; did you mean "color"? @ $.players[0]'),
        ({**STATE, "turn": 0}, 'unknown key "turn" @ $'),
        ({"players": STATE["players"]}, "required key missing @ $.board"),
        (with_player(places=[[0, 0], [5, 5]]), "a penguin stands on [5, 5], which is not a tile @ $"),
        (with_player(places=[[0, 0], [0, 0]]), "two penguins stand on one tile @ $"),
        (with_player(color="white"), "two players have the same colour @ $"),
        ({**STATE, "players": []}, "expected a list of players of 1 to 4 elements, got 0 @ $.players"),
    ],
)
def test_a_state_is_refused_when_a_part_or_the_whole_is_wrong(value, message):
    with pytest.raises(StructureError) as refused:
        structure(value, State)
    assert str(refused.value) == message


def test_an_outcome_round_trips_and_its_winners_must_follow_from_its_scores():
    data = {"players": ["ann", "bob", "cy"], "scores": [5, None, 5], "winners": ["ann", "cy"]}
    outcome = structure(data, Outcome)
    assert outcome == Outcome(("ann", "bob", "cy"), (5, None, 5), ("ann", "cy"))
    assert unstructure(outcome) == data
    with pytest.raises(StructureError, match=r'the winners of these scores are \["ann", "cy"\], not \["ann"\] @ \$'):
        structure({**data, "winners": ["ann"]}, Outcome)
    with pytest.raises(StructureError, match=r"expected a whole number, got true @ \$.scores\[0\]"):
        structure({**data, "scores": [True, None, 5]}, Outcome)
    assert structure({"players": ["ann", "bob"], "scores": [None, None], "winners": []}, Outcome).winners == ()


@given(st.lists(names(), max_size=4, unique=True), st.lists(names(), max_size=4, unique=True))
def test_results_round_trip(winners, culprits):
    results = Results(winners, culprits)
    assert unstructure(results) == [winners, culprits]
    assert structure(unstructure(results), Results) == results
