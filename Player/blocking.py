"""A strategy's way to wait forever without using the CPU, for every game's misbehaving players that never answer."""

from __future__ import annotations

import threading


class Blocking:
    """Mixed into a strategy: `wait_forever()` blocks its thread until a test calls `release()`.

    The call runs in an abandonable thread (`Player/local.py`), so the
    tournament goes on; `blocked` is set once a call has started to wait.
    """

    def __init__(self) -> None:
        super().__init__()
        self._released = threading.Event()
        self.blocked = threading.Event()

    def wait_forever(self) -> None:
        self.blocked.set()
        self._released.wait()

    def release(self) -> None:
        """Let a waiting call go on (only tests do this, to end their threads)."""
        self._released.set()
