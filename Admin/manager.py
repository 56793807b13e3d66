"""The tournament manager: a round robin among players, refereed encounter by encounter.

It knows nothing of the game; a referee function plays each encounter.

* Names: assigned in sign-up order by the NameRegistry; a renamed player is
  told its new name (`playing_as`) before any encounter.
* Schedule: player 1 against players 2..n, then player 2 against 3..n, and so
  on; in each pairing the earlier player is listed first.
* Misbehaviour: a player that misbehaves loses that encounter irregularly and
  plays no further encounter; its earlier wins are revised (`revise`).
* Concurrency: encounters run concurrently, but each player plays its own
  encounters one at a time and in schedule order, so every player sees the
  messages it would see in a sequential run, and the Results are the same.
* Results go to every player that never misbehaved; a failure while
  receiving them changes nothing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import attrs
import trio

from Admin.encounter import EncounterResult, Entrant, RefereeFunction
from Admin.naming import NameRegistry
from Admin.safe_call import Failure, safe_call
from Common.names import Name
from Common.player import Player
from Common.results import EncounterOutcome, Results


class Observer:
    """Hears what happens in a tournament, for logs and progress displays; every method may be left out."""

    def renamed(self, requested: Name, assigned: Name | None) -> None:
        """A player asked for `requested` and plays as `assigned` (None: no name fits; it is left out)."""

    def misbehaved(self, name: Name, reason: str) -> None:
        """`name` misbehaved and is out of the tournament."""

    def encounter_finished(self, result: EncounterResult | None, finished: int, total: int) -> None:
        """One more encounter is over (None: not played, a player was out); `finished` of `total`."""


def round_robin(count: int) -> list[tuple[int, int]]:
    """The pairings of `count` players, as index pairs in schedule order."""
    return [(first, second) for first in range(count) for second in range(first + 1, count)]


def revise(played: Sequence[EncounterOutcome]) -> Results:
    """The Results of the outcomes of played encounters, in schedule order, after the misbehaviour revisions.

    When B misbehaves, every earlier outcome that B won is revised: deleted if
    its loser had misbehaved before, otherwise turned into a win of its loser.
    """
    results: list[EncounterOutcome] = []
    misbehaved: set[Name] = set()
    for outcome in played:
        if outcome.irregular:
            cheat = outcome.loser
            results = [
                EncounterOutcome(earlier.loser, cheat) if earlier.winner == cheat else earlier
                for earlier in results
                if not (earlier.winner == cheat and earlier.loser in misbehaved)
            ]
            misbehaved.add(cheat)
        results.append(outcome)
    return tuple(results)


@attrs.define
class TournamentManager:
    """Runs round-robin tournaments with `referee`, allowing each call to a player `time_per_call` seconds."""

    referee: RefereeFunction
    time_per_call: float
    concurrent: bool = True
    observer: Observer = attrs.field(factory=Observer)

    async def run(self, signed_up: Sequence[tuple[Name, Player]]) -> Results:
        """Run one tournament among `signed_up`: players in sign-up order, with the names they asked for."""
        return await _Tournament(self, signed_up).run()


class _Tournament:
    """One run of a tournament: its entrants, who is out, and the outcomes so far."""

    def __init__(self, manager: TournamentManager, signed_up: Sequence[tuple[Name, Player]]) -> None:
        self.manager = manager
        self.observer = manager.observer
        registry = NameRegistry()
        self.entrants: list[Entrant] = []
        self.renamed: list[Entrant] = []
        for requested, player in signed_up:
            assigned = registry.assign(requested)
            if assigned != requested:
                self.observer.renamed(requested, assigned)
            if assigned is not None:
                self.entrants.append(Entrant(assigned, player))
            if assigned is not None and assigned != requested:
                self.renamed.append(self.entrants[-1])
        self.schedule = round_robin(len(self.entrants))
        self.waiting: list[deque[int]] = [deque() for _ in self.entrants]
        for index, pairing in enumerate(self.schedule):
            for player in pairing:
                self.waiting[player].append(index)
        self.out: set[Name] = set()
        self.outcomes: dict[int, EncounterOutcome] = {}
        self.finished = 0

    async def run(self) -> Results:
        async with trio.open_nursery() as nursery:
            for entrant in self.renamed:
                nursery.start_soon(self._tell_name, entrant)
        if self.manager.concurrent:
            async with trio.open_nursery() as nursery:
                for index in range(len(self.schedule)):
                    if self._is_next_for_both(index):
                        nursery.start_soon(self._play_in_turn, index, nursery)
        else:
            for index in range(len(self.schedule)):
                await self._play(index)
        results = revise([self.outcomes[index] for index in sorted(self.outcomes)])
        async with trio.open_nursery() as nursery:
            for entrant in self.entrants:
                if entrant.name not in self.out:
                    nursery.start_soon(self._tell_results, entrant, results)
        return results

    def _is_next_for_both(self, index: int) -> bool:
        return all(self.waiting[player][0] == index for player in self.schedule[index])

    async def _play_in_turn(self, index: int, nursery: trio.Nursery) -> None:
        """Play encounter `index`, then start each of its players' next encounters whose other player is free."""
        await self._play(index)
        for player in self.schedule[index]:
            self.waiting[player].popleft()
        for player in self.schedule[index]:
            if self.waiting[player] and self._is_next_for_both(self.waiting[player][0]):
                nursery.start_soon(self._play_in_turn, self.waiting[player][0], nursery)

    async def _play(self, index: int) -> None:
        first, second = (self.entrants[player] for player in self.schedule[index])
        result = None
        if first.name not in self.out and second.name not in self.out:
            result = await self.manager.referee(first, second)
            self.outcomes[index] = result.outcome
            if result.outcome.irregular:
                self._put_out(result.outcome.loser, result.misbehaviour or "misbehaved")
        self.finished += 1
        self.observer.encounter_finished(result, self.finished, len(self.schedule))

    def _put_out(self, name: Name, reason: str) -> None:
        self.out.add(name)
        self.observer.misbehaved(name, reason)

    async def _tell_name(self, entrant: Entrant) -> None:
        told = await safe_call(entrant.player.playing_as, entrant.name, time_limit=self.manager.time_per_call)
        if isinstance(told, Failure):
            self._put_out(entrant.name, told.reason)

    async def _tell_results(self, entrant: Entrant, results: Results) -> None:
        await safe_call(entrant.player.end_of_tournament, results, time_limit=self.manager.time_per_call)
