"""The prisoner's dilemma's part of the event log's exports: each side's word for an outcome, the standings as JSON.

`outcome_sides` of a scored match `[A, B, 31, 20, rounds]` is `{A: "won
31:20", B: "lost 20:31"}`, each side's total first (`"drawn 25:25"` for
equal totals); of an irregular one `[A, B, "irregular"]` (B misbehaved) it
is `{A: "not scored", B: "irregular"}`: nothing of that match counts, for
either. `standings_json(results, roster)` lists the Standings of the
Results (`TournamentResults.standings`: the players that never
misbehaved), best first, one object per player: `{"rank": 1, "player":
"ann", "score": 2.5, "matches": 2, "won": 1, "drawn": 0, "lost": 1}`;
"rank" is shared by players equal in score and in matches won (1, 1, 3), "won",
"drawn" and "lost" count the scored matches by totals, as the crosstable's
totals (`Remote/exports.py`) do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from Common.ipd.messages import TournamentResults
from Common.ipd.outcomes import MatchOutcome, Scored
from Common.ipd.standings import ranks_of
from Common.ipd.wire import structure

WON, DRAWN, LOST, IRREGULAR, NOT_SCORED = "won", "drawn", "lost", "irregular", "not scored"


def outcome_sides(outcome: Any, game_ends: Sequence[Any] = ()) -> dict[str, str]:
    """Each player's word for the raw outcome `outcome` (wire form: the totals are in it); StructureError if it is not one."""
    match = structure(outcome, MatchOutcome)
    if not isinstance(match, Scored):
        return {match.first: NOT_SCORED, match.second: IRREGULAR}
    first, second = match.first_score, match.second_score
    return {match.first: f"{_word(first, second)} {first}:{second}", match.second: f"{_word(second, first)} {second}:{first}"}


def _word(mine: int, theirs: int) -> str:
    return WON if mine > theirs else LOST if mine < theirs else DRAWN


def standings_json(results: TournamentResults, roster: Sequence[str]) -> list[dict[str, Any]]:
    """The Standings of `results` as JSON rows, best first, with each player's scored matches won, drawn and lost."""
    counts = {name: dict.fromkeys((WON, DRAWN, LOST), 0) for name in roster}
    for outcome in results.outcomes:
        if isinstance(outcome, Scored):
            counts[outcome.first][_word(outcome.first_score, outcome.second_score)] += 1
            counts[outcome.second][_word(outcome.second_score, outcome.first_score)] += 1
    return [
        {"rank": place, "player": standing.name, "score": standing.score, "matches": standing.matches} | counts[standing.name]
        for place, standing in zip(ranks_of(results.outcomes, results.standings), results.standings, strict=True)
    ]
