"""The IPD's ServerProxy: the game-free trio shell (`Remote/server_proxy.py`) driving the IPD's Conversation.

What the server's messages mean, which moves are abandoned and which
stand-ins are owed, and what is sent back is the pure
`Remote/ipd/client_conversation.py`; reading while the player thinks,
cancelling an abandoned move, the kick notice, the Results and the clock are
the game-free shell's. Here: how many replies a player writes at its first
move request (the `flooder` kind's `replies_ahead`).
"""

from __future__ import annotations

import attrs

from Common.ipd.player import Player
from Remote.client_errors import ServerMisbehaved, StrategyFailed
from Remote.ipd.client_conversation import IpdConversation, recognises_server_message
from Remote.server_proxy import ServerProxy as GameFreeServerProxy

__all__ = ["ServerMisbehaved", "ServerProxy", "StrategyFailed", "recognises_server_message", "replies_ahead_of"]


def replies_ahead_of(player: Player) -> int:
    """How many replies `player` writes at its first move request: its strategy's `replies_ahead`, else 1."""
    strategy = getattr(player, "strategy", None)
    ahead = getattr(strategy, "replies_ahead", 1)
    return ahead if type(ahead) is int and ahead >= 1 else 1


@attrs.define(eq=False)
class ServerProxy(GameFreeServerProxy):
    """Plays an IPD `player`, signed up as `name` (with `token`, if given), against the server at the other end of `channel`."""

    replies_ahead: int | None = None
    """Replies written at the first move request; None: as the player's strategy says (`replies_ahead_of`)."""

    def _converse(self) -> IpdConversation:
        ahead = replies_ahead_of(self.player) if self.replies_ahead is None else self.replies_ahead
        return IpdConversation(self._name, self.token, self.opening, ahead)

    @property
    def abandoned_rounds(self) -> int:
        """Moves the server settled without this player's reply (forfeited)."""
        assert isinstance(self.conversation, IpdConversation)
        return self.conversation.abandoned_rounds
