"""Which of the watch endpoint's few routes a request names, decided from its method and target alone. Pure.

No path ever reaches the file system: the page's files are read once, from
the package, into a table keyed by the exact paths below; any other target
is 404, whatever dots or escapes it holds.

| method, target                    | answer                                                   |
|-----------------------------------|----------------------------------------------------------|
| GET /                             | the page (`static/index.html`)                           |
| GET /watch.js, /boards.js, /scores.js, /replay.js, /formats.js, /arena.js, /watch.css | the page's scripts and style |
| GET /view.js[?game=G]             | the watched game's view script (`Game.board_view`)       |
| GET /view.css[?game=G]            | its style sheet (the script's name with `.css`), if any  |
| GET /play                         | the play view's page (`static/play.html`; its files /play.js, /play.css) |
| GET /play.json                    | what the play page needs: the game, the WebSocket's address, the sign-up |
| GET /play-view.js[?game=G], /play-view.css[?game=G] | the server's game's play view (`Game.play_view`) and its style |
| GET /events[?run=R&after=S]       | the event stream (`text/event-stream`)                   |
| GET /results.json                 | the results export of the tournament so far              |
| GET /crosstable.csv               | the crosstable export of the tournament so far           |
| GET /games.ndjson                 | every game of the ended encounters so far (the export)   |
| GET /encounters.ndjson            | an arena's ended encounters, a line each (the export)    |
| GET /games/<encounter>/<game>.json | one game's record                                       |
| HEAD of any of these              | the same headers, no body                                |
| another method                    | 405                                                      |
| another target                    | 404                                                      |

A server with rooms (`route(..., rooms=True)`) serves the list of rooms at
the top and each room's page, every route above, under `/rooms/R/`:

| method, target                    | answer                                                   |
|-----------------------------------|----------------------------------------------------------|
| GET /, /index.html                | the list of rooms (`static/rooms.html`; its files /rooms.js, /rooms.css, /watch.css) |
| GET /rooms.json                   | the rooms as JSON                                        |
| GET /rooms/R                      | a redirection to /rooms/R/                               |
| GET /rooms/R/<a route above>      | that route in room R (`InRoom`): the server knows whether R exists |
| another target                    | 404                                                      |

A room's page (`index.html`, `play.html`) is served as `room_page` makes
it: its links relative, so that its files and data come from the room.
"""

from __future__ import annotations

import html
import re
from importlib import resources

import attrs

from Common.sign_up_options import ROOM_NAME_PATTERN

STATIC_TYPES = {
    "index.html": "text/html; charset=utf-8",
    "watch.js": "text/javascript; charset=utf-8",
    "boards.js": "text/javascript; charset=utf-8",
    "replay.js": "text/javascript; charset=utf-8",
    "watch.css": "text/css; charset=utf-8",
    "scores.js": "text/javascript; charset=utf-8",
    "formats.js": "text/javascript; charset=utf-8",
    "arena.js": "text/javascript; charset=utf-8",
    "play.html": "text/html; charset=utf-8",
    "play.js": "text/javascript; charset=utf-8",
    "play.css": "text/css; charset=utf-8",
}
ROOMS_TYPES = {
    "rooms.html": "text/html; charset=utf-8",
    "rooms.js": "text/javascript; charset=utf-8",
    "rooms.css": "text/css; charset=utf-8",
}
"""The files of the list of rooms: served only by a server with rooms, at its top."""
TYPES = STATIC_TYPES | ROOMS_TYPES
"""Every file's content type."""
PAGES = ("index.html", "play.html", "rooms.html")
"""The documents among the page's files (each is served with a content security policy)."""
STATIC_PATHS = {"/": "index.html", "/index.html": "index.html", "/play": "play.html"} | {
    f"/{name}": name for name in STATIC_TYPES if name not in PAGES
}
ROOMS_PATHS = {"/": "rooms.html", "/index.html": "rooms.html", "/watch.css": "watch.css"} | {
    f"/{name}": name for name in ROOMS_TYPES if name not in PAGES
}
"""The files at the top of a server with rooms."""
ROOM_NAME = re.compile(ROOM_NAME_PATTERN)
"""A room's name: it appears in URLs as it is."""
_ROOM = re.compile(rb"/rooms/(%s)(/.*)?" % ROOM_NAME_PATTERN.encode(), re.DOTALL)
_ABSOLUTE_LINK = re.compile(rb'( (?:href|src)=")/')
_BODY = b"<body>"
METHODS = (b"GET", b"HEAD")
_GAME = re.compile(rb"/games/(0|[1-9][0-9]{0,8})/(0|[1-9][0-9]{0,5})\.json")
_DIGITS = re.compile(rb"[0-9]+")
BEYOND = 1 << 63
"""What an id or run of more than 18 digits stands for: past any event or tournament this server reaches."""


def _load_static() -> dict[str, bytes]:
    folder = resources.files("Remote.watch") / "static"
    return {name: (folder / name).read_bytes() for name in (*STATIC_TYPES, *ROOMS_TYPES)}


STATIC = _load_static()
"""The page's files, read once from the package."""


