"""The course's strategy, greedy (spec section 6), on hand-made boards; the random player stays legal."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from Common.fish.board import Board
from Common.fish.geometry import Action, Position
from Common.fish.rules import move_error, placement_error
from Common.fish.state import Color, PlayerState, State
from Player.fish.greedy import Greedy, RandomLegal, greedy_move, greedy_place
from tests.fish_strategies import full_boards, play

RED, WHITE = Color.RED, Color.WHITE


def state(board, red=(), white=()):
    return State(Board(board), [PlayerState(RED, 0, [Position(*p) for p in red]), PlayerState(WHITE, 0, [Position(*p) for p in white])])


def test_greedy_places_on_the_first_free_tile_with_the_most_fish_in_row_major_order():
    board = [[1, 3, 2], [3, 5, 0], [5, 4, 1]]
    assert greedy_place(state(board)) == Position(1, 1)
    assert greedy_place(state(board, white=[(1, 1)])) == Position(2, 0)
    assert greedy_place(state([[2, 2], [2, 2]], red=[(0, 0)])) == Position(0, 1)


def test_greedy_moves_to_the_reachable_tile_with_the_most_fish():
    board = [[1, 1, 1], [1, 1, 1], [1, 4, 1], [1, 1, 1], [1, 1, 1]]
    # from [0, 1] the penguin reaches [2, 1] by stepping south
    assert greedy_move(state(board, red=[(0, 1)], white=[(4, 0)])) == Action(Position(0, 1), Position(2, 1))


def test_greedy_breaks_ties_by_the_smaller_from_position_then_the_smaller_to_position():
    board = [[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]
    # both penguins reach tiles of one fish: the one on [0, 3] moves (row 0 before row 3), to its smallest target
    move = greedy_move(state(board, red=[(3, 0), (0, 3)], white=[(2, 2)]))
    assert move.source == Position(0, 3)
    assert move.target == Position(1, 2)  # north-west of [0, 3] is off the board; south-west is [1, 2]; [1, 3] and [2, 3] come after


def test_greedy_prefers_more_fish_over_a_smaller_position():
    board = [[1, 1, 1], [1, 1, 1], [1, 1, 1], [1, 1, 5], [1, 1, 1]]
    move = greedy_move(state(board, red=[(0, 0), (4, 2)], white=[(4, 0)]))
    assert move.target == Position(3, 2)  # the 5: north-east of [4, 2]
    assert move.source == Position(4, 2)


@settings(max_examples=40)
@given(full_boards(), st.integers(2, 4), st.integers(0, 2**16))
def test_greedy_and_random_always_choose_legally(board, players, seed):
    greedy, random_player = Greedy(), RandomLegal(seed)
    strategies = [greedy, random_player]
    count = {"turn": 0}

    def place(s):
        position = strategies[count["turn"] % 2].place(s)
        count["turn"] += 1
        assert placement_error(s, position) is None
        return position

    def move(s):
        action = strategies[count["turn"] % 2].move(s, ())
        count["turn"] += 1
        assert move_error(s, action) is None
        return action

    assert list(play(board, players, place, move))
