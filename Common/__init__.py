"""The ontologies both sides share: game-free building blocks, and a subpackage per game."""
