"""What a tournament reports: one outcome per match, and the Standings.

A match is Scored, `[A, B, scoreA, scoreB, rounds]`, with A listed first in
the schedule, or Irregular, `[A, B, "irregular"]`: B misbehaved and nothing
of the match is scored. A Standing is `[Name, score, matches]`: the mean
over the player's scored matches of its total divided by the match's
rounds, rounded to 6 decimals, and how many scored matches it played.
"""

from __future__ import annotations

import math

import attrs

from Common.ipd.names import Name, name_validator


def _whole(instance: object, attribute: attrs.Attribute, value: object) -> None:
    if type(value) is not int:
        raise ValueError(f"{attribute.name} must be a whole number, got {value!r}")


def _positive_whole(instance: object, attribute: attrs.Attribute, value: object) -> None:
    if type(value) is not int or value < 1:
        raise ValueError(f"{attribute.name} must be a whole number >= 1, got {value!r}")


def _two_players(instance: Scored | Irregular, attribute: attrs.Attribute, value: object) -> None:
    if value == instance.first:
        raise ValueError(f"a match needs two different players, got {value!r} twice")


@attrs.frozen
class Scored:
    """A match played to its end: each player's total, and how many rounds it lasted."""

    first: Name = attrs.field(validator=name_validator)
    second: Name = attrs.field(validator=[name_validator, _two_players])
    first_score: int = attrs.field(validator=_whole)
    second_score: int = attrs.field(validator=_whole)
    rounds: int = attrs.field(validator=_positive_whole)

    @property
    def players(self) -> tuple[Name, Name]:
        return (self.first, self.second)

    def winner(self) -> Name | None:
        """The player with the higher total, or None for a tie."""
        if self.first_score == self.second_score:
            return None
        return self.first if self.first_score > self.second_score else self.second


@attrs.frozen
class Irregular:
    """A match in which `second` misbehaved: nothing of it is scored."""

    first: Name = attrs.field(validator=name_validator)
    second: Name = attrs.field(validator=[name_validator, _two_players])

    @property
    def players(self) -> tuple[Name, Name]:
        return (self.first, self.second)

    @property
    def culprit(self) -> Name:
        return self.second


MatchOutcome = Scored | Irregular
"""One match of a tournament."""


def match_score(outcome: MatchOutcome, player: Name) -> float:
    """`player`'s score in a match, for formats and ratings: 1 for the higher total, ½ each for equal totals, 0 for the lower;
    in an irregular match 0 for the culprit and 1 for the other."""
    if isinstance(outcome, Irregular):
        return 0.0 if player == outcome.culprit else 1.0
    winner = outcome.winner()
    return 0.5 if winner is None else 1.0 if winner == player else 0.0


Outcomes = tuple[MatchOutcome, ...]
"""The outcomes of a whole tournament, in schedule order, after the revisions."""

SCORE_DECIMALS = 6
"""A Standing's score is rounded to this many decimals."""


def _score(instance: object, attribute: attrs.Attribute, value: object) -> None:
    if type(value) is not float or not math.isfinite(value):
        raise ValueError(f"{attribute.name} must be a finite float, got {value!r}")


def _matches(instance: object, attribute: attrs.Attribute, value: object) -> None:
    if type(value) is not int or value < 0:
        raise ValueError(f"{attribute.name} must be a whole number >= 0, got {value!r}")


@attrs.frozen
class Standing:
    """One line of the Standings: a player, its score, and the number of its scored matches."""

    name: Name = attrs.field(validator=name_validator)
    score: float = attrs.field(validator=_score)
    matches: int = attrs.field(validator=_matches)


Standings = tuple[Standing, ...]
"""The players that never misbehaved, best first."""


def _culprits(instance: Misbehaved, attribute: attrs.Attribute, value: object) -> None:
    if type(value) is not frozenset or not value or not value <= {instance.first, instance.second}:
        raise ValueError(f"{attribute.name} must be a non-empty frozenset of the match's players, got {value!r}")


@attrs.frozen
class Misbehaved:
    """How a referee reports a match that ended because `culprits` (one or both players) misbehaved.

    It is not an outcome: the revisions (`Common/ipd/standings.py`) turn it
    into one and revise the culprits' earlier outcomes.
    """

    first: Name = attrs.field(validator=name_validator)
    second: Name = attrs.field(validator=[name_validator, _two_players])
    culprits: frozenset[Name] = attrs.field(validator=_culprits)

    @property
    def players(self) -> tuple[Name, Name]:
        return (self.first, self.second)


Played = Scored | Misbehaved
"""How a match ended, as its referee reports it."""
