"""Hypothesis strategies for the data definitions of Common, one per definition.

Values come in two forms: Common values (for round trips and the rules) and
the JSON a peer would send (for the converter). `positions()` plays random
legal games, so that the rules are tested on boards real play reaches.
"""

from __future__ import annotations

import string

import attrs
from hypothesis import settings
from hypothesis import strategies as st

from Common.santorini.actions import GiveUp, MoveAndBuild, Placement, WinningMove
from Common.santorini.board import MAX_HEIGHT, WINNING_HEIGHT, Board, WorkerPlace
from Common.santorini.geometry import COORDINATES, DIRECTIONS, PLACES, SIZE, Direction, Place
from Common.santorini.names import MAX_NAME_LENGTH, Name, Worker
from Common.santorini.results import EncounterOutcome, PlayingAs
from Common.santorini.rules import apply_action, is_winning, legal_actions

LETTERS = string.ascii_lowercase
SQUARES = SIZE * SIZE
MAX_TURNS = SQUARES * MAX_HEIGHT
"""No game lasts longer: every turn adds a floor, and 36 squares hold 4 floors each."""

QUICK = settings(max_examples=40, deadline=None)
"""For properties of cheap values: enough examples to vary every part, and the whole suite stays fast."""

# ---------------------------------------------------------------------------
# Names and workers


def names() -> st.SearchStrategy[Name]:
    """Names of every length, with the longest allowed (64 letters) drawn often."""
    return st.one_of(
        st.text(LETTERS, min_size=1, max_size=8),
        st.text(LETTERS, min_size=1, max_size=MAX_NAME_LENGTH),
        st.text(LETTERS, min_size=MAX_NAME_LENGTH, max_size=MAX_NAME_LENGTH),
    ).map(Name)


def two_names() -> st.SearchStrategy[tuple[Name, Name]]:
    """The names of the two players of a game, different from each other."""
    return st.lists(names(), min_size=2, max_size=2, unique=True).map(tuple)


def workers(owner: st.SearchStrategy[Name] | None = None) -> st.SearchStrategy[Worker]:
    return st.builds(Worker, owner if owner is not None else names(), st.sampled_from([1, 2]))


# ---------------------------------------------------------------------------
# Squares and directions


def coordinates() -> st.SearchStrategy[int]:
    return st.sampled_from(COORDINATES)


def places() -> st.SearchStrategy[Place]:
    return st.sampled_from(PLACES)


def directions() -> st.SearchStrategy[Direction]:
    return st.sampled_from(DIRECTIONS)


def heights(highest: int = MAX_HEIGHT) -> st.SearchStrategy[int]:
    return st.integers(0, highest)


def worker_places() -> st.SearchStrategy[WorkerPlace]:
    return st.builds(WorkerPlace, workers(), places())


# ---------------------------------------------------------------------------
# Boards


def placement_order(first: Name, second: Name) -> tuple[Worker, ...]:
    """The workers of a game in the order they are placed: first, second, first, second."""
    return (Worker(first, 1), Worker(second, 1), Worker(first, 2), Worker(second, 2))


FOUR = st.just(4)


@st.composite
def boards(draw: st.DrawFn, worker_count: st.SearchStrategy[int] = FOUR) -> Board:
    """Random heights, and the first `worker_count` workers of the placement order on distinct squares.

    A square holding a worker is never a capped tower. With the default
    count, the board is one a game is played on: four workers, two per player.
    """
    count = draw(worker_count)
    standing = placement_order(*draw(two_names()))[:count]
    squares = draw(st.lists(places(), min_size=count, max_size=count, unique=True))
    occupied = set(squares)
    square_heights = [draw(heights(WINNING_HEIGHT if place in occupied else MAX_HEIGHT)) for place in PLACES]
    return Board(square_heights, [WorkerPlace(w, p) for w, p in zip(standing, squares, strict=True)])


def placement_boards() -> st.SearchStrategy[Board]:
    """Boards during the placement phase: flat (every game starts on an empty board), 0 to 3 workers placed."""
    return boards(st.integers(0, 3)).map(lambda board: Board((0,) * SQUARES, board.workers))


def placements() -> st.SearchStrategy[Placement]:
    """What the wire accepts as a Placement: 0 to 3 worker places, in any order, any names."""
    return st.lists(worker_places(), max_size=3).map(tuple)


# ---------------------------------------------------------------------------
# Actions, outcomes, results, renamings


def give_ups(name: st.SearchStrategy[Name] | None = None) -> st.SearchStrategy[GiveUp]:
    return st.builds(GiveUp, name if name is not None else names())


def winning_moves(worker: st.SearchStrategy[Worker] | None = None) -> st.SearchStrategy[WinningMove]:
    return st.builds(WinningMove, worker if worker is not None else workers(), directions())


