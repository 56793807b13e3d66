"""An arena that never closes, game-free: players join while it runs, the matchmaking seats them, each encounter refereed.

The arena's matchmaking (Admin/formats/arena.py) and its ratings
(Admin/arena_ratings.py) are pure; this is their trio shell. The host hands
it each player as it signs up (`join`) and says when one has gone
(`left`); the shell asks the matchmaking for the tables to start, plays
each with the game's referee (the TournamentManager's `play`, as any
tournament does), rates it, logs one line with every player's rating
change, and puts each player whose connection is still open back in the
queue. A culprit is kicked (its connection closes) and cools down: it may
sign up again and waits from the cool-down's end; its misbehaviour number
`misbehaviours_allowed + 1` keeps it out. Nothing is revised.

At the end (the arena's minutes, or `stop`) no new encounter starts, the
running ones finish, and every player still connected gets the Results in
the game's own shape, made by the rules from every outcome in the order
the encounters ended and narrowed to its own encounters where the Results
list outcomes (`TournamentRules.narrowed`: a long arena's end sends each
player its own, not every encounter of everyone); the standings the
organiser reads are the leaderboard's (μ - 3σ).

What every encounter leaves behind, its outcome and how often its players
have met, the manager does not keep twice: with an event log (`fold`, its
writer's fold of this arena) it reads both from the fold, which keeps the
outcomes on file where the log is on disk (Admin/arena_outcomes.py); so
the arena's memory does not grow with its encounters, only the Results
at the end are made whole. Without a log the manager keeps its own, the
outcomes where `outcomes` says (the server's: a temporary file).

The time is the event log's clock: the Unix time the arena opened (its
`start` event's `t`) plus trio's clock since, in milliseconds, never
going back; each event of the matchmaking carries it as its `t`, so that
the fold of the log (Admin/arena_state.py) reads the very times the
matchmaking and the ratings were given. A resumed arena (`resumed`, the
state folded from its log) goes on from that state: its opening is the
original one (so its minutes count the time the server was down), and it
first ends the encounters that ran at the kill without an outcome and
logs the players that were in it as gone (`resume`, `arena-leave`);
they come back by signing up again.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import trio

from Admin.arena_outcomes import EndedEncounters, EndedOutcomes, KeptOutcomes
from Admin.arena_ratings import MISBEHAVED, ArenaRatings, EncounterEnded, Place, places_by_score, result_line, standings_json
from Admin.arena_state import ArenaState, Placing
from Admin.encounter import Encounter, EncounterResult, Entrant
from Admin.event_log import EventLog
from Admin.event_types import ARENA_JOIN, ARENA_LEAVE, ENCOUNTER_END, ENCOUNTER_START, MISBEHAVIOUR, RESULTS, RESUME, SUMMARY
from Admin.formats.arena import Arena, ArenaSettings
from Admin.manager import KICK_TIME_LIMIT, TournamentManager, TournamentRules
from Admin.observer import Observer
from Admin.safe_call import safe_call
from Common.participant import KICK_REASON_LIMIT, Name, Participant
from Common.strict import shorten

TICK_SECONDS = 1.0
"""How often, at least, the arena looks again at its queue when nothing happens (and who of it has gone)."""
STATUS_SECONDS = 1.0


def placing(rules: TournamentRules) -> Placing:
    """How an outcome (wire form) places its players: by the rules' scores, a culprit MISBEHAVED (the arena rates by it)."""

    def places(outcome: object, players: tuple[str, ...], culprits: frozenset[str]) -> tuple[Place, ...]:
        parsed = rules.from_json(outcome)
        scores = [rules.score(parsed, name) for name in players]
        by_score = places_by_score([0.0 if score is None else score for score in scores])
        return tuple(MISBEHAVED if name in culprits else place for name, place in zip(players, by_score, strict=True))

    return places


@attrs.define
class _Player:
    """A player that signed up, as the arena holds it: its name, its connection, whether it is in an encounter."""

    name: str
    player: Participant
    playing: bool = False


