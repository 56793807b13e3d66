"""Santorini's part of the event log's exports: each side's word for an outcome, and the standings as JSON.

`outcome_sides([winner, loser])` is `{winner: "won", loser: "lost"}`; an
irregular outcome (the loser misbehaved) is `{winner: "won", loser:
"irregular"}`. `standings_json(results, roster)` is the standings of
`Admin/santorini/standings.py`, best first, one object per player:
`{"rank": 1, "player": "ann", "won": 2, "lost": 0, "irregular": 0}`, where
"irregular" counts the encounters lost irregularly; the keys are the
crosstable's totals (`Remote/exports.py`), which they equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from Admin.santorini.standings import standings
from Common.santorini.results import EncounterOutcome, Results
from Common.santorini.wire import structure

WON, LOST, IRREGULAR = "won", "lost", "irregular"


def outcome_sides(outcome: Any) -> dict[str, str]:
    """Each player's word for the raw outcome `outcome` (wire form); StructureError if it is not one."""
    parsed = structure(outcome, EncounterOutcome)
    return {parsed.winner: WON, parsed.loser: IRREGULAR if parsed.irregular else LOST}


def standings_json(results: Results, roster: Sequence[str]) -> list[dict[str, Any]]:
    """The standings of the players `roster` (sign-up order) after `results`, as JSON rows, best first."""
    return [
        {"rank": line.rank, "player": line.name, WON: line.won, LOST: line.lost, IRREGULAR: line.lost_irregularly}
        for line in standings(roster, results)
    ]
