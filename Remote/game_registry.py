"""The games this host runs, by the configuration's "game" value: the one line a new game adds."""

from __future__ import annotations

from Remote.fish.game import GAME as FISH
from Remote.game_description import Game, register
from Remote.ipd.game import GAME as IPD
from Remote.santorini.game import GAME as SANTORINI

DEFAULT_GAME = "santorini"

GAMES: dict[str, Game] = register(SANTORINI, IPD, FISH)
"""Each game checked as it is registered (`register`: every hook present, shared keys read alike)."""
