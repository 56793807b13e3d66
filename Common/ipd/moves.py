"""What the players choose and what each of them is told about a round.

A Move is `"C"` (cooperate) or `"D"` (defect), exactly. A Recorded value is
what was scored for a player in a round: a Move, or None when that player
forfeited the round (no reply in time). A Prev is the previous round as
scored, from the receiver's side (`mine`, `theirs`); round 1 has none. Totals
are a match's running scores from the receiver's side.
"""

from __future__ import annotations

from typing import Literal

import attrs

Move = Literal["C", "D"]
"""A choice: cooperate or defect."""

COOPERATE: Move = "C"
DEFECT: Move = "D"
MOVES: tuple[Move, Move] = (COOPERATE, DEFECT)

Recorded = Move | None
"""What was scored for a player in a round; None: the player forfeited it."""

RECORDED: tuple[Recorded, ...] = (COOPERATE, DEFECT, None)


def is_move(value: object) -> bool:
    """Whether `value` is exactly "C" or "D" (not "c", not True, not ["C"])."""
    return type(value) is str and value in (COOPERATE, DEFECT)


def is_recorded(value: object) -> bool:
    """Whether `value` is a Move or None."""
    return value is None or is_move(value)


def other_move(move: Move) -> Move:
    """The move that noise turns `move` into."""
    return DEFECT if move == COOPERATE else COOPERATE


def _recorded(instance: object, attribute: attrs.Attribute, value: object) -> None:
    if not is_recorded(value):
        raise ValueError(f'{attribute.name} must be "C", "D" or None, got {value!r}')


def _whole(instance: object, attribute: attrs.Attribute, value: object) -> None:
    if type(value) is not int:
        raise ValueError(f"{attribute.name} must be a whole number, got {value!r}")


@attrs.frozen
class Prev:
    """The previous round as scored, seen by one player: its own Recorded value and its opponent's."""

    mine: Recorded = attrs.field(validator=_recorded)
    theirs: Recorded = attrs.field(validator=_recorded)

    def swapped(self) -> Prev:
        """The same round seen by the opponent."""
        return prev_of(self.theirs, self.mine)


PREVS: dict[tuple[Recorded, Recorded], Prev] = {(mine, theirs): Prev(mine, theirs) for mine in RECORDED for theirs in RECORDED}
"""The nine possible Prevs, made once: a round allocates none."""


def prev_of(mine: Recorded, theirs: Recorded) -> Prev:
    """The Prev of a round in which the receiver's value was `mine` and its opponent's `theirs`."""
    return PREVS[(mine, theirs)]


@attrs.frozen
class Totals:
    """A match's scores so far, seen by one player: its own and its opponent's."""

    mine: int = attrs.field(validator=_whole)
    theirs: int = attrs.field(validator=_whole)

    def swapped(self) -> Totals:
        """The same scores seen by the opponent."""
        return Totals(self.theirs, self.mine)
