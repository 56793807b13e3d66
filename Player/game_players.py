"""What a game tells the game-free loader and configuration entries about its local players.

A game's GamePlayers names its kinds (the built-in strategy of each), the
base class every strategy of a player file must extend, how a strategy
becomes a local player (a Participant that runs it in threads), and its rule
for player names. `Player/loader.py` and `Player/configuration.py` take one;
they import no game.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

from Common.participant import Participant


@attrs.frozen
class GamePlayers:
    """The local players of the game called `game`."""

    game: str
    kinds: Mapping[str, Callable[[], Any]]
    """The built-in strategy of each Kind, made fresh by calling it."""
    strategy_base: type
    """The class a player file's `make_strategy()` must return an instance of."""
    local_player: Callable[[str, Any, Path | None], Participant]
    """The local player called `name` that decides with `strategy`, defined in `file` (None: built in)."""
    is_name: Callable[[object], bool]
    name_rule: str
    """The name rule in words, for messages: "1 to 64 lowercase letters"."""

    def is_kind(self, value: object) -> bool:
        """Whether `value` names one of this game's kinds."""
        return type(value) is str and value in self.kinds

    def built_in(self, kind: str) -> Any:
        """A fresh built-in strategy of `kind`; ValueError for a kind the game does not have."""
        if not self.is_kind(kind):
            raise ValueError(f"unknown kind {kind!r} of {self.game}, expected one of {self.kind_list()}")
        return self.kinds[kind]()

    def kind_list(self) -> str:
        """The kinds, for messages."""
        return ", ".join(self.kinds)
