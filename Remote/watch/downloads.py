"""What a room's downloads answer: results.json, crosstable.csv, games.ndjson, encounters.ndjson and one game's record.

`Downloads(hub).answer(route, now)` says what to send, and the listener
(server.py) sends it: the bytes (`Whole`), a file as it stands (`Appended`),
or why there is nothing (`Missing`, a 404 with its line).

* A tournament's exports are made from the hub's live state, at most once
  a second however many ask (each is made again at once for the next run).
* An arena's crosstable.csv, games.ndjson and encounters.ndjson grow with
  its encounters, so they are never made whole: what the file holds is
  read from it a chunk at a time, then what is still buffered for it
  (Remote/appended_lines.py). A tournament has no encounters.ndjson.
* A game's record is its line of games.ndjson: of an ended encounter (an
  arena's read back from its file), or made from a running one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from Admin.arena_state import ArenaState
from Admin.tournament_state import TournamentState, game_line
from Remote.arena_exports import arena_results_json
from Remote.exports import ExportError, crosstable_csv, games_ndjson, results_json
from Remote.game_description import Game
from Remote.watch import routes
from Remote.watch.hub import WatchHub

EXPORT_INTERVAL = 1.0
"""Seconds an export made for one request serves the next ones, while events go on arriving (also `/rooms.json`)."""
JSON, CSV, NDJSON = b"application/json", b"text/csv; charset=utf-8", b"application/x-ndjson"

DownloadRoute = routes.ResultsJson | routes.CrosstableCsv | routes.GamesNdjson | routes.EncountersNdjson | routes.GameRecord


@attrs.frozen
class Whole:
    body: bytes
    kind: bytes


@attrs.frozen
class Appended:
    """A file that grows: its first `flushed` bytes are read from `path` (it only grows), then `buffered` follows."""

    path: Path | None
    flushed: int
    buffered: bytes
    kind: bytes

    @property
    def length(self) -> int:
        return self.flushed + len(self.buffered)


@attrs.frozen
class Missing:
    why: str


Download = Whole | Appended | Missing


def _results_json(state: TournamentState | ArenaState, game: Game) -> str:
    return arena_results_json(state) if isinstance(state, ArenaState) else results_json(state, game)


_MADE: dict[type, tuple[str, bytes, Callable[[Any, Game], str]]] = {
    routes.ResultsJson: ("results.json", JSON, _results_json),
    routes.CrosstableCsv: ("crosstable.csv", CSV, crosstable_csv),
    routes.GamesNdjson: ("games.ndjson", NDJSON, lambda state, game: games_ndjson(state)),
}
"""A tournament's exports, made from its state (an arena's results.json too)."""


@attrs.define
class Downloads:
    """The downloads of the room `hub` watches, with the exports it made lately."""

    hub: WatchHub
    _made: dict[str, tuple[tuple[int, int], float, bytes]] = attrs.field(factory=dict)
    """By name: the run and seq it was made at, when (monotonic seconds), the bytes."""

    def answer(self, route: DownloadRoute, now: float) -> Download:
        """What `route` answers at `now` (monotonic seconds)."""
        if isinstance(route, routes.GameRecord):
            line = self._game_line(route.encounter, route.game)
            if line is None:
                return Missing(f"no game {route.game} of encounter {route.encounter} in this tournament")
            return Whole(line.encode(), JSON)
        files = self.hub.arena_exports
        if files is not None and not isinstance(route, routes.ResultsJson):  # an arena's files that grow
            lines, kind = {
                routes.CrosstableCsv: (files.table, CSV),
                routes.GamesNdjson: (files.games, NDJSON),
                routes.EncountersNdjson: (files.encounters, NDJSON),
            }[type(route)]
            return Appended(lines.path, *lines.as_it_stands(), kind)
        if isinstance(route, routes.EncountersNdjson):
            return Missing("no encounters.ndjson: only an arena has one (a tournament's are in results.json)")
        return self._made_now(*_MADE[type(route)], now)

    def _made_now(self, name: str, kind: bytes, make: Callable[[Any, Game], str], now: float) -> Download:
        hub = self.hub
        if hub.game is None or hub.state.start is None:
            return Missing("no tournament has started yet")
        key = (hub.run, hub.state.last_seq)
        made = self._made.get(name)
        if made is None or (made[0] != key and (now - made[1] >= EXPORT_INTERVAL or made[0][0] != key[0])):
            try:
                made = self._made[name] = (key, now, make(hub.state, hub.game).encode())
            except ExportError as error:
                return Missing(f"no {name}: {error}")
        return Whole(made[2], kind)

    def _game_line(self, encounter: int, game: int) -> str | None:
        state, files = self.hub.state, self.hub.arena_exports
        if files is not None:
            lines = files.games.lines(encounter)
            line = lines[game] if lines is not None and game < len(lines) else None
        else:
            line = state.game_lines.get((encounter, game)) if isinstance(state, TournamentState) else None
        if line is None:
            running = state.encounters.get(encounter)
            if running is not None and not running.ended and game < len(running.games):
                line = game_line(encounter, game, running.games[game])
        return line
