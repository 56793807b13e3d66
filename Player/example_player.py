"""A player file for Santorini's example player, where configurations have always found it.

The example itself, to copy and change, is `Player/santorini/example_player.py`.
"""

from Player.santorini.example_player import make_strategy

__all__ = ["make_strategy"]
