"""The arena's matchmaking (Admin/formats/arena.py): who is paired, when, and that its log folds back into the same arena.

The properties run random scripts (players join, leave, end their
encounters, misbehave; time passes) against a simple model kept beside the
arena: who waits since when, who plays, who cools down or is out.
"""

from __future__ import annotations

import copy
import math

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from Admin.formats.arena import BY_RATING, FIRST_COME, Arena, ArenaEvent, ArenaSettings, Joined, Left, TableEnded, TableStarted
from Admin.formats.settings import arena_json, read_arena
from Common.strict import StructureError

NAMES = ("ann", "bob", "cat", "dan", "eve", "fay")


@attrs.define
class Model:
    """What the arena should know, kept the simple way."""

    rules: ArenaSettings
    opened_at: float = 0.0
    waiting: dict[str, tuple[float, int, float, str | None]] = attrs.field(factory=dict)
    """name -> (joined at, join number, rating, opponent)"""
    playing: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    misbehaviours: dict[str, int] = attrs.field(factory=dict)
    cooling_until: dict[str, float] = attrs.field(factory=dict)
    latest: dict[str, frozenset[str]] = attrs.field(factory=dict)
    joins: int = 0
    ratings: dict[str, float] = attrs.field(factory=dict)
    """Each player's latest rating."""

    def out(self, name: str) -> bool:
        return self.misbehaviours.get(name, 0) > self.rules.misbehaviours_allowed

    def since(self, name: str) -> float:
        return max(self.waiting[name][0], self.cooling_until.get(name, -math.inf))

    def ready(self, now: float) -> list[str]:
        """The waiting players that do not cool down, in queue order."""
        names = [name for name in self.waiting if self.cooling_until.get(name, -math.inf) <= now]
        return sorted(names, key=lambda name: (self.since(name), self.waiting[name][1]))

    def mutual(self, name: str, now: float) -> bool:
        opponent = self.waiting[name][3]
        ready = self.ready(now)
        return name in ready and opponent in ready and self.waiting[opponent][3] == name

    def held(self, name: str, now: float) -> bool:
        opponent = self.waiting[name][3]
        if opponent is None or self.out(opponent) or self.mutual(name, now):
            return False
        return now < self.since(name) + self.rules.named_opponent_wait

    def window(self, name: str, now: float) -> float:
        return self.rules.rating_window + self.rules.rating_window_growth * (now - self.since(name))


