"""What a tournament reports: the outcome of each encounter, renamings, and why a player was put out.

An encounter is a best-of-N series between two players. Its outcome names
the winner and the loser, and says whether the loser misbehaved.
"""

from __future__ import annotations

import attrs

from Common.names import Name, name_validator


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


KICK_REASON_LIMIT = 200
"""A kick notice's reason has at most this many characters."""


def _short_reason(instance: object, attribute: attrs.Attribute, value: object) -> None:
    if type(value) is not str or len(value) > KICK_REASON_LIMIT:
        raise ValueError(f"{attribute.name} must be a string of at most {KICK_REASON_LIMIT} characters, got {value!r}")


@attrs.frozen
class Kicked:
    """The server's last message to a player that misbehaved: why it is out (the words of the server's log)."""

    reason: str = attrs.field(validator=_short_reason)
