"""Santorini's ServerProxy: the game-free trio shell (`Remote/server_proxy.py`) driving Santorini's Conversation.

What the server's messages mean, what the player hears and what is sent
back is the pure `Remote/santorini/client_conversation.py`; reading while
the player thinks, the kick notice, the Results and the clock are the
game-free shell's.
"""

from __future__ import annotations

import attrs

from Remote.client_errors import ServerMisbehaved, StrategyFailed
from Remote.santorini.client_conversation import SantoriniConversation, classify, recognises_server_message
from Remote.server_proxy import ServerProxy as GameFreeServerProxy

__all__ = ["ServerMisbehaved", "ServerProxy", "StrategyFailed", "classify", "recognises_server_message"]


@attrs.define(eq=False)
class ServerProxy(GameFreeServerProxy):
    """Plays a Santorini `player`, signed up as `name`, against the server at the other end of `channel`."""

    def _converse(self) -> SantoriniConversation:
        return SantoriniConversation(self._name, self.token, self.opening)
