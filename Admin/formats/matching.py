"""A pairing of a whole field without repeats, by maximum-cardinality matchings (Edmonds' blossoms), for the Swiss. Pure.

The Swiss (swiss.py) pairs by score groups with a bounded search; when that
search cannot settle a round, `pair_by_matching` does: it finds a pairing
of everybody in which nobody meets an opponent met before whenever one
exists, keeping to each player's order of preference (its own score group
first) as far as such a pairing allows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any


def pair_by_matching(ranked: list[int], met: list[set[int]], scores: Sequence[float] | None = None) -> list[tuple[int, int]] | None:
    """A pairing of all of `ranked` without repeats, by maximum-cardinality matchings (Edmonds' blossoms); None when none exists.

    First any pairing without repeats: the greedy one down the ranking, grown
    by augmenting paths. Then, down the ranking, each player still to pair
    takes the first opponent in its order of preference (`_preferred`: its
    own score group first, from the natural opponent, then the nearest
    scores below) that still leaves the others a pairing, which one
    augmenting path between the two players' former opponents tells. Cubic
    in the field at worst: it is for the rare round that the score-group
    search cannot settle.
    """
    size = len(ranked)
    removed = [False] * size

    def neighbours(u: int) -> Iterator[int]:
        for distance in range(1, size):
            for v in (u + distance, u - distance):
                if 0 <= v < size and not removed[v] and ranked[v] not in met[ranked[u]]:
                    yield v

    mate = [-1] * size
    for u in range(size):
        if mate[u] == -1:
            v = next((v for v in range(u + 1, size) if mate[v] == -1 and ranked[v] not in met[ranked[u]]), -1)
            if v != -1:
                mate[u], mate[v] = v, u
    for root in range(size):
        if mate[root] == -1 and not _augment(root, mate, neighbours):
            return None
    if scores is None:
        return [(ranked[u], ranked[mate[u]]) for u in range(size) if u < mate[u]]
    pairs = []
    for u in range(size):
        if removed[u]:
            continue
        for v in _preferred(u, ranked, removed, met, scores):
            if mate[u] == v or _rematch(u, v, mate, removed, neighbours):
                break
        v = mate[u]
        removed[u] = removed[v] = True
        pairs.append((ranked[u], ranked[v]))
    return pairs


def _preferred(u: int, ranked: list[int], removed: list[bool], met: list[set[int]], scores: Sequence[float]) -> list[int]:
    """Where in `ranked` the players u may meet are (all below u), best first: u's score group from the natural opponent, then by score."""
    player = ranked[u]
    candidates = [v for v in range(u + 1, len(ranked)) if not removed[v] and ranked[v] not in met[player]]
    group = [v for v in range(u + 1, len(ranked)) if not removed[v] and scores[ranked[v]] == scores[player]]
    natural = group[(len(group) + 1) // 2 - 1] if group else u
    below = [v for v in candidates if v >= natural]
    return [
        *(v for v in below if scores[ranked[v]] == scores[player]),
        *(v for v in reversed(candidates) if v < natural),
        *sorted((v for v in below if scores[ranked[v]] != scores[player]), key=lambda v: (scores[player] - scores[ranked[v]], v)),
    ]


def _augment(root: int, mate: list[int], neighbours: Any) -> bool:
    """Grow the matching by an augmenting path from the unmatched `root`; False when there is none."""
    end, parent = _augmenting_path(root, mate, neighbours)
    if end == -1:
        return False
    while end != -1:
        previous = parent[end]
        after = mate[previous]
        mate[end], mate[previous] = previous, end
        end = after
    return True


def _rematch(u: int, v: int, mate: list[int], removed: list[bool], neighbours: Any) -> bool:
    """Make `mate` pair u with v and still pair every other player left, if it can be done; False (mate unchanged) when not."""
    former_u, former_v = mate[u], mate[v]
    removed[u] = removed[v] = True
    mate[former_u] = mate[former_v] = -1
    found = _augment(former_u, mate, neighbours)
    removed[u] = removed[v] = False
    if not found:
        mate[former_u], mate[former_v] = u, v
        return False
    mate[u], mate[v] = v, u
    return True


def _augmenting_path(root: int, mate: list[int], neighbours: Any) -> tuple[int, list[int]]:
    """Edmonds' search from the unmatched `root`: the free vertex an augmenting path ends at and the parents along it, or (-1, ...)."""
    size = len(mate)
    parent = [-1] * size
    base = list(range(size))
    in_tree = [False] * size
    in_tree[root] = True
    queue = [root]

    def common_base(a: int, b: int) -> int:
        seen = [False] * size
        while True:
            a = base[a]
            seen[a] = True
            if mate[a] == -1:
                break
            a = parent[mate[a]]
        while True:
            b = base[b]
            if seen[b]:
                return b
            b = parent[mate[b]]

    def mark_blossom(v: int, blossom_base: int, child: int, in_blossom: list[bool]) -> None:
        while base[v] != blossom_base:
            in_blossom[base[v]] = in_blossom[base[mate[v]]] = True
            parent[v] = child
            child = mate[v]
            v = parent[mate[v]]

    head = 0
    while head < len(queue):
        v = queue[head]
        head += 1
        for to in neighbours(v):
            if base[v] == base[to] or mate[v] == to:
                continue
            if to == root or (mate[to] != -1 and parent[mate[to]] != -1):
                blossom_base = common_base(v, to)
                in_blossom = [False] * size
                mark_blossom(v, blossom_base, to, in_blossom)
                mark_blossom(to, blossom_base, v, in_blossom)
                for u in range(size):
                    if in_blossom[base[u]]:
                        base[u] = blossom_base
                        if not in_tree[u]:
                            in_tree[u] = True
                            queue.append(u)
            elif parent[to] == -1:
                parent[to] = v
                if mate[to] == -1:
                    return to, parent
                in_tree[mate[to]] = True
                queue.append(mate[to])
    return -1, parent