@attrs.define
class Driver:
    """Runs a script on an arena and its model side by side, checking each pairing; keeps the events the host would log."""

    arena: Arena
    model: Model
    now: float = 0.0
    events: list[ArenaEvent] = attrs.field(factory=list)
    tables: list[tuple[str, ...]] = attrs.field(factory=list)
    """Every table paired so far, in order."""

    @classmethod
    def of(cls, rules: ArenaSettings) -> Driver:
        return cls(Arena(rules, 0.0), Model(rules))

    def join(self, name: str, rating: float, opponent: str | None = None) -> None:
        if name in self.model.waiting or name in self.model.playing:
            return
        refusal = self.arena.join(name, rating, self.now, opponent)
        assert (refusal is not None) == (self.model.out(name) or opponent == name)
        if refusal is None:
            self.model.joins += 1
            self.model.waiting[name] = (self.now, self.model.joins, rating, opponent)
            self.model.ratings[name] = rating
            self.events.append(Joined(name, rating, self.now, opponent))

    def leave(self, name: str) -> None:
        self.arena.leave(name, self.now)
        self.model.waiting.pop(name, None)
        self.events.append(Left(name, self.now))

    def end(self, which: int, culprits: frozenset[str] = frozenset()) -> tuple[str, ...]:
        """End one of the running encounters (the `which`th, cyclically): its players."""
        running = sorted(set(self.model.playing.values()))
        if not running:
            return ()
        table = running[which % len(running)]
        culprits = culprits & set(table)
        self.arena.end(table, self.now, culprits)
        self.events.append(TableEnded(table, self.now, culprits))
        for name in table:
            del self.model.playing[name]
            self.model.latest[name] = frozenset(table) - {name}
        for name in culprits:
            self.model.misbehaviours[name] = self.model.misbehaviours.get(name, 0) + 1
            self.model.cooling_until[name] = self.now + self.model.rules.cool_down
        return table

    def wait(self, seconds: float) -> None:
        self.now += seconds

    def pair(self) -> list[tuple[str, ...]]:
        """The arena's pairings now, checked against the model, and folded into it."""
        model, now, k = self.model, self.now, self.model.rules.players_per_game
        ready = model.ready(now)
        tables = self.arena.pairings(now)
        seated = [name for table in tables for name in table]
        assert len(seated) == len(set(seated)), "nobody sits at two tables"
        assert all(len(table) == k for table in tables)
        for name in seated:
            assert name in ready, f"{name} is paired but it does not wait, or cools down"
            assert not model.out(name) and name not in model.playing
        if self.arena.ended(now):
            assert tables == []
        left_over = [name for name in ready if name not in seated]
        free = [name for name in left_over if not model.held(name, now) and not model.mutual(name, now)]
        mutual = [name for name in ready if model.mutual(name, now)]
        if not self.arena.ended(now):
            if k == 2:
                for name in mutual:
                    assert (name, model.waiting[name][3]) in {(a, b) for a, b in tables} | {(b, a) for a, b in tables}
            if model.rules.pairing == FIRST_COME:
                assert len(free) < k, "first come leaves fewer than k ready players unpaired"
                plain = [name for name in ready if not model.mutual(name, now) and not model.held(name, now)]
                fillers = {name for table in tables if set(table) & set(mutual) for name in table}
                plain = [name for name in plain if name not in fillers]
                usual = [set(table) for table in tables if not set(table) & set(mutual)]
                assert usual == [set(plain[start : start + k]) for start in range(0, len(usual) * k, k)], "first come is queue order"
            elif k == 2:
                for first, second in tables:
                    if first in mutual:
                        continue
                    difference = abs(model.waiting[first][2] - model.waiting[second][2])
                    assert difference <= max(model.window(first, now), model.window(second, now)) + 1e-9
                    if second in model.latest.get(first, ()) or first in model.latest.get(second, ()):
                        others = set(ready) - {first, second} - {name for name in ready if model.held(name, now)}
                        assert others <= set(seated), f"{first} meets {second} again while {sorted(others - set(seated))} wait"
        for table in tables:
            for name in table:
                del model.waiting[name]
                model.playing[name] = table
            self.events.append(TableStarted(table, now))
        self.tables += tables
        return tables


joins = st.tuples(st.just("join"), st.sampled_from(NAMES), st.integers(0, 30), st.sampled_from((None,) * 4 + NAMES))
step = st.one_of(
    joins,
    joins,
    st.tuples(st.just("leave"), st.sampled_from(NAMES)),
    st.tuples(st.just("end"), st.integers(0, 5), st.frozensets(st.sampled_from(NAMES), max_size=1), st.booleans()),
    st.tuples(st.just("end"), st.integers(0, 5), st.just(frozenset()), st.just(True)),
    st.tuples(st.just("wait"), st.sampled_from([0.0, 0.5, 1.0, 3.0, 10.0, 40.0])),
)
"""A step of a script: a join (name, rating, the opponent it names), a leave, the end of a running encounter (which one,
the culprits, whether its players rejoin at once), or time passing."""


def run(driver: Driver, script: list[tuple], named: bool = True) -> Driver:
    """Each step, then the pairings the host asks for after it."""
    for action, *values in script:
        if action == "join":
            name, rating, opponent = values
            driver.join(name, float(rating), opponent if named else None)
        elif action == "leave":
            driver.leave(values[0])
        elif action == "end":
            which, culprits, rejoin = values
            for name in driver.end(which, culprits) if rejoin else ():
                driver.join(name, driver.model.ratings[name])
        else:
            driver.wait(values[0])
        driver.pair()
    return driver


