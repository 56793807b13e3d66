"""The rules: legal play keeps boards legal and ends, the checks agree with the spec, and its corner cases."""

from __future__ import annotations

import random

import common_strategies as cs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from Common.santorini.actions import Action, GiveUp, MoveAndBuild, WinningMove
from Common.santorini.board import MAX_HEIGHT, WINNING_HEIGHT, Board, WorkerPlace
from Common.santorini.geometry import DIRECTIONS, PLACES, SIZE, Direction, EastWest, NorthSouth, Place
from Common.santorini.names import Name, Worker
from Common.santorini.rules import action_error, apply_action, has_legal_turn, is_winning, legal_actions, placement_error

ALICE, BOB, CARL = Name("alice"), Name("bob"), Name("carl")
ALICE1, ALICE2, BOB1, BOB2 = Worker(ALICE, 1), Worker(ALICE, 2), Worker(BOB, 1), Worker(BOB, 2)

N, S, E, W = NorthSouth.NORTH, NorthSouth.SOUTH, EastWest.EAST, EastWest.WEST
PUT_EW, PUT_NS = EastWest.PUT, NorthSouth.PUT
NORTH, SOUTH = Direction(PUT_EW, N), Direction(PUT_EW, S)
EAST, WEST = Direction(E, PUT_NS), Direction(W, PUT_NS)
NORTH_EAST, SOUTH_WEST = Direction(E, N), Direction(W, S)


def board(workers: dict[Worker, tuple[int, int]], heights: dict[tuple[int, int], int] | None = None) -> Board:
    """A board with `workers` on the given (x, y) squares and `heights` where given, 0 elsewhere."""
    heights = heights or {}
    return Board(
        [heights.get((p.x, p.y), 0) for p in PLACES],
        [WorkerPlace(worker, Place(*xy)) for worker, xy in workers.items()],
    )


BOB_FAR_AWAY = {BOB1: (5, 5), BOB2: (5, 4)}


def alone(alice1: tuple[int, int], heights: dict[tuple[int, int], int] | None = None) -> Board:
    """alice1 on `alice1`, alice2 in the north-west corner, bob in the south-east corner."""
    return board({ALICE1: alice1, ALICE2: (0, 0), **BOB_FAR_AWAY}, heights)


# ---------------------------------------------------------------------------
# The spec, written out independently of Common.santorini.rules


def spec_says_legal(board: Board, player: Name, action: Action) -> bool:
    """Section 1 and 2 of the spec, read literally, on raw coordinates."""
    if isinstance(action, GiveUp):
        return action.name == player
    if action.worker.owner != player:
        return False
    standing = {(wp.place.x, wp.place.y): wp.worker for wp in board.workers}
    starts = [xy for xy, worker in standing.items() if worker == action.worker]
    if not starts:
        return False
    ((x, y),) = starts

    def height(xy: tuple[int, int]) -> int:
        return board.heights[xy[1] * SIZE + xy[0]]

    def on_board(xy: tuple[int, int]) -> bool:
        return 0 <= xy[0] < SIZE and 0 <= xy[1] < SIZE

    to = (x + action.move.dx, y + action.move.dy)
    if not on_board(to) or to in standing or height(to) > 3 or height(to) > height((x, y)) + 1:
        return False
    if isinstance(action, WinningMove):
        return height(to) == 3
    build = (to[0] + action.build.dx, to[1] + action.build.dy)
    occupied_after = (set(standing) - {(x, y)}) | {to}
    return on_board(build) and build not in occupied_after and height(build) < 4


def every_action_of(board: Board, players: tuple[Name, ...]) -> list[Action]:
    """Every action naming a worker of `players` (on the board or not), any directions."""
    actions: list[Action] = []
    for owner in players:
        actions.append(GiveUp(owner))
        for number in (1, 2):
            worker = Worker(owner, number)
            for move in DIRECTIONS:
                actions.append(WinningMove(worker, move))
                actions.extend(MoveAndBuild(worker, move, build) for build in DIRECTIONS)
    return actions


