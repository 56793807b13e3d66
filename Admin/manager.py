"""The tournament manager: a schedule of encounters among players, each refereed by the game.

It knows nothing of the game: the game's referee plays each encounter, and
the game's TournamentRules say how an earlier outcome is revised when a
player misbehaves and what the Results are.

* Names: assigned in sign-up order by the NameRegistry; a renamed player is
  told its new name (`playing_as`) before any encounter.
* Schedule: the rules' schedule of the players in sign-up order (by default
  the round robin: player 1 against players 2..n, then player 2 against
  3..n, and so on; in each pairing the earlier player is listed first).
* Misbehaviour: a player that misbehaves is out: it plays no further
  encounter, and every earlier outcome is revised with the rules' `revise`,
  one outcome at a time, replaying the outcomes in schedule order (what a
  sequential run does as it goes). It is told why (`kicked`, under a short
  time limit, in a task of its own so that nobody waits for it).
* Concurrency: encounters run concurrently, but each player plays its own
  encounters one at a time and in schedule order, so every player sees the
  messages it would see in a sequential run, and the Results are the same.
* Results go to every player that never misbehaved; a failure while
  receiving them changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

import attrs
import trio

from Admin.encounter import Encounter, EncounterResult, Entrant, RefereeFunction
from Admin.naming import NameRegistry
from Admin.safe_call import Failure, safe_call
from Admin.schedule import RoundRobin, Schedule
from Common.participant import KICK_REASON_LIMIT, Participant
from Common.strict import shorten

DEFAULT_TIME_PER_CALL = 2.0
"""Seconds a player has for each message, unless the configuration says otherwise."""
KICK_TIME_LIMIT = 0.5
"""Seconds a misbehaving player has to take the message that says why it is out."""

Name = str
Reviser = Callable[[Any, Name, frozenset[Name]], Any | None]
"""An earlier outcome after `culprit` misbehaved, given who had misbehaved before; None: deleted."""
ResultsOf = Callable[[Sequence[Any], Sequence[Name], Collection[Name]], Any]
"""The Results from the revised outcomes (schedule order), the players (sign-up order) and those who misbehaved."""


def round_robin(names: Sequence[Name]) -> Schedule:
    """Everyone against everyone once: the default schedule."""
    return RoundRobin(len(names))


@attrs.frozen
class TournamentRules:
    """What the manager knows of a game besides its referee."""

    revise: Reviser
    results: ResultsOf
    max_name_length: int
    schedule: Callable[[Sequence[Name]], Schedule] = round_robin


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


class Observer:
    """Hears what happens in a tournament, for logs and progress displays; every method may be left out."""

    def started(self, names: Sequence[Name]) -> None:
        """The tournament starts among `names`, the assigned names in sign-up order."""

    def renamed(self, requested: Name, assigned: Name | None) -> None:
        """A player asked for `requested` and plays as `assigned` (None: no name fits; it is left out)."""

    def misbehaved(self, name: Name, reason: str) -> None:
        """`name` misbehaved and is out of the tournament."""

    def encounter_finished(self, result: EncounterResult | None, finished: int, total: int) -> None:
        """One more encounter is over (None: not played, a player was out); `finished` of `total`."""

    def played(self, encounter: Encounter, first: Name, second: Name, result: EncounterResult) -> None:
        """The encounter at `encounter.index`, between `first` and `second`, was played to `result`."""

    def finished(self, results: Any) -> None:
        """The tournament is over: these are its Results, delivered to every player still in."""


@attrs.frozen
class Observers(Observer):
    """Several observers, each told everything in turn."""

    observers: tuple[Observer, ...]

    def started(self, names: Sequence[Name]) -> None:
        for observer in self.observers:
            observer.started(names)

    def renamed(self, requested: Name, assigned: Name | None) -> None:
        for observer in self.observers:
            observer.renamed(requested, assigned)

    def misbehaved(self, name: Name, reason: str) -> None:
        for observer in self.observers:
            observer.misbehaved(name, reason)

    def encounter_finished(self, result: EncounterResult | None, finished: int, total: int) -> None:
        for observer in self.observers:
            observer.encounter_finished(result, finished, total)

    def played(self, encounter: Encounter, first: Name, second: Name, result: EncounterResult) -> None:
        for observer in self.observers:
            observer.played(encounter, first, second, result)

    def finished(self, results: Any) -> None:
        for observer in self.observers:
            observer.finished(results)


@attrs.define
class TournamentManager:
    """Runs tournaments with `referee` and `rules`, allowing each call to a player `time_per_call` seconds."""

    referee: RefereeFunction
    rules: TournamentRules
    time_per_call: float
    concurrent: bool = True
    observer: Observer = attrs.field(factory=Observer)

    async def run(self, signed_up: Sequence[tuple[Name, Participant]]) -> Any:
        """Run one tournament among `signed_up`: players in sign-up order, with the names they asked for."""
        return await _Tournament(self, signed_up).run()


class _Tournament:
    """One run of a tournament: its entrants, who is out, and the outcomes so far."""

    def __init__(self, manager: TournamentManager, signed_up: Sequence[tuple[Name, Participant]]) -> None:
        self.manager = manager
        self.observer = manager.observer
        registry = NameRegistry(manager.rules.max_name_length)
        self.entrants: list[Entrant] = []
        self.renamed: list[Entrant] = []
        for requested, player in signed_up:
            assigned = registry.assign(requested)
            if assigned != requested:
                self.observer.renamed(requested, assigned)
            if assigned is None:
                continue
            self.entrants.append(Entrant(assigned, player))
            if assigned != requested:
                self.renamed.append(self.entrants[-1])
        self.schedule = manager.rules.schedule([entrant.name for entrant in self.entrants])
        self.played = [0] * len(self.entrants)
        self.out: set[Name] = set()
        self.outcomes: dict[int, tuple[Any, tuple[Name, ...]]] = {}  # by schedule index: outcome, culprits
        self.finished = 0

    async def run(self) -> Any:
        async with trio.open_nursery() as kicks:
            self.kicks = kicks
            return await self._run()

    async def _run(self) -> Any:
        names = [entrant.name for entrant in self.entrants]
        self.observer.started(names)
        async with trio.open_nursery() as nursery:
            for entrant in self.renamed:
                nursery.start_soon(self._tell_name, entrant)
        if self.manager.concurrent:
            async with trio.open_nursery() as nursery:
                for player in range(len(self.entrants)):
                    index = self._free_encounter(player)
                    if index is not None and self.schedule.pairing(index)[0] == player:
                        nursery.start_soon(self._play_in_turn, index, nursery)
        else:
            for index in range(len(self.schedule)):
                await self._play(index)
        rules = self.manager.rules
        revised = revise([self.outcomes[index] for index in sorted(self.outcomes)], rules.revise)
        results = rules.results(revised, names, self.out)
        async with trio.open_nursery() as nursery:
            for entrant in self.entrants:
                if entrant.name not in self.out:
                    nursery.start_soon(self._tell_results, entrant, results)
        self.observer.finished(results)
        return results

    def _free_encounter(self, player: int) -> int | None:
        """The index of `player`'s next encounter if both its players are free for it: each has played all before it."""
        index = self.schedule.next_index(player, self.played[player])
        if index is None:
            return None
        first, second = self.schedule.pairing(index)
        other = second if first == player else first
        return index if self.schedule.next_index(other, self.played[other]) == index else None

    async def _play_in_turn(self, index: int, nursery: trio.Nursery) -> None:
        """Play the encounter at `index`, then start each of its players' next encounter if it can.

        An encounter becomes free exactly when the later of its players'
        previous encounters ends, so each starts once; when both players'
        next encounter is the same (they meet again), it starts once too.
        """
        await self._play(index)
        players = self.schedule.pairing(index)
        for player in players:
            self.played[player] += 1
        started = set()
        for player in players:
            following = self._free_encounter(player)
            if following is not None and following not in started:
                started.add(following)
                nursery.start_soon(self._play_in_turn, following, nursery)

    async def _play(self, index: int) -> None:
        first_index, second_index = self.schedule.pairing(index)
        first, second = self.entrants[first_index], self.entrants[second_index]
        result = None
        if first.name not in self.out and second.name not in self.out:
            encounter = self.schedule.encounter(index)
            result = await self.manager.referee(first, second, encounter)
            self.observer.played(encounter, first.name, second.name, result)
            culprits = tuple(misbehaviour.name for misbehaviour in result.misbehaviours)
            self.outcomes[index] = (result.outcome, culprits)
            for misbehaviour in result.misbehaviours:
                self._put_out(first if misbehaviour.name == first.name else second, misbehaviour.reason)
        self.finished += 1
        self.observer.encounter_finished(result, self.finished, len(self.schedule))

    def _put_out(self, culprit: Entrant, reason: str) -> None:
        """`culprit` is out; the log and the culprit read the same words."""
        reason = shorten(reason, KICK_REASON_LIMIT)
        self.out.add(culprit.name)
        self.observer.misbehaved(culprit.name, reason)
        self.kicks.start_soon(_kick, culprit, reason)

    async def _tell_name(self, entrant: Entrant) -> None:
        told = await safe_call(entrant.player.playing_as, entrant.name, time_limit=self.manager.time_per_call)
        if isinstance(told, Failure):
            self._put_out(entrant, told.reason)

    async def _tell_results(self, entrant: Entrant, results: Any) -> None:
        await safe_call(entrant.player.end_of_tournament, results, time_limit=self.manager.time_per_call)


async def _kick(culprit: Entrant, reason: str) -> None:
    """Tell `culprit` why it is out; whatever it does then changes nothing."""
    await safe_call(culprit.player.kicked, reason, time_limit=KICK_TIME_LIMIT)
