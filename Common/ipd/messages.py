"""The messages of the conversation between the server and a player (see README.md for the order).

Each message is a frozen value; `Common/ipd/wire.py` turns it into JSON and
back. The server sends every message but MoveReply, which is the player's
only answer: its move for the round it echoes, and ErrorReport, which a
client may send last, before it closes, to say why.
"""

from __future__ import annotations

import attrs

from Common.ipd.moves import Move, Prev, Totals, is_move
from Common.ipd.names import Name, name_validator
from Common.ipd.outcomes import Irregular, Outcomes, Scored, Standing, Standings
from Common.participant import KICK_REASON_LIMIT, short_reason


def _round_number(instance: object, attribute: attrs.Attribute, value: object) -> None:
    if type(value) is not int or value < 1:
        raise ValueError(f"{attribute.name} must be a whole number >= 1, got {value!r}")


def _prev_or_none(instance: object, attribute: attrs.Attribute, value: object) -> None:
    if value is not None and not isinstance(value, Prev):
        raise ValueError(f"{attribute.name} must be a Prev or None, got {value!r}")


@attrs.frozen
class PlayingAs:
    """Your name was taken: you play as `name` (before your first match)."""

    name: Name = attrs.field(validator=name_validator)


@attrs.frozen
class MatchStart:
    """A match against `opponent` begins."""

    opponent: Name = attrs.field(validator=name_validator)


@attrs.frozen
class MoveRequest:
    """Your move for round `round`; `prev` is round `round - 1` as scored (None in round 1)."""

    round: int = attrs.field(validator=_round_number)
    prev: Prev | None = attrs.field(validator=_prev_or_none)

    def __attrs_post_init__(self) -> None:
        if (self.prev is None) != (self.round == 1):
            raise ValueError(f"round {self.round} must come with a Prev exactly when it is not round 1")


def _move(instance: object, attribute: attrs.Attribute, value: object) -> None:
    if not is_move(value):
        raise ValueError(f'{attribute.name} must be "C" or "D", got {value!r}')


@attrs.frozen
class MoveReply:
    """A player's move for round `round` (which it echoes)."""

    round: int = attrs.field(validator=_round_number)
    move: Move = attrs.field(validator=_move)


def _rounds_played(instance: object, attribute: attrs.Attribute, value: object) -> None:
    if type(value) is not int or value < 0:
        raise ValueError(f"{attribute.name} must be a whole number >= 0, got {value!r}")


@attrs.frozen
class MatchOver:
    """The match is over after `rounds` rounds; `prev` is its last round (None if none was played)."""

    prev: Prev | None = attrs.field(validator=_prev_or_none)
    totals: Totals = attrs.field(validator=attrs.validators.instance_of(Totals))
    rounds: int = attrs.field(validator=_rounds_played)

    def __attrs_post_init__(self) -> None:
        if (self.prev is None) != (self.rounds == 0):
            raise ValueError(f"a match over after {self.rounds} rounds has a Prev exactly when it had a round")


def _outcomes(instance: object, attribute: attrs.Attribute, value: object) -> None:
    if type(value) is not tuple or not all(isinstance(outcome, (Scored, Irregular)) for outcome in value):
        raise ValueError(f"{attribute.name} must be a tuple of match outcomes, got {value!r}")


def _standings(instance: object, attribute: attrs.Attribute, value: object) -> None:
    if type(value) is not tuple or not all(isinstance(standing, Standing) for standing in value):
        raise ValueError(f"{attribute.name} must be a tuple of Standings, got {value!r}")


@attrs.frozen
class TournamentResults:
    """The tournament is over: every outcome in schedule order, and the Standings."""

    outcomes: Outcomes = attrs.field(validator=_outcomes)
    standings: Standings = attrs.field(validator=_standings)


REASON_LIMIT = KICK_REASON_LIMIT
"""The most characters of an ErrorReport's reason: as many as a kick notice's."""


@attrs.frozen
class ErrorReport:
    """The client gives up, saying why (its strategy raised, say); it closes the connection next."""

    reason: str = attrs.field(validator=short_reason)


ServerMessage = PlayingAs | MatchStart | MoveRequest | MatchOver | TournamentResults
"""Whatever the server may send to a player."""
