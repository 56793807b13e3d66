"""Santorini's part of the event log's exports: each side's word for an outcome, and the standings as JSON.

`outcome_sides([winner, loser])` is `{winner: "won", loser: "lost"}`, and
with the series' `game-end` events the score from each side, `{winner:
"won 2–1", loser: "lost 1–2"}`; an irregular outcome (the loser misbehaved)
is `{winner: "won", loser: "irregular"}`, without a score. `standings_json(results, roster)` is the standings of
`Admin/santorini/standings.py`, best first, one object per player:
`{"rank": 1, "player": "ann", "won": 2, "lost": 0, "irregular": 0}`, where
"irregular" counts the encounters lost irregularly; the keys are the
crosstable's totals (`Remote/exports.py`), which they equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from Admin.santorini.standings import standings
from Common.santorini.names import Name
from Common.santorini.results import EncounterOutcome, Results
from Common.santorini.wire import structure

WON, LOST, IRREGULAR = "won", "lost", "irregular"


def outcome_sides(outcome: Any, game_ends: Sequence[Any] = ()) -> dict[str, str]:
    """Each player's word for the raw outcome `outcome` (wire form), scored by its `game_ends`; StructureError if it is not one."""
    parsed = structure(outcome, EncounterOutcome)
    if parsed.irregular:
        return {parsed.winner: WON, parsed.loser: IRREGULAR}
    won = [end.get("winner") for end in game_ends if isinstance(end, dict)]
    mine, theirs = won.count(parsed.winner), won.count(parsed.loser)
    if mine <= theirs:  # no games recorded (or none that tell this outcome)
        return {parsed.winner: WON, parsed.loser: LOST}
    return {parsed.winner: f"{WON} {mine}–{theirs}", parsed.loser: f"{LOST} {theirs}–{mine}"}


def standings_json(results: Results, roster: Sequence[str]) -> list[dict[str, Any]]:
    """The standings of the players `roster` (sign-up order) after `results`, as JSON rows, best first."""
    return [
        {"rank": line.rank, "player": line.name, WON: line.won, LOST: line.lost, IRREGULAR: line.lost_irregularly}
        for line in standings(cast(Sequence[Name], roster), results)
    ]
