"""The built-in good strategy: deterministic, legal, and hard to beat in one move.

Same inputs, same answers: no randomness, no clock, no iteration over
unordered collections. Also a player file: `make_strategy()` returns it.

Placement: the free square nearest the centre of the board; ties go to the
smaller row, then the smaller column. With an empty board that is [2, 2].

A turn, in order of priority:
1. a winning move if there is one (the first in enumeration order);
2. otherwise the move-and-build that ranks highest by, one criterion after
   the other (a later one only breaks ties of the earlier ones):
   a. it leaves the opponent with no legal turn (the opponent then loses);
   b. it is safe: afterwards no opponent worker can step onto a free
      height-3 square it can climb to (that would win the opponent the game);
   c. afterwards my own workers can still move somewhere;
   d. it climbs: the higher the destination, the better;
   e. it creates threats: free height-3 squares next to my workers on
      height 2 or more (counting at most 2: the opponent can block only one);
   f. it keeps the opponent low: the lower the highest square an opponent
      worker could step to next, the better (so builds that give the
      opponent a climb come last);
   g. it prepares my next climb: the built square ends up exactly one floor
      above the worker that moved;
   h. enumeration order: my workers by name (`<me>1` first), then moves,
      then builds, each direction in the order of Common.santorini.geometry.DIRECTIONS;
3. give up (in my own name) only when there is no legal turn at all.

The search works on square indices and plain tuples rather than Board
values, so that one turn takes about a millisecond.
"""

from __future__ import annotations

from Common.santorini.actions import Action, GiveUp, MoveAndBuild, Placement, WinningMove
from Common.santorini.board import MAX_HEIGHT, WINNING_HEIGHT, Board
from Common.santorini.geometry import NEIGHBOUR_INDICES, NEIGHBOURS, PLACES, SIZE, Place
from Common.santorini.names import Name
from Player.santorini.strategy import Strategy

MAX_THREATS_COUNTED = 2


def _distance_from_centre(place: Place) -> int:
    """Twice the distance from the centre of the board in each coordinate, squared and summed."""
    return (2 * place.x - (SIZE - 1)) ** 2 + (2 * place.y - (SIZE - 1)) ** 2


PLACEMENT_ORDER: tuple[Place, ...] = tuple(sorted(PLACES, key=lambda place: (_distance_from_centre(place), place.y, place.x)))
"""Every square in the order the good strategy prefers to put a worker on it."""


def choose_place(placement: Placement) -> Place:
    """The free square nearest the centre; ties by row, then column."""
    taken = {wp.place for wp in placement}
    for place in PLACEMENT_ORDER:
        if place not in taken:
            return place
    raise ValueError("no free square left to place a worker on")


def _best_reach(heights: tuple[int, ...], built: int, starts: tuple[int, ...], occupied: frozenset[int]) -> int:
    """The highest square any worker standing on `starts` can step to after a floor on `built`; -1: none."""
    best = -1
    for start in starts:
        limit = min(heights[start] + 1, WINNING_HEIGHT)
        for square in NEIGHBOUR_INDICES[start]:
            if square in occupied:
                continue
            height = heights[square] + (square == built)
            if best < height <= limit:
                best = height
    return best


def _threats(heights: tuple[int, ...], built: int, starts: tuple[int, ...], occupied: frozenset[int]) -> int:
    """How many free height-3 squares the workers on `starts` could win on, after a floor on `built`."""
    winning_squares: set[int] = set()
    for start in starts:
        if heights[start] + 1 < WINNING_HEIGHT:
            continue
        for square in NEIGHBOUR_INDICES[start]:
            if square not in occupied and heights[square] + (square == built) == WINNING_HEIGHT:
                winning_squares.add(square)
    return len(winning_squares)


def choose_action(me: Name, board: Board) -> Action:
    """The good strategy's turn for `me` on `board` (see the module's description)."""
    heights = board.heights
    mine = board.workers_of(me)
    theirs = tuple(wp.place.index for wp in board.workers if wp.worker.owner != me)
    occupied = frozenset(wp.place.index for wp in board.workers)

    for wp in mine:
        start = wp.place.index
        if heights[start] + 1 < WINNING_HEIGHT:
            continue
        for move, target in NEIGHBOURS[start]:
            if target not in occupied and heights[target] == WINNING_HEIGHT:
                return WinningMove(wp.worker, move)

    best_action: Action = GiveUp(me)
    best_rank: tuple | None = None
    for wp in mine:
        start = wp.place.index
        climb_limit = heights[start] + 1
        others_of_mine = tuple(other.place.index for other in mine if other is not wp)
        for move, target in NEIGHBOURS[start]:
            destination = heights[target]
            if target in occupied or destination > climb_limit or destination == MAX_HEIGHT:
                continue
            after = (occupied - {start}) | {target}
            my_starts = (target, *others_of_mine)
            for build, built in NEIGHBOURS[target]:
                if built in after or heights[built] == MAX_HEIGHT:
                    continue
                their_reach = _best_reach(heights, built, theirs, after) if theirs else 0
                rank = (
                    their_reach == -1,
                    their_reach < WINNING_HEIGHT,
                    _best_reach(heights, built, my_starts, after) != -1,
                    destination,
                    min(_threats(heights, built, my_starts, after), MAX_THREATS_COUNTED),
                    -their_reach,
                    heights[built] == destination,
                )
                if best_rank is None or rank > best_rank:
                    best_rank, best_action = rank, MoveAndBuild(wp.worker, move, build)
    return best_action


class GoodStrategy(Strategy):
    """Plays by the rules: wins when it can, never hands the opponent a win it can avoid, climbs."""

    def place_worker(self, me: Name, placement: Placement) -> Place:
        return choose_place(placement)

    def take_turn(self, me: Name, board: Board) -> Action:
        return choose_action(me, board)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def make_strategy() -> Strategy:
    """The plug-in entry point: a fresh good strategy."""
    return GoodStrategy()
