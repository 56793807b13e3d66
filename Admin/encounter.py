"""What the tournament manager and a game's referee agree on: one encounter.

The manager seats Entrants at a table (two or more of them) and awaits a
referee for each table; the referee plays the series and returns an
EncounterResult. A game of two players a game has a RefereeFunction
(first, second); a game of more has a GroupRefereeFunction (the Entrants in
seat order); `seated` gives any referee the group form, the one the manager
calls. Nothing here knows the game.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import attrs

from Common.participant import Name, NameT, Participant

PlayerT = TypeVar("PlayerT", bound=Participant)


@attrs.frozen
class Entrant(Generic[NameT, PlayerT]):
    """A player under the name it plays as; its referee says which game's names and interface: `Entrant[Name, Player]`."""

    name: NameT
    player: PlayerT


@attrs.frozen
class Encounter:
    """Where an encounter stands in the schedule.

    `index` is its position; `repetition` counts the schedule's repetitions
    from 0; `meeting` counts the earlier encounters of the same two players
    in that repetition (listed pairings may name a pair twice).
    """

    index: int = 0
    repetition: int = 0
    meeting: int = 0


@attrs.frozen
class Misbehaviour:
    """`name` misbehaved: `reason` says how, for a person; `kind` is one of Admin.safe_call's FAILURE_KINDS."""

    name: Name
    reason: str
    kind: str


@attrs.frozen
class EncounterResult:
    """How an encounter ended: the game's `outcome`, and who misbehaved in it (they are out).

    `record` is the game's record of what was played (the prisoner's
    dilemma's moves of every round), for whoever keeps records; None when
    the game keeps none. `score` is a series' games won by its winner and
    by its loser, `(2, 1)`, for the log line; None when the game tells none.
    Two results are equal when their outcomes and misbehaviours are.
    """

    outcome: Any
    misbehaviours: tuple[Misbehaviour, ...] = ()
    record: Any = attrs.field(default=None, eq=False)
    score: tuple[int, int] | None = attrs.field(default=None, eq=False)


RefereeFunction = Callable[[Entrant, Entrant, Encounter], Awaitable[EncounterResult]]
"""Plays one encounter between the first and the second Entrant."""

GroupRefereeFunction = Callable[[Sequence[Entrant], Encounter], Awaitable[EncounterResult]]
"""Plays one encounter among the Entrants, seated in the order given (2 <= len <= the game's most)."""


def seated(referee: RefereeFunction) -> GroupRefereeFunction:
    """The two-player `referee` in the group form: a table of exactly two Entrants, the first listed first."""

    async def play(entrants: Sequence[Entrant], encounter: Encounter) -> EncounterResult:
        first, second = entrants
        return await referee(first, second, encounter)

    return play


Note = Callable[[dict[str, Any]], None]
"""Hears each game event of a referee (the event log's `game-start`, steps, `game-end`): a fresh dict it may keep."""


def ignore(event: dict[str, Any]) -> None:
    """The referee's default `note`: nobody listens, and the referee builds no events."""
