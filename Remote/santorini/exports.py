"""Santorini's part of the event log's exports: the two-player words (`Admin/two_player.py`) of its outcomes.

`outcome_sides([winner, loser])` is `{winner: "won", loser: "lost"}`, and
with the series' `game-end` events the score from each side, `{winner:
"won 2–1", loser: "lost 1–2"}`; an irregular outcome (the loser misbehaved)
is `{winner: "won", loser: "irregular"}`, without a score.
`standings_json(results, roster)` is the two-player standings, best first,
one object per player: `{"rank": 1, "player": "ann", "won": 2, "lost": 0,
"irregular": 0}`, where "irregular" counts the encounters lost
irregularly; the keys are the crosstable's totals (`Remote/exports.py`),
which they equal.
"""

from __future__ import annotations

from typing import Any

from Admin import two_player
from Common.santorini.results import EncounterOutcome
from Common.santorini.wire import structure


def outcome(data: Any) -> EncounterOutcome:
    """An outcome from its wire form, strictly; StructureError if it is not one."""
    return structure(data, EncounterOutcome)


outcome_sides = two_player.outcome_sides(outcome)
"""Each player's word for a raw outcome (wire form), scored by its `game_ends`; StructureError if it is not one."""
standings_json = two_player.standings_json
