"""Hypothesis strategies for the data definitions of Common/fish, and a pure driver that plays whole games.

Boards come ragged (rows of different lengths, holes) or full (the
referee's kind); `played_states()` plays random legal games on them, so the
rules are tested on states that real play reaches.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterator

from hypothesis import strategies as st

from Common.fish.board import MAX_FISH, Board
from Common.fish.geometry import Action, Position
from Common.fish.rules import is_over, next_turn, placement_error, to_mover
from Common.fish.state import COLORS, State, penguins_per_player
from Player.fish.greedy import RandomLegal

LETTERS = string.ascii_letters


def names() -> st.SearchStrategy[str]:
    return st.text(LETTERS, min_size=1, max_size=12)


def boards() -> st.SearchStrategy[Board]:
    """Ragged boards: 0 to 7 rows of 0 to 7 tiles, 0 to 5 fish each (0: a hole)."""
    return st.lists(st.lists(st.integers(0, MAX_FISH), max_size=7), max_size=7).map(Board)


def full_boards(min_tiles: int = 9) -> st.SearchStrategy[Board]:
    """Rectangular boards of 2 to 8 rows and columns with at least `min_tiles` tiles, 1 to 5 fish each, a few holes."""

    def board(rows: int, columns: int, data: st.DataObject) -> Board:
        cells = [[data.draw(st.integers(1, MAX_FISH)) for _ in range(columns)] for _ in range(rows)]
        holes = data.draw(st.integers(0, rows * columns - min_tiles))
        for _ in range(min(holes, 3)):
            cells[data.draw(st.integers(0, rows - 1))][data.draw(st.integers(0, columns - 1))] = 0
        return Board(cells)

    sizes = st.tuples(st.integers(2, 8), st.integers(2, 8)).filter(lambda size: size[0] * size[1] >= min_tiles + 3)
    return st.builds(lambda size, data: board(*size, data), sizes, st.data())


def positions() -> st.SearchStrategy[Position]:
    return st.builds(Position, st.integers(0, 9), st.integers(0, 9))


Chooser = Callable[[State], Position]
Mover = Callable[[State], Action]


def play(board: Board, players: int, place: Chooser, move: Mover) -> Iterator[tuple[State, Action | None]]:
    """A whole game without a referee: each state a player was asked in, with its answer (None for a placement)."""
    state = State.start(board, COLORS[:players])
    for _ in range(penguins_per_player(players)):
        for color in COLORS[:players]:
            state = state.turn_of(color)
            position = place(state)
            assert placement_error(state, position) is None
            yield state, None
            state = state.with_penguin(position)
    state, _ = to_mover(state.turn_of(COLORS[0]))
    while not is_over(state):
        action = move(state)
        yield state, action
        state, _ = next_turn(state.after(action))
    yield state, None


def random_players(seed: int) -> tuple[Chooser, Mover]:
    strategy = RandomLegal(seed)
    return strategy.place, lambda state: strategy.move(state, ())


@st.composite
def played_states(draw: st.DrawFn) -> list[tuple[State, Action | None]]:
    """Every state of a random legal game of 2 to 4 players on a full board, with the move made in it (None: none)."""
    board = draw(full_boards())
    players = draw(st.integers(2, 4))
    place, move = random_players(draw(st.integers(0, 2**32)))
    return list(play(board, players, place, move))
