"""What a client accepts from other servers beyond the spec (section 10), and that the strict converter still refuses it.

`structure_from_server` takes heights written as digit strings in a Board
and nameless workers ("1") in a Placement; `structure`, which the server
uses, refuses both.
"""

from __future__ import annotations

from typing import Any

import common_strategies as cs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from Common.santorini.actions import Placement
from Common.santorini.board import Board, WorkerPlace
from Common.santorini.geometry import Place
from Common.santorini.names import Name, Worker
from Common.santorini.wire import Recipient, structure, structure_from_server, unstructure
from Common.strict import StructureError

# ---------------------------------------------------------------------------
# Heights written as digit strings


@st.composite
def boards_with_digit_heights(draw: st.DrawFn) -> tuple[list[list[Any]], Board]:
    """A board as some servers write it, with at least one height as a string ("3"), and the board it stands for."""
    board = draw(cs.boards())
    rows = cs.board_json(board)
    plain = [(x, y) for y, row in enumerate(rows) for x, cell in enumerate(row) if type(cell) is int]
    for x, y in draw(st.lists(st.sampled_from(plain), min_size=1, unique=True)):
        rows[y][x] = str(rows[y][x])
    return rows, board


@cs.QUICK
@given(boards_with_digit_heights())
def test_a_client_reads_heights_written_as_digit_strings(written: tuple[list[list[Any]], Board]) -> None:
    rows, board = written
    assert structure_from_server(rows, Board) == board


@cs.QUICK
@given(boards_with_digit_heights())
def test_the_server_still_refuses_heights_written_as_digit_strings(written: tuple[list[list[Any]], Board]) -> None:
    rows, _ = written
    with pytest.raises(StructureError):
        structure(rows, Board)


@pytest.mark.parametrize("cell", ["5", "-1", "10", "3 ", "", "٣", "0.5"])
def test_a_client_still_refuses_strings_that_are_not_a_height(cell: str) -> None:
    rows = [[cell, "0a1", "0a2", "0b1", "0b2"]]
    with pytest.raises(StructureError, match=r"@ \$\[0\]\[0\]"):
        structure_from_server(rows, Board)


def test_a_short_board_of_digit_strings_reads_like_its_numbers() -> None:
    rows = [["4", "0a1", "2"], ["0a2", "3", "0b1", "0b2"]]
    board = structure_from_server(rows, Board)
    assert board.heights[:3] == (4, 0, 2) and board.height(Place(1, 1)) == 3
    assert unstructure(board)[0][:3] == [4, "0a1", 2]


# ---------------------------------------------------------------------------
# Nameless workers in a Placement


@st.composite
def nameless_placements(draw: st.DrawFn) -> tuple[list[list[Any]], Placement, Recipient, bool]:
    """A Placement as a player receives it during a game, some workers written without a name.

    Returns what the server wrote, the Placement it stands for, who receives
    it (with the squares it placed its own workers on) and whether any worker
    was written nameless.
    """
    me, opponent = draw(cs.two_names())
    count = draw(st.integers(0, 3))
    first, second = (me, opponent) if count % 2 == 0 else (opponent, me)  # with 0 or 2 placed, I place first
    squares = draw(st.lists(cs.places(), min_size=count, max_size=count, unique=True))
    placed = list(zip(cs.placement_order(first, second)[:count], squares, strict=True))
    draw(st.randoms(use_true_random=False)).shuffle(placed)
    nameless = draw(st.lists(st.booleans(), min_size=count, max_size=count))
    data = [[str(w.number) if bare else str(w), p.x, p.y] for (w, p), bare in zip(placed, nameless, strict=True)]
    expected = tuple(WorkerPlace(w, p) for w, p in placed)
    mine = [p for w, p in placed if w.owner == me]
    return data, expected, Recipient(me, opponent, mine), any(nameless)


@cs.QUICK
@given(nameless_placements())
def test_a_client_gives_each_nameless_worker_its_owner_from_where_it_placed_its_own(
    written: tuple[list[list[Any]], Placement, Recipient, bool],
) -> None:
    data, expected, recipient, _ = written
    assert structure_from_server(data, Placement, recipient) == expected


@cs.QUICK
@given(nameless_placements())
def test_the_server_still_refuses_nameless_workers(written: tuple[list[list[Any]], Placement, Recipient, bool]) -> None:
    data, expected, _, any_nameless = written
    if any_nameless:
        with pytest.raises(StructureError):
            structure(data, Placement)
    else:
        assert structure(data, Placement) == expected


def test_a_nameless_worker_where_i_placed_none_is_the_opponents() -> None:
    recipient = Recipient(Name("alice"), Name("bob"), [Place(2, 2)])
    placement = structure_from_server([["2", 3, 3], ["1", 2, 2], ["1", 0, 5]], Placement, recipient)
    assert [wp.worker for wp in placement] == [Worker("bob", 2), Worker("alice", 1), Worker("bob", 1)]
    assert [wp.place for wp in placement] == [Place(3, 3), Place(2, 2), Place(0, 5)]


@pytest.mark.parametrize("worker", ["3", "0", "12", "a", 1])
def test_only_one_and_two_are_nameless_workers(worker: Any) -> None:
    with pytest.raises(StructureError, match=r"@ \$\[0\]\[0\]"):
        structure_from_server([[worker, 0, 0]], Placement, Recipient(Name("alice"), Name("bob")))


def test_without_knowing_the_recipient_a_nameless_worker_is_refused() -> None:
    with pytest.raises(StructureError, match=r"@ \$\[0\]\[0\]"):
        structure_from_server([["1", 0, 0]], Placement)


def test_a_nameless_workers_coordinates_are_still_checked() -> None:
    with pytest.raises(StructureError, match=r"@ \$\[0\]\[1\]"):
        structure_from_server([["1", 6, 0]], Placement, Recipient(Name("alice"), Name("bob")))


# ---------------------------------------------------------------------------
# Everything else alike


@pytest.mark.parametrize(
    ("type_", "json_strategy"),
    [
        pytest.param(Board, cs.boards().map(cs.board_json), id="Board"),
        pytest.param(Placement, cs.placement_json(), id="Placement"),
    ],
)
@cs.QUICK
@given(data=st.data())
def test_what_the_strict_converter_accepts_a_client_reads_the_same(type_: Any, json_strategy: Any, data: st.DataObject) -> None:
    sent = data.draw(json_strategy)
    recipient = Recipient(Name("alice"), Name("bob"), [Place(0, 0)])
    assert structure_from_server(sent, type_, recipient) == structure(sent, type_)


LENIENT_CELLS = st.one_of(st.integers(-1, 5), st.sampled_from(["0", "3", "4", "5", "1", "0alice1", "3alice2", "1bob1", "2bob2", "4bob2"]))


@cs.QUICK
@given(st.lists(st.lists(LENIENT_CELLS, max_size=7), max_size=7))
def test_any_grid_is_a_board_for_a_client_or_refused_with_a_structure_error(data: list[list[Any]]) -> None:
    try:
        board = structure_from_server(data, Board)
    except StructureError as error:
        assert "\n" not in str(error)
    else:
        assert structure(unstructure(board), Board) == board
