"""The one rule for players' names, which each game instantiates with its own limits.

A NameRule says which characters a name may hold (a regular expression's
character class, such as `a-z`), how long it may be (1 to `max_length`
characters), and how a message says so (`1 to 64 lowercase letters`). Every
check of a name (the wire converters, the configuration, the loader, the
sign-up, the participants file) goes through one game's rule; nothing else
writes a name's pattern.
"""

from __future__ import annotations

import re

import attrs

from Common.strict import show


def _positive(instance: object, attribute: attrs.Attribute, value: object) -> None:
    if type(value) is not int or value < 1:
        raise ValueError(f"{attribute.name} must be a whole number >= 1, got {value!r}")


@attrs.frozen
class NameRule:
    """Names of 1 to `max_length` characters of the class `characters`, described as "1 to N `words`"."""

    characters: str
    """The body of a regular expression's character class: `a-z`, `A-Za-z0-9_-`."""
    max_length: int = attrs.field(validator=_positive)
    words: str
    """What the characters are, for messages: "lowercase letters"."""
    _pattern: re.Pattern[str] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_pattern", re.compile(f"[{self.characters}]{{1,{self.max_length}}}"))

    def __str__(self) -> str:
        return f"1 to {self.max_length} {self.words}"

    @property
    def pattern(self) -> str:
        """The rule as an anchored regular expression: `^[a-z]{1,64}$`."""
        return f"^{self._pattern.pattern}$"

    def is_name(self, value: object) -> bool:
        """Whether `value` is a name under this rule (a str, never anything that only looks like one)."""
        return type(value) is str and self._pattern.fullmatch(value) is not None

    def validator(self, instance: object, attribute: attrs.Attribute, value: object) -> None:
        """An attrs validator: `value` must be a name under this rule."""
        if not self.is_name(value):
            raise ValueError(f"{attribute.name} must be a name of {self}, got {show(value)}")

    def check(self, value: object) -> str:
        """`value`, if it is a name; ValueError saying the rule otherwise (for converters' hooks)."""
        if not self.is_name(value):
            raise ValueError(f"expected a name of {self}, got {show(value)}")
        assert isinstance(value, str)
        return value
