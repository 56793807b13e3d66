"""The standings of a tournament: who won how many encounters, drawn as a table for the organiser.

A Standing counts, for one player, the encounters it won, lost, and lost
irregularly (it misbehaved), in the Results after the revisions. Players rank
by encounters won, more first; among equal winners, one that misbehaved ranks
below one that did not, then one that lost more ranks below one that lost
fewer. Equal players share a rank and keep sign-up order.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from Common.santorini.names import Name
from Common.santorini.results import Results


@attrs.frozen
class Standing:
    """One player's line: its rank (1 is best) and its encounters won, lost, and lost irregularly."""

    rank: int
    name: Name
    won: int
    lost: int
    lost_irregularly: int


def standings(names: Sequence[Name], results: Results) -> list[Standing]:
    """The standings of the players `names` (in sign-up order) after `results`, best first."""
    won = dict.fromkeys(names, 0)
    lost = dict.fromkeys(names, 0)
    irregular = dict.fromkeys(names, 0)
    for outcome in results:
        won[outcome.winner] += 1
        if outcome.irregular:
            irregular[outcome.loser] += 1
        else:
            lost[outcome.loser] += 1

    def merit(name: Name) -> tuple[int, int, int]:
        return (-won[name], irregular[name], lost[name])

    ordered = sorted(names, key=merit)  # stable: sign-up order among equals
    table: list[Standing] = []
    for position, name in enumerate(ordered):
        shares_rank = position > 0 and merit(ordered[position - 1]) == merit(name)
        rank = table[-1].rank if shares_rank else position + 1
        table.append(Standing(rank, name, won[name], lost[name], irregular[name]))
    return table


HEADINGS = ("rank", "player", "won", "lost", "lost irregularly")


def standings_table(table: Sequence[Standing]) -> str:
    """`table` as lines of aligned text, a heading first: readable for a hundred players too."""
    rows = [HEADINGS] + [
        (str(line.rank), line.name, str(line.won), str(line.lost), str(line.lost_irregularly)) for line in table
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADINGS))]

    def draw(row: tuple[str, ...]) -> str:
        rank, name, *counts = row
        cells = [rank.rjust(widths[0]), name.ljust(widths[1])]
        cells += [count.rjust(width) for count, width in zip(counts, widths[2:], strict=True)]
        return "  ".join(cells).rstrip()

    return "\n".join(draw(row) for row in rows)
