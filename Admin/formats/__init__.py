"""Formats: who meets whom in an event (round robin, Swiss, knock-out, gauntlet, listed pairings), pure and game-free."""
