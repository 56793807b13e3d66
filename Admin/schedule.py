"""Schedules: which players meet, in which order, and what each player plays next. Game-free and pure.

A schedule is a sequence of pairings of player indices (in sign-up order),
the earlier-listed player first; a pairing's index is its position. A
pairing is a *table* of two or more players (a game of more than two
players a game; only a format played in stages makes tables of more than
two), in seat order. The kinds:

* RoundRobin: player 1 against 2..n, then 2 against 3..n, and so on, the
  whole round repeated `repetitions` times. Computed, not stored: a round
  robin of 1,000 players has 499,500 pairings. With `fair_starts` the
  order of the encounters is the same, but the later player of a pair is
  listed first where that balances the starts, the way chess round robins
  balance colours: players i < j, i first when i + j is odd, j first when
  it is even (each player is first in half its pairings, within one), and
  the other way round in odd repetitions (so two repetitions give each pair
  one start each). With `alternate` (and without `fair_starts`) the later
  player of every pair is listed first in odd repetitions: the cycles of a
  round robin alternate who starts.
* ListedPairings: pairings given one by one, played in that order; a pair
  may meet more than once.
* Staged: the pairings of a format played in stages (Swiss, knock-out,
  gauntlet), appended a stage at a time as the format decides them; its
  pairings may be tables of more than two.

Each player plays its own encounters one at a time and in schedule order:
`next_index(player, played)` is the index of the encounter a player plays
after `played` others, so the manager starts an encounter exactly when it
is the next one of every one of its players.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

import attrs

from Admin.encounter import Encounter


class Schedule(Protocol):
    """What the tournament manager asks of a schedule."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[tuple[int, ...]]: ...

    def pairing(self, index: int) -> tuple[int, ...]:
        """The players of the encounter at `index` (two or more), the earlier-listed first."""

    def encounter(self, index: int) -> Encounter:
        """Where the encounter at `index` stands: its repetition and how often its players met before in it."""

    def next_index(self, player: int, played: int) -> int | None:
        """The index of `player`'s encounter after `played` others, or None when it has played them all."""


