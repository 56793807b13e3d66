"""Where an arena keeps what its Results are made of: the players and outcome of every encounter that ended with one.

An arena never closes, so this is the one thing of every encounter that
must outlast it, and it must not grow the server's memory: with an event
log on disk the outcomes are read back from the arena's encounters.ndjson
(Remote/arena_exports.py's `OutcomesOnFile`), and only an arena without a
log keeps them in memory (`KeptOutcomes`). Either one is an `EndedOutcomes`:
told of each outcome as its encounter ends, iterated in that order.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

import attrs

from Common.participant import Name

Rated = tuple[tuple[Name, ...], Any]
"""An ended encounter's players (seat order) and outcome (wire form)."""


class EndedOutcomes(Protocol):
    """The players and outcomes (wire form) of an arena's encounters that ended with one, in the order they ended."""

    def add(self, players: tuple[Name, ...], outcome: Any) -> None:
        """One more encounter ended with `outcome`."""

    def __iter__(self) -> Iterator[Rated]:
        """Each, in the order they ended (from any thread)."""

    def __len__(self) -> int:
        """How many have ended."""


@attrs.define
class KeptOutcomes:
    """Every one kept in memory: for a log read back by a tool, and an arena played without a server."""

    kept: list[Rated] = attrs.field(factory=list)

    def add(self, players: tuple[Name, ...], outcome: Any) -> None:
        self.kept.append((players, outcome))

    def __iter__(self) -> Iterator[Rated]:
        return iter(list(self.kept))  # a copy: the caller may read in a thread while encounters still end

    def __len__(self) -> int:
        return len(self.kept)


@attrs.define
class EndedEncounters:
    """What an arena keeps of every ended encounter (as its fold does, Admin/arena_state.py): the outcomes, and how often
    each set of players (sorted) has met, the next encounter's `meeting`."""

    rated: EndedOutcomes = attrs.field(factory=KeptOutcomes)
    meetings: dict[tuple[Name, ...], int] = attrs.field(factory=dict)
