"""The tournament manager: a schedule of encounters among players, each refereed by the game.

It knows nothing of the game: the game's referee plays each encounter, and
the game's TournamentRules say how an earlier outcome is revised when a
player misbehaves and what the Results are.

* Names: assigned in sign-up order by the NameRegistry; a renamed player is
  told its new name (`playing_as`) before any encounter.
* Schedule: the rules' schedule of the players in sign-up order (by default
  the round robin: player 1 against players 2..n, then player 2 against
  3..n, and so on; in each pairing the earlier player is listed first). A
  pairing is a *table* of two or more players (only a format played in
  stages, for a game of more than two players a game, seats more than two);
  a table whose player was out before it started is not played.
* Referees: a two-player game's `referee` (first, second), or a
  `group_referee` (the table's Entrants in seat order), which, when given,
  plays every encounter.
* Notices: with the rules' `announce_start`, every entrant still in hears
  `tournament_starting` (under START_TIME_LIMIT, all at once) before the
  first encounter, and again, those present, when the tournament resumes;
  a failure is a misbehaviour outside any encounter. With
  `results_notice_counts`, a player that fails to take the Results is
  recorded as misbehaving after them (it changes nobody's result).
* Misbehaviour: a player that misbehaves is out: it plays no further
  encounter, and every earlier outcome is revised with the rules' `revise`,
  one outcome at a time, replaying the outcomes in schedule order (what a
  sequential run does as it goes). It is told why (`kicked`, under a short
  time limit, in a task of its own so that nobody waits for it).
* Concurrency: encounters run concurrently, but each player plays its own
  encounters one at a time and in schedule order (an encounter starts when
  it is the next of every one of its players), so every player sees the
  messages it would see in a sequential run, and the Results are the same.
* Results go to every player that never misbehaved; a failure while
  receiving them changes nothing.
* Events: every step the manager takes is written to its EventLog (the
  event log, docs/event-log.md) right after its state changes, so that the
  state folded from the events (Admin.tournament_state) equals the
  manager's at every event. An encounter's end is durable before anybody
  can learn of it: before its log line, its kick notices, and the next
  encounters of its players.
* Resume: given the Progress folded from an interrupted tournament's log,
  the manager plays only what had not ended, each player's encounters still
  in schedule order, and reaches the Results an uninterrupted run reaches.
* Formats played in stages (Swiss, knock-out, gauntlet; Admin/formats): the
  schedule grows a stage at a time. The next stage is asked of the format
  once every encounter of the stage before has ended, from the outcomes so
  far (each scored by the rules' `score`) and who is out; it is logged
  (`stage`) before any of its encounters starts. A resumed event asks the
  format for its stages again, from the same outcomes, and gets the same.
* Summary: at the end, before the Results, the `summary` event holds every
  player's rating (Admin/ratings.py, from the revised outcomes) and the
  format's own summary (a Swiss table, a bracket, an SPRT's verdict).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Collection, Sequence
from typing import Any, cast

import attrs
import trio

from Admin.absent import AbsentPlayer
from Admin.encounter import Encounter, EncounterResult, Entrant, GroupRefereeFunction, Misbehaviour, RefereeFunction
from Admin.event_log import EventLog, Resumption
from Admin.formats.stage import Format, GroupPlayed, Played, ended_as
from Admin.naming import NameRegistry
from Admin.observer import Observer
from Admin.ratings import ScoredEncounter, rate, rated_encounters, ratings_json
from Admin.revisions import Reviser, revise, revised_by_index
from Admin.safe_call import Failure, safe_call
from Admin.schedule import RoundRobin, Schedule
from Admin.stage_plan import StagePlan
from Admin.tournament_state import (
    ENCOUNTER_END,
    ENCOUNTER_START,
    MISBEHAVIOUR,
    RESULTS,
    REVISION,
    ROSTER,
    SIGN_UP,
    STAGE,
    SUMMARY,
    Progress,
)
from Common.participant import KICK_REASON_LIMIT, Name, Participant
from Common.strict import shorten

DEFAULT_TIME_PER_CALL = 2.0
"""Seconds a player has for each message, unless the configuration says otherwise."""
THREADED_FIT = 200
"""From this many players on, the ratings are fitted in a worker thread (a dense fit: its time grows as the cube of the field)."""
KICK_TIME_LIMIT = 0.5
"""Seconds a misbehaving player has to take the message that says why it is out."""
START_TIME_LIMIT = 3.0
"""Seconds each player has to take the notice that the tournament starts (`announce_start`), as the course's Fish server allows."""

