"""A sign-up's options, the fourth element of `["sign-up", Name, Token, Options]`: what a player asks of the event it joins.

Options is a JSON object read strictly, the same on both sides of the wire
(xclients' configuration and the server's sign-up desk):

    "opponent"   a Name of the game's rule: the player it asks to be paired with
                 (an arena pairs two who named each other at once; a tournament
                 ignores the request)
    "room"       a string of 1 to ROOM_NAME_LIMIT characters: the room to join
                 (on a server with rooms; one without refuses it)

Every key is optional, `{}` asks for nothing; any other key is refused with
the known key nearest to it. A message about an options value shows it the
way a sign-up's parts are shown (`show_in_sign_up`): a run of token
characters long enough to be a token is never shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from Common.strict import show_in_sign_up, unknown_keys

OPPONENT, ROOM = "opponent", "room"
KEYS = (OPPONENT, ROOM)
"""The keys an options object may have."""
ROOM_NAME_LIMIT = 64
"""A room's name has at most this many characters."""
ROOM_NAME_PATTERN = f"[A-Za-z0-9][A-Za-z0-9._-]{{0,{ROOM_NAME_LIMIT - 1}}}"
"""A room's name as an organiser gives it (Remote/room_configuration.py): ASCII letters, digits, "-", "_" or ".", the first
a letter or a digit, as it appears in URLs (Remote/watch/routes.py). A sign-up may ask for any string of at most
ROOM_NAME_LIMIT characters: one that names no room is refused by the lobby."""
UNKNOWN_KEYS_SHOWN = 3
"""A refusal names at most this many unknown keys (one line, whatever a client sends)."""


@attrs.frozen
class SignUpOptions:
    """What a player asks of the event it signs up for: `opponent`, a name to be paired with; `room`, where to play."""

    opponent: str | None = None
    room: str | None = None

    def to_json(self) -> dict[str, str]:
        """The options object on the wire: only the keys asked for."""
        return {key: value for key, value in ((OPPONENT, self.opponent), (ROOM, self.room)) if value is not None}


NO_OPTIONS = SignUpOptions()
"""The options of a sign-up without them (a bare name, or three elements)."""


def read_sign_up_options(value: Any, is_name: Callable[[object], bool], name_rule: str) -> SignUpOptions:
    """The options object `value`, its "opponent" checked with the game's `is_name` (`name_rule` says it); ValueError, one line."""
    if type(value) is not dict:
        raise ValueError(f"its options must be a JSON object, got {show_in_sign_up(value)}")
    unknown = sorted(key for key in value if key not in KEYS)
    if unknown:
        more = f" (and {len(unknown) - UNKNOWN_KEYS_SHOWN} more)" if len(unknown) > UNKNOWN_KEYS_SHOWN else ""
        raise ValueError(f"its options: {unknown_keys(unknown[:UNKNOWN_KEYS_SHOWN], KEYS, shown=show_in_sign_up)}{more}")
    opponent, room = value.get(OPPONENT), value.get(ROOM)
    if OPPONENT in value and not is_name(opponent):
        raise ValueError(f'its options\' "{OPPONENT}" must be a name of {name_rule}, got {show_in_sign_up(opponent)}')
    if ROOM in value and (type(room) is not str or not 1 <= len(room) <= ROOM_NAME_LIMIT):
        raise ValueError(f'its options\' "{ROOM}" must be a string of 1 to {ROOM_NAME_LIMIT} characters, got {show_in_sign_up(room)}')
    return SignUpOptions(opponent, room)
