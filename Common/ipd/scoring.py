"""What a round is worth: the payoffs, and the two scores of one round.

Both cooperate: R each. Both defect: P each. A cooperator against a
defector: S for the cooperator, T for the defector. A forfeit (None) scores
S and gives the opponent R, whatever the opponent played; both forfeited: S
each. So a forfeit never scores more than a legal move would have, and never
costs the opponent anything it could have had against a defection. Noise
flips a submitted move before it is scored, and never a forfeit.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import attrs

from Common.ipd.moves import COOPERATE, DEFECT, RECORDED, Recorded, other_move


def _whole(instance: object, attribute: attrs.Attribute, value: object) -> None:
    if type(value) is not int:
        raise ValueError(f"{attribute.name} must be a whole number, got {value!r}")


PAYOFF_RULE = "T > R > P > S and 2R > T + S"


@attrs.frozen
class Payoffs:
    """R (reward), S (sucker), T (temptation), P (punishment), with T > R > P > S and 2R > T + S."""

    reward: int = attrs.field(default=3, validator=_whole)
    sucker: int = attrs.field(default=0, validator=_whole)
    temptation: int = attrs.field(default=5, validator=_whole)
    punishment: int = attrs.field(default=1, validator=_whole)

    def __attrs_post_init__(self) -> None:
        problem = payoff_problem(self.reward, self.sucker, self.temptation, self.punishment)
        if problem is not None:
            raise ValueError(problem)


def payoff_problem(reward: int, sucker: int, temptation: int, punishment: int) -> str | None:
    """Why these four payoffs do not make a prisoner's dilemma, or None when they do."""
    r, s, t, p = reward, sucker, temptation, punishment
    if not t > r > p > s:
        return f"payoffs must satisfy {PAYOFF_RULE}, but T > R > P > S fails for R={r} S={s} T={t} P={p}"
    if not 2 * r > t + s:
        return f"payoffs must satisfy {PAYOFF_RULE}, but 2R > T + S fails for R={r} S={s} T={t} P={p}"
    return None


PayoffTable = Mapping[tuple[Recorded, Recorded], tuple[int, int]]
"""The two scores of a round for each pair of Recorded values."""


@functools.lru_cache(maxsize=64)
def payoff_table(payoffs: Payoffs) -> PayoffTable:
    """The two scores of a round for every pair of Recorded values (first's, second's)."""
    r, s, t, p = payoffs.reward, payoffs.sucker, payoffs.temptation, payoffs.punishment
    legal = {
        (COOPERATE, COOPERATE): (r, r),
        (COOPERATE, DEFECT): (s, t),
        (DEFECT, COOPERATE): (t, s),
        (DEFECT, DEFECT): (p, p),
    }
    table: dict[tuple[Recorded, Recorded], tuple[int, int]] = {}
    for first in RECORDED:
        for second in RECORDED:
            if first is None and second is None:
                table[first, second] = (s, s)
            elif first is None:
                table[first, second] = (s, r)
            elif second is None:
                table[first, second] = (r, s)
            else:
                table[first, second] = legal[first, second]
    return table


def round_scores(payoffs: Payoffs, first: Recorded, second: Recorded) -> tuple[int, int]:
    """What `first` and `second` score in a round in which these values were recorded."""
    return payoff_table(payoffs)[first, second]


def with_noise(submitted: Recorded, flip: bool) -> Recorded:
    """The value scored for `submitted` when noise does (`flip`) or does not strike; a forfeit stays one."""
    if submitted is None or not flip:
        return submitted
    return other_move(submitted)