def assert_a_legal_game_board(board: Board, players: tuple[Name, Name]) -> None:
    """What Board's own validators promise, and more: four workers, two per player, none on a capped tower."""
    assert len(board.heights) == SIZE * SIZE
    assert all(type(h) is int and 0 <= h <= MAX_HEIGHT for h in board.heights)
    assert len(board.workers) == 4
    assert len({wp.place for wp in board.workers}) == 4
    assert sorted(wp.worker for wp in board.workers) == sorted(Worker(owner, number) for owner in players for number in (1, 2))
    assert all(board.height(wp.place) < MAX_HEIGHT for wp in board.workers)
    # Board's validators accept it when built afresh.
    assert Board(board.heights, board.workers) == board


def target_of(board: Board, action: WinningMove | MoveAndBuild) -> Place:
    start = board.place_of(action.worker)
    return Place(start.x + action.move.dx, start.y + action.move.dy)


# ---------------------------------------------------------------------------
# Properties


@settings(deadline=None, max_examples=30)
@given(cs.positions(), st.randoms(use_true_random=False))
def test_random_legal_play_keeps_the_board_legal_and_ends(position: cs.Position, choose: random.Random) -> None:
    players = (position.player, position.opponent)
    assert_a_legal_game_board(position.board, players)
    state, player, opponent = position.board, position.player, position.opponent
    turns = position.turns
    while True:
        legal = list(legal_actions(state, player))
        assert bool(legal) == has_legal_turn(state, player)
        if not legal:
            break  # the player to move loses: it has no legal turn
        action = choose.choice(legal)
        assert action_error(state, player, action) is None, action
        if is_winning(state, action):
            assert state.height(target_of(state, action)) == WINNING_HEIGHT
            break
        assert isinstance(action, MoveAndBuild)
        after = apply_action(state, action)
        assert_a_legal_game_board(after, players)
        assert sum(after.heights) == sum(state.heights) + 1, "every turn adds exactly one floor"
        assert after.workers_of(opponent) == state.workers_of(opponent)
        state, player, opponent = after, opponent, player
        turns += 1
        assert turns <= cs.MAX_TURNS


@settings(deadline=None, max_examples=30)
@given(cs.positions())
def test_action_error_agrees_with_legal_actions_and_the_spec(position: cs.Position) -> None:
    state, player = position.board, position.player
    reported = list(legal_actions(state, player))
    legal = set(reported)
    assert len(reported) == len(legal), "legal_actions reports each action once"
    assert all(action_error(state, player, action) is None for action in reported)
    for action in every_action_of(state, (position.player, position.opponent, CARL)):
        error = action_error(state, player, action)
        is_legal = error is None
        assert is_legal == spec_says_legal(state, player, action), (action, error)
        if not isinstance(action, GiveUp):
            assert is_legal == (action in legal), (action, error)
        else:
            assert is_legal == (action.name == player)
        if not is_legal:
            assert isinstance(error, str) and error and "\n" not in error


@settings(deadline=None, max_examples=40)
@given(cs.boards(), st.sampled_from([0, 1]))
def test_action_error_agrees_with_the_spec_on_random_boards(board_: Board, which: int) -> None:
    owners = sorted({wp.worker.owner for wp in board_.workers})
    player = owners[which]
    legal = set(legal_actions(board_, player))
    assert has_legal_turn(board_, player) == bool(legal)
    for action in every_action_of(board_, (*owners, CARL)):
        is_legal = action_error(board_, player, action) is None
        assert is_legal == spec_says_legal(board_, player, action), action
        if not isinstance(action, GiveUp):
            assert is_legal == (action in legal), action


@settings(deadline=None, max_examples=20)
@given(cs.positions())
def test_a_worker_that_can_move_can_build_where_it_stood(position: cs.Position) -> None:
    state, player = position.board, position.player
    for action in legal_actions(state, player):
        back = Direction(
            {E: W, W: E, PUT_EW: PUT_EW}[action.move.east_west],
            {N: S, S: N, PUT_NS: PUT_NS}[action.move.north_south],
        )
        assert action_error(state, player, MoveAndBuild(action.worker, action.move, back)) is None


def next_to_place(board: Board) -> Worker:
    """A worker that may be placed next on a placement-phase `board`."""
    owners = [wp.worker.owner for wp in board.workers]
    if len(set(owners)) == 2:
        return Worker(next(o for o in owners if owners.count(o) == 1), 2)
    return Worker(Name("b" if "a" in owners else "a"), 1)


