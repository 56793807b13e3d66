"""How a game's client-side proxy tells xclients that a player's conversation ended badly. Game-free.

Two things end it other than the server closing the connection or sending
the Results: the server sends what the client cannot understand
(ServerMisbehaved), or the local player raises or answers a value of the
wrong type (StrategyFailed), which xclients reports at once, locally.
"""

from __future__ import annotations


class ServerMisbehaved(Exception):
    """The server sent something this client cannot understand."""


class StrategyFailed(Exception):
    """The local player raised, or answered a value of the wrong type; the message says which, in one line.

    `details` is more for a person to read (a traceback limited to the
    player's own file), or "".
    """

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.details = details