@attrs.frozen
class RoundRobin:
    """Everyone against everyone in sign-up order, `repetitions` times over; `fair_starts`: see the module."""

    count: int
    repetitions: int = 1
    fair_starts: bool = False
    alternate: bool = False

    @property
    def per_round(self) -> int:
        """The pairings of one repetition."""
        return self.count * (self.count - 1) // 2

    def __len__(self) -> int:
        return self.per_round * self.repetitions

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for repetition in range(self.repetitions):
            for first in range(self.count):
                for second in range(first + 1, self.count):
                    yield self._listed(first, second, repetition)

    def _listed(self, first: int, second: int, repetition: int) -> tuple[int, int]:
        """The pairing of `first` < `second` in `repetition`, the player who starts listed first."""
        swapped = (first + second + repetition) % 2 == 0 if self.fair_starts else self.alternate and repetition % 2 == 1
        return (second, first) if swapped else (first, second)

    def index(self, first: int, second: int, repetition: int = 0) -> int:
        """The position of the pairing of `first` and `second` (first < second) in `repetition`."""
        within = first * self.count - first * (first + 1) // 2 + second - first - 1
        return repetition * self.per_round + within

    def pairing(self, index: int) -> tuple[int, int]:
        within = index % self.per_round
        first = 0
        while within >= self.count - 1 - first:
            within -= self.count - 1 - first
            first += 1
        return self._listed(first, first + 1 + within, index // self.per_round)

    def encounter(self, index: int) -> Encounter:
        return Encounter(index, repetition=index // self.per_round if self.per_round else 0)

    def opponent(self, player: int, played: int) -> int | None:
        """The opponent of `player` in its encounter after `played` others, or None when it is through."""
        if self.count < 2 or played >= (self.count - 1) * self.repetitions:
            return None
        within = played % (self.count - 1)
        return within if within < player else within + 1

    def next_index(self, player: int, played: int) -> int | None:
        opponent = self.opponent(player, played)
        if opponent is None:
            return None
        return self.index(min(player, opponent), max(player, opponent), played // (self.count - 1))


@attrs.frozen
class ListedPairings:
    """Pairings in the order given; `repetitions` plays the whole list again, as often."""

    pairs: tuple[tuple[int, int], ...]
    repetitions: int = 1
    _of_player: dict[int, list[int]] = attrs.field(init=False, eq=False, repr=False)
    _meetings: tuple[int, ...] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        of_player: dict[int, list[int]] = {}
        meetings: list[int] = []
        met: dict[frozenset[int], int] = {}
        for index, (first, second) in enumerate(self.pairs):
            if first == second:
                raise ValueError(f"pairing {index} pairs player {first} with itself")
            of_player.setdefault(first, []).append(index)
            of_player.setdefault(second, []).append(index)
            pair = frozenset((first, second))
            meetings.append(met.get(pair, 0))
            met[pair] = meetings[-1] + 1
        object.__setattr__(self, "_of_player", of_player)
        object.__setattr__(self, "_meetings", tuple(meetings))

    def __len__(self) -> int:
        return len(self.pairs) * self.repetitions

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for _ in range(self.repetitions):
            yield from self.pairs

    def pairing(self, index: int) -> tuple[int, int]:
        return self.pairs[index % len(self.pairs)]

    def encounter(self, index: int) -> Encounter:
        return Encounter(index, repetition=index // len(self.pairs), meeting=self._meetings[index % len(self.pairs)])

    def next_index(self, player: int, played: int) -> int | None:
        mine = self._of_player.get(player, [])
        if played >= len(mine) * self.repetitions:
            return None
        return (played // len(mine)) * len(self.pairs) + mine[played % len(mine)]


def listed_pairings(
    names: Sequence[str], pairs: Sequence[tuple[str, str]], repetitions: int = 1
) -> tuple[ListedPairings, list[tuple[str, str]]]:
    """The schedule of `pairs` of names among `names` (in sign-up order), and the pairs skipped (a name not among them)."""
    position = {name: index for index, name in enumerate(names)}
    kept, skipped = [], []
    for first, second in pairs:
        if first in position and second in position:
            kept.append((position[first], position[second]))
        else:
            skipped.append((first, second))
    return ListedPairings(tuple(kept), repetitions), skipped


class Staged:
    """The schedule of a format played in stages (Admin/formats/stage.py): pairings appended a stage at a time.

    An index never changes once given; `meeting` counts the earlier
    encounters of the same players (the same two, or the same table) in the
    whole event (there are no repetitions: `repetition` is always 0).
    """

    def __init__(self) -> None:
        self.pairs: list[tuple[int, ...]] = []
        self._of_player: dict[int, list[int]] = {}
        self._meetings: list[int] = []
        self._met: dict[frozenset[int], int] = {}

    def add(self, pairings: Sequence[tuple[int, ...]]) -> range:
        """Append `pairings` (tables of two or more players); the indices they get."""
        start = len(self.pairs)
        for table in pairings:
            if len(set(table)) != len(table) or len(table) < 2:
                raise ValueError(f"a stage seats players {list(table)}: a table has two or more different players")
            index = len(self.pairs)
            self.pairs.append(tuple(table))
            for player in table:
                self._of_player.setdefault(player, []).append(index)
            pair = frozenset(table)
            self._meetings.append(self._met.get(pair, 0))
            self._met[pair] = self._meetings[-1] + 1
        return range(start, len(self.pairs))

    def __len__(self) -> int:
        return len(self.pairs)

    def __iter__(self) -> Iterator[tuple[int, ...]]:
        return iter(list(self.pairs))

    def pairing(self, index: int) -> tuple[int, ...]:
        return self.pairs[index]

    def encounter(self, index: int) -> Encounter:
        return Encounter(index, meeting=self._meetings[index])

    def next_index(self, player: int, played: int) -> int | None:
        mine = self._of_player.get(player, [])
        return mine[played] if played < len(mine) else None
