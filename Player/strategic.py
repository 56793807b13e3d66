"""A player file for Santorini's built-in good strategy, where configurations have always found it.

`["good", "matthias", "Player/strategic.py"]` plays the deterministic good
strategy of `Player/santorini/strategic.py`.
"""

from Player.santorini.strategic import make_strategy

__all__ = ["make_strategy"]
