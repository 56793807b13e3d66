"""xserver's configuration as its rooms, read strictly: several events on one server, or the one event of a configuration without "rooms".

With "rooms", the top level holds only the server's listener keys
(LISTENER_KEYS) and "rooms", a non-empty list; each room is an object with
a "name" (ROOM_NAME) and every other key of a whole configuration, read as
one is (Remote/configuration.py), with the top level's listener keys copied
in; its errors are placed in it (`@ $.rooms[1].format.kind`). Two rooms may
not share an event log directory or a ratings file, and a game's WebSocket
door serves one event: not with rooms. Without "rooms", the configuration
is one room whose name is None, read exactly as before. See docs/rooms.md.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

import attrs

from Common.sign_up_options import ROOM_NAME_PATTERN
from Common.strict import StructureError, load_document, show, unknown_keys
from Remote.configuration import GAME_KEY, SERVER_KEYS, ServerConfiguration, server_configuration_of
from Remote.game_description import Game

ROOMS_KEY = "rooms"
ROOM_NAME_KEY = "name"
LISTENER_KEYS = ("port", "host", "websocket", "watch", "watch linger")
"""The server's keys: with "rooms", the only ones beside it, copied into every room's configuration."""
ROOM_NAME = re.compile(ROOM_NAME_PATTERN)
"""A room's name (it appears in URLs): 1 to 64 ASCII letters, digits, "-", "_" or ".", the first a letter or a digit."""
ROOM_NAME_WORDS = 'a room name: 1 to 64 letters, digits, "-", "_" or ".", the first a letter or a digit'
NOT_WITH_ROOMS = "a game's WebSocket door serves one event: not with rooms"
SHARED_BY_ROOMS = {"event_log": "event log directory", "ratings_out": "ratings file"}
"""What two rooms may not share (a ServerConfiguration field), in words."""


@attrs.frozen
class Room:
    """One event on the server: its name (None: the configuration has no "rooms", the one room of today) and its configuration."""

    name: str | None
    config: ServerConfiguration


def is_room_name(value: Any) -> bool:
    """Whether `value` is a room's name (ROOM_NAME)."""
    return type(value) is str and ROOM_NAME.fullmatch(value) is not None


def read_rooms(text: str, games: Mapping[str, Game], default: str) -> tuple[Room, ...]:
    """xserver's configuration as its rooms: without "rooms", one Room(None, read_server_configuration(text, ...)); StructureError if bad.

    With "rooms", each room's object (without its "name") and the top
    level's listener keys are read as a whole configuration is, every error
    placed in its room (`@ $.rooms[1].format.kind`), but for the listener
    keys' own, which stay at the top level (`@ $.watch`).
    """
    data = load_document(text)
    if type(data) is not dict or ROOMS_KEY not in data:
        return (Room(None, server_configuration_of(data, games, default)),)
    _check_top_level(data, games)
    listeners = {key: value for key, value in data.items() if key in LISTENER_KEYS}
    places = _room_names(data[ROOMS_KEY])
    rooms = tuple(
        Room(name, _room_configuration({**_without_name(room), **listeners}, index, games, default))
        for (index, room), name in zip(enumerate(data[ROOMS_KEY]), places, strict=True)
    )
    _check_nothing_shared(rooms)
    return rooms


def _without_name(room: dict) -> dict:
    """A room's object without its "name": the configuration of its event."""
    return {key: value for key, value in room.items() if key != ROOM_NAME_KEY}


