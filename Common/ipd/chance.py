"""The randomness of one match: its hidden length and its noise.

Each match has a generator of its own (`random.Random`), seeded from the
tournament's seed, the repetition, the two assigned names in schedule order
and, when listed pairings name the same pair more than once in a
repetition, how many times that pair met before in it. The seed is derived
with SHA-256 from a canonical JSON text of these values, never with
Python's salted `hash`, so it is the same in every process and every run.
Nothing else (concurrency, other matches, misbehaviour elsewhere, the
players' replies) changes a match's draws.

Every round draws exactly three numbers, in this order: the noise of the
first player's move, the noise of the second player's, and whether the
match ends after this round. The three are drawn even when they are not
used (a forfeit, noise 0, a round before "min rounds"), so the draws of
round r depend on the seed and r alone: the noise of the first k rounds is
the same whatever the length, and changing "noise" or "min rounds" does not
change the draws of any round.

The match ends after round r when r >= "max rounds", or when r >= "min
rounds" and the end draw is below "end probability".
"""

from __future__ import annotations

import hashlib
import json
import random

import attrs

from Common.ipd.names import Name, name_validator


def _natural(instance: object, attribute: attrs.Attribute, value: object) -> None:
    if type(value) is not int or value < 0:
        raise ValueError(f"{attribute.name} must be a whole number >= 0, got {value!r}")


@attrs.frozen
class MatchKey:
    """What a match's randomness is seeded from."""

    seed: int = attrs.field(validator=_natural)
    repetition: int = attrs.field(validator=_natural)
    """0 for the first repetition of the schedule."""
    first: Name = attrs.field(validator=name_validator)
    second: Name = attrs.field(validator=name_validator)
    meeting: int = attrs.field(default=0, validator=_natural)
    """How many earlier matches of the same two players, in either order, this repetition holds (listed pairings)."""


def match_seed(key: MatchKey) -> int:
    """The seed of the match's generator: SHA-256 of the canonical JSON of `key`, as a 256-bit number."""
    text = json.dumps(
        ["ipd match", key.seed, key.repetition, key.first, key.second, key.meeting],
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return int.from_bytes(hashlib.sha256(text.encode("ascii")).digest(), "big")


@attrs.frozen
class Horizon:
    """How long matches last: at least `min_rounds`, at most `max_rounds`, ending after each later round with `end_probability`."""

    min_rounds: int
    end_probability: float
    max_rounds: int

    def __attrs_post_init__(self) -> None:
        if type(self.min_rounds) is not int or type(self.max_rounds) is not int or not 1 <= self.min_rounds <= self.max_rounds:
            raise ValueError(f"rounds must satisfy 1 <= min <= max, got {self.min_rounds!r} and {self.max_rounds!r}")
        if not 0 <= self.end_probability <= 1:
            raise ValueError(f"the end probability must be in 0..1, got {self.end_probability!r}")


@attrs.frozen
class RoundDraw:
    """What chance decided for one round: whether noise flips each move, and whether the match ends after it."""

    flip_first: bool
    flip_second: bool
    last: bool


class MatchChance:
    """The generator of one match, drawing round after round (see the module's docstring for the order)."""

    def __init__(self, key: MatchKey, horizon: Horizon, noise: float) -> None:
        if not 0 <= noise <= 1:
            raise ValueError(f"noise must be in 0..1, got {noise!r}")
        self._random = random.Random(match_seed(key))
        self._horizon = horizon
        self._noise = noise
        self._round = 0

    @property
    def rounds_drawn(self) -> int:
        return self._round

    def draw_round(self) -> RoundDraw:
        """The draws of the next round (the first call: round 1)."""
        return RoundDraw(*self.draw())

    def draw(self) -> tuple[bool, bool, bool]:
        """The draws of the next round as `draw_round` gives them, (flip_first, flip_second, last), without making a RoundDraw."""
        uniform = self._random.random
        noise_first, noise_second, end = uniform(), uniform(), uniform()
        self._round += 1
        horizon = self._horizon
        last = self._round >= horizon.max_rounds or (self._round >= horizon.min_rounds and end < horizon.end_probability)
        return noise_first < self._noise, noise_second < self._noise, last


def match_length(key: MatchKey, horizon: Horizon) -> int:
    """How many rounds the match of `key` lasts (drawing its rounds on a generator of its own)."""
    chance = MatchChance(key, horizon, 0.0)
    while not chance.draw_round().last:
        pass
    return chance.rounds_drawn
