"""Both ends of the wire and the executables: game-free framing, sign-up and shells, and a subpackage per game."""
