"""The watch endpoint's settings: the `"watch"` object of xserver's configuration, read strictly, and its limits.

    "watch": {"port": 8080, "host": "127.0.0.1", "max watchers": 256, "watchers per address": 8}

Only "port" is required. "host" left out means the player port's host
(`read_watch_settings(value, default_host)` fills it in). The other fields
of WatchSettings are limits a test may tighten; a configuration cannot set
them. An error is one line naming the key, `... @ $.watch.port`.
"""

from __future__ import annotations

from typing import Any

import attrs
import cattrs

from Common.strict import register_json_object, strict_converter, string, structure, whole_number

WATCH_KEY = "watch"
KEYS = {"port": "port", "host": "host", "max_watchers": "max watchers", "per_address": "watchers per address"}
DEFAULT_MAX_WATCHERS = 256
DEFAULT_PER_ADDRESS = 8


@attrs.frozen
class WatchSettings:
    """Where the watch listener listens, and how much it lets watchers cost."""

    port: int
    host: str | None = None
    """The address to listen on ("": every interface); None: the player port's host, not yet filled in."""
    max_watchers: int = DEFAULT_MAX_WATCHERS
    """Event streams open at once; one more is answered 503."""
    per_address: int = DEFAULT_PER_ADDRESS
    """Event streams open at once from one address; one more is answered 503."""
    queue_bytes: int = 1 << 20
    """What may wait for one watcher; more, and it is sent a fresh snapshot once it catches up."""
    overflow_grace: float = 60.0
    """A watcher whose queue overflows again within these seconds of the last time is dropped."""
    write_timeout: float = 10.0
    """Seconds any one write to a watcher may take; a slower watcher is dropped."""
    request_timeout: float = 10.0
    """Seconds a connection has to send a whole request head (and between two requests on one connection)."""
    keep_alive: float = 15.0
    """Seconds of silence on an event stream after which a comment line is sent."""
    max_request_head: int = 8 * 1024
    """Bytes a request line and headers may take; more is answered 431."""
    memory_bytes: int = 4 << 20
    """The recent events kept in memory for watchers that reconnect; older ones are read from the log file."""
    max_connections: int = 512
    """HTTP connections open at once, watchers included; one more is answered 503 and closed."""


def _port(value: Any) -> int:
    return whole_number(value, 0, 65535)


def _host(value: Any) -> str:
    return string(value, "a host name or a numeric address")


@attrs.frozen
class _WatchKeys:
    """The keys a configuration may give; the rest of WatchSettings keeps its defaults."""

    port: int
    host: str | None = None
    max_watchers: int = DEFAULT_MAX_WATCHERS
    per_address: int = DEFAULT_PER_ADDRESS


def register_watch_settings(converter: cattrs.Converter) -> None:
    """Teach `converter` to read a WatchSettings from the `"watch"` object (for a configuration that holds one)."""
    register_json_object(
        converter,
        _WatchKeys,
        keys=KEYS,
        checks={
            "port": _port,
            "host": _host,
            "max_watchers": lambda value: whole_number(value, 1, 100_000),
            "per_address": lambda value: whole_number(value, 1, 100_000),
        },
    )
    converter.register_structure_hook(WatchSettings, lambda value, _: WatchSettings(**attrs.asdict(converter.structure(value, _WatchKeys))))


def _converter() -> cattrs.Converter:
    converter = strict_converter()
    register_watch_settings(converter)
    return converter


_CONVERTER = _converter()


def read_watch_settings(value: Any, default_host: str = "") -> WatchSettings:
    """The `"watch"` value of a configuration as WatchSettings, its host filled in; StructureError naming `$.watch.KEY`."""
    try:
        settings = structure(value, WatchSettings, _CONVERTER)
    except ValueError as error:
        raise type(error)(str(error).replace(" @ $", f" @ $.{WATCH_KEY}")) from None
    return settings if settings.host is not None else attrs.evolve(settings, host=default_host)
