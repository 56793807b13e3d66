"""The configurations of xserver and xclients, read strictly (protocol section 8). Game-free.

Every key is checked for presence, type and range; an unknown key is an
error that names the nearest known key, if one is near (`Common.strict.unknown_keys`).
The error is one line naming the offending key, such as
`expected a whole number in 0..65535, got 70000 @ $.port`. The "game" key
(default "santorini") chooses the game: its own keys are read by the game
(`Game.read_settings`), and a key of another game is an error that says so.
Without "format", a game's `default_format` is played (None: the round
robin); a knock-out's "players per game" is at most the game's most.
Without "time per call", a game's `default_time_per_call` holds (None: the
host's, DEFAULT_TIME_PER_CALL).

xserver reads its configuration as rooms (Remote/room_configuration.py),
each room's as a whole configuration is read here (`server_configuration_of`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import attrs
import cattrs

from Admin.formats.settings import DEFAULT as DEFAULT_FORMAT
from Admin.formats.settings import FormatSettings, format_json, read_format
from Admin.manager import DEFAULT_TIME_PER_CALL
from Common.strict import (
    StructureError,
    finite_number,
    load_document,
    positive_number,
    register_json_object,
    show,
    strict_converter,
    string,
    structure,
    unknown_keys,
    whole_number,
)
from Player.configuration import LocalPlayerEntry, ObserverEntry, SignUpEntry, register_entries
from Remote.game_description import Game, game_keys_elsewhere
from Remote.watch.settings import WatchSettings, register_watch_settings
from Remote.websocket import authority
from Remote.websocket_settings import WebSocketSettings, read_websocket_settings

SERVER_MAX_MESSAGE_BYTES = 64 * 1024
CLIENT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024
DEFAULT_RETRY_SECONDS = 10.0
"""How long xclients keeps trying a connection that the server refuses (no server listening yet)."""
GAME_KEY = "game"
TCP, WEBSOCKET = "tcp", "websocket"


@attrs.frozen
class ServerConfiguration:
    """What xserver reads on standard input; `settings` are the chosen game's own."""

    min_players: int
    port: int
    waiting_for: float
    repeat: int
    host: str = ""
    time_per_call: float = DEFAULT_TIME_PER_CALL
    house_players: tuple[LocalPlayerEntry, ...] = ()
    participants: str | None = None
    """The path of the participants file (Remote.participants), if sign-up takes tokens."""
    event_log: str | None = None
    """The directory of the event log (Remote.event_log_writer), if there is one."""
    resume: bool = False
    """Go on with the newest unfinished tournament of the event log."""
    resume_wait: float | None = None
    """Seconds the players of a resumed tournament have to come back (None: "waiting for")."""
    watch: WatchSettings | None = None
    """Where watchers connect (Remote.watch), if they may."""
    watch_linger: float = 0.0
    """Seconds the watch page stays up after the last tournament."""
    max_players: int | None = None
    """A sign-up window closes as soon as this many players (house players included) have signed up (None: never early)."""
    event_format: FormatSettings = DEFAULT_FORMAT
    """Who meets whom: the configuration's "format" (Admin/formats/settings.py); the default is the round robin."""
    ratings_out: str | None = None
    """Where each tournament's ratings are written at its end (for seeding a later knock-out), if anywhere."""
    websocket: WebSocketSettings | None = None
    """Where players connect over WebSocket (Remote.websocket), beside TCP, if they may."""
    game: str = attrs.field(default="", kw_only=True)
    settings: Any = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.event_format.arena is not None and self.ratings_out is not None:
            raise ValueError('an arena does not write "ratings out" yet (its results.json has the leaderboard): leave it out')
        if self.resume and self.event_log is None:
            raise ValueError('"resume": true needs "event log": the directory of the tournament to resume')
        if self.max_players is not None and self.max_players < self.min_players:
            raise ValueError(f'"max players" must be at least "min players" ({self.min_players}), got {self.max_players}')
        if self.max_players is not None and self.max_players < len(self.house_players):
            raise ValueError(
                f'"max players" must be at least the number of house players ({len(self.house_players)}), got {self.max_players}'
            )

    def results_keys(self) -> dict[str, Any]:
        """The host's values that can change the Results, as configuration keys (the event log's `start` records them)."""
        house = [[entry.kind, entry.name, entry.path] for entry in self.house_players]
        keys = {"time per call": self.time_per_call, "house players": house}
        if self.event_format != DEFAULT_FORMAT:  # the default is left out, so that a round robin's log is what it always was
            keys["format"] = format_json(self.event_format)
        return keys