def rules(pairing: str, k: int = 2, minutes: float | None = None) -> ArenaSettings:
    return ArenaSettings(
        minutes=minutes, pairing=pairing, players_per_game=k, cool_down=20.0, misbehaviours_allowed=1, named_opponent_wait=5.0
    )


scripts = st.lists(step, min_size=20, max_size=80)
fast = settings(max_examples=150, deadline=None)


@fast
@given(script=scripts, k=st.sampled_from([2, 3]), named=st.booleans(), minutes=st.none() | st.sampled_from([0.5, 2.0]))
def test_first_come_pairs_the_ready_players_in_queue_order_only_those_ready_and_each_once(script, k, named, minutes):
    run(Driver.of(rules(FIRST_COME, k, minutes)), script, named)


@fast
@given(script=scripts, named=st.booleans(), minutes=st.none() | st.sampled_from([0.5, 2.0]))
def test_rating_pairs_within_the_window_and_no_repeat_while_another_is_free(script, named, minutes):
    run(Driver.of(rules(BY_RATING, 2, minutes)), script, named)


@fast
@given(script=scripts, pairing=st.sampled_from([FIRST_COME, BY_RATING]), k=st.sampled_from([2, 3]), named=st.booleans())
def test_every_ready_player_is_paired_once_it_has_waited_long_enough(script, pairing, k, named):
    driver = run(Driver.of(rules(pairing, k)), script, named)
    driver.wait(1_000.0)  # past every cool-down and named wait; a window wider than any two ratings
    driver.pair()
    assert len(driver.model.ready(driver.now)) < k


@fast
@given(script=scripts, pairing=st.sampled_from([FIRST_COME, BY_RATING]), k=st.sampled_from([2, 3]), minutes=st.none() | st.just(1.0))
def test_folding_the_logged_events_gives_the_same_arena_and_the_same_next_pairings(script, pairing, k, minutes):
    driver = run(Driver.of(rules(pairing, k, minutes)), script)
    resumed = Arena.replay(driver.arena.settings, 0.0, driver.events)
    assert resumed == driver.arena
    assert resumed.queue() == driver.arena.queue()
    later = driver.now + 7.0
    assert resumed.pairings(later) == driver.arena.pairings(later)


@fast
@given(
    script=scripts,
    pairing=st.sampled_from([FIRST_COME, BY_RATING]),
    k=st.sampled_from([2, 3]),
    minutes=st.none() | st.just(1.0),
    fraction=st.floats(0.0, 1.0, exclude_min=True, exclude_max=True),
)
def test_no_table_starts_before_the_time_the_arena_says_to_wake_at(script, pairing, k, minutes, fraction):
    driver = run(Driver.of(rules(pairing, k, minutes)), script)
    wake = driver.arena.wake_at(driver.now)
    later = driver.now + fraction * (1_000.0 if wake is None else wake - driver.now)
    if driver.now < later < (math.inf if wake is None else wake):  # rounding may put it at either end
        assert copy.deepcopy(driver.arena).pairings(later) == []
    if wake is not None:
        driver.wait(wake - driver.now)
        driver.pair()  # still within the model's rules


# -- examples ---------------------------------------------------------------------------------------------------


def test_first_come_pairs_the_two_that_waited_longest():
    arena = Arena(ArenaSettings(), 0.0)
    for second, name in enumerate(["ann", "bob", "cat"]):
        arena.join(name, 25.0, float(second))
    assert arena.pairings(3.0) == [("ann", "bob")]
    assert arena.queue() == ["cat"]


def test_a_table_of_four_waits_for_the_fourth():
    arena = Arena(ArenaSettings(players_per_game=4), 0.0)
    for name in ["ann", "bob", "cat"]:
        arena.join(name, 25.0, 0.0)
    assert arena.pairings(1.0) == []
    arena.join("dan", 25.0, 2.0)
    assert arena.pairings(2.0) == [("ann", "bob", "cat", "dan")]