@cs.QUICK
@given(cs.placement_boards())
def test_a_worker_may_be_placed_on_exactly_the_free_squares_below_a_capped_tower(board_: Board) -> None:
    taken = {wp.place for wp in board_.workers}
    for place in PLACES:
        error = placement_error(board_, place)
        assert (error is None) == (place not in taken and board_.height(place) < 4)
        if error is None:
            assert len(board_.with_worker(next_to_place(board_), place).workers) == len(taken) + 1
        else:
            assert f"[{place.x}, {place.y}]" in error


# ---------------------------------------------------------------------------
# Moving


def test_a_worker_cannot_climb_two_floors() -> None:
    state = alone((2, 2), {(2, 2): 1, (3, 2): 3})
    assert action_error(state, ALICE, MoveAndBuild(ALICE1, EAST, EAST)) is not None
    assert "climb" in action_error(state, ALICE, MoveAndBuild(ALICE1, EAST, EAST))
    assert action_error(state, ALICE, WinningMove(ALICE1, EAST)) is not None
    assert action_error(alone((2, 2), {(3, 2): 2}), ALICE, MoveAndBuild(ALICE1, EAST, EAST)) is not None


def test_a_worker_can_climb_one_floor() -> None:
    state = alone((2, 2), {(2, 2): 1, (3, 2): 2})
    assert action_error(state, ALICE, MoveAndBuild(ALICE1, EAST, EAST)) is None
    after = apply_action(state, MoveAndBuild(ALICE1, EAST, EAST))
    assert after.place_of(ALICE1) == Place(3, 2)
    assert after.height(Place(4, 2)) == 1


def test_a_worker_can_step_on_the_same_level() -> None:
    assert action_error(alone((2, 2), {(2, 2): 2, (2, 1): 2}), ALICE, MoveAndBuild(ALICE1, NORTH, NORTH)) is None


@pytest.mark.parametrize("drop", [1, 2, 3])
def test_a_worker_can_jump_down_any_number_of_floors(drop: int) -> None:
    state = alone((2, 2), {(2, 2): 3, (1, 3): 3 - drop})
    assert action_error(state, ALICE, MoveAndBuild(ALICE1, SOUTH_WEST, NORTH)) is None
    assert apply_action(state, MoveAndBuild(ALICE1, SOUTH_WEST, NORTH)).place_of(ALICE1) == Place(1, 3)


def test_a_worker_cannot_move_onto_a_worker() -> None:
    state = board({ALICE1: (2, 2), ALICE2: (3, 2), BOB1: (2, 3), BOB2: (5, 5)})
    assert "worker" in action_error(state, ALICE, MoveAndBuild(ALICE1, EAST, EAST))
    assert action_error(state, ALICE, MoveAndBuild(ALICE1, SOUTH, SOUTH)) is not None
    assert action_error(state, ALICE, MoveAndBuild(ALICE1, NORTH, NORTH)) is None


def test_a_worker_cannot_move_onto_a_capped_tower() -> None:
    state = alone((2, 2), {(2, 2): 3, (2, 1): MAX_HEIGHT})
    assert "capped" in action_error(state, ALICE, MoveAndBuild(ALICE1, NORTH, SOUTH))
    assert action_error(state, ALICE, WinningMove(ALICE1, NORTH)) is not None


@pytest.mark.parametrize(
    ("start", "move"),
    [((0, 3), WEST), ((5, 2), EAST), ((3, 0), NORTH), ((2, 5), SOUTH), ((5, 0), NORTH_EAST), ((0, 5), SOUTH_WEST)],
)
def test_a_worker_cannot_move_off_the_board(start: tuple[int, int], move: Direction) -> None:
    state = board({ALICE1: start, ALICE2: (2, 2), BOB1: (3, 3), BOB2: (3, 2)})
    error = action_error(state, ALICE, MoveAndBuild(ALICE1, move, Direction(move.east_west, move.north_south)))
    assert error is not None and "off the board" in error
    assert action_error(state, ALICE, WinningMove(ALICE1, move)) is not None


# ---------------------------------------------------------------------------
# Building


