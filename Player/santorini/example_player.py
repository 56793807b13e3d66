"""An example player file: copy it to write your own player.

This player is simple on purpose: it puts each worker on the first free
square (row by row, from the north-west corner) and takes the first legal
turn it finds. Name this file in a configuration, for example
`["good", "alice", "Player/santorini/example_player.py"]`, and the server (or client)
loads it, calls `make_strategy()` once and asks the strategy for its moves.
"""

# Everything a player needs is in the project's Common package: the board,
# the answers, and the rules that say which answers are legal.
from Common.santorini.actions import Action, GiveUp, Placement
from Common.santorini.board import Board
from Common.santorini.geometry import PLACES, Place
from Common.santorini.names import Name
from Common.santorini.rules import legal_actions
from Player.santorini.strategy import Strategy


class FirstLegal(Strategy):
    """Places on the first free square and takes the first legal turn."""

    # Each method runs in a thread of its own and must answer within the time
    # limit (2 s by default); the answer is checked against the rules, and a
    # wrong or late answer, or an exception, loses the whole series.

    def place_worker(self, me: Name, placement: Placement) -> Place:
        # `placement` lists the workers placed so far in this game (0 to 3).
        taken = {worker_place.place for worker_place in placement}
        # PLACES lists every square, row by row: [0, 0], [1, 0], ..., [5, 5].
        return next(place for place in PLACES if place not in taken)

    def take_turn(self, me: Name, board: Board) -> Action:
        # `me` is this player's current name; its workers are <me>1 and <me>2.
        # legal_actions yields winning moves first, then moves with builds.
        for action in legal_actions(board, me):
            return action
        # Giving up is legal only in one's own name.
        return GiveUp(me)

    # playing_as, start_encounter and end_of_tournament are optional: the
    # Strategy base class ignores them. Override them to keep notes.


def make_strategy() -> Strategy:
    """Called once per player that names this file; must return a Strategy."""
    return FirstLegal()
