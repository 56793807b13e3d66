"""The arena's matchmaking: who plays whom next in an event that never closes, as a pure state machine (time is an input).

Players are *names*, not sign-up indices as in the other formats: an arena
has no roster; players join, leave and come back while it runs, and a
player that comes back (keeping its rating and its misbehaviours) must be
the same player, which its name is and a second sign-up's index is not.
Every input carries the time `now` (seconds, a float: the event log's
`t`); time never goes back.

**Events.** The state is the fold of four events, each one input, in the
order the host logs them (`Arena.replay` rebuilds it; `Arena.apply` folds
one). Their shapes in the event log (the writer adds `seq` and `t`, which
is the event's `at`):

    {"type": "arena-join", "name": N, "rating": R, "opponent": O or null}   Joined: N waits (R: its rating now)
    {"type": "arena-leave", "name": N}                                      Left: N disconnected
    {"type": "encounter-start", "encounter": I, "players": [N, ...]}        TableStarted: a table `pairings` returned
    {"type": "encounter-end", "encounter": I, "players": [N, ...],          TableEnded: the table is over; the culprits
     "outcome": ..., "culprits": [N, ...]}                                  misbehaved in it

`encounter` counts the arena's encounters from 0 in the order they start
(`Arena.encounters` is the next one's). The arena reads of an end only
its players and culprits; the outcome is the ratings' business. Nothing
else changes the state: `tick` and `pairings` with no table to start log
nothing, and a table `pairings` returns is its `TableStarted` event.

**The rules.**

* **The queue**: a player waits from its join, or from the end of its
  cool-down if it joins while cooling down; the queue is in that order
  (then join order, then name). A player whose encounter ended waits again
  only once the host says it rejoins (`join`: its connection is open).
  The *ready* players are those waiting, not cooling down, and not held
  for a named opponent (below).
* **Tables** of `players_per_game` players, exactly; the seat order puts
  first the player that started least (its *balance*, encounters started
  minus encounters not started, the lower first; then the queue order).
* **A named opponent** (`join(..., opponent=O)`): two waiting players
  that named each other are paired at once, whatever the pairing rule (a
  game of more than two a table: they sit together, with the players
  that waited longest, whole pairs of such players included when they
  fit). A player that names one that does not name it back (absent,
  playing, cooling down, or waiting for someone else) is held for at most
  `named_opponent_wait` seconds, paired with nobody else meanwhile; then
  it is paired as usual, and the log says so. Only a mutual request
  pairs: one side cannot force a game on another, nor step round the rule
  against a repeat. A request stands for one stay in the queue.
* **"first come"**: the tables are the ready players in queue order, k at
  a time.
* **"rating"**: each ready player, the longest waiting first, takes the
  k - 1 ready players closest to its rating (ties: queue order) that lie
  within its *window*, `rating_window + rating_window_growth * waited`
  (so everyone is paired eventually); a player with fewer in its window
  waits. **Never the same opponent twice in a row when another is free**:
  a candidate that was in the player's latest encounter, or whose latest
  encounter the player was in, is passed over whenever any other ready
  player is left unpaired, even outside the window (it then waits for its
  window, or the other's, to reach a new opponent); only when exactly the
  two are left may they meet again. Tables of more than two: the player
  that waited longest takes every new opponent there is (the closest
  k - 1 of them when there are as many), and only when there are fewer,
  the closest of those it met; the others may have met among themselves.
  The rule holds in "rating" only: "first come" is the queue order and
  nothing else.
* **Misbehaviour**: each culprit of an ended encounter cools down for
  `cool_down` seconds (it may join meanwhile, and waits from the cool
  down's end); its misbehaviour number `misbehaviours_allowed + 1` puts it
  out for the rest of the arena (its joins are refused).
* **The end**: from `opened_at + 60 * minutes` on, `pairings` starts
  nothing and `ended` is true; encounters running then finish (their ends
  are folded as usual).

Deterministic: the same events and calls in the same order give the same
tables and notes.

**The host's loop**: after every input, and at `wake_at(now)` when no
input comes first, ask `pairings(now)`: log each table (`encounter-start`)
and start it; write `take_notes()` to the organiser's log.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Sequence

import attrs

from Admin.formats.arena_tables import by_rating, filled_pairs

FIRST_COME, BY_RATING = "first come", "rating"
PAIRINGS = (FIRST_COME, BY_RATING)

RATING_WINDOW = 2.0
"""The rating difference a player accepts as soon as it waits, in the scale of the ratings the host gives (openskill's
mu, where a newcomer is 25 +- 8.3, for the issue's Weng-Lin ratings): about a quarter of a newcomer's sigma."""
RATING_WINDOW_GROWTH = 0.2
"""How much the window widens per second of waiting: a newcomer's sigma (8.3) after about 30 s, any two players
of an ordinary field (a spread of about 25) after about two minutes."""
COOL_DOWN = 60.0
"""Seconds a culprit sits out after a misbehaviour, by default."""
MISBEHAVIOURS_ALLOWED = 2
"""Misbehaviours a player comes back from, by default: the third puts it out for good."""
NAMED_OPPONENT_WAIT = 30.0
"""Seconds a player that named an opponent waits for it at most, by default."""


def _non_negative(instance: object, attribute: attrs.Attribute, value: float) -> None:
    if not value >= 0 or not math.isfinite(value):
        raise ValueError(f"arena: {attribute.name} must be a finite number >= 0, got {value!r}")


def _minutes(instance: object, attribute: attrs.Attribute, value: float | None) -> None:
    if value is not None and (not value > 0 or not math.isfinite(value)):
        raise ValueError(f"arena: minutes must be a positive number or None, got {value!r}")


def _pairing(instance: object, attribute: attrs.Attribute, value: str) -> None:
    if value not in PAIRINGS:
        raise ValueError(f"arena: pairing must be {FIRST_COME!r} or {BY_RATING!r}, got {value!r}")


def _at_least(lowest: int) -> Callable[[object, attrs.Attribute, int], None]:
    def check(instance: object, attribute: attrs.Attribute, value: int) -> None:
        if type(value) is not int or value < lowest:
            raise ValueError(f"arena: {attribute.name} must be a whole number >= {lowest}, got {value!r}")

    return check


def _growth(instance: object, attribute: attrs.Attribute, value: float) -> None:
    if not value > 0 or not math.isfinite(value):
        raise ValueError(f"arena: rating_window_growth must be a positive number, got {value!r}")


@attrs.frozen
class ArenaSettings:
    """An arena's `"format"`: how long it runs, how it pairs, and what misbehaviour costs (seconds throughout)."""

    minutes: float | None = attrs.field(default=None, validator=_minutes)
    """How long new encounters start, from the arena's opening; None: until the server stops."""
    pairing: str = attrs.field(default=FIRST_COME, validator=_pairing)
    players_per_game: int = attrs.field(default=2, validator=_at_least(2))
    cool_down: float = attrs.field(default=COOL_DOWN, validator=_non_negative)
    misbehaviours_allowed: int = attrs.field(default=MISBEHAVIOURS_ALLOWED, validator=_at_least(0))
    named_opponent_wait: float = attrs.field(default=NAMED_OPPONENT_WAIT, validator=_non_negative)
    rating_window: float = attrs.field(default=RATING_WINDOW, validator=_non_negative)
    rating_window_growth: float = attrs.field(default=RATING_WINDOW_GROWTH, validator=_growth)


@attrs.frozen
class Joined:
    """`name` joins the queue with its rating now, asking for `opponent` (None: anyone)."""

    name: str
    rating: float
    at: float
    opponent: str | None = None


@attrs.frozen
class Left:
    """`name` disconnected: it leaves the queue (if it is in it)."""

    name: str
    at: float


@attrs.frozen
class TableStarted:
    """An encounter of `players` (seat order) started: a table `Arena.pairings` returned."""

    players: tuple[str, ...]
    at: float


@attrs.frozen
class TableEnded:
    """The encounter of `players` (seat order, as started) is over; `culprits` misbehaved in it."""

    players: tuple[str, ...]
    at: float
    culprits: frozenset[str] = frozenset()


ArenaEvent = Joined | Left | TableStarted | TableEnded


@attrs.frozen
class Waiting:
    """A player in the queue: its rating, whom it asked for, when it joined, and its join's number (the tie-break)."""

    name: str
    rating: float
    opponent: str | None
    joined_at: float
    order: int


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _seconds(value: float) -> str:
    return f"{value:g} s"


@attrs.define
class Arena:
    """The matchmaking state of one arena (the module's docstring has the rules); the fold of its events.

    Two arenas are equal when the same events made them (the notes and the
    latest time seen, which calls without events change, are not compared).
    """

    settings: ArenaSettings
    opened_at: float
    waiting: dict[str, Waiting] = attrs.field(factory=dict)
    playing: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    """Each player in an encounter, and its encounter's table."""
    encounters: int = 0
    """Encounters started so far (the next one's number)."""
    joins: int = 0
    latest: dict[str, frozenset[str]] = attrs.field(factory=dict)
    """Each player's opponents in its latest ended encounter."""
    balance: dict[str, int] = attrs.field(factory=dict)
    misbehaviours: dict[str, int] = attrs.field(factory=dict)
    cooling_until: dict[str, float] = attrs.field(factory=dict)
    clock: float = attrs.field(default=-math.inf, eq=False)
    notes: list[str] = attrs.field(factory=list, eq=False)
    _noted_holds: set[tuple[str, int]] = attrs.field(factory=set, eq=False)
    _noted_end: bool = attrs.field(default=False, eq=False)

    @classmethod
    def replay(cls, settings: ArenaSettings, opened_at: float, events: Iterable[ArenaEvent]) -> Arena:
        """The arena that `events` (in the order logged) made; ValueError, one line, at the first that could not happen."""
        arena = cls(settings, opened_at)
        for event in events:
            arena.apply(event)
        arena.notes.clear()
        return arena

    # -- the inputs -------------------------------------------------------------------------------------------

    def apply(self, event: ArenaEvent) -> None:
        """Fold one event; ValueError, one line, for one that cannot happen now (the host's mistake, or a broken log)."""
        if isinstance(event, Joined):
            refusal = self.refusal(event.name, event.opponent)
            if refusal is not None:
                raise ValueError(refusal)
            self._advance(event.at)
            self.joins += 1
            self.waiting[event.name] = Waiting(event.name, event.rating, event.opponent, event.at, self.joins)
            if event.opponent is not None and self.out_for_good(event.opponent):
                self.notes.append(f"{event.name} asked for {event.opponent}, who is out of the arena: paired as usual")
        elif isinstance(event, Left):
            self._advance(event.at)
            self.waiting.pop(event.name, None)
        elif isinstance(event, TableStarted):
            self._start(event.players, event.at)
        else:
            self._end(event.players, event.at, event.culprits)

    def join(self, name: str, rating: float, now: float, opponent: str | None = None) -> str | None:
        """`name` waits for an encounter (asking for `opponent`, if any): None; or why it may not (out for good, or it asked
        for itself), one line, and nothing changes. A player that is waiting or playing already is the host's mistake: ValueError.
        """
        if name in self.waiting or name in self.playing:
            raise ValueError(f"arena: {self.refusal(name)}")
        refusal = self.refusal(name, opponent)
        if refusal is None:
            self.apply(Joined(name, rating, now, opponent))
        return refusal

    def leave(self, name: str, now: float) -> None:
        """`name` disconnected: it leaves the queue. A player in an encounter stays in it until its end."""
        self.apply(Left(name, now))

    def start(self, players: Sequence[str], now: float) -> None:
        """Fold an encounter's start that `pairings` returned earlier (a resumed arena's log)."""
        self.apply(TableStarted(tuple(players), now))

    def end(self, players: Sequence[str], now: float, culprits: Iterable[str] = ()) -> None:
        """The encounter of `players` (as started) is over; `culprits` misbehaved in it (they cool down, or are out for good)."""
        self.apply(TableEnded(tuple(players), now, frozenset(culprits)))

    def tick(self, now: float) -> None:
        """Time is `now`: the notes of what time alone changed (a named opponent's wait over, the arena's end)."""
        self._advance(now)
        for waiting in self._queue():
            if waiting.opponent is None or (waiting.name, waiting.order) in self._noted_holds:
                continue
            if self.out_for_good(waiting.opponent) or now < self._since(waiting) + self.settings.named_opponent_wait:
                continue
            if self._mutual(waiting, now):
                continue
            self._noted_holds.add((waiting.name, waiting.order))
            self.notes.append(
                f"{waiting.name} asked for {waiting.opponent}, who did not come within "
                f"{_seconds(self.settings.named_opponent_wait)}: paired as usual"
            )
        if self.ended(now) and not self._noted_end:
            self._noted_end = True
            self.notes.append(f"the arena's time is over ({self.settings.minutes:g} min): no new encounter starts")

    # -- the outputs ------------------------------------------------------------------------------------------

    def pairings(self, now: float) -> list[tuple[str, ...]]:
        """The encounters to start now (each a table in seat order), started: their players leave the queue.

        The host logs each as an `encounter-start` (the TableStarted event of the
        fold) and starts it. None once the arena has ended.
        """
        self.tick(now)
        tables = self._due(now)
        for table in tables:
            self._start(table, now)
        return tables

    def take_notes(self) -> list[str]:
        """The lines for the organiser's log since the last call (one each), oldest first."""
        notes, self.notes = self.notes, []
        return notes

    def wake_at(self, now: float) -> float | None:
        """The earliest time after `now` at which `pairings` may start a table though no input came in between (a cool-down
        or a named opponent's wait ends, a window widens to one more rating, the arena ends); None: not before an input.

        A host that asks for `pairings` after every input and at this time misses no table (it may wake for none).
        """
        if self.ended(now):
            return None
        times = []
        if self.settings.minutes is not None:
            times.append(self.opened_at + 60 * self.settings.minutes)
        for waiting in self.waiting.values():
            since = self._since(waiting)
            times.append(since)
            if waiting.opponent is not None and not self.out_for_good(waiting.opponent):
                times.append(since + self.settings.named_opponent_wait)
        if self.settings.pairing == BY_RATING:
            ready = [waiting for waiting in self.waiting.values() if not self.cooling(waiting.name, now)]
            ratings = sorted(waiting.rating for waiting in ready)
            for waiting in ready:
                window = self._window(waiting, now)
                below = bisect.bisect_left(ratings, waiting.rating - window)
                above = bisect.bisect_right(ratings, waiting.rating + window)
                gaps = [waiting.rating - ratings[below - 1]] if below > 0 else []
                gaps += [ratings[above] - waiting.rating] if above < len(ratings) else []
                if gaps:
                    reach = self._since(waiting) + (min(gaps) - self.settings.rating_window) / self.settings.rating_window_growth
                    times.append(max(reach, math.nextafter(now, math.inf)))  # rounding may put it at `now`
        return min((time for time in times if time > now), default=None)

    def ended(self, now: float) -> bool:
        """True from the end of the arena's minutes on (never without minutes)."""
        minutes = self.settings.minutes
        return minutes is not None and now >= self.opened_at + 60 * minutes

    def out_for_good(self, name: str) -> bool:
        return self.misbehaviours.get(name, 0) > self.settings.misbehaviours_allowed

    def refusal(self, name: str, opponent: str | None = None) -> str | None:
        """Why `name` may not join now, one line; None when it may."""
        if self.out_for_good(name):
            return f"{name} misbehaved {self.misbehaviours[name]} times: it is out of the arena for good"
        if name in self.waiting:
            return f"{name} is already waiting in the arena's queue"
        if name in self.playing:
            return f"{name} is playing an encounter in the arena"
        if opponent == name:
            return f"{name} asked for itself as its opponent"
        return None

    def queue(self) -> list[str]:
        """The waiting players, in queue order (those cooling down among them, at the place their cool-down's end gives)."""
        return [waiting.name for waiting in self._queue()]

    def cooling(self, name: str, now: float) -> bool:
        return self.cooling_until.get(name, -math.inf) > now

    # -- the folds --------------------------------------------------------------------------------------------

    def _advance(self, now: float) -> None:
        if not math.isfinite(now):
            raise ValueError(f"arena: the time must be a finite number, got {now!r}")
        if now < self.clock:
            raise ValueError(f"arena: time went back, from {self.clock!r} to {now!r}")
        self.clock = now

    def _start(self, players: tuple[str, ...], now: float) -> None:
        self._advance(now)
        if len(players) != self.settings.players_per_game or len(set(players)) != len(players):
            raise ValueError(f"arena: a table of {self.settings.players_per_game} different players, got {list(players)}")
        for name in players:
            if name not in self.waiting:
                raise ValueError(f"arena: {name} cannot start an encounter: it is not waiting")
            if self.cooling(name, now):
                raise ValueError(f"arena: {name} cannot start an encounter: it is cooling down")
        if self.ended(now):
            raise ValueError("arena: no encounter starts after the arena's end")
        for seat, name in enumerate(players):
            del self.waiting[name]
            self.playing[name] = players
            self.balance[name] = self.balance.get(name, 0) + (1 if seat == 0 else -1)
        self.encounters += 1

    def _end(self, players: tuple[str, ...], now: float, culprits: frozenset[str]) -> None:
        self._advance(now)
        if not players or any(self.playing.get(name) != players for name in players):
            raise ValueError(f"arena: no encounter of {list(players)} is running")
        if not culprits <= set(players):
            raise ValueError(f"arena: the culprits {sorted(culprits - set(players))} did not play in {list(players)}")
        for name in players:
            del self.playing[name]
            self.latest[name] = frozenset(players) - {name}
        for name in sorted(culprits):
            count = self.misbehaviours[name] = self.misbehaviours.get(name, 0) + 1
            if self.out_for_good(name):
                self.cooling_until.pop(name, None)
                self.notes.append(f"{name} misbehaved a {_ordinal(count)} time: out of the arena for good")
            else:
                until = self.cooling_until[name] = now + self.settings.cool_down
                allowed = self.settings.misbehaviours_allowed
                pause = _seconds(self.settings.cool_down)
                self.notes.append(f"{name} misbehaved ({count} of {allowed} allowed): cooling down for {pause}, until {until:g}")

    # -- the pairing ------------------------------------------------------------------------------------------

    def _since(self, waiting: Waiting) -> float:
        return max(waiting.joined_at, self.cooling_until.get(waiting.name, -math.inf))

    def _queue_key(self, waiting: Waiting) -> tuple[float, int, str]:
        return (self._since(waiting), waiting.order, waiting.name)

    def _queue(self) -> list[Waiting]:
        return sorted(self.waiting.values(), key=self._queue_key)

    def _ready(self, name: str, now: float) -> bool:
        return name in self.waiting and not self.cooling(name, now)

    def _mutual(self, waiting: Waiting, now: float) -> bool:
        """Whether `waiting` and the opponent it named both wait, ready, and named each other."""
        other = self.waiting.get(waiting.opponent) if waiting.opponent is not None else None
        return other is not None and other.opponent == waiting.name and self._ready(other.name, now) and self._ready(waiting.name, now)

    def _window(self, waiting: Waiting, now: float) -> float:
        """The rating difference `waiting` accepts now."""
        return self.settings.rating_window + self.settings.rating_window_growth * (now - self._since(waiting))

    def _held(self, waiting: Waiting, now: float) -> bool:
        """Whether `waiting` still waits for the opponent it named (and that one did not name it back)."""
        opponent = waiting.opponent
        if opponent is None or self.out_for_good(opponent):
            return False
        return now < self._since(waiting) + self.settings.named_opponent_wait

    def _seated(self, table: Iterable[Waiting]) -> tuple[str, ...]:
        """`table` in seat order: the lowest balance first, then queue order."""
        ordered = sorted(table, key=lambda waiting: (self.balance.get(waiting.name, 0), self._queue_key(waiting)))
        return tuple(waiting.name for waiting in ordered)

    def _due(self, now: float) -> list[tuple[str, ...]]:
        if self.ended(now):
            return []
        k = self.settings.players_per_game
        ready = [waiting for waiting in self._queue() if not self.cooling(waiting.name, now)]
        pairs: list[list[Waiting]] = []
        in_pair: set[str] = set()
        for waiting in ready:
            if waiting.name not in in_pair and self._mutual(waiting, now):
                pairs.append([waiting, self.waiting[waiting.opponent or ""]])
                in_pair.update((waiting.name, waiting.opponent or ""))
        pool = [waiting for waiting in ready if waiting.name not in in_pair and not self._held(waiting, now)]
        tables: list[list[Waiting]] = []
        if k == 2:
            tables += pairs
        else:
            position = {waiting.name: index for index, waiting in enumerate(ready)}
            tables += filled_pairs(pairs, pool, k, position)
            seated = {waiting.name for table in tables for waiting in table}
            pool = [waiting for waiting in pool if waiting.name not in seated]
        if self.settings.pairing == FIRST_COME:
            tables += [pool[start : start + k] for start in range(0, len(pool) - k + 1, k)]
        else:
            tables += by_rating(pool, k, lambda waiting: self._window(waiting, now), self.latest)
        return [self._seated(table) for table in tables]
