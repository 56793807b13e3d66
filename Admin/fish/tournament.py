"""What the game-free tournament manager needs of Fish besides its referee: revisions, the Results, the score.

* Revision: none. A player removed for misbehaving is out of the
  tournament, but the games it played before stand as they were (the
  course's knock-out: those it won sent it on, and it is out now anyway).
* Results: the tournament's winners and its culprits, each in sign-up order
  (spec section 4's output). The winners are the players who never
  misbehaved and never lost a game (every game they played listed them among
  its winners): in a knock-out, where all of a game's tied winners go on and
  everyone else is out, exactly the winners of its last round, or the
  players left when a round leaves fewer than two.
* Score: a winner's share of its game, 1 / the number of winners, else 0;
  None when nobody won (`Common.fish.results.score`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from Admin.manager import TournamentRules
from Common.fish.names import MAX_NAME_LENGTH, Name
from Common.fish.results import Outcome, Results, score
from Common.fish.wire import outcome_to_json, structure, unstructure


def revise(earlier: Outcome, culprit: Name, misbehaved_before: frozenset[Name]) -> Outcome:
    """`earlier` after `culprit` misbehaved: unchanged (earlier outcomes stand)."""
    return earlier


def results(revised_outcomes: Sequence[Outcome], roster: Sequence[Name], misbehaved: Collection[Name]) -> Results:
    """The winners (who never lost a game and never misbehaved) and the culprits, each in sign-up order."""
    lost = {player for outcome in revised_outcomes for player in outcome.players if player not in outcome.winners}
    winners = tuple(player for player in roster if player not in lost and player not in misbehaved)
    culprits = tuple(player for player in roster if player in misbehaved)
    return Results(winners, culprits)


def to_json(value: Any) -> Any:
    """An Outcome or the Results in their wire form, for the event log."""
    return outcome_to_json(value) if isinstance(value, Outcome) else unstructure(value)


def outcome_from_json(data: Any) -> Outcome:
    """An Outcome from its wire form, strictly (StructureError otherwise), for resuming from the event log."""
    return structure(data, Outcome)


RULES = TournamentRules(
    revise=revise,
    results=results,
    max_name_length=MAX_NAME_LENGTH,
    to_json=to_json,
    from_json=outcome_from_json,
    score=score,
    announce_start=True,
    results_notice_counts=True,
)
"""Fish's rules for the manager (its schedule is the format's: the course's knock-out by default): every player hears
"start" before the first game, and one that fails to take "end" misbehaves (it changes nobody else's result)."""
