"""Hypothesis strategies for Admin/arena_ratings.py: ended encounters of two to four players, and sequences of them.

The players come from a small pool, so that sequences meet the same
players again and their ratings move away from a new player's.
"""

from __future__ import annotations

from hypothesis import strategies as st

from Admin.arena_ratings import MAX_TABLE, MISBEHAVED, EncounterEnded, Place

POOL = ("ann", "bob", "cat", "dan", "eve", "fay")
"""The players of generated encounters."""


def places(players: int, culprits: bool = True) -> st.SearchStrategy[tuple[Place, ...]]:
    """A place for each of `players` (1 best, ties allowed), a culprit now and then unless `culprits` is False."""
    place: st.SearchStrategy[Place] = st.integers(1, players)
    if culprits:
        place = st.one_of(place, place, place, place, st.just(MISBEHAVED))
    return st.tuples(*[place] * players)


@st.composite
def encounters(
    draw: st.DrawFn, sizes: tuple[int, int] = (2, MAX_TABLE), culprits: bool = True, times: st.SearchStrategy[float] | None = None
) -> EncounterEnded:
    """An ended encounter of `sizes[0]` to `sizes[1]` players of POOL."""
    size = draw(st.integers(*sizes))
    players = draw(st.permutations(POOL))[:size]
    end = draw(times if times is not None else st.floats(0, 1e10))
    return EncounterEnded(tuple(players), draw(places(size, culprits)), end)


def histories(min_size: int = 0, max_size: int = 30, culprits: bool = True) -> st.SearchStrategy[list[EncounterEnded]]:
    """Sequences of ended encounters of POOL's players."""
    return st.lists(encounters(culprits=culprits), min_size=min_size, max_size=max_size)
