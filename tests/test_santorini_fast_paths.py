"""Santorini's fast paths in the server agree with the straightforward ones they replace.

The readers of replies (`read_action`, `read_place`) give the converter's
value or its very StructureError for any JSON value; `judge_turn`,
`has_legal_turn` and `Board.with_worker` agree with a formulation in
Places and whole validated Boards (kept here); the writers of requests
and game events give the JSON the converter's own hooks would.
"""

from __future__ import annotations

from typing import Any

import common_strategies as cs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from Common.santorini.actions import Action, GiveUp, MoveAndBuild, WinningMove
from Common.santorini.board import MAX_HEIGHT, WINNING_HEIGHT, Board, WorkerPlace
from Common.santorini.geometry import DIRECTIONS, PLACES, Direction, EastWest, NorthSouth, Place
from Common.santorini.names import Name, Worker
from Common.santorini.rules import Verdict, has_legal_turn, judge_turn, legal_actions
from Common.santorini.wire import WIRE, action_to_json, board_to_json, placement_to_json, read_action, read_place, structure, unstructure
from Common.strict import StructureError
from Remote.framing import encode
from Remote.santorini.remote_player import board_request

MANY = settings(max_examples=400, deadline=None)
RULES = settings(max_examples=150, deadline=None)


def outcome(read: Any, value: Any) -> tuple[str, Any]:
    """What `read(value)` comes to: ("value", the value and its class) or ("error", the message)."""
    try:
        result = read(value)
    except StructureError as error:
        return "error", str(error)
    return "value", (type(result), result)


# ---------------------------------------------------------------------------
# The readers of replies


WORDS = ["alice", "alice1", "alice2", "alice3", "bob2", "Alice1", "EAST", "WEST", "PUT", "NORTH", "SOUTH", "east", "", "1"]
"""Strings a turn is made of, and near misses of them."""