@attrs.define
class ArenaManager:
    """Runs an arena with `manager`'s referee and rules; see the module's docstring."""

    manager: TournamentManager
    settings: ArenaSettings
    log: logging.Logger
    status: Callable[[str], None] = lambda text: None
    observer: Observer = attrs.field(factory=Observer)
    event_log: EventLog = attrs.field(factory=EventLog)
    connected: Callable[[Participant], bool] = lambda player: True
    """Whether a player's connection is still open (a local player always is)."""
    resumed: ArenaState | None = None
    """The state folded from the log of the arena this one goes on with (None: a new arena)."""
    fold: ArenaState | None = None
    """The event log writer's fold of this arena (a resumed arena's is `resumed`, folding on), where the outcomes and
    meetings are kept (see the module's docstring); None: the manager keeps its own."""
    outcomes: EndedOutcomes | None = None
    """Where the manager keeps the outcomes without a `fold` (None: in memory)."""
    opened_at: float | None = None
    """The Unix time the arena opened (its start event's `t`); None: now. A resumed arena's is its log's."""
    _arena: Arena = attrs.field(init=False)
    ratings: ArenaRatings = attrs.field(factory=ArenaRatings, init=False)
    _players: dict[str, _Player] = attrs.field(factory=dict, init=False)
    _kept: ArenaState | EndedEncounters = attrs.field(init=False)
    """Where the outcomes and meetings are: `fold`, or the manager's own."""
    _origin: float | None = attrs.field(default=None, init=False)
    """The log's time when trio's clock was 0; None until the first reading."""
    _latest: float = attrs.field(default=-float("inf"), init=False)
    _wake: trio.Event = attrs.field(factory=trio.Event, init=False)
    _stopped: bool = attrs.field(default=False, init=False)
    _closed: bool = attrs.field(default=False, init=False)
    """It is finishing: nobody joins or leaves any more (its log ends with the summary and the Results)."""
    _ended_count: int = attrs.field(default=0, init=False)
    _queued_at: dict[str, float] = attrs.field(factory=dict, init=False)
    longest_wait: tuple[float, str] | None = attrs.field(default=None, init=False)
    """The longest a player waited in the queue before an encounter started (seconds, not cooling down), and who."""

    def __attrs_post_init__(self) -> None:
        resumed = self.resumed
        if self.fold is not None:
            self._kept = self.fold
        elif resumed is not None:
            self._kept = EndedEncounters(KeptOutcomes(list(resumed.rated)), dict(resumed.meetings))
        else:
            self._kept = EndedEncounters(KeptOutcomes() if self.outcomes is None else self.outcomes)
        if resumed is None:
            self._latest = round(time.time(), 3) if self.opened_at is None else self.opened_at
            self._arena = Arena(self.settings, self._latest)
            return
        assert resumed.arena is not None, "a resumed arena's log has its start"
        self._arena = copy.deepcopy(resumed.arena)  # its own: the log's fold goes on folding the same events
        self.ratings = copy.deepcopy(resumed.ratings)
        self._ended_count = len(resumed.rated)
        self._latest = resumed.last_t
        self._go_on(resumed)

    def _go_on(self, resumed: ArenaState) -> None:
        """Nobody is connected to a resumed arena: log the resume, end the encounters that ran without an outcome, and
        the waiting players' leaves (they come back by signing up again)."""
        absent = sorted({*self._arena.waiting, *self._arena.playing})
        self.event_log.write({"type": RESUME, "returned": [], "absent": absent})
        for encounter in resumed.running:
            now = self._now()
            self.event_log.write(
                {"type": ENCOUNTER_END, "t": now, "encounter": encounter.index, "players": list(encounter.players)}
                | {"outcome": None, "culprits": []}
            )
            self._arena.end(encounter.players, now)
            self.log.info(
                "encounter %d of %s ran when the server stopped: it counts for nobody", encounter.index, ", ".join(encounter.players)
            )
        for name in self._arena.queue():
            now = self._now()
            self._arena.leave(name, now)
            self.event_log.write({"type": ARENA_LEAVE, "t": now, "name": name})
        if absent:
            self.log.info("resume: %s were in the arena; each comes back by signing up again", ", ".join(absent))

    # --- what the host says --------------------------------------------------------

    def join(self, name: str, player: Participant, opponent: str | None = None) -> str | None:
        """`name` signed up (or came back) with `player`: it waits for an encounter. Why not, if it may not."""
        if self._closed:
            return "the arena is over"
        refusal = self._arena.refusal(name, opponent)
        if refusal is not None:
            return refusal
        if name in self._players:
            return f"{name} is in the arena already"
        self._players[name] = _Player(name, player)
        if name not in self.ratings:
            self.ratings.join(name)
        self._queue(name, opponent)
        return None

    def left(self, name: str) -> None:
        """`name`'s connection closed while it waited: it leaves the queue (it may come back and keep its rating)."""
        held = self._players.get(name)
        if held is not None and not held.playing and not self._closed:  # after the Results, nobody leaves: the log has ended
            del self._players[name]
            now = self._now()
            self._arena.leave(name, now)
            self.event_log.write({"type": ARENA_LEAVE, "t": now, "name": name})
            self.log.info("%s left the arena", name)
            self._wake.set()

    def names(self) -> frozenset[str]:
        """The players in the arena now (waiting or playing); one whose connection closed while it waited has left (so
        that it may come back under its name at once)."""
        self._drop_the_gone()
        return frozenset(self._players)

    def stop(self) -> None:
        """End the arena now: no new encounter starts; the running ones finish."""
        self._stopped = True
        self._wake.set()

    # --- the arena ---------------------------------------------------------------

    async def run(self) -> Any:
        """Run the arena until its end and the last encounter's; the Results every connected player was told."""
        async with trio.open_nursery() as encounters, trio.open_nursery() as chores:
            chores.start_soon(self._show_status)
            while not self._over():
                self._drop_the_gone()
                now = self._now()
                self._arena.tick(now)
                first = self._arena.encounters
                for index, table in enumerate([] if self._stopped else self._arena.pairings(now), first):
                    for name in table:
                        self._players[name].playing = True
                        self._note_wait(name, now)
                    encounters.start_soon(self._play, index, table, self._started(index, table, now))
                for note in self._arena.take_notes():
                    self.log.info("%s", note)
                self._wake = trio.Event()
                due = self._arena.wake_at(now)  # a cool-down's end, a window widening, the end: a table may start then
                with trio.move_on_after(TICK_SECONDS if due is None else min(TICK_SECONDS, max(0.0, due - now))):
                    await self._wake.wait()
            chores.cancel_scope.cancel()
        return await self._finish()

    def _over(self) -> bool:
        ending = self._stopped or self._arena.ended(self._now())
        return ending and not any(held.playing for held in self._players.values())

    def _now(self) -> float:
        """The event log's time now (see the module's docstring): milliseconds, never going back."""
        if self._origin is None:
            self._origin = time.time() - trio.current_time()
        self._latest = max(self._latest, round(self._origin + trio.current_time(), 3))
        return self._latest

    def _queue(self, name: str, opponent: str | None = None) -> None:
        rating = self.ratings.player(name).ordinal
        now = self._now()
        refusal = self._arena.join(name, rating, now, opponent)
        if refusal is not None:
            self.log.info("%s", refusal)
            return
        self.event_log.write({"type": ARENA_JOIN, "t": now, "name": name, "rating": rating, "opponent": opponent})
        self._queued_at[name] = max(now, self._arena.cooling_until.get(name, 0.0))
        self._wake.set()

    def _note_wait(self, name: str, now: float) -> None:
        waited = now - self._queued_at.pop(name, now)
        if self.longest_wait is None or waited > self.longest_wait[0]:
            self.longest_wait = (waited, name)

    def _drop_the_gone(self) -> None:
        """Those whose connection closed while they waited leave the queue, so that nobody is seated with them."""
        for held in list(self._players.values()):
            if not held.playing and not self.connected(held.player):
                self.left(held.name)

    def _started(self, index: int, table: tuple[str, ...], now: float) -> int:
        """Log the start of the encounter `pairings` returned at `now` (before any later event); its players' meeting.

        The fold's count is up to date: these players' last encounter ended durably (so folded) before they were queued."""
        meeting = self._kept.meetings.get(tuple(sorted(table)), 0)
        if self.fold is None:
            self._kept.meetings[tuple(sorted(table))] = meeting + 1
        self.event_log.write(
            {"type": ENCOUNTER_START, "t": now, "encounter": index, "players": list(table), "repetition": 0, "meeting": meeting}
        )
        return meeting

    async def _play(self, index: int, table: tuple[str, ...], meeting: int) -> None:
        seated = [Entrant(name, self._players[name].player) for name in table]
        result: EncounterResult = await self.manager.play(seated, Encounter(index, 0, meeting))
        culprits = tuple(misbehaviour.name for misbehaviour in result.misbehaviours)
        outcome = self.manager.rules.to_json(result.outcome)
        if self.fold is None:
            self._kept.rated.add(table, outcome)
        for misbehaviour in result.misbehaviours:
            reason = shorten(misbehaviour.reason, KICK_REASON_LIMIT)
            self.event_log.write(
                {"type": MISBEHAVIOUR, "name": misbehaviour.name, "kind": misbehaviour.kind, "reason": reason, "encounter": index}
            )
        now = self._now()
        self.event_log.write(
            {"type": ENCOUNTER_END, "t": now, "encounter": index, "players": list(table), "outcome": outcome, "culprits": list(culprits)}
        )
        self._arena.end(table, now, culprits)
        seats = placing(self.manager.rules)(outcome, table, frozenset(culprits))
        rated = self.ratings.rate(EncounterEnded(table, seats, now))  # type: ignore[arg-type]  # attrs' tuple converter
        self._ended_count += 1
        await self.event_log.durable()  # nobody learns of the end before it is on disk
        self.log.info("%s", result_line(rated))
        for misbehaviour in result.misbehaviours:
            self.observer.misbehaved(misbehaviour.name, shorten(misbehaviour.reason, KICK_REASON_LIMIT))
        for name in table:
            held = self._players[name]
            held.playing = False
            if name in culprits:
                del self._players[name]
                await safe_call(held.player.kicked, shorten(_reason(result, name), KICK_REASON_LIMIT), time_limit=KICK_TIME_LIMIT)
            elif self.connected(held.player) and not self._stopped and not self._arena.ended(now):
                self._queue(name)
        self._wake.set()

    async def _finish(self) -> Any:
        self._closed = True
        await self.event_log.durable()  # every end folded: the fold has every outcome
        outcomes, own = await trio.to_thread.run_sync(self._outcomes)
        names = [standing.name for standing in self.ratings.leaderboard()]
        results = self.manager.rules.results(outcomes, names, frozenset(self._arena_out()))
        rules = self.manager.rules
        self.event_log.write({"type": SUMMARY, "ratings": standings_json(self.ratings), "format": None})
        self.event_log.write(
            {"type": RESULTS, "results": rules.to_json(results), "output": (self.manager.output or rules.to_json)(results)}
        )
        await self.event_log.durable()  # on disk before any player receives them
        self.log.info("the arena is over: %d encounters", self._ended_count)
        if self.longest_wait is not None:
            self.log.info("the longest wait in the queue: %.2f s (%s)", *self.longest_wait)
        for line in _leaderboard_lines(self.ratings):
            self.log.info("%s", line)
        async with trio.open_nursery() as nursery:
            for name, held in self._players.items():
                if self.connected(held.player):
                    nursery.start_soon(_tell_results, held.player, rules.narrowed(results, own.get(name, ())), self.manager.time_per_call)
        return results

    def _outcomes(self) -> tuple[list[Any], dict[Name, list[Any]]]:
        """Every outcome, in the order the encounters ended, and each player's (read back in a worker thread: a long
        arena's are many, and on file)."""
        outcomes: list[Any] = []
        own: dict[Name, list[Any]] = {}
        for players, wire in self._kept.rated:
            outcomes.append(self.manager.rules.from_json(wire))
            for name in players:
                own.setdefault(name, []).append(outcomes[-1])
        return outcomes, own

    def _arena_out(self) -> list[str]:
        return [standing.name for standing in self.ratings.leaderboard() if self._arena.out_for_good(standing.name)]

    async def _show_status(self) -> None:
        while True:
            waiting = len(self._arena.queue())
            playing = sum(held.playing for held in self._players.values())
            minutes = max((self._now() - self._arena.opened_at) / 60, 1 / 60)  # since the arena opened (`_now` is the log's clock)
            self.status(
                f"arena: {len(self._players)} connected · {waiting} waiting · {playing} playing · "
                f"{self._ended_count / minutes:.1f} encounters a minute"
            )
            await trio.sleep(STATUS_SECONDS)


def _reason(result: EncounterResult, name: str) -> str:
    return next(misbehaviour.reason for misbehaviour in result.misbehaviours if misbehaviour.name == name)


async def _tell_results(player: Participant, results: Any, time_limit: float) -> None:
    await safe_call(player.end_of_tournament, results, time_limit=time_limit)


def _leaderboard_lines(ratings: ArenaRatings) -> Sequence[str]:
    """The leaderboard as the organiser reads it: rank, name, μ - 3σ, μ, σ, encounters, streak."""
    rows = ratings.leaderboard()
    width = max([len(row.name) for row in rows] + [6])
    lines = [f"rank  {'player':<{width}}  μ-3σ      μ      σ  encounters  streak"]
    for rank, row in enumerate(rows, 1):
        lines.append(
            f"{rank:>4}  {row.name:<{width}}  {row.ordinal:5.1f}  {row.mu:5.1f}  {row.sigma:5.2f}  {row.encounters:>10}  {row.streak:>+6}"
        )
    return lines