def room_page(name: str, room: str) -> bytes:
    """The document `name` (index.html or play.html) as room `room` serves it: each link relative to the room
    (`/watch.js` becomes `./watch.js`, `/` the room's page `./`), and the room's name on its body (`data-room`)."""
    page = _ABSOLUTE_LINK.sub(rb"\1./", STATIC[name])
    assert page.count(_BODY) == 1, f"{name} has one <body>"
    return page.replace(_BODY, b'<body data-room="%s">' % html.escape(room).encode())


@attrs.frozen
class Static:
    name: str


@attrs.frozen
class GameView:
    """The script (or, with `style`, the style sheet) of the watched game's board view, or with `play` of the server's
    game's play view; the query is only a cache key."""

    style: bool = False
    play: bool = False


@attrs.frozen
class PlayJson:
    pass


@attrs.frozen
class Events:
    """The event stream; `run` and `after` from the query (`after` gives way to a Last-Event-ID header)."""

    run: int | None = None
    after: int | None = None


@attrs.frozen
class ResultsJson:
    pass


@attrs.frozen
class CrosstableCsv:
    pass


@attrs.frozen
class GamesNdjson:
    pass


@attrs.frozen
class EncountersNdjson:
    """An arena's export of its ended encounters (a tournament has none)."""


@attrs.frozen
class GameRecord:
    encounter: int
    game: int


@attrs.frozen
class RoomsJson:
    """The rooms, as JSON (a server with rooms)."""


@attrs.frozen
class Redirect:
    """The same target with a slash after the room's name: a room's page links relative to it."""

    location: bytes


@attrs.frozen
class InRoom:
    """A route of one room's page, under `/rooms/<room>/`; whether the room exists is the server's to say."""

    room: str
    route: RoomRoute


@attrs.frozen
class NoRoute:
    """No route: the status and a line of text saying why."""

    status: int
    why: str


RoomRoute = Static | GameView | PlayJson | Events | ResultsJson | CrosstableCsv | GamesNdjson | EncountersNdjson | GameRecord
"""A route of a watch page: of the server's only page, or of one room's."""
Route = RoomRoute | RoomsJson | Redirect | InRoom | NoRoute


def route(method: bytes, target: bytes, rooms: bool = False) -> Route:
    """The route of a request line's method and target; with `rooms`, of a server with rooms."""
    if method not in METHODS:
        return NoRoute(405, "only GET and HEAD are served here")
    path, _, query = target.partition(b"?")
    if not path.startswith(b"/"):
        return NoRoute(400, "the target must be a path")
    if not rooms:
        return _page_route(path, query)
    name = ROOMS_PATHS.get(path.decode("ascii", "replace"))
    if name is not None:
        return Static(name)
    if path == b"/rooms.json":
        return RoomsJson()
    room = _ROOM.fullmatch(path)
    if room is None:
        return NoRoute(404, "nothing here: this server has rooms, listed at /")
    if room[2] is None:
        return Redirect(path + b"/" + (b"?" + query if query else b""))
    inner = _page_route(room[2], query)
    return inner if isinstance(inner, NoRoute) else InRoom(room[1].decode("ascii"), inner)


def _page_route(path: bytes, query: bytes) -> RoomRoute | NoRoute:
    """The route of a watch page's `path` (at the top, or after a room's prefix) and query."""
    name = STATIC_PATHS.get(path.decode("ascii", "replace"))
    if name is not None:
        return Static(name)
    if path in (b"/view.js", b"/view.css"):
        return GameView(style=path == b"/view.css")
    if path in (b"/play-view.js", b"/play-view.css"):
        return GameView(style=path == b"/play-view.css", play=True)
    if path == b"/play.json":
        return PlayJson()
    if path == b"/events":
        return _events(query)
    if path == b"/results.json":
        return ResultsJson()
    if path == b"/crosstable.csv":
        return CrosstableCsv()
    if path == b"/games.ndjson":
        return GamesNdjson()
    if path == b"/encounters.ndjson":
        return EncountersNdjson()
    game = _GAME.fullmatch(path)
    if game is not None:
        return GameRecord(int(game[1]), int(game[2]))
    return NoRoute(404, "nothing here")


def _events(query: bytes) -> Events | NoRoute:
    values: dict[bytes, int] = {}
    for part in query.split(b"&") if query else ():
        key, _, value = part.partition(b"=")
        if key not in (b"run", b"after"):
            continue  # a cache-buster, say
        number = whole_number(value)
        if key in values or number is None:
            return NoRoute(400, f"{key.decode()} must be given once, as a whole number")
        values[key] = number
    return Events(values.get(b"run"), values.get(b"after"))


def last_event_id(values: list[bytes]) -> int | None:
    """The Last-Event-ID header's number (None: no header); ValueError if it is given twice or is not a whole number."""
    if not values:
        return None
    number = whole_number(values[0].strip()) if len(values) == 1 else None
    if number is None:
        raise ValueError("Last-Event-ID must be one whole number")
    return number


def whole_number(value: bytes) -> int | None:
    """The whole number that ASCII digits write (leading zeros allowed; more than 18 digits: BEYOND), or None if `value` is not one."""
    if not _DIGITS.fullmatch(value):
        return None
    digits = value.lstrip(b"0") or b"0"
    return int(digits) if len(digits) <= 18 else BEYOND
