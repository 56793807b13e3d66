"""Fish's geometry and rules: neighbours as the spec's table, straight lines that stop, scores, skips, the end."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from Common.fish.board import Board
from Common.fish.geometry import DIRECTIONS, Action, Position, neighbours, step
from Common.fish.rules import can_move, is_over, legal_moves, move_error, next_turn, placement_error, to_mover, winners
from Common.fish.state import Color, PlayerState, State, penguins_per_player
from tests.fish_strategies import boards, played_states, positions

RED, WHITE, BROWN, BLACK = Color.RED, Color.WHITE, Color.BROWN, Color.BLACK


def spec_neighbours(r: int, c: int) -> list[tuple[int, int]]:
    """Spec section 1's table, in the order north, north-east, south-east, south, south-west, north-west."""
    if r % 2 == 0:
        return [(r - 2, c), (r - 1, c), (r + 1, c), (r + 2, c), (r + 1, c - 1), (r - 1, c - 1)]
    return [(r - 2, c), (r - 1, c + 1), (r + 1, c + 1), (r + 2, c), (r + 1, c), (r - 1, c)]


@given(positions())
def test_the_neighbours_are_the_specs_doubled_row_table(position):
    expected = [(r, c) for r, c in spec_neighbours(position.row, position.column) if r >= 0 and c >= 0]
    assert [(p.row, p.column) for p in neighbours(position)] == expected


def test_even_and_odd_rows_have_different_diagonal_neighbours():
    assert step(Position(2, 1), DIRECTIONS[1]) == Position(1, 1)  # north-east of an even row: same column
    assert step(Position(3, 1), DIRECTIONS[1]) == Position(2, 2)  # of an odd row: the next column
    assert step(Position(0, 0), DIRECTIONS[0]) is None


def state_of(board: list[list[int]], *penguins: tuple[Color, list[tuple[int, int]]], scores: dict | None = None) -> State:
    scores = scores or {}
    players = [PlayerState(color, scores.get(color, 0), [Position(*p) for p in places]) for color, places in penguins]
    return State(Board(board), players)


def test_a_penguin_travels_in_straight_lines_and_stops_before_a_hole_the_edge_or_a_penguin():
    board = [[1, 1, 1], [1, 1, 1], [1, 0, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1]]
    state = state_of(board, (RED, [(4, 1)]), (WHITE, [(0, 1)]))
    targets = {(p.row, p.column) for p in state.board.reachable(Position(4, 1), state.occupied())}
    # north: [2, 1] is a hole; north-east: [3, 1], [2, 2], [1, 2], then [0, 3] is beyond the row;
    # south-east: [5, 1]; south: beyond the last row; south-west: [5, 0]; north-west: [3, 0], [2, 0], then a negative column
    assert targets == {(3, 1), (2, 2), (1, 2), (5, 1), (5, 0), (3, 0), (2, 0)}
    blocked = state_of(board, (RED, [(4, 1)]), (WHITE, [(2, 2)]))
    assert Position(1, 2) not in set(blocked.board.reachable(Position(4, 1), blocked.occupied()))


def test_a_missing_tile_in_a_short_row_is_a_hole():
    state = state_of([[1, 1, 1], [2]], (RED, [(0, 0)]))
    assert not state.board.is_tile(Position(1, 1))
    assert placement_error(state, Position(1, 1)) == "[1, 1] is not on the board"
    assert placement_error(state, Position(0, 0)) == "a penguin already stands on [0, 0]"


def test_illegal_moves_say_why():
    state = state_of([[1, 1, 1], [1, 1, 1], [1, 1, 1]], (RED, [(0, 0)]), (WHITE, [(2, 0)]))
    assert move_error(state, Action(Position(2, 0), Position(1, 0))) == "no penguin of red stands on [2, 0]"
    assert move_error(state, Action(Position(0, 0), Position(0, 0))) == "the penguin on [0, 0] must travel at least one tile"
    assert "cannot be reached" in move_error(state, Action(Position(0, 0), Position(2, 0)))  # a penguin stands there
    assert move_error(state, Action(Position(0, 0), Position(1, 0))) is None


def line_between(action: Action) -> list[Position] | None:
    """The positions strictly between source and target on a straight line, or None if none joins them."""
    for direction in DIRECTIONS:
        passed: list[Position] = []
        position = step(action.source, direction)
        while position is not None and len(passed) < 20:
            if position == action.target:
                return passed
            passed.append(position)
            position = step(position, direction)
    return None


