"""The tournament manager: a round robin among players, refereed encounter by encounter.

It knows nothing of the game; a referee function plays each encounter.

* Names: assigned in sign-up order by the NameRegistry; a renamed player is
  told its new name (`playing_as`) before any encounter.
* Schedule: player 1 against players 2..n, then player 2 against 3..n, and so
  on; in each pairing the earlier player is listed first.
* Misbehaviour: a player that misbehaves loses that encounter irregularly and
  plays no further encounter; its earlier wins are revised (`revise`). It is
  told why (`kicked`, under a short time limit, in a task of its own so that
  nobody waits for it).
* Concurrency: encounters run concurrently, but each player plays its own
  encounters one at a time and in schedule order, so every player sees the
  messages it would see in a sequential run, and the Results are the same.
* Results go to every player that never misbehaved; a failure while
  receiving them changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import attrs
import trio

from Admin.encounter import Encounter, EncounterResult, Entrant, RefereeFunction
from Admin.naming import NameRegistry
from Admin.safe_call import Failure, safe_call
from Common.names import Name
from Common.player import Player
from Common.results import KICK_REASON_LIMIT, EncounterOutcome, Results
from Common.strict import shorten

KICK_TIME_LIMIT = 0.5
"""Seconds a misbehaving player has to take the message that says why it is out."""


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

    def finished(self, results: Results) -> None:
        """The tournament is over: these are its Results, delivered to every player still in."""


@attrs.frozen
class RoundRobin:
    """The pairings of `count` players in schedule order: player 1 against 2..n, then 2 against 3..n, ...

    Computed, not stored: a round robin of 1,000 players has 499,500 pairings.
    A pairing is a pair of player indices, the earlier player first; its
    index is its position in the schedule.
    """

    count: int

    def __len__(self) -> int:
        return self.count * (self.count - 1) // 2

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return ((first, second) for first in range(self.count) for second in range(first + 1, self.count))

    def index(self, first: int, second: int) -> int:
        """The position of the pairing of `first` and `second` (first < second) in the schedule."""
        return first * self.count - first * (first + 1) // 2 + second - first - 1

    def opponent(self, player: int, played: int) -> int | None:
        """The opponent of `player` in its encounter after `played` others, or None when it is through."""
        opponent = played if played < player else played + 1
        return opponent if opponent < self.count else None


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
            if assigned is None:
                continue
            self.entrants.append(Entrant(assigned, player))
            if assigned != requested:
                self.renamed.append(self.entrants[-1])
        self.schedule = RoundRobin(len(self.entrants))
        self.played = [0] * len(self.entrants)
        self.out: set[Name] = set()
        self.outcomes: dict[int, EncounterOutcome] = {}
        self.finished = 0

    async def run(self) -> Results:
        async with trio.open_nursery() as kicks:
            self.kicks = kicks
            return await self._run()

    async def _run(self) -> Results:
        self.observer.started([entrant.name for entrant in self.entrants])
        async with trio.open_nursery() as nursery:
            for entrant in self.renamed:
                nursery.start_soon(self._tell_name, entrant)
        if self.manager.concurrent:
            async with trio.open_nursery() as nursery:
                for player in range(len(self.entrants)):
                    opponent = self._free_opponent(player)
                    if opponent is not None and player < opponent:
                        nursery.start_soon(self._play_in_turn, player, opponent, nursery)
        else:
            for first, second in self.schedule:
                await self._play(first, second)
        results = revise([self.outcomes[index] for index in sorted(self.outcomes)])
        async with trio.open_nursery() as nursery:
            for entrant in self.entrants:
                if entrant.name not in self.out:
                    nursery.start_soon(self._tell_results, entrant, results)
        self.observer.finished(results)
        return results

    def _free_opponent(self, player: int) -> int | None:
        """The opponent of `player`'s next encounter if both are free for it: each has played all before it."""
        opponent = self.schedule.opponent(player, self.played[player])
        if opponent is not None and self.schedule.opponent(opponent, self.played[opponent]) == player:
            return opponent
        return None

    async def _play_in_turn(self, first: int, second: int, nursery: trio.Nursery) -> None:
        """Play the encounter of `first` and `second`, then start each one's next encounter if it can.

        The two next encounters differ (these two players meet only once), and
        an encounter becomes free exactly when the later of its players'
        previous encounters ends, so each starts once.
        """
        await self._play(first, second)
        for player in (first, second):
            self.played[player] += 1
        for player in (first, second):
            opponent = self._free_opponent(player)
            if opponent is not None:
                nursery.start_soon(self._play_in_turn, min(player, opponent), max(player, opponent), nursery)

    async def _play(self, first_index: int, second_index: int) -> None:
        first, second = self.entrants[first_index], self.entrants[second_index]
        result = None
        if first.name not in self.out and second.name not in self.out:
            index = self.schedule.index(first_index, second_index)
            result = await self.manager.referee(first, second, Encounter(index))
            self.outcomes[index] = result.outcome
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

    async def _tell_results(self, entrant: Entrant, results: Results) -> None:
        await safe_call(entrant.player.end_of_tournament, results, time_limit=self.manager.time_per_call)


async def _kick(culprit: Entrant, reason: str) -> None:
    """Tell `culprit` why it is out; whatever it does then changes nothing."""
    await safe_call(culprit.player.kicked, reason, time_limit=KICK_TIME_LIMIT)
