"""An example IPD strategy file: copy it to write your own.

This strategy is "win-stay, lose-shift" (also called Pavlov): it cooperates
in round 1; afterwards it cooperates when both players did the same in the
previous round (both cooperated, or both defected) and defects otherwise.
Name this file in a configuration, for example
`["tit-for-tat", "alice", "Player/ipd/example_player.py"]`, and the server
(or client) loads it, calls `make_strategy()` once and asks the strategy for
its moves.
"""

# Everything a strategy needs is in the project's Common/ipd package: the
# moves and what a player is told about the previous round.
from Common.ipd.moves import COOPERATE, DEFECT, Move, Prev
from Common.ipd.names import Name
from Player.ipd.strategy import Strategy


class WinStayLoseShift(Strategy):
    """Cooperates first, then cooperates exactly when both did the same last round."""

    # Each method runs in a thread of its own. `move` must answer within the
    # time limit ("time per move", 1 s by default): a late answer forfeits
    # the round (you score S, your opponent R), and more than "forfeits
    # allowed" (3) forfeits in one match put you out of the tournament. An
    # answer other than "C" or "D", or an exception, puts you out at once.

    def move(self, me: Name, round: int, prev: Prev | None) -> Move:
        # `prev` is the previous round as it was scored, from your side:
        # `prev.mine` and `prev.theirs` are "C", "D", or None for a forfeited
        # move. Noise, if the tournament has any, may have flipped a move:
        # `prev` shows the flipped one. In round 1, `prev` is None.
        if prev is None:
            return COOPERATE
        return COOPERATE if prev.mine == prev.theirs else DEFECT

    # playing_as, start_match, match_over and end_of_tournament are optional:
    # the Strategy base class ignores them. Override them to keep notes;
    # match_over tells you how many rounds the match lasted.


def make_strategy() -> Strategy:
    """Called once per player that names this file; must return a Strategy."""
    return WinStayLoseShift()