def test_by_rating_the_closest_meet_and_a_far_one_waits_until_its_window_reaches():
    arena = Arena(ArenaSettings(pairing=BY_RATING, rating_window=2.0, rating_window_growth=0.5), 0.0)
    arena.join("ann", 20.0, 0.0)
    arena.join("bob", 30.0, 0.0)
    arena.join("cat", 21.0, 0.0)
    assert arena.pairings(0.0) == [("ann", "cat")]
    arena.join("dan", 40.0, 0.0)
    assert arena.pairings(15.0) == []  # bob's window is 2 + 0.5 * 15 = 9.5 < 10
    assert arena.pairings(16.0) == [("bob", "dan")]


def test_two_who_just_met_are_not_paired_again_while_a_third_waits():
    arena = Arena(ArenaSettings(pairing=BY_RATING), 0.0)
    arena.join("ann", 25.0, 0.0)
    arena.join("bob", 25.0, 0.0)
    [table] = arena.pairings(0.0)
    arena.end(table, 10.0)
    arena.join("cat", 35.0, 10.0)
    arena.join("ann", 25.0, 10.0)
    arena.join("bob", 25.0, 10.0)
    assert arena.pairings(10.0) == []
    assert arena.pairings(50.0) == [("cat", "ann")]  # cat's window reached 10 after 40 s; cat waited longest: it starts


def test_two_who_named_each_other_meet_at_once_whatever_their_ratings():
    arena = Arena(ArenaSettings(pairing=BY_RATING), 0.0)
    arena.join("ann", 0.0, 0.0, opponent="bob")
    arena.join("cat", 1.0, 1.0)
    assert arena.pairings(1.0) == []  # ann waits for bob
    arena.join("bob", 50.0, 2.0, opponent="ann")
    assert arena.pairings(2.0) == [("ann", "bob")]


def test_at_a_table_of_four_two_who_named_each_other_sit_with_the_two_that_waited_longest():
    arena = Arena(ArenaSettings(players_per_game=4), 0.0)
    arena.join("ann", 25.0, 0.0)
    arena.join("bob", 25.0, 1.0)
    arena.join("cat", 25.0, 2.0, opponent="eve")
    arena.join("dan", 25.0, 3.0)
    arena.join("eve", 25.0, 4.0, opponent="cat")
    assert arena.pairings(4.0) == [("ann", "bob", "cat", "eve")]
    assert arena.queue() == ["dan"]


def test_one_who_names_an_absent_player_waits_at_most_the_named_opponent_wait_and_the_log_says_so():
    arena = Arena(ArenaSettings(named_opponent_wait=30.0), 0.0)
    arena.join("ann", 25.0, 0.0, opponent="bob")
    arena.join("cat", 25.0, 1.0)
    assert arena.pairings(29.9) == []
    assert arena.pairings(30.0) == [("ann", "cat")]
    assert arena.take_notes() == ["ann asked for bob, who did not come within 30 s: paired as usual"]


def meet(arena: Arena, now: float, culprits: tuple[str, ...] = ()) -> None:
    """ann and bob join at `now`, meet, and their encounter ends a second later."""
    for name in ("ann", "bob"):
        arena.join(name, 25.0, now)
    [table] = arena.pairings(now)
    arena.end(table, now + 1, culprits)


def test_a_culprit_cools_down_and_waits_from_the_end_of_its_cool_down():
    arena = Arena(ArenaSettings(cool_down=60.0, misbehaviours_allowed=2), 0.0)
    meet(arena, 0.0, culprits=("bob",))
    assert arena.take_notes() == ["bob misbehaved (1 of 2 allowed): cooling down for 60 s, until 61"]
    arena.join("ann", 25.0, 1.0)
    arena.join("bob", 25.0, 1.0)
    arena.join("cat", 25.0, 2.0)
    assert arena.pairings(2.0) == [("cat", "ann")]
    arena.join("dan", 25.0, 30.0)
    assert arena.pairings(60.9) == []
    assert arena.queue() == ["dan", "bob"]
    assert arena.pairings(61.0) == [("bob", "dan")]