ResultsOf = Callable[[Sequence[Any], Sequence[Any], Collection[Any]], Any]
"""The Results from the revised outcomes (schedule order), the players (sign-up order) and those who misbehaved.

Outcomes and names are the game's (each game has a Name type of its own), hence Any."""


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
    to_json: Callable[[Any], Any] = lambda value: value
    """An outcome or the Results in the wire form of the game's converter, for the event log."""
    from_json: Callable[[Any], Any] = lambda value: value
    """An outcome from its wire form (strict), for resuming from the event log."""
    score: Callable[[Any, Any], float | None] = lambda outcome, player: None
    """`player`'s score in an outcome (not in wire form): 1 won, 0.5 drew, 0 lost; None when nobody scored.
    Formats that need a winner, and the ratings, read it. In an encounter of more than two players, the players
    with the highest score won (ties: all of them)."""
    announce_start: bool = False
    """Every player hears `tournament_starting` before the first encounter; a failure to take it is a misbehaviour."""
    results_notice_counts: bool = False
    """A player that fails to take the Results misbehaves (recorded after them; it changes nobody's result)."""
    narrowed: Callable[[Any, Sequence[Any]], Any] = lambda results, own: results
    """The Results one player of an arena receives (Admin/arena_manager.py): the whole Results narrowed to `own`, the
    outcomes of its encounters, where the Results list every outcome (else the whole Results): a long arena's end
    sends each player what is its, not the outcomes of every encounter of everyone."""


@attrs.define
class TournamentManager:
    """Runs tournaments with `referee` and `rules`, allowing each call to a player `time_per_call` seconds.

    `referee` plays an encounter of two players; `group_referee`, when given,
    plays every encounter (of two or more players), and `referee` may be None.
    """

    referee: RefereeFunction | None
    rules: TournamentRules
    time_per_call: float
    concurrent: bool = True
    observer: Observer = attrs.field(factory=Observer)
    event_log: EventLog = attrs.field(factory=EventLog)
    output: Callable[[Any], Any] | None = None
    """The JSON value printed for the Results, for the `results` event (None: their wire form)."""
    event_format: Callable[[Sequence[Name]], Format] | None = None
    """The format played in stages (Admin/formats) among the players (sign-up order); None: the rules' schedule."""
    group_referee: GroupRefereeFunction | None = None
    """The referee of a table of Entrants in seat order (a game of more than two players a game); None: `referee`."""
    _current: _Tournament | None = attrs.field(default=None, init=False)

    async def run(self, signed_up: Sequence[tuple[Name, Participant]], resumption: Resumption | None = None) -> Any:
        """Run one tournament among `signed_up`: players in sign-up order, with the names they asked for.

        With a `resumption`, `signed_up` is the roster of the interrupted
        tournament, under the names they play as, and the tournament goes on
        from where its log ends.
        """
        self._current = _Tournament(self, signed_up, resumption)
        return await self._current.run()

    def check_resumption(self, roster: Sequence[Name], resumption: Resumption) -> None:
        """Nothing if the interrupted tournament among `roster` can go on from `resumption` under these rules and format;
        ValueError, one line, if its log does not fit them (an encounter out of order, a stage its format does not give)."""
        quiet = attrs.evolve(self, observer=Observer(), event_log=EventLog())
        nobody = cast(Participant, AbsentPlayer("a check"))  # asked nothing: the take-up alone runs
        _Tournament(quiet, [(name, nobody) for name in roster], resumption)

    def progress(self) -> Progress:
        """The state of the tournament that runs (or ran last), as the fold of its events has it."""
        assert self._current is not None, "no tournament has started"
        return self._current.progress()

    async def play(self, entrants: Sequence[Entrant], encounter: Encounter) -> EncounterResult:
        """Play one encounter among `entrants` (seat order) with the group referee, or the two-player referee."""
        if self.group_referee is not None:
            return await self.group_referee(entrants, encounter)
        assert self.referee is not None, "a manager needs a referee or a group referee"
        first, second = entrants
        return await self.referee(first, second, encounter)


