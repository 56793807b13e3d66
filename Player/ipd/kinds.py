"""The built-in IPD strategies of each Kind that a configuration may name.

Honest kinds: tit-for-tat, cooperator, defector, grudger, alternator,
random (see classics.py). Misbehaving kinds, for tests (see misbehaving.py):
* late: answers every move 1.5 s after being asked, so with the default
  "time per move" (1 s) it forfeits every round and is out after "forfeits
  allowed" + 1 of them;
* breaker: answers "B" at its first move;
* infinite: never answers its first move;
* flooder: writes replies ahead of the requests (done by the client-side proxy).
"""

from __future__ import annotations

from collections.abc import Callable

from Common.ipd.names import NAME_RULE
from Player.game_players import GamePlayers
from Player.ipd.classics import Alternator, Cooperator, Defector, Grudger, RandomMoves, TitForTat
from Player.ipd.local import LocalPlayer
from Player.ipd.misbehaving import Breaker, Flooder, Infinite, Late
from Player.ipd.strategy import Strategy

HONEST_KINDS: tuple[str, ...] = ("tit-for-tat", "cooperator", "defector", "grudger", "alternator", "random")
MISBEHAVING_KINDS: tuple[str, ...] = ("late", "breaker", "infinite", "flooder")
KINDS: tuple[str, ...] = HONEST_KINDS + MISBEHAVING_KINDS

_BUILT_IN: dict[str, Callable[[], Strategy]] = {
    "tit-for-tat": TitForTat,
    "cooperator": Cooperator,
    "defector": Defector,
    "grudger": Grudger,
    "alternator": Alternator,
    "random": RandomMoves,
    "late": Late,
    "breaker": Breaker,
    "infinite": Infinite,
    "flooder": Flooder,
}


PLAYERS = GamePlayers(
    game="ipd",
    kinds=_BUILT_IN,
    strategy_base=Strategy,
    local_player=LocalPlayer,
    names=NAME_RULE,
    misbehaving=frozenset(MISBEHAVING_KINDS),
)
"""The prisoner's dilemma's local players, for the game-free loader and configuration entries."""