def test_a_worker_cannot_build_on_the_square_of_a_worker() -> None:
    state = board({ALICE1: (2, 2), ALICE2: (4, 2), BOB1: (3, 1), BOB2: (5, 5)})
    assert "worker" in action_error(state, ALICE, MoveAndBuild(ALICE1, EAST, EAST))  # alice2
    assert action_error(state, ALICE, MoveAndBuild(ALICE1, EAST, NORTH)) is not None  # bob1
    assert action_error(state, ALICE, MoveAndBuild(ALICE1, EAST, SOUTH)) is None


def test_a_worker_can_build_on_the_square_it_just_vacated() -> None:
    state = alone((2, 2), {(2, 2): 2})
    assert action_error(state, ALICE, MoveAndBuild(ALICE1, EAST, WEST)) is None
    after = apply_action(state, MoveAndBuild(ALICE1, EAST, WEST))
    assert after.height(Place(2, 2)) == 3
    assert after.worker_at(Place(2, 2)) is None


def test_a_worker_cannot_build_on_a_capped_tower() -> None:
    state = alone((2, 2), {(4, 2): MAX_HEIGHT})
    assert "capped" in action_error(state, ALICE, MoveAndBuild(ALICE1, EAST, EAST))
    assert action_error(alone((2, 2), {(4, 2): 3}), ALICE, MoveAndBuild(ALICE1, EAST, EAST)) is None
    assert apply_action(alone((2, 2), {(4, 2): 3}), MoveAndBuild(ALICE1, EAST, EAST)).height(Place(4, 2)) == MAX_HEIGHT


@pytest.mark.parametrize(("start", "move", "build"), [((1, 2), WEST, WEST), ((4, 0), EAST, NORTH), ((2, 4), SOUTH, SOUTH_WEST)])
def test_a_worker_cannot_build_off_the_board(start: tuple[int, int], move: Direction, build: Direction) -> None:
    state = board({ALICE1: start, ALICE2: (3, 3), BOB1: (3, 2), BOB2: (2, 2)})
    assert action_error(state, ALICE, MoveAndBuild(ALICE1, move, build)) == "the build is off the board"


# ---------------------------------------------------------------------------
# Winning


def test_a_winning_move_must_reach_height_3() -> None:
    state = alone((2, 2), {(2, 2): 2, (3, 2): 3, (1, 2): 2})
    assert action_error(state, ALICE, WinningMove(ALICE1, EAST)) is None
    assert is_winning(state, WinningMove(ALICE1, EAST))
    error = action_error(state, ALICE, WinningMove(ALICE1, WEST))
    assert error is not None and "height 3" in error
    assert not is_winning(state, WinningMove(ALICE1, WEST))


def test_a_move_and_build_onto_height_3_wins_when_its_build_is_legal() -> None:
    state = alone((2, 2), {(2, 2): 2, (3, 2): 3})
    action = MoveAndBuild(ALICE1, EAST, EAST)
    assert action_error(state, ALICE, action) is None
    assert is_winning(state, action)
    assert action in set(legal_actions(state, ALICE))


def test_a_move_and_build_onto_height_3_with_an_illegal_build_is_illegal() -> None:
    state = board({ALICE1: (4, 2), ALICE2: (0, 0), BOB1: (4, 1), BOB2: (3, 3)}, {(4, 2): 2, (5, 2): 3})
    assert action_error(state, ALICE, MoveAndBuild(ALICE1, EAST, EAST)) is not None  # off the board
    assert action_error(state, ALICE, MoveAndBuild(ALICE1, EAST, Direction(W, N))) is not None  # onto bob1
    assert action_error(state, ALICE, WinningMove(ALICE1, EAST)) is None


def test_a_move_to_a_lower_square_does_not_win() -> None:
    state = alone((2, 2), {(2, 2): 3, (3, 2): 2})
    assert not is_winning(state, MoveAndBuild(ALICE1, EAST, EAST))
    assert not is_winning(state, GiveUp(ALICE))


# ---------------------------------------------------------------------------
# Whose turn


def test_moving_another_players_worker_is_illegal() -> None:
    state = alone((2, 2))
    for action in [MoveAndBuild(BOB1, NORTH, NORTH), WinningMove(BOB1, NORTH), MoveAndBuild(BOB2, WEST, WEST)]:
        error = action_error(state, ALICE, action)
        assert error is not None and "belongs to bob" in error
    assert action_error(state, BOB, MoveAndBuild(BOB2, NORTH, NORTH)) is None