class _Tournament:
    """One run of a tournament: its entrants, who is out, and the outcomes so far."""

    def __init__(self, manager: TournamentManager, signed_up: Sequence[tuple[Name, Participant]], resumption: Resumption | None) -> None:
        self.manager = manager
        self.resuming = resumption is not None
        self.observer = manager.observer
        self.event_log = manager.event_log
        self.rules = manager.rules
        self.entrants: list[Entrant] = []
        self.renamed: list[Entrant] = []
        if resumption is None:
            self._sign_up(signed_up)
        else:
            self.entrants = [Entrant(name, player) for name, player in signed_up]
            self.renamed = [entrant for entrant in self.entrants if entrant.name in resumption.renamed]
        names = [entrant.name for entrant in self.entrants]
        event_format = None if manager.event_format is None else manager.event_format(names)
        self.plan = None if event_format is None else StagePlan(event_format, names, lambda index: self._played(index, self.ended[index]))
        self.schedule: Schedule = self.rules.schedule(names) if self.plan is None else self.plan.schedule
        if resumption is None:
            self.event_log.write({"type": ROSTER, "players": [e.name for e in self.entrants], "encounters": len(self.schedule)})
        self.played = [0] * len(self.entrants)
        self.out: set[Name] = set()
        self.outcomes: dict[int, tuple[Any, tuple[Name, ...]]] = {}  # by schedule index: outcome, culprits
        self.ended: dict[int, tuple[Any, tuple[Name, ...]]] = {}  # the same in wire form, also those not played
        self.culprit_encounters: list[int] = []  # the indices of the played encounters with culprits, in order
        if resumption is not None:
            self._take_up(resumption.progress, resumption)
            if self.outcomes:  # the revisions of the last encounter that ended, if the interruption cut them off
                self._record_revisions(dict(resumption.revised))

    def _sign_up(self, signed_up: Sequence[tuple[Name, Participant]]) -> None:
        """Name the players, in sign-up order; each sign-up is an event."""
        registry = NameRegistry(self.rules.max_name_length)
        for requested, player in signed_up:
            assigned = registry.assign(requested)
            self.event_log.write({"type": SIGN_UP, "requested": requested, "assigned": assigned})
            if assigned != requested:
                self.observer.renamed(requested, assigned)
            if assigned is None:
                continue
            self.entrants.append(Entrant(assigned, player))
            if assigned != requested:
                self.renamed.append(self.entrants[-1])

    def _take_up(self, progress: Progress, resumption: Resumption | None = None) -> None:
        """Start from the `progress` of an interrupted run: its ended encounters and who is out."""
        position = {entrant.name: number for number, entrant in enumerate(self.entrants)}
        self.ended = dict(progress.ended)
        if self.plan is not None:
            logged = resumption.stages if resumption is not None else ()
            if len(logged) != progress.stages:
                raise ValueError(f"the log has {progress.stages} stages, the resumption {len(logged)}")
            self.plan.take_up(progress.ended, progress.out, logged)
        for index, (outcome, culprits) in progress.ended.items():
            if outcome is not None:
                self.outcomes[index] = (self.rules.from_json(outcome), tuple(culprits))
                if culprits:
                    bisect.insort(self.culprit_encounters, index)
            for player in self.schedule.pairing(index):
                self.played[player] += 1
        for player, number in enumerate(self.played):
            started = self.schedule.next_index(player, number)
            ended = [index for index in progress.ended if player in self.schedule.pairing(index)]
            if any(started is not None and index > started for index in ended):
                raise ValueError(f"the log has {self.entrants[player].name}'s encounters end out of schedule order")
        self.out = {name for name in progress.out if name in position}

    def _settled(self, index: int) -> None:
        """The encounter at `index` has ended, is durable and its players are free for their next: its stage may be over."""
        if self.plan is not None:
            self.plan.settled(index)

    def _played(self, index: int, ended: tuple[Any, tuple[Name, ...]]) -> tuple[Played | None, GroupPlayed]:
        """The encounter at `index`, ended with `ended` (its outcome in wire form and its culprits), as a format sees it:
        as a Played if it has two players, and as a table (its winners: the best score of those who are no culprit)."""
        outcome, culprits = ended
        table = self.schedule.pairing(index)
        players = {self.entrants[player].name: player for player in table}
        read = None if outcome is None else self.rules.from_json(outcome)
        return ended_as(
            table,
            read is not None,
            frozenset(players[name] for name in culprits),
            lambda player: self.rules.score(read, self.entrants[player].name),
        )

    def _next_stage(self) -> bool:
        """Ask the format for the next stage (the stages so far have all ended); log it. False when the event is over."""
        assert self.plan is not None
        position = {entrant.name: number for number, entrant in enumerate(self.entrants)}
        stage = self.plan.next(frozenset(position[name] for name in self.out))
        if stage is None:
            return False
        self.event_log.write({"type": STAGE} | self.plan.stage_event())
        self.observer.stage_started(stage.label, len(stage.pairings), self.plan.byes())
        return True

    def _advance(self) -> bool:
        """For a staged format, once the last stage is over: the next one, if any. Whether new encounters were added."""
        added = False
        while self.plan is not None and self.plan.over() and self._next_stage():
            added = True
            if self.plan.stages[-1][0].pairings:
                break  # a stage of byes alone ends at once, and the next follows
        return added

    def progress(self) -> Progress:
        """Ended encounters (outcomes in wire form) and who is out: as the fold of the events has it."""
        return Progress(dict(self.ended), frozenset(self.out), 0 if self.plan is None else len(self.plan.stages))

    async def run(self) -> Any:
        async with trio.open_nursery() as kicks:
            self.kicks = kicks
            return await self._run()

    async def _run(self) -> Any:
        names = [entrant.name for entrant in self.entrants]
        self.observer.started(names)
        if self.resuming:
            self.observer.resumed(len(self.ended), sum(outcome is not None for outcome, _ in self.ended.values()))
            if self.plan is not None and not self.plan.over():  # the stage the interrupted run was in goes on: say which
                stage, indices = self.plan.stages[-1]
                self.observer.stage_started(stage.label, len(indices), self.plan.byes())
        async with trio.open_nursery() as nursery:
            for entrant in self.renamed:
                nursery.start_soon(self._tell_name, entrant)
        if self.rules.announce_start:
            async with trio.open_nursery() as nursery:
                for entrant in self.entrants:
                    if entrant.name not in self.out and not isinstance(entrant.player, AbsentPlayer):
                        nursery.start_soon(self._tell_start, entrant)
        self._advance()
        if self.manager.concurrent:
            async with trio.open_nursery() as nursery:
                self._start_free(nursery)
        else:
            index = 0
            while index < len(self.schedule):
                if index not in self.ended:
                    await self._play(index)
                    self._settled(index)
                index += 1
                if index == len(self.schedule):
                    self._advance()
        revised = revise([self.outcomes[index] for index in sorted(self.outcomes)], self.rules.revise)
        results = self.rules.results(revised, names, self.out)
        await self._write_summary()
        output = (self.manager.output or self.rules.to_json)(results)
        self.event_log.write({"type": RESULTS, "results": self.rules.to_json(results), "output": output})
        await self.event_log.durable()
        async with trio.open_nursery() as nursery:
            for entrant in self.entrants:
                if entrant.name not in self.out:
                    nursery.start_soon(self._tell_results, entrant, results)
        self.observer.finished(results)
        return results

    def _start_free(self, nursery: trio.Nursery) -> None:
        """Start every encounter that is free for both its players, each once."""
        for player in range(len(self.entrants)):
            index = self._free_encounter(player)
            if index is not None and self.schedule.pairing(index)[0] == player:
                nursery.start_soon(self._play_in_turn, index, nursery)

    async def _write_summary(self) -> None:
        """The `summary` event: the ratings from the revised outcomes, and the format's summary."""
        revised = revised_by_index(self.outcomes, self.rules.revise)
        names = [entrant.name for entrant in self.entrants]
        encounters: list[ScoredEncounter] = []
        for index, outcome in sorted(revised.items()):
            if outcome is not None:
                culprits = self.outcomes[index][1]
                encounters += rated_encounters(
                    self.schedule.pairing(index),
                    frozenset(player for player in self.schedule.pairing(index) if names[player] in culprits),
                    lambda player, outcome=outcome: self.rules.score(outcome, names[player]),  # type: ignore[misc]
                )
        if len(names) < THREADED_FIT:
            ratings = rate(len(names), encounters)
        else:  # a second or so for a thousand players: the others (kicks, watchers) go on meanwhile
            ratings = await trio.to_thread.run_sync(rate, len(names), encounters)
        summary = None
        if self.plan is not None:
            stages = self.plan.results()
            lowest = [-math.inf if rating is None else rating for rating in ratings.values()]  # the unrated (no games) rank last
            summary = self.plan.format.summary(len(names), stages, lowest)
        rows = ratings_json(names, ratings)
        self.event_log.write({"type": SUMMARY, "ratings": rows, "format": summary})
        self.observer.summarised(rows, summary)

    def _free_encounter(self, player: int) -> int | None:
        """The index of `player`'s next encounter if every one of its players is free for it: each has played all before it.

        An encounter that has ended is never free, though its task may not yet
        have counted it in `played` (it waits for the log to be durable first).
        """
        index = self.schedule.next_index(player, self.played[player])
        if index is None or index in self.ended:
            return None
        table = self.schedule.pairing(index)
        return index if all(self.schedule.next_index(other, self.played[other]) == index for other in table) else None

    async def _play_in_turn(self, index: int, nursery: trio.Nursery) -> None:
        """Play the encounter at `index`, then start each of its players' next encounter if it can.

        An encounter becomes free exactly when the latest of its players'
        previous encounters ends, so each starts once; when several players'
        next encounter is the same (they meet again), it starts once too.
        """
        await self._play(index)
        players = self.schedule.pairing(index)
        for player in players:
            self.played[player] += 1
        self._settled(index)
        if self._advance():
            self._start_free(nursery)
            return
        started = set()
        for player in players:
            following = self._free_encounter(player)
            if following is not None and following not in started:
                started.add(following)
                nursery.start_soon(self._play_in_turn, following, nursery)

    async def _play(self, index: int) -> None:
        seated = [self.entrants[player] for player in self.schedule.pairing(index)]
        pair = [entrant.name for entrant in seated]
        result = None
        encounter = self.schedule.encounter(index)
        if not any(name in self.out for name in pair):
            self.event_log.write(
                {"type": ENCOUNTER_START, "encounter": index, "players": pair}
                | {"repetition": encounter.repetition, "meeting": encounter.meeting}
            )
            result = await self.manager.play(seated, encounter)
        revised_before = self._revised() if result is not None and result.misbehaviours else None
        culprits: tuple[Name, ...] = ()
        if result is not None:
            for misbehaviour in result.misbehaviours:
                self._record_misbehaviour(misbehaviour, index)
            culprits = tuple(misbehaviour.name for misbehaviour in result.misbehaviours)
            self.outcomes[index] = (result.outcome, culprits)
            if culprits:
                bisect.insort(self.culprit_encounters, index)
        outcome = None if result is None else self.rules.to_json(result.outcome)
        self.ended[index] = (outcome, culprits)
        self.event_log.write({"type": ENCOUNTER_END, "encounter": index, "players": pair, "outcome": outcome, "culprits": list(culprits)})
        if revised_before is not None:
            self._record_revisions(revised_before)
        elif result is not None:
            self._record_revision_of(index)
        await self.event_log.durable()
        if result is not None:
            self.observer.encounter_played(encounter, pair, result)
            for misbehaviour in result.misbehaviours:
                self._put_out(seated[pair.index(misbehaviour.name)], misbehaviour.reason)
        total = (
            len(self.schedule) if self.plan is None else max(len(self.schedule), self.plan.format.expected_encounters(len(self.entrants)))
        )
        self.observer.encounter_finished(result, len(self.ended), total)

    def _revised(self, indices: Collection[int] | None = None) -> dict[int, Any]:
        """The outcomes so far after their revisions, by schedule index, in wire form (None: deleted).

        With `indices`, only those outcomes and the culprits' encounters (what revises them) are looked at.
        """
        played = self.outcomes
        if indices is not None:
            played = {index: self.outcomes[index] for index in {*indices, *self.culprit_encounters}}
        revised = revised_by_index(played, self.rules.revise)
        return {index: None if outcome is None else self.rules.to_json(outcome) for index, outcome in revised.items()}

    def _record_revisions(self, before: dict[int, Any]) -> None:
        """One `revision` event for each outcome whose revised form differs from `before` (or from its raw outcome)."""
        for changed, outcome in sorted(self._revised().items()):
            if outcome != before.get(changed, self.ended[changed][0]):
                self._record_revision(changed, outcome)

    def _record_revision_of(self, index: int) -> None:
        """The revision of the outcome at `index`, which ended without culprits, by the culprits of later encounters."""
        if self.culprit_encounters and self.culprit_encounters[-1] > index:
            outcome = self._revised((index,))[index]
            if outcome != self.ended[index][0]:
                self._record_revision(index, outcome)

    def _record_revision(self, index: int, outcome: Any) -> None:
        """`revision`: the outcome at `index` is now `outcome`, by the last culprit of a later encounter."""
        later = self.culprit_encounters[bisect.bisect_right(self.culprit_encounters, index) :]
        if later:
            culprit = self.outcomes[later[-1]][1][-1]
            self.event_log.write({"type": REVISION, "encounter": index, "culprit": culprit, "outcome": outcome})

    def _record_misbehaviour(self, misbehaviour: Misbehaviour, encounter: int | None) -> None:
        self.out.add(misbehaviour.name)
        reason = shorten(misbehaviour.reason, KICK_REASON_LIMIT)
        self.event_log.write(
            {"type": MISBEHAVIOUR, "name": misbehaviour.name, "kind": misbehaviour.kind, "reason": reason, "encounter": encounter}
        )

    def _put_out(self, culprit: Entrant, reason: str) -> None:
        """`culprit` is out (its misbehaviour is recorded); the log and the culprit read the same words."""
        reason = shorten(reason, KICK_REASON_LIMIT)
        self.observer.misbehaved(culprit.name, reason)
        self.kicks.start_soon(_kick, culprit, reason)

    async def _tell_name(self, entrant: Entrant) -> None:
        told = await safe_call(entrant.player.playing_as, entrant.name, time_limit=self.manager.time_per_call)
        if isinstance(told, Failure):
            self._record_misbehaviour(Misbehaviour(entrant.name, told.reason, told.kind), None)
            await self.event_log.durable()
            self._put_out(entrant, told.reason)

    async def _tell_start(self, entrant: Entrant) -> None:
        told = await safe_call(entrant.player.tournament_starting, time_limit=START_TIME_LIMIT)
        if isinstance(told, Failure):
            self._record_misbehaviour(Misbehaviour(entrant.name, told.reason, told.kind), None)
            await self.event_log.durable()
            self._put_out(entrant, told.reason)

    async def _tell_results(self, entrant: Entrant, results: Any) -> None:
        told = await safe_call(entrant.player.end_of_tournament, results, time_limit=self.manager.time_per_call)
        if isinstance(told, Failure) and self.rules.results_notice_counts:  # no kick: the tournament is over for it
            self._record_misbehaviour(Misbehaviour(entrant.name, told.reason, told.kind), None)
            self.observer.misbehaved(entrant.name, shorten(told.reason, KICK_REASON_LIMIT))


async def _kick(culprit: Entrant, reason: str) -> None:
    """Tell `culprit` why it is out; whatever it does then changes nothing."""
    await safe_call(culprit.player.kicked, reason, time_limit=KICK_TIME_LIMIT)
