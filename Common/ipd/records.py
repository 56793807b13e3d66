"""A match's record, in the CSV format of the websocket IPD server, rendered without any I/O.

    alice,bob          the two players, the first of the schedule first
    C,D                one line per round: what was scored for each (after noise)
    Forfeit,C          a forfeited move
    # COMPLETED        or `# IRREGULAR <name>` when <name> misbehaved

A record is written once per match, at its end: while the match runs, a
MoveLog keeps its rounds in one byte each.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from Common.ipd.moves import RECORDED, Recorded
from Common.ipd.names import Name

FORFEIT = "Forfeit"
COMPLETED = "# COMPLETED"
IRREGULAR = "# IRREGULAR"

_CODE = {pair: index for index, pair in enumerate((a, b) for a in RECORDED for b in RECORDED)}
_PAIR = {index: pair for pair, index in _CODE.items()}


class MoveLog:
    """The rounds of one match so far, one byte each."""

    def __init__(self) -> None:
        self._codes = bytearray()

    def append(self, first: Recorded, second: Recorded) -> None:
        """Add a round in which `first` and `second` were scored."""
        plain = (first is None or type(first) is str) and (second is None or type(second) is str)  # not "C" of a str subclass
        code = _CODE.get((first, second)) if plain else None
        if code is None:
            raise ValueError(f'a round records "C", "D" or None, got {first!r} and {second!r}')
        self._codes.append(code)

    def __len__(self) -> int:
        return len(self._codes)

    def __iter__(self) -> Iterator[tuple[Recorded, Recorded]]:
        return (_PAIR[code] for code in self._codes)


def _cell(value: Recorded) -> str:
    return FORFEIT if value is None else value


def render_record(first: Name, second: Name, rounds: Iterable[tuple[Recorded, Recorded]], culprits: Sequence[Name] = ()) -> str:
    """The CSV text of a match between `first` and `second`; `culprits` name who misbehaved (irregular)."""
    lines = [f"{first},{second}"]
    lines.extend(f"{_cell(a)},{_cell(b)}" for a, b in rounds)
    lines.append(f"{IRREGULAR} {' '.join(culprits)}" if culprits else COMPLETED)
    return "\n".join(lines) + "\n"


def record_file_name(tournament: int, match_index: int) -> str:
    """The name of a match's record file: `<tournament>-<match index>.csv`."""
    return f"{tournament}-{match_index}.csv"
