"""From the matches played to what a tournament reports: the revisions, then the Standings.

Revisions (when B misbehaves in its match against A): that match becomes
`[A, B, "irregular"]`; every earlier outcome of B becomes `[X, B,
"irregular"]`, or is deleted if X had misbehaved before; B's later matches
are not played (the host does not schedule them). Nothing irregular is
scored, so the Standings equal those of the tournament that B never joined,
among the same other players.

Standings: every player that never misbehaved, with its score (the mean,
over its scored matches, of its total divided by the match's rounds,
rounded to 6 decimals; 0 without a scored match) and its number of scored
matches; ranked by score (higher first), then matches won (a higher total
than the opponent's), then sign-up order. Scores are computed exactly
(with fractions) before rounding, so the order of the matches never
changes a score in its last decimal; a mean exactly halfway between two
6-decimal numbers rounds to the even one, as Python's `round` does. The
ranking uses the rounded score, so that two players shown with the same
score are ordered by the tie-breaks a reader can check. A rank
(`ranks_of`) is shared by players equal in score and in matches won: the
sign-up order lists them but does not rank them (1, 1, 3).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from fractions import Fraction

from Common.ipd.names import Name
from Common.ipd.outcomes import SCORE_DECIMALS, Irregular, MatchOutcome, Misbehaved, Outcomes, Played, Scored, Standing, Standings


def revise(played: Sequence[Played]) -> Outcomes:
    """The outcomes of the matches `played`, in schedule order, after the misbehaviour revisions.

    When both players of a match misbehave in it, it becomes `[A, B,
    "irregular"]` in schedule order, and the earlier outcomes of both are
    revised; an earlier match between the two is deleted.
    """
    outcomes: list[MatchOutcome] = []
    out: set[Name] = set()
    for match in played:
        if isinstance(match, Scored):
            outcomes.append(match)
            continue
        if not isinstance(match, Misbehaved):
            raise TypeError(f"a played match is Scored or Misbehaved, got {match!r}")
        culprits = match.culprits
        out |= culprits
        outcomes = [revised for earlier in outcomes if (revised := revised_outcome(earlier, culprits, out)) is not None]
        outcomes.append(irregular_outcome(match))
    return tuple(outcomes)


def irregular_outcome(match: Misbehaved) -> Irregular:
    """The outcome of the match in which `match.culprits` misbehaved: `[other, culprit, "irregular"]`.

    With two culprits, `[A, B, "irregular"]` in schedule order.
    """
    culprits = match.culprits
    if len(culprits) == 2:
        return Irregular(match.first, match.second)
    (culprit,) = culprits
    other = match.second if culprit == match.first else match.first
    return Irregular(other, culprit)


def revised_outcome(earlier: MatchOutcome, culprits: Collection[Name], out: Collection[Name]) -> MatchOutcome | None:
    """`earlier` once `culprits` misbehaved (`out`: everyone who has misbehaved so far, them included); None: deleted.

    An outcome of a culprit becomes `[other, culprit, "irregular"]`, or is
    deleted when the other had misbehaved too; any other outcome stays.
    """
    first, second = earlier.players
    if first not in culprits and second not in culprits:
        return earlier
    culprit, other = (first, second) if first in culprits else (second, first)
    if other in out:
        return None
    return Irregular(other, culprit)


def culprits_of(played: Sequence[Played]) -> frozenset[Name]:
    """Everyone who misbehaved in a match of `played`."""
    return frozenset(name for match in played if isinstance(match, Misbehaved) for name in match.culprits)


def standings(outcomes: Sequence[MatchOutcome], players: Sequence[Name], misbehaved: Collection[Name]) -> Standings:
    """The Standings of `players` (in sign-up order) from the revised `outcomes`; `misbehaved` are not listed."""
    order = {player: index for index, player in enumerate(players)}
    if len(order) != len(players):
        raise ValueError(f"players are listed once each, got {list(players)!r}")
    ratios: dict[Name, list[Fraction]] = {player: [] for player in players}
    wins = dict.fromkeys(players, 0)
    for outcome in outcomes:
        for player in outcome.players:
            if player not in order:
                raise ValueError(f"an outcome names {player!r}, who is not among the players")
        if not isinstance(outcome, Scored):
            continue
        ratios[outcome.first].append(Fraction(outcome.first_score, outcome.rounds))
        ratios[outcome.second].append(Fraction(outcome.second_score, outcome.rounds))
        winner = outcome.winner()
        if winner is not None:
            wins[winner] += 1
    listed = [player for player in players if player not in misbehaved]
    scores = {player: _mean_rounded(ratios[player]) for player in listed}
    ranked = sorted(listed, key=lambda player: (-scores[player], -wins[player], order[player]))
    return tuple(Standing(player, float(scores[player]), len(ratios[player])) for player in ranked)


def shared_ranks(keys: Sequence[object]) -> list[int]:
    """The rank of each of `keys`, listed best first: competition ranking, equal neighbours sharing one (1, 2, 2, 4)."""
    ranks: list[int] = []
    for place, key in enumerate(keys, start=1):
        ranks.append(ranks[-1] if place > 1 and keys[place - 2] == key else place)
    return ranks


def ranks_of(outcomes: Sequence[MatchOutcome], ranked: Standings) -> list[int]:
    """The rank of each of the Standings `ranked` (best first): players equal in score and in matches won share one."""
    wins = _wins(outcomes)
    return shared_ranks([(standing.score, wins.get(standing.name, 0)) for standing in ranked])


def _wins(outcomes: Sequence[MatchOutcome]) -> dict[Name, int]:
    """How many scored matches each player won (a higher total than the opponent's)."""
    wins: dict[Name, int] = {}
    for outcome in outcomes:
        if isinstance(outcome, Scored) and (winner := outcome.winner()) is not None:
            wins[winner] = wins.get(winner, 0) + 1
    return wins


def _mean_rounded(ratios: list[Fraction]) -> Fraction:
    if not ratios:
        return Fraction(0)
    return round(sum(ratios, Fraction(0)) / len(ratios), SCORE_DECIMALS)


def tournament_results(played: Sequence[Played], players: Sequence[Name], also_out: Collection[Name] = ()) -> tuple[Outcomes, Standings]:
    """The revised outcomes and the Standings of a tournament.

    `also_out` names players that misbehaved outside any match (for example
    while being told their new name); they are not listed either.
    """
    outcomes = revise(played)
    return outcomes, standings(outcomes, players, culprits_of(played) | frozenset(also_out))
