"""The configurations of xserver and xclients, read strictly (spec section 8).

Every key is checked for presence, type and range; an unknown key is an
error. The error is one line naming the offending key, such as
`expected a whole number in 0..65535, got 70000 @ $.port`.
"""

from __future__ import annotations

from typing import Any

import attrs

from Admin.santorini.referee import DEFAULT_BEST_OF, DEFAULT_TIME_PER_CALL
from Common.strict import (
    odd_number,
    parse_document,
    positive_number,
    register_json_object,
    show,
    strict_converter,
    string,
    whole_number,
)
from Player.configuration import ObserverEntry, PlayerEntry, register_entries

SERVER_MAX_MESSAGE_BYTES = 64 * 1024
CLIENT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024
DEFAULT_RETRY_SECONDS = 10.0
"""How long xclients keeps trying a connection that the server refuses (no server listening yet)."""


@attrs.frozen
class ServerConfiguration:
    """What xserver reads on standard input."""

    min_players: int
    port: int
    waiting_for: float
    repeat: int
    host: str = ""
    time_per_call: float = DEFAULT_TIME_PER_CALL
    best_of: int = DEFAULT_BEST_OF
    house_players: tuple[PlayerEntry, ...] = ()


@attrs.frozen
class ClientConfiguration:
    """What xclients reads on standard input."""

    players: tuple[PlayerEntry, ...]
    observers: tuple[ObserverEntry, ...]
    ip: str
    port: int
    retry_for: float = DEFAULT_RETRY_SECONDS


def _port(value: Any) -> int:
    return whole_number(value, 0, 65535)


def _repeat(value: Any) -> int:
    if type(value) is not int or value not in (0, 1):
        raise ValueError(f"expected 0 (one tournament) or 1 (one after another), got {show(value)}")
    return value


def _host(value: Any) -> str:
    return string(value, "a host name or a numeric address")


_CONVERTER = strict_converter()
register_entries(_CONVERTER)
register_json_object(
    _CONVERTER,
    ServerConfiguration,
    keys={
        "min_players": "min players",
        "port": "port",
        "waiting_for": "waiting for",
        "repeat": "repeat",
        "host": "host",
        "time_per_call": "time per call",
        "best_of": "best of",
        "house_players": "house players",
    },
    checks={
        "min_players": lambda value: whole_number(value, 0),
        "port": _port,
        "waiting_for": positive_number,
        "repeat": _repeat,
        "host": _host,
        "time_per_call": positive_number,
        "best_of": odd_number,
    },
)
register_json_object(
    _CONVERTER,
    ClientConfiguration,
    keys={"players": "players", "observers": "observers", "ip": "ip", "port": "port", "retry_for": "retry for"},
    checks={"ip": _host, "port": _port, "retry_for": positive_number},
)


def read_server_configuration(text: str) -> ServerConfiguration:
    """xserver's configuration from the text of its standard input; StructureError if it is bad."""
    return parse_document(text, ServerConfiguration, _CONVERTER)


def read_client_configuration(text: str) -> ClientConfiguration:
    """xclients' configuration from the text of its standard input; StructureError if it is bad."""
    return parse_document(text, ClientConfiguration, _CONVERTER)
