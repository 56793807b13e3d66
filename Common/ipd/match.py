"""One match as a fold: settled replies in, Prevs, totals, forfeits and the outcome out.

The referee asks both players for round k (`request(player)`), settles each
reply (a Move, or None when it came too late), and hands both to `settle`.
The fold draws the round's chance (noise, and whether it was the last),
scores the round, and says what each player is told next. It does no I/O
and keeps no history: its memory does not grow with the rounds.

A player that forfeits more than "forfeits allowed" rounds of one match
misbehaves: after that round `culprits` names it and the match is over.
"""

from __future__ import annotations

from typing import NamedTuple

from Common.ipd.chance import MatchChance, MatchKey
from Common.ipd.messages import MatchOver, MoveRequest
from Common.ipd.moves import COOPERATE, DEFECT, PREVS, Prev, Recorded, Totals
from Common.ipd.names import Name
from Common.ipd.outcomes import Misbehaved, Played, Scored
from Common.ipd.scoring import payoff_table
from Common.ipd.settings import IPDSettings

_NOISY: dict[Recorded, Recorded] = {COOPERATE: DEFECT, DEFECT: COOPERATE, None: None}
"""What noise makes of each Recorded value (`Common.ipd.scoring.with_noise`): a Move turns, a forfeit stays."""
_NOBODY: frozenset[Name] = frozenset()


class RoundResult(NamedTuple):
    """One settled round: what was scored for each player (after noise), and what each scored.

    A NamedTuple, not an attrs class: one is made per round, and a tuple costs a third as much.
    """

    round: int
    first: Recorded
    second: Recorded
    first_score: int
    second_score: int


class Match:
    """The state of one match between `key.first` and `key.second` under `settings`.

    One Match per match, used by one task: it holds the match's generator.
    """

    def __init__(self, settings: IPDSettings, key: MatchKey) -> None:
        if key.first == key.second:
            raise ValueError(f"a match needs two different players, got {key.first} twice")
        self.first: Name = key.first
        self.second: Name = key.second
        self._chance = MatchChance(key, settings.horizon, settings.noise)
        self._table = payoff_table(settings.payoffs)
        self._forfeits_allowed = settings.forfeits_allowed
        self._round = 1
        self._last: Prev | None = None  # the last round, seen by the first player
        self._first_total = 0
        self._second_total = 0
        self._first_forfeits = 0
        self._second_forfeits = 0
        self._ended = False

    # -- what the referee asks ------------------------------------------------

    @property
    def round(self) -> int:
        """The round to be played next (1 before the first)."""
        return self._round

    @property
    def rounds_played(self) -> int:
        return self._round - 1

    @property
    def over(self) -> bool:
        """Whether no round remains: the last one was drawn, or someone forfeited too often (`culprits`)."""
        allowed = self._forfeits_allowed
        return self._ended or self._first_forfeits > allowed or self._second_forfeits > allowed

    @property
    def culprits(self) -> frozenset[Name]:
        """The players that forfeited more rounds than allowed (misbehaviour)."""
        allowed = self._forfeits_allowed
        if self._first_forfeits <= allowed and self._second_forfeits <= allowed:  # as in almost every round
            return _NOBODY
        culprits = set()
        if self._first_forfeits > allowed:
            culprits.add(self.first)
        if self._second_forfeits > allowed:
            culprits.add(self.second)
        return frozenset(culprits)

    def forfeits(self, player: Name) -> int:
        """How many rounds `player` forfeited in this match so far."""
        return self._first_forfeits if self._is_first(player) else self._second_forfeits

    def totals(self, player: Name) -> Totals:
        """The scores so far, seen by `player`."""
        if self._is_first(player):
            return Totals(self._first_total, self._second_total)
        return Totals(self._second_total, self._first_total)

    def prev(self, player: Name) -> Prev | None:
        """The last round played, seen by `player` (None before the first)."""
        last = self._last
        if last is None or self._is_first(player):
            return last
        return PREVS[(last.theirs, last.mine)]

    def request(self, player: Name) -> MoveRequest:
        """What `player` is asked in the next round."""
        if self.over:
            raise ValueError("the match is over: no round remains")
        last = self._last
        if last is not None and not self._is_first(player):
            last = PREVS[(last.theirs, last.mine)]
        return MoveRequest(self._round, last)

    def next_round(self) -> tuple[int, Prev | None, Prev | None]:
        """What both players are asked in the next round, as `request` says: the round, the first's Prev, the second's."""
        allowed = self._forfeits_allowed
        if self._ended or self._first_forfeits > allowed or self._second_forfeits > allowed:  # self.over
            raise ValueError("the match is over: no round remains")
        last = self._last
        return self._round, last, None if last is None else PREVS[(last.theirs, last.mine)]

    def match_over(self, player: Name) -> MatchOver:
        """What `player` is told at the end of the match."""
        return MatchOver(self.prev(player), self.totals(player), self.rounds_played)

    def played(self) -> Played:
        """How the match ended: Scored, or Misbehaved naming the culprits; only once it is over."""
        if not self.over:
            raise ValueError("the match is not over yet")
        culprits = self.culprits
        if culprits:
            return Misbehaved(self.first, self.second, culprits)
        return Scored(self.first, self.second, self._first_total, self._second_total, self.rounds_played)

    # -- the step of the fold -------------------------------------------------

    def settle(self, first: Recorded, second: Recorded) -> RoundResult:
        """Score the round with both settled replies (None: forfeited), and move on to the next."""
        allowed = self._forfeits_allowed
        if self._ended or self._first_forfeits > allowed or self._second_forfeits > allowed:  # self.over
            raise ValueError("the match is over: no round remains")
        if not (
            (first is None or (type(first) is str and first in _NOISY)) and (second is None or (type(second) is str and second in _NOISY))
        ):
            raise ValueError(f'settled replies are "C", "D" or None, got {first!r} and {second!r}')
        flip_first, flip_second, last = self._chance.draw()
        scored_first = _NOISY[first] if flip_first else first
        scored_second = _NOISY[second] if flip_second else second
        first_score, second_score = self._table[scored_first, scored_second]
        self._first_total += first_score
        self._second_total += second_score
        self._first_forfeits += first is None
        self._second_forfeits += second is None
        self._last = PREVS[(scored_first, scored_second)]
        result = RoundResult(self._round, scored_first, scored_second, first_score, second_score)
        self._round += 1
        self._ended = last
        return result

    def _is_first(self, player: Name) -> bool:
        if player == self.first:
            return True
        if player == self.second:
            return False
        raise ValueError(f"{player!r} does not play in this match")
