"""What a Fish tournament reports: the outcome of each game, and the Results (the winners and the culprits).

A game's Outcome lists its players in seat order, the fish each collected
(None for a player removed for misbehaving), and its winners in seat order:
those left with the highest score, all of them when tied; nobody when every
player was removed. The winners follow from the scores, and an Outcome
whose winners do not is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from Common.fish.names import Name, is_name
from Common.fish.state import MAX_PLAYERS, MIN_PLAYERS
from Common.strict import show


def _names(values: Iterable[Name]) -> tuple[Name, ...]:
    return tuple(values)


def _scores(values: Iterable[int | None]) -> tuple[int | None, ...]:
    return tuple(values)


def winners_of(players: Sequence[Name], scores: Sequence[int | None]) -> tuple[Name, ...]:
    """The players with the highest score among those with a score, in seat order; () when nobody has one."""
    kept = [score for score in scores if score is not None]
    if not kept:
        return ()
    best = max(kept)
    return tuple(player for player, score in zip(players, scores, strict=True) if score == best)


@attrs.frozen
class Outcome:
    """One game: `players` in seat order, the fish each collected (None: removed), and the `winners`."""

    players: tuple[Name, ...] = attrs.field(converter=_names)
    scores: tuple[int | None, ...] = attrs.field(converter=_scores)
    winners: tuple[Name, ...] = attrs.field(converter=_names)

    def __attrs_post_init__(self) -> None:
        players, scores = self.players, self.scores
        if not MIN_PLAYERS <= len(players) <= MAX_PLAYERS:
            raise ValueError(f"a game has {MIN_PLAYERS} to {MAX_PLAYERS} players, got {len(players)}")
        if not all(map(is_name, players)) or len(set(players)) != len(players):
            raise ValueError("a game's players are different names")
        if len(scores) != len(players):
            raise ValueError(f"a game of {len(players)} players has {len(players)} scores, got {len(scores)}")
        if not all(score is None or (type(score) is int and score >= 0) for score in scores):
            raise ValueError("a score is a whole number >= 0 or null")
        expected = winners_of(players, scores)
        if self.winners != expected:
            raise ValueError(f"the winners of these scores are {show(list(expected))}, not {show(list(self.winners))}")

    @property
    def removed(self) -> tuple[Name, ...]:
        """The players removed for misbehaving, in seat order."""
        return tuple(player for player, score in zip(self.players, self.scores, strict=True) if score is None)


def score(outcome: Outcome, player: Name) -> float | None:
    """`player`'s share of the game: 1/len(winners) if it is a winner, else 0; None when nobody won."""
    if not outcome.winners:
        return None
    return 1 / len(outcome.winners) if player in outcome.winners else 0.0


@attrs.frozen
class Results:
    """A tournament's end: its winners and the players removed for misbehaving, each in sign-up order."""

    winners: tuple[Name, ...] = attrs.field(converter=_names)
    culprits: tuple[Name, ...] = attrs.field(converter=_names)
