"""What the tournament manager and a game's referee agree on: one encounter.

The manager pairs Entrants and awaits a referee for each pairing; the referee
plays the series and returns an EncounterResult. Nothing here knows the game.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import attrs

from Common.names import Name
from Common.player import Player
from Common.results import EncounterOutcome


@attrs.frozen
class Entrant:
    """A player under the name it plays as."""

    name: Name
    player: Player


@attrs.frozen
class EncounterResult:
    """How a series ended; `misbehaviour` says what the loser did wrong, if anything, and `kind` its kind."""

    outcome: EncounterOutcome
    misbehaviour: str | None = None
    kind: str | None = None


RefereeFunction = Callable[[Entrant, Entrant], Awaitable[EncounterResult]]
"""Plays one series between the first and the second Entrant."""
