"""Revisions, pure and game-free: earlier outcomes after a player misbehaved, one culprit at a time, in schedule order.

The game says how one outcome is revised (`Reviser`, in its TournamentRules);
these folds apply it as a sequential run would: each culprit revises every
outcome before its own encounter, in schedule order, given who had
misbehaved before it; its own encounter keeps the outcome its referee
returned.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from Common.participant import Name

Reviser = Callable[[Any, Any, frozenset[Any]], Any | None]
"""An earlier outcome after `culprit` misbehaved, given who had misbehaved before; None: deleted.

Outcomes and names are the game's (each game has a Name type of its own), hence Any."""


def revise(played: Sequence[tuple[Any, Sequence[Name]]], revise_one: Reviser) -> list[Any]:
    """The outcomes of played encounters (each with its culprits), in schedule order, after the revisions.

    Each culprit revises every earlier outcome, in turn; its own encounter's
    outcome is what its referee said.
    """
    results: list[Any] = []
    misbehaved: set[Name] = set()
    for outcome, culprits in played:
        for culprit in culprits:
            before = frozenset(misbehaved)
            results = [revised for earlier in results if (revised := revise_one(earlier, culprit, before)) is not None]
            misbehaved.add(culprit)
        results.append(outcome)
    return results


def revised_by_index(played: Mapping[int, tuple[Any, Sequence[Name]]], revise_one: Reviser) -> dict[int, Any]:
    """`revise` of the outcomes of `played` (by schedule index; None: not played), keeping each one's index.

    The value of an index is its outcome after the revisions (None: deleted or not played).
    """
    revised: dict[int, Any] = {}
    misbehaved: set[Name] = set()
    for index in sorted(played):
        outcome, culprits = played[index]
        for culprit in culprits:
            before = frozenset(misbehaved)
            for earlier, value in revised.items():
                if value is not None:
                    revised[earlier] = revise_one(value, culprit, before)
            misbehaved.add(culprit)
        revised[index] = outcome
    return revised