def test_a_worker_of_a_longer_name_is_not_the_players() -> None:
    alicea = Name("alicea")
    state = board({ALICE1: (0, 0), ALICE2: (1, 0), Worker(alicea, 1): (3, 3), Worker(alicea, 2): (4, 4)})
    assert action_error(state, ALICE, MoveAndBuild(Worker(alicea, 1), NORTH, NORTH)) is not None
    assert action_error(state, alicea, MoveAndBuild(ALICE1, SOUTH, SOUTH)) is not None


def test_giving_up_in_someone_elses_name_is_illegal() -> None:
    state = alone((2, 2))
    assert action_error(state, ALICE, GiveUp(ALICE)) is None
    error = action_error(state, ALICE, GiveUp(BOB))
    assert error is not None and "bob" in error
    assert action_error(state, ALICE, GiveUp(Name("alicea"))) is not None


def test_a_worker_that_is_not_on_the_board_cannot_move() -> None:
    state = board({ALICE1: (0, 0), BOB1: (5, 5)})
    assert "not on the board" in action_error(state, ALICE, MoveAndBuild(ALICE2, EAST, EAST))


# ---------------------------------------------------------------------------
# Having a turn at all


def test_a_boxed_in_player_has_no_legal_turn() -> None:
    # alice1 in the north-west corner, next to a capped tower, bob1, and a square two floors up;
    # alice2 in the south-west corner, next to two capped towers and bob2.
    state = board(
        {ALICE1: (0, 0), BOB1: (0, 1), ALICE2: (0, 5), BOB2: (1, 5)},
        {(1, 0): MAX_HEIGHT, (1, 1): 2, (0, 4): MAX_HEIGHT, (1, 4): MAX_HEIGHT},
    )
    assert not has_legal_turn(state, ALICE)
    assert list(legal_actions(state, ALICE)) == []
    assert has_legal_turn(state, BOB)


def test_a_player_with_one_way_out_has_a_legal_turn() -> None:
    state = board(
        {ALICE1: (0, 0), BOB1: (0, 1), ALICE2: (0, 5), BOB2: (1, 5)},
        {(1, 0): MAX_HEIGHT, (1, 1): 1, (0, 4): MAX_HEIGHT, (1, 4): MAX_HEIGHT},
    )
    assert has_legal_turn(state, ALICE)
    assert {a.worker for a in legal_actions(state, ALICE)} == {ALICE1}
    assert all(a.move == Direction(E, S) for a in legal_actions(state, ALICE))


def test_workers_boxed_in_by_each_other_have_no_legal_turn() -> None:
    # alice's workers stand side by side in the corner, each other's only flat neighbour.
    state = board(
        {ALICE1: (0, 0), ALICE2: (1, 0), BOB1: (5, 5), BOB2: (5, 4)},
        {(0, 1): 2, (1, 1): 2, (2, 1): MAX_HEIGHT, (2, 0): MAX_HEIGHT},
    )
    assert not has_legal_turn(state, ALICE)


def test_a_player_without_workers_has_no_legal_turn() -> None:
    assert not has_legal_turn(board({BOB1: (2, 2), BOB2: (3, 3)}), ALICE)


def test_a_player_on_an_open_board_has_a_legal_turn() -> None:
    state = alone((2, 2))
    assert has_legal_turn(state, ALICE) and has_legal_turn(state, BOB)
    assert not has_legal_turn(state, CARL)


# ---------------------------------------------------------------------------
# Placing


def test_a_worker_cannot_be_placed_on_an_occupied_square() -> None:
    state = Board.empty().with_worker(ALICE1, Place(0, 0)).with_worker(BOB1, Place(5, 5))
    error = placement_error(state, Place(5, 5))
    assert error is not None and "[5, 5]" in error
    assert placement_error(state, Place(0, 0)) is not None
    assert placement_error(state, Place(0, 1)) is None
    assert state.with_worker(ALICE2, Place(0, 1)).worker_at(Place(0, 1)) == ALICE2


def test_a_worker_cannot_be_placed_on_a_capped_tower() -> None:
    heights = [0] * 36
    heights[Place(2, 3).index] = 4
    error = placement_error(Board(heights, ()), Place(2, 3))
    assert error == "square [2, 3] is a capped tower"