def moves_and_builds(worker: st.SearchStrategy[Worker] | None = None) -> st.SearchStrategy[MoveAndBuild]:
    return st.builds(MoveAndBuild, worker if worker is not None else workers(), directions(), directions())


def actions() -> st.SearchStrategy[GiveUp | WinningMove | MoveAndBuild]:
    return st.one_of(give_ups(), winning_moves(), moves_and_builds())


def outcomes() -> st.SearchStrategy[EncounterOutcome]:
    return st.builds(lambda players, irregular: EncounterOutcome(*players, irregular=irregular), two_names(), st.booleans())


def results() -> st.SearchStrategy[tuple[EncounterOutcome, ...]]:
    return st.lists(outcomes(), max_size=10).map(tuple)


def playing_as() -> st.SearchStrategy[PlayingAs]:
    return st.builds(PlayingAs, names())


# ---------------------------------------------------------------------------
# Positions reached by legal play


@attrs.frozen
class Position:
    """A board in the middle of a game, `player` to move against `opponent`."""

    board: Board
    player: Name
    opponent: Name
    turns: int
    """How many turns were played since the placement."""


@st.composite
def positions(draw: st.DrawFn, max_turns: int = 60) -> Position:
    """A random placement, then up to `max_turns` random legal turns that do not win the game.

    Play stops early when the player to move has no turn but winning or
    giving up, so the player to move has not lost yet (it may be boxed in).
    """
    first, second = draw(two_names())
    squares = draw(st.lists(places(), min_size=4, max_size=4, unique=True))
    board = Board.empty()
    for worker, place in zip(placement_order(first, second), squares, strict=True):
        board = board.with_worker(worker, place)
    choose = draw(st.randoms(use_true_random=False))
    player, opponent = first, second
    wanted = draw(st.integers(0, max_turns))
    turns = 0
    while turns < wanted:
        ongoing = [a for a in legal_actions(board, player) if not is_winning(board, a)]
        if not ongoing:
            break
        board = apply_action(board, choose.choice(ongoing))
        player, opponent = opponent, player
        turns += 1
    return Position(board, player, opponent, turns)


# ---------------------------------------------------------------------------
# JSON as a peer sends it


def board_json(board: Board) -> list[list[int | str]]:
    """`board` written by hand (not by Common.santorini.wire): the full 6 x 6 rows of cells."""
    rows: list[list[int | str]] = [[board.height(Place(x, y)) for x in COORDINATES] for y in COORDINATES]
    for wp in board.workers:
        rows[wp.place.y][wp.place.x] = f"{board.height(wp.place)}{wp.worker.owner}{wp.worker.number}"
    return rows


def direction_json(direction: Direction) -> list[str]:
    return [direction.east_west.value, direction.north_south.value]


def worker_json() -> st.SearchStrategy[str]:
    return st.builds(lambda owner, number: f"{owner}{number}", names(), st.sampled_from("12"))


def place_json() -> st.SearchStrategy[list[int]]:
    return st.lists(coordinates(), min_size=2, max_size=2)


def worker_place_json() -> st.SearchStrategy[list]:
    return st.tuples(worker_json(), coordinates(), coordinates()).map(list)


def placement_json() -> st.SearchStrategy[list]:
    return st.lists(worker_place_json(), max_size=3)


def action_json() -> st.SearchStrategy[str | list[str]]:
    step = directions().map(direction_json)
    return st.one_of(
        names(),
        st.builds(lambda w, m: [w, *m], worker_json(), step),
        st.builds(lambda w, m, b: [w, *m, *b], worker_json(), step, step),
    )


def outcome_json() -> st.SearchStrategy[list[str]]:
    return st.builds(
        lambda players, irregular: [*players, "irregular"] if irregular else list(players),
        two_names(),
        st.booleans(),
    )


def results_json() -> st.SearchStrategy[list[list[str]]]:
    return st.lists(outcome_json(), max_size=10)


def playing_as_json() -> st.SearchStrategy[list[str]]:
    return names().map(lambda name: ["playing-as", name])


def json_values(leaves: st.SearchStrategy | None = None) -> st.SearchStrategy:
    """Any JSON value (no NaN or infinities), with wire-like strings and small numbers mixed in."""
    wire_words = st.sampled_from(
        [
            "alice",
            "alice1",
            "bob2",
            "0alice1",
            "3bob2",
            "4alice1",
            "EAST",
            "WEST",
            "PUT",
            "NORTH",
            "SOUTH",
            "irregular",
            "playing-as",
            "",
            "A",
            "é",
            "٣alice1",
            "1.5",
        ]
    )
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-2, 7),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=10),
        wire_words,
    )
    if leaves is not None:
        scalars = st.one_of(scalars, leaves)
    return st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=7), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
        max_leaves=20,
    )
