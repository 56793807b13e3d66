"""How a configuration names a local player, `[Kind, Name, PathString]`, and an observer, `[Name, PathString]`.

Kind is one of "good", "breaker", "infinite"; PathString names a Python file
that defines the player, or is "" for the built-in player of the Kind. The
same entry appears in `python -m Admin`, in xserver's "house players" and in
xclients' "players".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import cattrs

from Common.santorini.names import Name
from Common.strict import array, elements, show, string
from Common.santorini.wire import name
from Player.santorini.kinds import KINDS, is_kind
from Player.loader import PlayerLoadError, make_local_player
from Player.santorini.local import LocalPlayer


@attrs.frozen
class PlayerEntry:
    """A local player to create: its kind, its name, and the file that defines it ("" for built-in)."""

    kind: str
    name: Name
    path: str

    def create(self) -> LocalPlayer:
        """The player this entry describes; PlayerLoadError if its file cannot be loaded."""
        return make_local_player(self.kind, self.name, self.path)


def create_players(entries: Sequence[PlayerEntry], key: str) -> list[tuple[Name, LocalPlayer]]:
    """The players of `entries`, listed under `key` in a configuration; PlayerLoadError names the entry."""
    players = []
    for index, entry in enumerate(entries):
        try:
            players.append((entry.name, entry.create()))
        except PlayerLoadError as error:
            raise PlayerLoadError(f"{error} @ $.{key}[{index}]") from None
    return players


def _kind(value: Any) -> str:
    if not is_kind(value):
        raise ValueError(f"expected a kind, one of {', '.join(KINDS)}, got {show(value)}")
    return value


def _path(value: Any) -> str:
    return string(value, 'a path string ("" for a built-in player)')


def _player_entry(value: Any, _: type = PlayerEntry) -> PlayerEntry:
    parts = array(value, "a player [kind, name, path]", range(3, 4))
    return PlayerEntry(*elements(parts, [_kind, name, _path], PlayerEntry))


@attrs.frozen
class ObserverEntry:
    """An observer to create: its name and the file that defines it. Validated, unused for now."""

    name: Name
    path: str


def _observer_entry(value: Any, _: type = ObserverEntry) -> ObserverEntry:
    parts = array(value, "an observer [name, path]", range(2, 3))
    return ObserverEntry(*elements(parts, [name, _path], ObserverEntry))


def register_entries(converter: cattrs.Converter) -> None:
    """Teach `converter` to structure PlayerEntry and ObserverEntry from their JSON arrays."""
    converter.register_structure_hook(PlayerEntry, _player_entry)
    converter.register_structure_hook(ObserverEntry, _observer_entry)
