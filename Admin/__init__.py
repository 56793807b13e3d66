"""Refereeing games and running tournaments: the game-free manager, and a subpackage per game."""
