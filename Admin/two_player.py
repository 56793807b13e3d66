"""The two-player win/loss outcome, pure and game-free: its revision, the Results, the standings and their words.

An encounter of such a game (Santorini, or any game like it) ends with a
winner and a loser, and is irregular when the loser misbehaved. The game
keeps its own outcome class (its names, its wire form); anything with
`winner`, `loser` and `irregular` attributes, built by attrs, fits.

* Revision: when a player misbehaves, each earlier win of it becomes its
  loser's (regular), or is deleted when that loser had misbehaved before;
  any other outcome stays (`revise_outcome`, the game's `Reviser`).
* Results: the revised outcomes themselves, in schedule order.
* Standings: for each player the encounters won, lost, and lost
  irregularly. Players rank by encounters won, more first; among equal
  winners one that misbehaved ranks below one that did not, then one that
  lost more below one that lost fewer. Equal players share a rank and keep
  sign-up order (1, 1, 3).
* Words, for the exports' crosstable: `{winner: "won", loser: "lost"}`,
  with the score from each side when the encounter's games are known
  (`{winner: "won 2–1", loser: "lost 1–2"}`); an irregular outcome is
  `{winner: "won", loser: "irregular"}`. The standings as JSON rows,
  `{"rank": 1, "player": "ann", "won": 2, "lost": 0, "irregular": 0}`,
  whose counts are the crosstable's totals.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any, Protocol, TypeVar

import attrs

from Admin.manager import TournamentRules


class WinLoss(Protocol):
    """An outcome of a two-player encounter: `winner` beat `loser`; `irregular` when the loser misbehaved."""

    @property
    def winner(self) -> str: ...

    @property
    def loser(self) -> str: ...

    @property
    def irregular(self) -> bool: ...


OutcomeT = TypeVar("OutcomeT", bound=WinLoss)


def revise_outcome(earlier: OutcomeT, cheat: str, misbehaved_before: frozenset[str]) -> OutcomeT | None:
    """An earlier outcome after `cheat` misbehaved: a win of the cheat becomes its loser's, or is deleted
    if that loser had misbehaved before; any other outcome stays."""
    if earlier.winner != cheat:
        return earlier
    if earlier.loser in misbehaved_before:
        return None
    return attrs.evolve(earlier, winner=earlier.loser, loser=cheat, irregular=False)  # type: ignore[misc]  # an attrs class (module docstring)


def results(revised: Sequence[OutcomeT], names: object, misbehaved: Collection[Any]) -> tuple[OutcomeT, ...]:
    """The Results: the revised outcomes, in schedule order."""
    return tuple(revised)


def narrowed(whole: tuple[OutcomeT, ...], own: Sequence[OutcomeT]) -> tuple[OutcomeT, ...]:
    """The Results one player of an arena receives: the outcomes of its own encounters (the Results are outcomes)."""
    return tuple(own)


def score(outcome: WinLoss, player: str) -> float:
    """`player`'s score in `outcome`: 1 for the winner, 0 for the loser (irregular or not)."""
    return 1.0 if outcome.winner == player else 0.0


def rules(max_name_length: int) -> TournamentRules:
    """The manager's rules of a two-player win/loss game whose names are at most `max_name_length` long: round robin, revisions, Results."""
    return TournamentRules(revise=revise_outcome, results=results, max_name_length=max_name_length, score=score, narrowed=narrowed)


def describe(outcome: WinLoss) -> str:
    """One outcome as a log line: `ann beat bob`, `ann beat bob (irregular)`."""
    return f"{outcome.winner} beat {outcome.loser}{' (irregular)' if outcome.irregular else ''}"


# ---------------------------------------------------------------------------
# Standings


@attrs.frozen
class Standing:
    """One player's line: its rank (1 is best) and its encounters won, lost, and lost irregularly."""

    rank: int
    name: str
    won: int
    lost: int
    lost_irregularly: int


def standings(names: Sequence[str], outcomes: Sequence[WinLoss]) -> list[Standing]:
    """The standings of the players `names` (in sign-up order) after the Results `outcomes`, best first."""
    won = dict.fromkeys(names, 0)
    lost = dict.fromkeys(names, 0)
    irregular = dict.fromkeys(names, 0)
    for outcome in outcomes:
        won[outcome.winner] += 1
        if outcome.irregular:
            irregular[outcome.loser] += 1
        else:
            lost[outcome.loser] += 1

    def merit(name: str) -> tuple[int, int, int]:
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
    rows = [HEADINGS] + [(str(line.rank), line.name, str(line.won), str(line.lost), str(line.lost_irregularly)) for line in table]
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADINGS))]

    def draw(row: tuple[str, ...]) -> str:
        rank, name, *counts = row
        cells = [rank.rjust(widths[0]), name.ljust(widths[1])]
        cells += [count.rjust(width) for count, width in zip(counts, widths[2:], strict=True)]
        return "  ".join(cells).rstrip()

    return "\n".join(draw(row) for row in rows)


def table(outcomes: Sequence[WinLoss], names: Sequence[str]) -> str:
    """The standings after the Results `outcomes`, among the players `names` (sign-up order), as lines of text."""
    return standings_table(standings(names, outcomes))


# ---------------------------------------------------------------------------
# The exports' words

WON, LOST, IRREGULAR = "won", "lost", "irregular"


def sides(outcome: WinLoss, game_ends: Sequence[Any] = ()) -> dict[str, str]:
    """Each player's word for `outcome`, scored by its encounter's `game-end` events (dicts with a "winner")."""
    if outcome.irregular:
        return {outcome.winner: WON, outcome.loser: IRREGULAR}
    won = [end.get("winner") for end in game_ends if isinstance(end, dict)]
    mine, theirs = won.count(outcome.winner), won.count(outcome.loser)
    if mine <= theirs:  # no games recorded (or none that tell this outcome)
        return {outcome.winner: WON, outcome.loser: LOST}
    return {outcome.winner: f"{WON} {mine}–{theirs}", outcome.loser: f"{LOST} {theirs}–{mine}"}


def outcome_sides(parse: Callable[[Any], WinLoss]) -> Callable[[Any, Sequence[Any]], dict[str, str]]:
    """The game's `outcome_sides`: each player's word for a raw outcome (wire form), read by the game's strict `parse`."""

    def of(outcome: Any, game_ends: Sequence[Any] = ()) -> dict[str, str]:
        return sides(parse(outcome), game_ends)

    return of


def standings_json(outcomes: Sequence[WinLoss], roster: Sequence[str]) -> list[dict[str, Any]]:
    """The standings of the players `roster` (sign-up order) after the Results `outcomes`, as JSON rows, best first."""
    return [
        {"rank": line.rank, "player": line.name, WON: line.won, LOST: line.lost, IRREGULAR: line.lost_irregularly}
        for line in standings(roster, outcomes)
    ]
