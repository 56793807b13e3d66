"""The WebSocket listener's settings: the `"websocket"` object of xserver's configuration, read strictly.

    "websocket": {"port": 8765, "host": "127.0.0.1", "fgw": true}

Only "port" is required. "host" left out means the player port's host. Any
other key must be one of the game's doors (`Game.websocket_doors`, such as
the IPD's "fgw"), with the value true or false; a door of another game is
an error that says whose it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from Common.strict import show, string, unknown_keys, whole_number

WEBSOCKET_KEY = "websocket"
OWN_KEYS = ("port", "host")


@attrs.frozen
class WebSocketSettings:
    """Where the WebSocket listener listens, and which of the game's doors it opens."""

    port: int
    host: str | None = None
    """The address to listen on ("": every interface); None: the player port's host, not yet filled in."""
    doors: frozenset[str] = frozenset()


def read_websocket_settings(value: Any, doors: Iterable[str], elsewhere: dict[str, str]) -> WebSocketSettings:
    """The `"websocket"` value; `doors`, the game's door names; `elsewhere`, other games' door names and whose they are.

    ValueError, one line ending with the key's path inside the object (`@ .port`).
    """
    if type(value) is not dict:
        raise ValueError(f"expected a JSON object, got {show(value)}")
    doors = tuple(doors)
    if "port" not in value:
        raise ValueError('expected the key "port", the WebSocket listener\'s port')
    port = _at("port", lambda: whole_number(value["port"], 0, 65535))
    host = _at("host", lambda: string(value["host"], "a host name or a numeric address")) if "host" in value else None
    opened = set()
    for key, flag in value.items():
        if key in OWN_KEYS:
            continue
        if key in doors:
            if type(flag) is not bool:
                raise ValueError(f"expected true or false, got {show(flag)} @ .{key}")
            if flag:
                opened.add(key)
        elif key in elsewhere:
            raise ValueError(f"{show(key)} is a door of {elsewhere[key]}'s WebSocket listener, not of this game's @ .{key}")
        else:
            raise ValueError(unknown_keys([key], [*OWN_KEYS, *doors]))
    return WebSocketSettings(port, host, frozenset(opened))


def _at(key: str, read: Any) -> Any:
    try:
        return read()
    except ValueError as error:
        raise ValueError(f"{error} @ .{key}") from None
