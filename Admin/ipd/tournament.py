"""What the game-free tournament manager needs of the IPD besides its referee: one revision, and the Results.

Thin adapters over `Common/ipd/standings.py`, which holds the logic:

* `revise(earlier, culprit, misbehaved_before)`: one earlier outcome after
  `culprit` misbehaved. An outcome of the culprit becomes `[X, culprit,
  "irregular"]`, or is deleted when X had misbehaved before; any other
  outcome stays. The manager calls it for every earlier outcome, in schedule
  order, once per culprit; for an encounter with two culprits, once for each
  in turn, the first one counted among `misbehaved_before` of the second.
  The culprit's own encounter keeps the outcome its referee returned.
* `results(revised_outcomes, roster, misbehaved)`: the TournamentResults,
  the revised outcomes and the Standings of the roster (sign-up order) less
  those who misbehaved, which every player still in receives and the server
  prints.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from Common.ipd.messages import TournamentResults
from Common.ipd.names import Name
from Common.ipd.outcomes import MatchOutcome
from Common.ipd.standings import revised_outcome, standings


def revise(earlier: MatchOutcome, culprit: Name, misbehaved_before: Collection[Name]) -> MatchOutcome | None:
    """`earlier` after `culprit` misbehaved, given who had misbehaved before it; None: deleted."""
    return revised_outcome(earlier, (culprit,), {*misbehaved_before, culprit})


def results(revised_outcomes: Sequence[MatchOutcome], roster: Sequence[Name], misbehaved: Collection[Name]) -> TournamentResults:
    """The Results of a tournament: the revised outcomes in schedule order, and the Standings of those still in."""
    outcomes = tuple(revised_outcomes)
    return TournamentResults(outcomes, standings(outcomes, roster, misbehaved))


def narrowed(whole: TournamentResults, own: Sequence[MatchOutcome]) -> TournamentResults:
    """The Results one player of an arena receives: the outcomes of its own matches, and every player's Standings."""
    return TournamentResults(tuple(own), whole.standings)
