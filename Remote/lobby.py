"""The lobby of a server with rooms: one doorway on the server's listeners, each sign-up handed to the room it names.

A room is one event with its own game, format and sign-up desk
(Remote.signup). The lobby's doorway (Remote.doorway) accepts every
connection and reads its first message; the room that message names in its
options (`["sign-up", Name, Token-or-null, {"room": R, ...}]`) judges it,
exactly as a server without rooms judges a sign-up. A sign-up that names no
room (a bare name, three elements, options without "room", or a "room" that
is not a string, which that room's desk then refuses) goes to the first
room, so every client written before rooms plays there unchanged. A room
that does not exist, or one that takes no sign-ups now (between two windows,
or ended), refuses the sign-up with one line; a bare name is closed in
silence, as everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from Common.participant import KICK_REASON_LIMIT, SIGN_UP
from Common.sign_up_options import ROOM
from Common.strict import shorten, show_in_sign_up
from Remote.channel import MessageChannel
from Remote.cli import LOG_ROOM
from Remote.doorway import Refused
from Remote.signup import SignUpDesk


def room_asked_for(message: Any) -> str | None:
    """The room a first message names: the "room" string of a sign-up's options; None if it names none."""
    if type(message) is list and len(message) == 4 and message[:1] == [SIGN_UP] and type(message[3]) is dict:
        room = message[3].get(ROOM)
        return room if type(room) is str else None
    return None


@attrs.define
class Lobby:
    """Hands each connection's first message to the desk of the room it names (`rooms`, in the configuration's order:
    the first takes the sign-ups that name none)."""

    rooms: Mapping[str, SignUpDesk]

    async def judge(self, message: Any, channel: MessageChannel, address: str) -> Refused | None:
        """The named room's desk judges `message`; a room that does not exist or takes no sign-ups now refuses it."""
        name = room_asked_for(message)
        desk = self.rooms.get(name if name is not None else next(iter(self.rooms)))
        if desk is None:
            assert name is not None  # the first room exists
            return _refused(message, f"no room named {show_in_sign_up(name)}; the rooms are {', '.join(self.rooms)}")
        if not desk.serving:
            return _refused(message, f"the room {desk.room} takes no sign-ups now")
        room = LOG_ROOM.set(desk.room)  # what the desk logs of the sign-up names the room
        try:
            return await desk.judge(message, channel, address)
        finally:
            LOG_ROOM.reset(room)


def _refused(message: Any, why: str) -> Refused:
    """The lobby's refusal: told to a tagged sign-up; a bare name is closed in silence (as the course's server did)."""
    told = shorten(f"sign-up refused: {why}", KICK_REASON_LIMIT) if type(message) is list else None
    return Refused(f"its sign-up was refused: {why}", told)