@attrs.frozen
class ClientConfiguration:
    """What xclients reads on standard input; its players may carry tokens."""

    players: tuple[SignUpEntry, ...]
    ip: str = ""
    port: int | None = None
    observers: tuple[ObserverEntry, ...] = ()
    """Optional (checked, otherwise unused): configurations of the course have it, newer ones may leave it out."""
    retry_for: float = DEFAULT_RETRY_SECONDS
    transport: str = TCP
    """How the players connect: over TCP, or over WebSocket (Remote.websocket)."""
    url: WebSocketURL | None = None
    """Over WebSocket, where: `ws://HOST:PORT/PATH` (else `ws://IP:PORT/`)."""
    game: str = attrs.field(default="", kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.url is not None and self.transport != WEBSOCKET:
            raise ValueError(f'"url" is a WebSocket address: it needs "transport": "{WEBSOCKET}"')
        if self.url is not None and (self.ip or self.port is not None):
            raise ValueError('"url" says where the server is: leave out "ip" and "port"')
        if self.url is None and (not self.ip or self.port is None):
            missing = "ip" if not self.ip else "port"
            raise ValueError(f'expected the key "{missing}" (or, over WebSocket, "url")')

    @property
    def address(self) -> tuple[str, int]:
        """The host and port the players connect to."""
        if self.url is not None:
            return self.url.host, self.url.port
        assert self.port is not None  # checked when made
        return self.ip, self.port


@attrs.frozen
class WebSocketURL:
    """A `ws://` address: its host, port and target (path and query)."""

    host: str
    port: int
    target: str = "/"

    def __str__(self) -> str:
        return f"ws://{authority(self.host, self.port)}{self.target}"


def read_websocket_url(value: Any) -> WebSocketURL:
    """`ws://HOST[:PORT][/PATH][?QUERY]` (port 80 if left out); ValueError for anything else (wss:// included)."""
    text = string(value, "a URL ws://HOST:PORT/")
    try:
        split = urlsplit(text)
        port = split.port
    except ValueError:
        raise ValueError(f"expected a URL ws://HOST:PORT/, got {show(value)}") from None
    if split.scheme != "ws" or not split.hostname or split.fragment or split.username is not None:
        why = " (wss://, WebSocket over TLS, is not supported: put a TLS proxy in front)" if split.scheme == "wss" else ""
        raise ValueError(f"expected a URL ws://HOST:PORT/{why}, got {show(value)}")
    target = (split.path or "/") + (f"?{split.query}" if split.query else "")
    return WebSocketURL(split.hostname, 80 if port is None else port, target)


def _transport(value: Any) -> str:
    if value not in (TCP, WEBSOCKET) or type(value) is not str:
        raise ValueError(f'expected "{TCP}" or "{WEBSOCKET}", got {show(value)}')
    return value


@attrs.frozen
class LocalConfiguration:
    """What `python -m Admin` reads on standard input: a tournament among local players only."""

    players: tuple[LocalPlayerEntry, ...]
    observers: tuple[ObserverEntry, ...] = ()
    time_per_call: float = DEFAULT_TIME_PER_CALL
    event_format: FormatSettings = DEFAULT_FORMAT
    game: str = attrs.field(default="", kw_only=True)
    settings: Any = attrs.field(default=None, kw_only=True)


def _port(value: Any) -> int:
    return whole_number(value, 0, 65535)


def _repeat(value: Any) -> int:
    if type(value) is not int or value not in (0, 1):
        raise ValueError(f"expected 0 (one tournament) or 1 (one after another), got {show(value)}")
    return value


def _path(what: str) -> Callable[[Any], str]:
    """The check of a key whose value is the path of `what`: a string, not empty."""

    def check(value: Any) -> str:
        path = string(value, f"the path of {what}")
        if path == "":
            raise ValueError(f'expected the path of {what}, got ""')
        return path

    return check


def _resume(value: Any) -> bool:
    if type(value) is not bool:
        raise ValueError(f"expected true or false, got {show(value)}")
    return value


def _format(value: Any) -> FormatSettings:
    try:
        return read_format(value)
    except StructureError as error:  # its own words name the key inside "format"; cattrs names "format" again
        raise ValueError(str(error).removesuffix(" @ $.format").replace(" @ $.format.", " @ .")) from None


def _seconds(value: Any) -> float:
    seconds = finite_number(value)
    if seconds < 0:
        raise ValueError(f"expected a number of seconds >= 0, got {show(value)}")
    return seconds


def _host(value: Any) -> str:
    return string(value, "a host name or a numeric address")


SERVER_KEYS = {
    "min_players": "min players",
    "port": "port",
    "waiting_for": "waiting for",
    "repeat": "repeat",
    "host": "host",
    "time_per_call": "time per call",
    "house_players": "house players",
    "participants": "participants",
    "event_log": "event log",
    "resume": "resume",
    "resume_wait": "resume wait",
    "watch": "watch",
    "watch_linger": "watch linger",
    "max_players": "max players",
    "event_format": "format",
    "ratings_out": "ratings out",
    "websocket": "websocket",
}
CLIENT_KEYS = {
    "players": "players",
    "observers": "observers",
    "ip": "ip",
    "port": "port",
    "retry_for": "retry for",
    "transport": "transport",
    "url": "url",
}
LOCAL_KEYS = {"players": "players", "observers": "observers", "time_per_call": "time per call", "event_format": "format"}


def _websocket(game: Game, games: Mapping[str, Game]) -> Callable[[Any], WebSocketSettings]:
    """The check of "websocket": the game's own doors may be opened; another game's door is named as its."""
    elsewhere = {door: other.name for other in games.values() if other is not game for door in other.websocket_doors}

    def check(value: Any) -> WebSocketSettings:
        return read_websocket_settings(value, game.websocket_doors, elsewhere)

    return check


def _converter(game: Game, games: Mapping[str, Game] | None = None) -> cattrs.Converter:
    converter = strict_converter()
    register_entries(converter, game.players)
    register_watch_settings(converter)
    register_json_object(
        converter,
        ServerConfiguration,
        keys=SERVER_KEYS,
        checks={
            "min_players": lambda value: whole_number(value, 0),
            "port": _port,
            "waiting_for": positive_number,
            "repeat": _repeat,
            "host": _host,
            "time_per_call": positive_number,
            "participants": _path("a participants file"),
            "event_log": _path("a directory"),
            "resume": _resume,
            "resume_wait": positive_number,
            "watch_linger": _seconds,
            "max_players": lambda value: whole_number(value, 2),
            "event_format": _format,
            "ratings_out": _path("a ratings file"),
            "websocket": _websocket(game, games or {}),
        },
    )
    register_json_object(
        converter,
        ClientConfiguration,
        keys=CLIENT_KEYS,
        checks={"ip": _host, "port": _port, "retry_for": positive_number, "transport": _transport, "url": read_websocket_url},
    )
    register_json_object(converter, LocalConfiguration, keys=LOCAL_KEYS, checks={"time_per_call": positive_number, "event_format": _format})
    return converter


def _choose_game(data: Any, games: Mapping[str, Game], default: str) -> Game:
    if type(data) is not dict:
        raise StructureError(f"expected a JSON object, got {show(data)} @ $")
    name = data.get(GAME_KEY, default)
    if type(name) is not str or name not in games:
        raise StructureError(f"expected a game, one of {', '.join(games)}, got {show(name)} @ $.{GAME_KEY}")
    return games[name]


def _split(data: dict, own: Mapping[str, str], game: Game, games: Mapping[str, Game], with_game_keys: bool) -> tuple[dict, dict]:
    """The configuration's host keys and the game's keys; StructureError for a key of neither."""
    host_keys, game_keys = {}, {}
    elsewhere = game_keys_elsewhere(games, game) if with_game_keys else {}
    if "format" in data:
        for key in game.schedule_keys:
            if key in data:
                raise StructureError(f'{show(key)} chooses {game.name}\'s own schedule, which "format" replaces: leave one out @ $.{key}')
    for key, value in data.items():
        if key == GAME_KEY:
            continue
        if key in own.values():
            host_keys[key] = value
        elif with_game_keys and key in game.settings_keys:
            game_keys[key] = value
        elif key in elsewhere:
            raise StructureError(f"{show(key)} is a key of {elsewhere[key]}, not of {game.name} @ $.{key}")
        else:
            known = [*own.values(), GAME_KEY, *(game.settings_keys if with_game_keys else ())]
            raise StructureError(f"{unknown_keys([key], known)} @ $")
    return host_keys, game_keys


def read_server_configuration(text: str, games: Mapping[str, Game], default: str) -> ServerConfiguration:
    """xserver's configuration from the text of its standard input; StructureError if it is bad.

    The watch and WebSocket listeners' hosts default to the player port's.
    """
    return server_configuration_of(load_document(text), games, default)


def server_configuration_of(data: Any, games: Mapping[str, Game], default: str) -> ServerConfiguration:
    """xserver's configuration from its JSON value (a whole configuration, or a room's with the listener keys,
    Remote/room_configuration.py); StructureError if it is bad."""
    config = _read_with_game_keys(data, games, default, ServerConfiguration, SERVER_KEYS)
    if config.watch is not None and config.watch.host is None:
        config = attrs.evolve(config, watch=attrs.evolve(config.watch, host=config.host))
    if config.websocket is not None and config.websocket.host is None:
        config = attrs.evolve(config, websocket=attrs.evolve(config.websocket, host=config.host))
    return config


def _read_with_game_keys(data: Any, games: Mapping[str, Game], default: str, type_: type, keys: Mapping[str, str]) -> Any:
    game = _choose_game(data, games, default)
    host_keys, game_keys = _split(data, keys, game, games, with_game_keys=True)
    config: Any = structure(host_keys, type_, _converter(game, games))
    if "format" not in data and game.default_format is not None:
        config = attrs.evolve(config, event_format=game.default_format)
    if "time per call" not in data and game.default_time_per_call is not None:
        config = attrs.evolve(config, time_per_call=game.default_time_per_call)
    _check_players_per_game(config.event_format, game)
    config = attrs.evolve(config, game=game.name, settings=game.read_settings(game_keys))
    return game.configure_doors(config, game_keys) if type_ is ServerConfiguration else config


def _check_players_per_game(event_format: FormatSettings, game: Game) -> None:
    """StructureError, one line, when a knock-out's "players per game" is more than the game's most."""
    most = game.players_per_encounter[1]
    if event_format.players_per_game > most:
        raise StructureError(
            f"expected a whole number from 2 to {most} (a {game.name} game has at most {most} players), "
            f"got {event_format.players_per_game} @ $.format.players per game"
        )


def read_client_configuration(text: str, games: Mapping[str, Game], default: str) -> ClientConfiguration:
    """xclients' configuration from the text of its standard input; StructureError if it is bad."""
    data = load_document(text)
    game = _choose_game(data, games, default)
    host_keys, _ = _split(data, CLIENT_KEYS, game, games, with_game_keys=False)
    return attrs.evolve(structure(host_keys, ClientConfiguration, _converter(game)), game=game.name)


def read_local_configuration(text: str, games: Mapping[str, Game], default: str) -> LocalConfiguration:
    """`python -m Admin`'s configuration from the text of its standard input; StructureError if it is bad."""
    return _read_with_game_keys(load_document(text), games, default, LocalConfiguration, LOCAL_KEYS)
