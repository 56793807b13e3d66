"""What a game tells the game-free loader and configuration entries about its local players.

A game's GamePlayers names its kinds (the built-in strategy of each) and
which of them misbehave (for tests and demonstrations: each breaks a rule,
answers late or not at all, in its first encounter), the base class every
strategy of a player file must extend, how a strategy becomes a local player
(a Participant that runs it in threads), and its rule for player names (the
one rule of `Common/names.py`, with the game's limits). `Player/loader.py`
and `Player/configuration.py` take one; they import no game.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

from Common.names import NameRule
from Common.participant import Participant


def _among_the_kinds(instance: GamePlayers, attribute: attrs.Attribute, value: frozenset[str]) -> None:
    unknown = sorted(value - set(instance.kinds))
    if unknown:
        raise ValueError(f"{instance.game}: misbehaving kinds that are not among its kinds: {', '.join(unknown)}")
    if not set(instance.kinds) - value:
        raise ValueError(f"{instance.game}: every kind misbehaves; at least one must play by the rules")


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
    names: NameRule
    """The game's rule for player names."""
    misbehaving: frozenset[str] = attrs.field(validator=_among_the_kinds)
    """The kinds that misbehave in their first encounter (kicked with a reason); the others play by the rules."""

    def is_name(self, value: object) -> bool:
        """Whether `value` is a name of this game's players."""
        return self.names.is_name(value)

    @property
    def name_rule(self) -> str:
        """The name rule in words, for messages: "1 to 64 lowercase letters"."""
        return str(self.names)

    @property
    def honest(self) -> tuple[str, ...]:
        """The kinds that play by the rules, in the order of `kinds`."""
        return tuple(kind for kind in self.kinds if kind not in self.misbehaving)

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