def _check_top_level(data: dict, games: Mapping[str, Game]) -> None:
    """StructureError for a key beside "rooms" that is not a listener's, or a game's WebSocket door."""
    in_each_room = {*SERVER_KEYS.values(), GAME_KEY, ROOM_NAME_KEY, *(key for game in games.values() for key in game.settings_keys)}
    for key in data:
        if key in (*LISTENER_KEYS, ROOMS_KEY):
            continue
        if key in in_each_room:
            beside = ", ".join(map(show, LISTENER_KEYS[:-1])) + f" and {show(LISTENER_KEYS[-1])}"
            raise StructureError(f'{show(key)} belongs in each room: beside "rooms" stand only {beside} @ $.{key}')
        raise StructureError(f"{unknown_keys([key], [*LISTENER_KEYS, ROOMS_KEY, *in_each_room])} @ $")
    websocket = data.get("websocket")
    if type(websocket) is dict:
        doors = {door for game in games.values() for door in game.websocket_doors}
        for key in websocket:
            if key in doors:
                raise StructureError(f"{NOT_WITH_ROOMS} @ $.websocket.{key}")


def _room_names(rooms: Any) -> list[str]:
    """The rooms' names, in order; StructureError for a room that is not an object, a bad or repeated name, a listener key."""
    if type(rooms) is not list or not rooms:
        raise StructureError(f"expected a non-empty list of rooms (a JSON array of objects), got {show(rooms)} @ $.{ROOMS_KEY}")
    names: list[str] = []
    for index, room in enumerate(rooms):
        place = f"$.{ROOMS_KEY}[{index}]"
        if type(room) is not dict:
            raise StructureError(f"expected a room (a JSON object), got {show(room)} @ {place}")
        if ROOM_NAME_KEY not in room:
            raise StructureError(f"required key missing @ {place}.{ROOM_NAME_KEY}")
        name = room[ROOM_NAME_KEY]
        if not is_room_name(name):
            raise StructureError(f"expected {ROOM_NAME_WORDS}, got {show(name)} @ {place}.{ROOM_NAME_KEY}")
        if name in names:
            first = f"$.{ROOMS_KEY}[{names.index(name)}]"
            raise StructureError(f"two rooms are named {show(name)}: {first} and {place} @ {place}.{ROOM_NAME_KEY}")
        for key in room:
            if key in LISTENER_KEYS:
                raise StructureError(f"{show(key)} is the server's, not a room's: put it beside \"rooms\" @ {place}.{key}")
        names.append(name)
    return names


def _room_configuration(data: dict, index: int, games: Mapping[str, Game], default: str) -> ServerConfiguration:
    """The room's configuration read as a whole configuration is; StructureError placed in the room."""
    try:
        return server_configuration_of(data, games, default)
    except StructureError as error:
        raise StructureError(_placed_in_room(str(error), index)) from None


_PLACE = re.compile(r" @ \$([^@;]*)")
"""A place in an error's words: ` @ $`, then the path inside the value (`.format.kind`, or nothing)."""


def _placed_in_room(message: str, index: int) -> str:
    """`message`, an error in a room's configuration, its places rewritten to the room's (but for the listener keys')."""

    def in_room(place: re.Match) -> str:
        path = place[1]
        if path.startswith(".") and path[1:].split(".")[0] in LISTENER_KEYS:
            return place[0]
        return f" @ $.{ROOMS_KEY}[{index}]{path}"

    placed = _PLACE.sub(in_room, message)
    return placed if placed != message or " @ $" in message else f"{message} @ $.{ROOMS_KEY}[{index}]"


def _check_nothing_shared(rooms: tuple[Room, ...]) -> None:
    """StructureError when two rooms write one event log directory or one ratings file (paths compared normalised)."""
    for field, what in SHARED_BY_ROOMS.items():
        owners: dict[str, tuple[int, str]] = {}
        for index, room in enumerate(rooms):
            path = getattr(room.config, field)
            if path is None:
                continue
            normal = os.path.normpath(path)
            if normal in owners:
                first, first_path = owners[normal]
                places = f"$.{ROOMS_KEY}[{first}] and $.{ROOMS_KEY}[{index}]"
                paths = f"{show(path)} ({places})" if path == first_path else f"{show(first_path)} and {show(path)} ({places})"
                raise StructureError(
                    f"two rooms write one {what}, {paths}: each room needs its own @ $.{ROOMS_KEY}[{index}].{SERVER_KEYS[field]}"
                )
            owners[normal] = (index, path)
