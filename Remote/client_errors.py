"""How a game's client-side proxy tells xclients that a player's conversation ended badly. Game-free.

Other than by the server closing the connection or sending the Results, it
ends when the server refuses the sign-up (SignUpRefused, with the server's
words), when the server runs another game (WrongGame, naming it), when the
server sends what the client cannot understand (ServerMisbehaved), or when
the local player raises or answers a value of the wrong type
(StrategyFailed), which xclients reports at once, locally.
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


class SignUpRefused(Exception):
    """The server refused the sign-up; the message is the server's text, shortened."""


class WrongGame(Exception):
    """The server's first messages are another game's; the message is one line naming that game and the key."""