@settings(max_examples=60)
@given(played_states())
def test_a_move_never_passes_through_or_lands_on_a_hole_or_a_penguin(game):
    for state, _ in game:
        occupied = state.occupied()
        for action in legal_moves(state, state.current.color):
            between = line_between(action)
            assert between is not None, f"{action} is not a straight line"
            for position in [*between, action.target]:
                assert state.board.is_tile(position) and position not in occupied


@settings(max_examples=60)
@given(played_states())
def test_a_move_turns_the_tile_left_into_a_hole_and_adds_its_fish_to_the_movers_score(game):
    for state, action in game:
        if action is None or not state.current.places:
            continue
        after = state.after(action)
        fish = state.board.fish(action.source)
        assert after.board.fish(action.source) == 0
        assert after.current.score == state.current.score + fish
        assert after.current.places[0] == action.target
        assert after.players[1:] == state.players[1:]
        total = sum(map(sum, state.board.rows))
        assert sum(map(sum, after.board.rows)) == total - fish


def somebody_has_a_free_neighbour(state: State) -> bool:
    occupied = state.occupied()
    return any(
        state.board.is_tile(next_to) and next_to not in occupied
        for player in state.players
        for place in player.places
        for next_to in neighbours(place)
    )


@settings(max_examples=60)
@given(played_states())
def test_the_game_is_over_exactly_when_no_penguin_has_a_free_neighbouring_tile(game):
    for state, _ in game:
        assert is_over(state) == (not somebody_has_a_free_neighbour(state))
    assert is_over(game[-1][0])


@settings(max_examples=60)
@given(played_states())
def test_the_player_to_move_can_move_and_only_players_without_a_move_are_skipped(game):
    for state, action in game:
        if action is None:
            continue
        after, skipped = next_turn(state.after(action))
        if not is_over(after):
            assert can_move(after, after.current.color)
        for color in skipped:
            assert not can_move(after, color)
        assert len(skipped) < len(state.players)


def test_a_player_without_a_move_is_skipped_while_another_can_move():
    board = [[1, 1, 1, 1], [0, 0, 0, 0], [1, 1, 1, 1], [0, 0, 0, 0], [1, 0, 0, 0]]
    # white's penguin on [4, 0] is cut off; red and brown can move along row 0 and row 2 (north/south steps of two rows)
    state = state_of(board, (RED, [(0, 0)]), (WHITE, [(4, 0)]), (BROWN, [(2, 3)]))
    after, skipped = next_turn(state.after(Action(Position(0, 0), Position(2, 0))))
    assert skipped == (WHITE,)
    assert after.current.color is BROWN


def test_when_nobody_can_move_the_game_is_over_and_nobody_is_skipped():
    state = state_of([[1, 0, 1]], (RED, [(0, 0)]), (WHITE, [(0, 2)]))
    assert is_over(state)
    assert to_mover(state) == (state, ())


def test_winners_are_all_the_players_tied_at_the_highest_score():
    state = state_of([[1, 1, 1]], (RED, [(0, 0)]), (WHITE, [(0, 1)]), (BROWN, [(0, 2)]), scores={RED: 7, WHITE: 3, BROWN: 7})
    assert winners(state) == (RED, BROWN)


def test_removing_a_player_takes_its_penguins_off_and_keeps_the_seat_order():
    state = state_of([[1, 1, 1, 1]], (RED, [(0, 0)]), (WHITE, [(0, 1)]), (BROWN, [(0, 2)]), (BLACK, [(0, 3)]))
    after = state.without(WHITE)
    assert after.colors == (RED, BROWN, BLACK)
    assert Position(0, 1) not in after.occupied()
    assert after.turn_of(BLACK).colors == (BLACK, RED, BROWN)


@pytest.mark.parametrize("players, penguins", [(2, 4), (3, 3), (4, 2)])
def test_n_players_have_6_minus_n_penguins(players, penguins):
    assert penguins_per_player(players) == penguins


@given(boards(), st.data())
def test_a_placement_is_legal_exactly_on_a_tile_with_fish_and_no_penguin(board, data):
    state = State(board, [PlayerState(RED), PlayerState(WHITE, 0, list(board.tiles())[:1])])
    position = data.draw(positions())
    legal = board.fish(position) > 0 and position not in state.occupied()
    assert (placement_error(state, position) is None) == legal
