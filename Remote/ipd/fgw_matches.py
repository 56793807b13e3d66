"""The match ids of the fgw door: a UUID per named pairing, and `tournament_records.txt`, rendered and read without I/O.

The websocket IPD server's organiser creates each match by hand and its id
goes into `tournament_records.txt`, one line `uuid,A,B` per match; its
clients open `/<uuid>?participant=<name>`. Here every pairing of the
configuration's `"format": {"kind": "pairings", ...}` gets such an id, in
the order listed, and the same file is written, so that the organiser
sends each participant its URL from it. A resumed event reads its ids back
from the file (`read_records`), and they must be those of the same pairings.

A pair may be listed more than once: the k-th listing of a pair (either
order) is its k-th meeting (Admin/schedule.py counts meetings so), so a
match is found by its two players and their meeting (`FgwMatches.of`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator, Sequence

import attrs

MATCH_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
"""A match id as `str(uuid.uuid4())` writes it."""
RECORDS_FILE = "tournament_records.txt"


@attrs.frozen
class FgwMatch:
    """One listed pairing: its id, its first and second player, and how often the two met in the list before it."""

    match_id: str
    first: str
    second: str
    meeting: int = 0

    @property
    def players(self) -> tuple[str, str]:
        return (self.first, self.second)


@attrs.frozen
class FgwMatches:
    """The listed pairings with their ids, in the order listed."""

    matches: tuple[FgwMatch, ...]

    def __iter__(self) -> Iterator[FgwMatch]:
        return iter(self.matches)

    def __len__(self) -> int:
        return len(self.matches)

    def by_id(self, match_id: str) -> FgwMatch | None:
        return next((match for match in self.matches if match.match_id == match_id), None)

    def of(self, first: str, second: str, meeting: int) -> FgwMatch | None:
        """The match of `first` and `second` (either order) at their `meeting` (0: their first)."""
        pair = {first, second}
        return next((match for match in self.matches if set(match.players) == pair and match.meeting == meeting), None)

    def of_player(self, name: str) -> list[FgwMatch]:
        return [match for match in self.matches if name in match.players]


def _meetings(pairings: Sequence[tuple[str, str]]) -> list[int]:
    met: dict[frozenset[str], int] = {}
    meetings = []
    for first, second in pairings:
        pair = frozenset((first, second))
        meetings.append(met.get(pair, 0))
        met[pair] = meetings[-1] + 1
    return meetings


def new_matches(pairings: Sequence[tuple[str, str]], new_id: Callable[[], str] = lambda: str(uuid.uuid4())) -> FgwMatches:
    """Each of `pairings` with a new id of its own (`new_id`: a random UUID)."""
    ids: list[str] = []
    while len(ids) < len(pairings):
        match_id = new_id()
        if match_id not in ids:
            ids.append(match_id)
    return FgwMatches(
        tuple(
            FgwMatch(match_id, first, second, meeting)
            for match_id, (first, second), meeting in zip(ids, pairings, _meetings(pairings), strict=True)
        )
    )


def records_text(matches: FgwMatches) -> str:
    """`tournament_records.txt`: one line `uuid,A,B` per match, in the order listed."""
    return "".join(f"{match.match_id},{match.first},{match.second}\n" for match in matches)


def read_records(text: str, pairings: Sequence[tuple[str, str]], where: str = RECORDS_FILE) -> FgwMatches:
    """The matches `text` (a `tournament_records.txt`) holds, which must be `pairings`, in order; ValueError, one line."""
    lines = text.splitlines()
    if len(lines) != len(pairings):
        raise ValueError(f"{where} lists {len(lines)} matches, the configuration's pairings {len(pairings)}")
    matches = []
    for number, (line, pairing, meeting) in enumerate(zip(lines, pairings, _meetings(pairings), strict=True), start=1):
        fields = line.split(",")
        if len(fields) != 3 or not MATCH_ID.fullmatch(fields[0]):
            raise ValueError(f"{where} line {number}: expected uuid,A,B")
        if (fields[1], fields[2]) != tuple(pairing):
            raise ValueError(
                f"{where} line {number}: {fields[1]} vs {fields[2]}, but the pairing listed there is {pairing[0]} vs {pairing[1]}"
            )
        matches.append(FgwMatch(fields[0], fields[1], fields[2], meeting))
    if len({match.match_id for match in matches}) != len(matches):
        raise ValueError(f"{where}: a match id is listed twice")
    return FgwMatches(tuple(matches))


def players_with_several(pairings: Sequence[tuple[str, str]]) -> list[str]:
    """The players listed in more than one pairing, in order of first appearance."""
    seen: dict[str, int] = {}
    for pairing in pairings:
        for name in pairing:
            seen[name] = seen.get(name, 0) + 1
    return [name for name, count in seen.items() if count > 1]
