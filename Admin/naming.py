"""Unique names for a tournament's players, in sign-up order.

The first player with a name keeps it. A later player whose name is taken is
renamed to its name followed by as many `a`s as make it one character longer
than the longest name assigned so far: `alice, alice` -> `alice, alicea`;
`a, a, aa` -> `a, aa, aaa`. A game limits the length of names (Santorini:
64 letters), so a renaming that would need more is refused (Decision): that
player cannot take part. Game-free: a name is a string.
"""

from __future__ import annotations

import attrs

from Common.participant import Name


@attrs.define
class NameRegistry:
    """The names assigned so far in one tournament."""

    max_length: int
    """The longest name the game allows."""
    _taken: set[Name] = attrs.field(factory=set)
    _longest: int = 0

    @property
    def longest(self) -> int:
        """How many letters the longest name assigned so far has (0 before the first)."""
        return self._longest

    def assign(self, requested: Name) -> Name | None:
        """The name the next player asking for `requested` plays as, or None if none fits."""
        assigned = requested
        if requested in self._taken:
            assigned = requested + "a" * (self._longest + 1 - len(requested))
            if len(assigned) > self.max_length:
                return None
        self._taken.add(assigned)
        self._longest = max(self._longest, len(assigned))
        return assigned
