"""What the list of rooms says of each room (`GET /rooms.json`), from the room's folded state. Pure.

    {"rooms": [{"name": "ipd-arena", "game": "ipd", "format": "arena", "started": true,
                "players": 12, "running": 3, "finished": 140, "ended": false}, ...]}

The rooms in the configuration's order. Each room: its `name`; `game` and
`format`, the configuration's game and its format's kind (as the host tells
them; "" when it does not); `started`, whether the room's event has started
(its `start` event); `players`, the players in it: those signed up so far
until the roster is drawn, then the roster (an arena's: every player that
has joined); `running`, the encounters being played now; `finished`, those
that have ended; `ended`, whether the event has its Results, or the room is
over (its hub is finishing). Only counts: no participant's name or value
is in it.
"""

from __future__ import annotations

import json
from typing import Any

from Admin.arena_state import ArenaState
from Admin.tournament_state import TournamentState


def room_json(name: str, game: str, format_kind: str, state: TournamentState | ArenaState, over: bool) -> dict[str, Any]:
    """One room of `/rooms.json` (see the module's docstring); `over`: the room's hub is finishing."""
    if isinstance(state, TournamentState) and state.roster is None:
        players = sum(sign_up["assigned"] is not None for sign_up in state.sign_ups)
    else:
        players = len(state.roster or ())
    return {
        "name": name,
        "game": game,
        "format": format_kind,
        "started": state.start is not None,
        "players": players,
        "running": sum(not encounter.ended for encounter in state.encounters.values()),
        "finished": state.finished,
        "ended": over or state.results is not None,
    }


def rooms_json(rooms: list[dict[str, Any]]) -> bytes:
    """The body of `/rooms.json`: the rooms (each `room_json`'s) in their order."""
    return json.dumps({"rooms": rooms}, ensure_ascii=False).encode()
