"""Fish's ServerProxy: the game-free trio shell (`Remote/server_proxy.py`) driving Fish's Conversation.

What the server's calls mean, what the player hears and what is sent back
(`"void"`, a Position, an Action) is the pure `Remote/fish/client_conversation.py`;
reading while the player thinks, the kick notice, the Results and the clock
are the game-free shell's.
"""

from __future__ import annotations

import attrs

from Remote.client_errors import ServerMisbehaved, StrategyFailed
from Remote.fish.client_conversation import FishConversation, recognises_server_message
from Remote.server_proxy import ServerProxy as GameFreeServerProxy

__all__ = ["ServerMisbehaved", "ServerProxy", "StrategyFailed", "recognises_server_message"]


@attrs.define(eq=False)
class ServerProxy(GameFreeServerProxy):
    """Plays a Fish `player`, signed up as `name` (with `token`, if given), against the server at the other end of `channel`."""

    def _converse(self) -> FishConversation:
        return FishConversation(self._name, self.token, self.opening)

    @property
    def won(self) -> bool | None:
        """What the server's `end` said: whether this player is among the tournament's winners (None: no `end` came)."""
        assert isinstance(self.conversation, FishConversation)
        return self.conversation.won
