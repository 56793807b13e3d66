"""The built-in players of each Kind that a configuration may name.

A Kind is "good" (plays by the rules), "breaker" (answers in time but breaks
a rule) or "infinite" (stops answering):
* good: the good strategy of Player/santorini/strategic.py;
* breaker: moves the opponent's worker at its first turn, so it breaks a rule
  in its first game whether it moves first or second;
* infinite: never answers its first placement.
"""

from __future__ import annotations

from collections.abc import Callable

from Common.santorini.names import NAME_RULE
from Player.game_players import GamePlayers
from Player.santorini.local import LocalPlayer
from Player.santorini.misbehaving import IllegalAction, NeverPlaces
from Player.santorini.strategic import GoodStrategy
from Player.santorini.strategy import Strategy

KINDS: tuple[str, ...] = ("good", "breaker", "infinite")

_BUILT_IN: dict[str, Callable[[], Strategy]] = {
    "good": GoodStrategy,
    "breaker": lambda: IllegalAction(1),
    "infinite": NeverPlaces,
}


PLAYERS = GamePlayers(
    game="santorini",
    kinds=_BUILT_IN,
    strategy_base=Strategy,
    local_player=LocalPlayer,
    names=NAME_RULE,
    misbehaving=frozenset({"breaker", "infinite"}),
)
"""Santorini's local players, for the game-free loader and configuration entries."""