def near_turns() -> st.SearchStrategy[Any]:
    """Lists shaped like a turn (0 to 6 parts), each part a right word, a wrong one, or not a string at all."""
    part = st.one_of(
        st.sampled_from(WORDS),
        cs.worker_json(),
        st.integers(-2, 8),
        st.booleans(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.none(),
        st.lists(st.sampled_from(WORDS), max_size=2),
        st.dictionaries(st.sampled_from(WORDS), st.integers(0, 2), max_size=1),
    )
    return st.lists(part, max_size=6)


def near_places() -> st.SearchStrategy[Any]:
    """Lists shaped like a place (0 to 3 parts): whole numbers in and out of range, and what only looks like one."""
    part = st.one_of(
        st.integers(-2, 8),
        st.integers(),
        st.booleans(),
        st.sampled_from([0.0, 1.0, 5.0, -0.0, 2.5]),
        st.sampled_from(["0", "5", ""]),
        st.none(),
        st.lists(st.integers(0, 5), max_size=2),
    )
    return st.lists(part, max_size=3)


@MANY
@given(st.one_of(cs.action_json(), near_turns(), cs.json_values(), st.sampled_from(WORDS), cs.names(), st.text(max_size=70)))
def test_the_reader_of_turns_gives_the_converters_action_or_its_error(value: Any) -> None:
    assert outcome(read_action, value) == outcome(lambda v: structure(v, Action), value)


@MANY
@given(st.one_of(cs.place_json(), near_places(), cs.json_values()))
def test_the_reader_of_places_gives_the_converters_place_or_its_error(value: Any) -> None:
    assert outcome(read_place, value) == outcome(lambda v: structure(v, Place), value)


REFUSED_TURNS = [
    ["alice1", "EAST", "PUT", "PUT", "PUT"],
    ["alice1", "PUT", "PUT"],
    ["alice1", "EAST", "PUT", "", "NORTH"],
    ["alice3", "EAST", "PUT"],
    ["alice1", True, "PUT"],
    ["alice1", "EAST", "PUT", "WEST"],
    "Alice",
    "",
    5,
    None,
]
REFUSED_PLACES = [["5", 0], [True, 0], [0, False], [1.0, 2], [0, 6], [-1, 0], [0], [0, 0, 0], "00", None]


@pytest.mark.parametrize(
    "reader, kind, value",
    [(read_action, Action, turn) for turn in REFUSED_TURNS] + [(read_place, Place, place) for place in REFUSED_PLACES],
)
def test_what_only_looks_like_a_turn_or_a_place_is_refused_with_the_converters_words(reader: Any, kind: Any, value: Any) -> None:
    with pytest.raises(StructureError) as refused:
        structure(value, kind)
    with pytest.raises(StructureError) as read:
        reader(value)
    assert str(read.value) == str(refused.value)


# ---------------------------------------------------------------------------
# The rules, against their formulation in Places


def reference_judge(board: Board, player: Name, action: Action) -> Verdict:
    """judge_turn in Places and validated Boards, one check after another as the spec lists them."""
    if isinstance(action, GiveUp):
        return Verdict(gives_up=True) if action.name == player else Verdict(error=f"gave up in the name of {action.name}, not {player}")
    worker = action.worker
    if worker.owner != player:
        return Verdict(error=f"worker {worker} belongs to {worker.owner}, not {player}")
    start = board.place_of(worker)
    if start is None:
        return Verdict(error=f"worker {worker} is not on the board")
    target = start.step(action.move)
    if target is None:
        return Verdict(error=f"worker {worker} would step off the board")
    where = f"[{target.x}, {target.y}]"
    if not board.is_free(target):
        return Verdict(error=f"worker {worker} would step onto another worker at {where}")
    if board.height(target) == MAX_HEIGHT:
        return Verdict(error=f"worker {worker} would step onto a capped tower at {where}")
    if board.height(target) > board.height(start) + 1:
        return Verdict(error=f"worker {worker} would climb more than one floor to {where}")
    if isinstance(action, WinningMove):
        if board.height(target) != WINNING_HEIGHT:
            return Verdict(error=f"a move without a build must reach height 3, {where} has height {board.height(target)}")
        return Verdict(wins=True)
    build = target.step(action.build)
    if build is None:
        return Verdict(error="the build is off the board")
    if build == target or (build != start and not board.is_free(build)):
        return Verdict(error=f"the build at [{build.x}, {build.y}] is on a worker")
    if board.height(build) == MAX_HEIGHT:
        return Verdict(error=f"the build at [{build.x}, {build.y}] is on a capped tower")
    if board.height(target) == WINNING_HEIGHT:
        return Verdict(wins=True)
    heights = list(board.heights)
    heights[build.index] += 1
    moved = [WorkerPlace(wp.worker, target) if wp.worker == worker else wp for wp in board.workers]
    return Verdict(board=Board(heights, moved))


@st.composite
def turns(draw: st.DrawFn, board: Board) -> Action:
    """A turn someone might take on `board`: mostly with a worker on it, sometimes with another; any directions."""
    standing = [wp.worker for wp in board.workers]
    worker = draw(st.one_of(st.sampled_from(standing), cs.workers()) if standing else cs.workers())
    kind = draw(st.sampled_from(["give up", "winning move", "move and build", "move and build"]))
    if kind == "give up":
        return GiveUp(draw(st.one_of(st.just(worker.owner), cs.names())))
    move = draw(cs.directions())
    if kind == "winning move":
        return WinningMove(worker, move)
    return MoveAndBuild(worker, move, draw(cs.directions()))


@RULES
@given(st.one_of(cs.positions().map(lambda position: position.board), cs.boards()), st.data())
def test_judge_turn_agrees_with_its_formulation_in_places(board: Board, data: st.DataObject) -> None:
    owners = sorted({wp.worker.owner for wp in board.workers})
    player = data.draw(st.one_of(st.sampled_from(owners), cs.names()))
    for _ in range(10):
        action = data.draw(turns(board))
        assert judge_turn(board, player, action) == reference_judge(board, player, action)


@RULES
@given(cs.positions())
def test_every_legal_turn_is_judged_as_its_formulation_in_places_judges_it(position: cs.Position) -> None:
    for action in legal_actions(position.board, position.player):
        verdict = judge_turn(position.board, position.player, action)
        assert verdict == reference_judge(position.board, position.player, action)
        assert verdict.error is None


def test_a_direction_equal_to_one_of_the_eight_steps_as_it_does() -> None:
    board = Board.empty().with_worker(Worker(Name("a"), 1), Place(2, 2)).with_worker(Worker(Name("b"), 1), Place(4, 4))
    fresh = MoveAndBuild(Worker(Name("a"), 1), Direction(EastWest.EAST, NorthSouth.PUT), Direction(EastWest.WEST, NorthSouth.SOUTH))
    assert all(fresh.move is not direction for direction in DIRECTIONS)
    assert judge_turn(board, Name("a"), fresh) == reference_judge(board, Name("a"), fresh)
    assert judge_turn(board, Name("a"), fresh).board is not None


class OddDirection(Direction):
    """A subclass: no Direction equals one of its instances, so none is a key of STEPS."""


def test_a_direction_of_a_subclass_steps_as_its_words_say() -> None:
    board = Board.empty().with_worker(Worker(Name("a"), 1), Place(2, 2)).with_worker(Worker(Name("b"), 1), Place(4, 4))
    odd = MoveAndBuild(Worker(Name("a"), 1), OddDirection(EastWest.WEST, NorthSouth.NORTH), OddDirection(EastWest.PUT, NorthSouth.SOUTH))
    assert judge_turn(board, Name("a"), odd) == reference_judge(board, Name("a"), odd)
    assert judge_turn(board, Name("a"), odd).board == board.after_turn(Worker(Name("a"), 1), Place(1, 1), Place(1, 2))


@RULES
@given(st.one_of(cs.positions().map(lambda position: position.board), cs.boards(), cs.boards(st.integers(0, 3))), cs.names())
def test_has_legal_turn_is_whether_legal_actions_lists_one(board: Board, stranger: Name) -> None:
    for player in {*(wp.worker.owner for wp in board.workers), stranger}:
        assert has_legal_turn(board, player) == (next(legal_actions(board, player), None) is not None)


def board_outcome(make: Any, *arguments: Any) -> tuple[str, Any]:
    """What `make(*arguments)` comes to: ("board", the Board) or ("error", the ValueError's class and message)."""
    try:
        return "board", make(*arguments)
    except ValueError as error:
        return "error", (type(error), str(error))


@RULES
@given(cs.boards(st.integers(0, 3)), st.data())
def test_with_worker_gives_the_board_or_the_error_of_a_whole_new_board(board: Board, data: st.DataObject) -> None:
    owners = sorted({wp.worker.owner for wp in board.workers})
    for _ in range(10):
        owner = data.draw(st.one_of(st.sampled_from(owners), cs.names()) if owners else cs.names())
        worker = Worker(owner, data.draw(st.sampled_from([1, 2])))
        place = data.draw(st.one_of(cs.places(), st.sampled_from([wp.place for wp in board.workers] or list(PLACES))))
        whole = board_outcome(lambda worker, place: Board(board.heights, (*board.workers, WorkerPlace(worker, place))), worker, place)
        assert board_outcome(board.with_worker, worker, place) == whole


def test_with_worker_refuses_a_capped_tower_as_a_whole_new_board_does() -> None:
    capped = Board((MAX_HEIGHT,) + (0,) * 35, ())
    with pytest.raises(ValueError, match="worker a1 stands on a capped tower"):
        capped.with_worker(Worker(Name("a"), 1), Place(0, 0))


# ---------------------------------------------------------------------------
# The writers of requests and game events


@RULES
@given(st.one_of(cs.positions().map(lambda position: position.board), cs.boards(st.integers(0, 4))))
def test_board_to_json_writes_every_cell_as_the_spec_does(board: Board) -> None:
    assert board_to_json(board) == cs.board_json(board)


@RULES
@given(st.one_of(cs.positions().map(lambda position: position.board), cs.boards(st.integers(0, 4))))
def test_the_board_request_is_the_encoded_board_byte_for_byte(board: Board) -> None:
    assert board_request(board) == encode(board_to_json(board))


@MANY
@given(cs.placements())
def test_placement_to_json_is_unstructure_of_a_placement(placement: tuple[WorkerPlace, ...]) -> None:
    assert placement_to_json(placement) == [WIRE.unstructure(wp) for wp in placement] == unstructure(placement)


@MANY
@given(cs.actions())
def test_action_to_json_writes_the_words_of_the_spec(action: Action) -> None:
    if isinstance(action, GiveUp):
        expected: Any = action.name
    else:
        expected = [f"{action.worker.owner}{action.worker.number}", *cs.direction_json(action.move)]
        if isinstance(action, MoveAndBuild):
            expected += cs.direction_json(action.build)
    assert action_to_json(action) == expected
    assert read_action(action_to_json(action)) == action
