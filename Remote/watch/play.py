"""What the play page learns of the server (`GET /play.json`) and the policy that lets it reach the WebSocket port. Pure.

A person plays from the page over the server's WebSocket listener, the
game's own conversation one JSON value per text frame. The page asks
`/play.json` for:

    {"game": "ipd", "view": true, "websocket": "ws://127.0.0.1:8001/", "tokens": false,
     "time per call": 30, "settings": {"min rounds": 5, ...}}

`view` says whether the game has a play view; `websocket` is null when the
server has no WebSocket listener (nobody plays from the page then); `tokens`
whether sign-up is `["sign-up", Name, Token]` (the server has participants)
rather than a bare Name; `settings` are the game's configuration keys
(`Game.settings_json`: the IPD's "time per move", say). In a room of a
server with rooms it has one key more, `"room": R`, and the page signs up
with `["sign-up", Name, Token-or-null, {"room": R}]`. The WebSocket's host
is the one the browser reached the page at (the request's Host header), so
that a page reached from another machine connects where it can; only when
that header names no host is the listener's own address used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from Remote.game_description import Game

_HOST = re.compile(rb"(\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9.-]{1,253})(:[0-9]{1,5})?")
_ANY_ADDRESS = ("", "0.0.0.0", "::")
BASE_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'"
"""The content security policy of the page's documents: nothing from elsewhere."""


@attrs.frozen
class PlaySettings:
    """What the play page needs to know of the server: its game, its WebSocket listener, how a person signs up."""

    game: Game
    websocket_port: int | None = None
    """The port of the WebSocket listener; None: the server has none, and nobody plays from the page."""
    websocket_host: str = ""
    """The address the WebSocket listener listens on ("": every interface)."""
    tokens: bool = False
    """Whether sign-up takes `["sign-up", Name, Token]` (the server has participants) rather than a bare Name."""
    time_per_call: float | None = None
    game_settings: Mapping[str, Any] = attrs.field(factory=dict)
    """The game's configuration keys, as `Game.settings_json` writes them."""
    room: str | None = None
    """The room a person signs up for (`["sign-up", Name, Token-or-null, {"room": R}]`); None: the server has no rooms."""


def websocket_url(play: PlaySettings | None, host_header: bytes | None) -> str | None:
    """The address a browser that sent `host_header` connects to for the WebSocket listener; None if there is none."""
    if play is None or play.websocket_port is None:
        return None
    matched = _HOST.fullmatch(host_header or b"")
    if matched is not None:
        host = matched[1].decode("ascii")
    elif play.websocket_host not in _ANY_ADDRESS:
        host = f"[{play.websocket_host}]" if ":" in play.websocket_host else play.websocket_host
    else:
        host = "localhost"
    return f"ws://{host}:{play.websocket_port}/"


def play_json(play: PlaySettings | None, host_header: bytes | None, watched: Game | None) -> bytes:
    """The body of `/play.json`; without play settings, the watched game (if any) and no WebSocket."""
    game = play.game if play is not None else watched
    body = {
        "game": None if game is None else game.name,
        "view": game is not None and game.play_view is not None,
        "websocket": websocket_url(play, host_header),
        "tokens": play is not None and play.tokens,
        "time per call": None if play is None else play.time_per_call,
        "settings": {} if play is None else dict(play.game_settings),
    }
    if play is not None and play.room is not None:
        body["room"] = play.room
    return json.dumps(body).encode()


def play_policy(url: str | None) -> bytes:
    """The play page's content security policy: the page's own, and a connection to the WebSocket listener at `url`."""
    policy = BASE_POLICY if url is None else f"{BASE_POLICY} {url.rstrip('/')}"
    return policy.encode()
