"""What a tournament reports: the outcome of each encounter, and renamings.

An encounter is a best-of-N series between two players. Its outcome names
the winner and the loser, and says whether the loser misbehaved: a
two-player win/loss outcome, whose revision and standings are the shared
ones of `Admin/two_player.py`.
"""

from __future__ import annotations

import attrs

from Common.santorini.names import Name, name_validator


@attrs.frozen
class EncounterOutcome:
    """`winner` beat `loser`; `irregular` when the loser misbehaved."""

    winner: Name = attrs.field(validator=name_validator)
    loser: Name = attrs.field(validator=name_validator)
    irregular: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))


Results = tuple[EncounterOutcome, ...]
"""The outcomes of a whole tournament, in schedule order."""


@attrs.frozen
class PlayingAs:
    """The server tells a player that it plays under `name` because its own was taken."""

    name: Name = attrs.field(validator=name_validator)
