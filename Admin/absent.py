"""The stand-in for a player that did not come back when its interrupted tournament resumed.

Every call of any method fails at once: it answers a Failure of kind
ABSENT that says why; so the player misbehaves
when its next encounter starts, and the usual revisions apply. Nothing here
knows the game: the stand-in answers whichever method a referee calls.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from Common.participant import ABSENT, Failure


class AbsentPlayer:
    """A player that is not there: `why` is the reason its every call fails with."""

    def __init__(self, why: str) -> None:
        self.why = why

    def __getattr__(self, method: str) -> Callable[..., Awaitable[Any]]:
        if method.startswith("__"):
            raise AttributeError(method)

        async def absent(*args: Any) -> Failure:
            return Failure(f"{method}: Absent: {self.why}", ABSENT)

        absent.__name__ = method
        return absent
