"""Local players: the game-free loader and configuration entries, and a subpackage per game."""
