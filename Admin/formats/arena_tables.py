"""How the arena's matchmaking groups its ready players into tables of k. Pure.

The rules are Admin/formats/arena.py's (its docstring: "A named opponent",
"rating"); these are the searches behind them:

* `filled_pairs`: in a game of more than two a table, each pair that named
  each other sits with the players that waited longest that fit.
* `by_rating`: the "rating" rule, each ready player (the longest waiting
  first) with the k - 1 closest in rating within its window, passing over
  those of its latest encounter while others are free.
* `closest`: the search `by_rating` makes, on the players sorted by rating.

The players are the matchmaking's queue entries, known here only by their
name and rating (`Candidate`).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol, TypeVar


class Candidate(Protocol):
    """A ready player as the tables see it."""

    @property
    def name(self) -> str: ...

    @property
    def rating(self) -> float: ...


C = TypeVar("C", bound=Candidate)


def by_rating(pool: list[C], k: int, window_of: Callable[[C], float], latest: Mapping[str, Iterable[str]]) -> list[list[C]]:
    """Tables of `k` by "rating": each player of `pool` (queue order), the longest player first, with the k - 1 closest
    in rating within its window (`window_of`), passing over those of its latest encounter (`latest`, by name) while
    others are free (see the module's docstring)."""
    place = {player.name: index for index, player in enumerate(pool)}
    ranked = sorted((player.rating, place[player.name]) for player in pool)
    met: dict[str, set[str]] = {player.name: set(latest.get(player.name, ())) for player in pool}
    for player in pool:
        for opponent in latest.get(player.name, ()):
            if opponent in met:
                met[opponent].add(player.name)
    taken: set[str] = set()
    tables = []
    for anchor in pool:
        if anchor.name in taken:
            continue
        window = window_of(anchor)
        repeats = {place[name] for name in met[anchor.name] if name in place and name not in taken}
        entry = (anchor.rating, place[anchor.name])
        fresh = len(ranked) - 1 - len(repeats)
        chosen: list[int] | None
        if k == 2 or fresh >= k - 1:
            skip = repeats if len(ranked) - 1 > k - 1 else set()  # others than the repeats are free
            chosen = closest(ranked, entry, k - 1, window, skip)
        else:  # a table of more: every new opponent there is, then the closest of the others
            chosen = closest(ranked, entry, fresh, window, repeats)
            others = {index for _, index in ranked} - repeats - {place[anchor.name]}
            again = closest(ranked, entry, k - 1 - fresh, window, others)
            chosen = None if chosen is None or again is None else chosen + again
        if chosen is None:
            continue
        table = [anchor, *(pool[index] for index in chosen)]
        tables.append(table)
        for player in table:
            taken.add(player.name)
            del ranked[bisect.bisect_left(ranked, (player.rating, place[player.name]))]
    return tables


def closest(ranked: list[tuple[float, int]], anchor: tuple[float, int], wanted: int, window: float, skip: set[int]) -> list[int] | None:
    """The `wanted` entries of `ranked` (rating, queue place; sorted) closest to `anchor`'s rating within `window`, but the
    anchor and those in `skip` (ties: the earlier queue place); None when there are fewer."""
    if wanted == 0:
        return []
    rating = anchor[0]
    at = bisect.bisect_left(ranked, anchor)
    left, right = at - 1, at + 1
    found: list[tuple[float, int]] = []
    while True:
        while left >= 0 and ranked[left][1] in skip:
            left -= 1
        while right < len(ranked) and ranked[right][1] in skip:
            right += 1
        below = rating - ranked[left][0] if left >= 0 else math.inf
        above = ranked[right][0] - rating if right < len(ranked) else math.inf
        nearest = min(below, above)
        if nearest > window or (len(found) >= wanted and nearest > found[wanted - 1][0]):
            break
        if below <= above:
            found.append((below, ranked[left][1]))
            left -= 1
        else:
            found.append((above, ranked[right][1]))
            right += 1
    if len(found) < wanted:
        return None
    found.sort()
    return [place for _, place in found[:wanted]]


def filled_pairs(pairs: list[list[C]], pool: list[C], k: int, position: Mapping[str, int]) -> list[list[C]]:
    """Tables of k for the pairs that named each other (queue order): each with the units that waited longest and fit
    (other such pairs, whole, and players of `pool`); a pair that no table fills waits."""
    units = sorted([*pairs, *([player] for player in pool)], key=lambda unit: min(position[player.name] for player in unit))
    seated: set[int] = set()
    tables = []
    for index, pair in enumerate(units):
        if len(pair) != 2 or index in seated:
            continue
        table, members = list(pair), {index}
        for other, unit in enumerate(units):
            if other in seated or other in members or len(table) + len(unit) > k:
                continue
            table += unit
            members.add(other)
            if len(table) == k:
                break
        if len(table) == k:
            tables.append(table)
            seated |= members
    return tables
