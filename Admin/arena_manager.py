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
the encounters ended; the standings the organiser reads are the
leaderboard's (μ - 3σ).

The time is trio's clock, measured from the arena's opening; the
matchmaking reads it as seconds since then.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import trio

from Admin.arena_ratings import MISBEHAVED, ArenaRatings, EncounterEnded, Place, places_by_score, result_line
from Admin.encounter import Encounter, EncounterResult, Entrant
from Admin.event_log import EventLog
from Admin.formats.arena import Arena, ArenaSettings
from Admin.manager import KICK_TIME_LIMIT, TournamentManager
from Admin.observer import Observer
from Admin.safe_call import safe_call
from Common.participant import KICK_REASON_LIMIT, Participant
from Common.strict import shorten

TICK_SECONDS = 1.0
"""How often, at least, the arena looks again at its queue when nothing happens (and who of it has gone)."""
STATUS_SECONDS = 1.0


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
    _arena: Arena = attrs.field(init=False)
    ratings: ArenaRatings = attrs.field(factory=ArenaRatings, init=False)
    _players: dict[str, _Player] = attrs.field(factory=dict, init=False)
    _outcomes: list[Any] = attrs.field(factory=list, init=False)
    _meetings: dict[tuple[str, ...], int] = attrs.field(factory=dict, init=False)
    _opened: float = attrs.field(default=0.0, init=False)
    _wake: trio.Event = attrs.field(factory=trio.Event, init=False)
    _stopped: bool = attrs.field(default=False, init=False)
    _ended_count: int = attrs.field(default=0, init=False)
    _queued_at: dict[str, float] = attrs.field(factory=dict, init=False)
    longest_wait: tuple[float, str] | None = attrs.field(default=None, init=False)
    """The longest a player waited in the queue before an encounter started (seconds, not cooling down), and who."""

    def __attrs_post_init__(self) -> None:
        self._arena = Arena(self.settings, 0.0)

    # --- what the host says --------------------------------------------------------

    def join(self, name: str, player: Participant, opponent: str | None = None) -> str | None:
        """`name` signed up (or came back) with `player`: it waits for an encounter. Why not, if it may not."""
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
        if held is not None and not held.playing:
            del self._players[name]
            self._arena.leave(name, self._now())
            self.event_log.write({"type": "arena-leave", "name": name})
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
        self._opened = trio.current_time()
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
                    encounters.start_soon(self._play, index, table)
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
        return trio.current_time() - self._opened

    def _queue(self, name: str, opponent: str | None = None) -> None:
        rating = self.ratings.player(name).ordinal
        refusal = self._arena.join(name, rating, self._now(), opponent)
        if refusal is not None:
            self.log.info("%s", refusal)
            return
        self.event_log.write({"type": "arena-join", "name": name, "rating": rating, "opponent": opponent})
        self._queued_at[name] = max(self._now(), self._arena.cooling_until.get(name, 0.0))
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

    async def _play(self, index: int, table: tuple[str, ...]) -> None:
        seated = [Entrant(name, self._players[name].player) for name in table]
        pair = tuple(sorted(table))
        meeting = self._meetings.get(pair, 0)
        self._meetings[pair] = meeting + 1
        self.event_log.write({"type": "encounter-start", "encounter": index, "players": list(table)})
        result: EncounterResult = await self.manager.play(seated, Encounter(0, meeting))
        now = self._now()
        culprits = tuple(misbehaviour.name for misbehaviour in result.misbehaviours)
        outcome = self.manager.rules.to_json(result.outcome)
        self._outcomes.append(result.outcome)
        self.event_log.write(
            {"type": "encounter-end", "encounter": index, "players": list(table), "outcome": outcome, "culprits": list(culprits)}
        )
        self._arena.end(table, now, culprits)
        scores = [self.manager.rules.score(result.outcome, name) for name in table]
        places = places_by_score([0.0 if score is None else score for score in scores])
        seats: tuple[Place, ...] = tuple(MISBEHAVED if name in culprits else place for name, place in zip(table, places, strict=True))
        rated = self.ratings.rate(EncounterEnded(table, seats, now))  # type: ignore[arg-type]  # attrs' tuple converter
        self._ended_count += 1
        self.log.info("%s", result_line(rated))
        for misbehaviour in result.misbehaviours:
            reason = shorten(misbehaviour.reason, KICK_REASON_LIMIT)
            self.event_log.write(
                {"type": "misbehaviour", "name": misbehaviour.name, "kind": misbehaviour.kind, "reason": reason, "encounter": index}
            )
            self.observer.misbehaved(misbehaviour.name, reason)
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
        names = [standing.name for standing in self.ratings.leaderboard()]
        results = self.manager.rules.results(self._outcomes, names, frozenset(self._arena_out()))
        self.log.info("the arena is over: %d encounters", self._ended_count)
        if self.longest_wait is not None:
            self.log.info("the longest wait in the queue: %.2f s (%s)", *self.longest_wait)
        for line in _leaderboard_lines(self.ratings):
            self.log.info("%s", line)
        async with trio.open_nursery() as nursery:
            for held in self._players.values():
                if self.connected(held.player):
                    nursery.start_soon(_tell_results, held.player, results, self.manager.time_per_call)
        return results

    def _arena_out(self) -> list[str]:
        return [standing.name for standing in self.ratings.leaderboard() if self._arena.out_for_good(standing.name)]

    async def _show_status(self) -> None:
        while True:
            waiting = len(self._arena.queue())
            playing = sum(held.playing for held in self._players.values())
            minutes = max(self._now() / 60, 1 / 60)
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
