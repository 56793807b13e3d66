"""Santorini's local players: the Strategy contract, LocalPlayer, the built-in and misbehaving strategies."""