def test_the_misbehaviour_after_those_allowed_puts_a_player_out_for_good():
    arena = Arena(ArenaSettings(cool_down=0.0, misbehaviours_allowed=2), 0.0)
    for now in (0.0, 10.0, 20.0):
        meet(arena, now, culprits=("bob",))
    assert arena.take_notes()[-1] == "bob misbehaved a 3rd time: out of the arena for good"
    assert arena.join("bob", 25.0, 30.0) == "bob misbehaved 3 times: it is out of the arena for good"
    assert arena.queue() == []


def test_after_its_minutes_the_arena_starts_nothing():
    arena = Arena(ArenaSettings(minutes=10.0), 100.0)
    arena.join("ann", 25.0, 100.0)
    arena.join("bob", 25.0, 699.0)
    assert not arena.ended(699.9)
    assert arena.pairings(700.0) == [] and arena.ended(700.0)
    assert arena.take_notes() == ["the arena's time is over (10 min): no new encounter starts"]


def test_the_one_that_started_more_sits_second():
    arena = Arena(ArenaSettings(), 0.0)
    arena.join("ann", 25.0, 0.0)
    arena.join("bob", 25.0, 0.0)
    assert arena.pairings(0.0) == [("ann", "bob")]
    arena.end(("ann", "bob"), 1.0)
    arena.join("ann", 25.0, 1.0)
    arena.join("bob", 25.0, 1.0)
    assert arena.pairings(1.0) == [("bob", "ann")]


def test_events_that_cannot_happen_are_refused_in_one_line():
    arena = Arena(ArenaSettings(), 0.0)
    arena.join("ann", 25.0, 5.0)
    with pytest.raises(ValueError, match="ann is already waiting"):
        arena.join("ann", 25.0, 5.0)
    with pytest.raises(ValueError, match="time went back"):
        arena.leave("ann", 4.0)
    with pytest.raises(ValueError, match=r"no encounter of \['ann', 'bob'\] is running"):
        arena.end(("ann", "bob"), 6.0)
    with pytest.raises(ValueError, match="bob cannot start an encounter: it is not waiting"):
        arena.start(("ann", "bob"), 6.0)
    assert arena.join("bob", 25.0, 6.0, opponent="bob") == "bob asked for itself as its opponent"


# -- the configuration ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, words",
    [
        ({"kind": "arena", "minutes": 0}, "expected a positive number, got 0 @ $.format.minutes"),
        ({"kind": "arena", "pairing": "elo"}, 'expected "first come" or "rating", got "elo" @ $.format.pairing'),
        ({"kind": "arena", "cool down": -1}, "expected a number >= 0, got -1 @ $.format.cool down"),
        ({"kind": "arena", "misbehaviours allowed": 1.5}, "expected a whole number, got 1.5 @ $.format.misbehaviours allowed"),
        ({"kind": "arena", "players per game": 1}, "expected a whole number >= 2, got 1 @ $.format.players per game"),
        ({"kind": "arena", "named opponent wait": "30"}, 'expected a number, got "30" @ $.format.named opponent wait'),
        ({"kind": "arena", "minute": 5}, 'unknown key "minute"; did you mean "minutes"?'),
        ({"kind": "swiss"}, 'expected "arena", got "swiss" @ $.format.kind'),
    ],
)
def test_a_bad_arena_is_refused_in_one_line_naming_the_key(value, words):
    with pytest.raises(StructureError) as caught:
        read_arena(value)
    assert words in str(caught.value) and "\n" not in str(caught.value)


def test_an_arena_reads_with_its_defaults_and_writes_back_as_read():
    settings = read_arena({"kind": "arena", "minutes": 30, "pairing": "rating", "cool down": 10})
    assert settings == ArenaSettings(minutes=30.0, pairing=BY_RATING, cool_down=10.0)
    assert read_arena(arena_json(settings)) == settings
    assert "minutes" not in arena_json(read_arena({"kind": "arena"}))
