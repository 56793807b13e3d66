"""What every player of every game is to the tournament: a name, the Results, and the notice that it is out.

A game's player interface (Santorini's `Common/santorini/player.py`, the prisoner's
dilemma's `Common/ipd/player.py`) adds the game's own calls to these four,
which the game-free tournament manager makes:

    playing_as(name)            only if its name was taken; before its first encounter
    tournament_starting()       only in a game that announces the start (Fish's "start"); before its first encounter
      ... the game's calls, made by the game's referee ...
    end_of_tournament(results)  only if it never misbehaved: the game's Results
    kicked(reason)              instead, once, if it misbehaved: why it is out

A call ends as its answer or as a `Failure`, the one form of a player's
failure on its way to the referee, the event log and the kick notice.

The kick notice travels as `["kicked", Reason]` in every game; Reason has at
most KICK_REASON_LIMIT characters, the words of the server's log. A token
(`is_token`) follows one rule in every game too, and so does the one message
to a refused sign-up, `["refused", Text]`, before anything else is sent.
"""

from __future__ import annotations

import abc
import re
from typing import Any, Generic, TypeVar

import attrs

TOKEN_RULE = "16 to 128 letters, digits, '_' or '-'"
"""A participant's secret, the same in every game: `^[A-Za-z0-9_-]{16,128}$`, as messages state it."""
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")


def is_token(value: object) -> bool:
    """Whether `value` is a participant's token (the organiser hands one to each participant)."""
    return type(value) is str and _TOKEN.fullmatch(value) is not None


SIGN_UP = "sign-up"
"""The tag of a sign-up with a token, `["sign-up", Name, Token]`, on a server whose organiser lists the participants."""
KICKED = "kicked"
REFUSED = "refused"
"""The tag of the server's one message to a sign-up it refuses, `["refused", Text]`, before it closes the connection."""
KICK_REASON_LIMIT = 200
"""A kick notice's reason has at most this many characters."""
LATE, MALFORMED, BROKEN, ILLEGAL, ABSENT = "late", "malformed", "broken", "illegal", "absent"
FAILURE_KINDS = (LATE, MALFORMED, BROKEN, ILLEGAL, ABSENT)
"""How a call into a player can fail, the same words on both sides of the wire, in the log and in events."""


@attrs.frozen
class Failure:
    """A call into a player failed: `reason` says how, for a person (the words of the log, the event log and the
    kick notice); `kind` is one of FAILURE_KINDS.

    The one form a player's failure takes, made once where it happens (the
    remote player's conversation, `Admin.safe_call` for a local player's
    exception or a time limit, a referee for an illegal answer) and passed on
    unchanged.
    """

    reason: str
    kind: str = attrs.field(default=BROKEN, validator=attrs.validators.in_(FAILURE_KINDS))


Name = str
"""A player's name as the game-free host holds it (the tournament manager, the event log, the exports); each game's
rule says which strings are names."""
NameT = TypeVar("NameT", bound=str)


class Participant(abc.ABC, Generic[NameT]):
    """A player in a tournament of any game, as the tournament manager sees it; NameT: the game's Name type."""

    @abc.abstractmethod
    async def playing_as(self, name: NameT) -> None:
        """Your name was taken: from now on you play as `name`."""

    @abc.abstractmethod
    async def end_of_tournament(self, results: Any) -> None:
        """The tournament is over; these are its Results (the game's)."""

    async def tournament_starting(self) -> None:
        """The tournament starts (asked only by a game that announces the start: its rules' `announce_start`, Fish's
        "start"; under a time limit of its own, 3 s); failing to take it is misbehaving. Nothing by default."""

    async def kicked(self, reason: str) -> None:
        """You misbehaved and are out of the tournament; `reason` says why. Ignored by default."""


def short_reason(instance: object, attribute: attrs.Attribute, value: object) -> None:
    """An attrs validator: a reason is a string of at most KICK_REASON_LIMIT characters (the value itself is not shown)."""
    if type(value) is not str or len(value) > KICK_REASON_LIMIT:
        got = f"{len(value)} characters" if type(value) is str else f"a {type(value).__name__}"
        raise ValueError(f"{attribute.name} must be a string of at most {KICK_REASON_LIMIT} characters, got {got}")


@attrs.frozen
class Kicked:
    """The server's last message to a player that misbehaved: why it is out (the words of the server's log)."""

    reason: str = attrs.field(validator=short_reason)
