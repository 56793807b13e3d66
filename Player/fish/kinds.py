"""The built-in Fish players of each Kind that a configuration may name.

* greedy: the course's strategy (spec section 6, Player/fish/greedy.py);
* breaker: at its first turn (of the tournament) moves a penguin that is
  not its own, so it breaks a rule in its first game that reaches the turns;
* infinite: never answers its first placement.
"""

from __future__ import annotations

from collections.abc import Callable

from Common.fish.names import NAME_RULE
from Player.fish.greedy import Greedy
from Player.fish.local import LocalPlayer
from Player.fish.misbehaving import IllegalMove, NeverPlaces
from Player.fish.strategy import Strategy
from Player.game_players import GamePlayers

_BUILT_IN: dict[str, Callable[[], Strategy]] = {
    "greedy": Greedy,
    "breaker": lambda: IllegalMove(1),
    "infinite": NeverPlaces,
}
KINDS: tuple[str, ...] = tuple(_BUILT_IN)
"""The built-in kinds, in the order `xclients --help` lists them."""


PLAYERS = GamePlayers(
    game="fish",
    kinds=_BUILT_IN,
    strategy_base=Strategy,
    local_player=LocalPlayer,
    names=NAME_RULE,
    misbehaving=frozenset({"breaker", "infinite"}),
)
"""Fish's local players, for the game-free loader and configuration entries."""
