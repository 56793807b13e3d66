"""Player names and worker names.

A Name is 1 to 64 lowercase ASCII letters (NAME_RULE, an instance of the
one rule of `Common/names.py`). A Worker is its owner's Name followed by 1
or 2: the owner's first or second worker placed in a game.
"""

from __future__ import annotations

import re
from typing import NewType

import attrs

from Common.names import NameRule

Name = NewType("Name", str)
"""A player's name: `^[a-z]{1,64}$`."""

NAME_RULE = NameRule("a-z", 64, "lowercase letters")
MAX_NAME_LENGTH = NAME_RULE.max_length
_WORKER = re.compile(f"([{NAME_RULE.characters}]{{1,{MAX_NAME_LENGTH}}})([12])")

is_name = NAME_RULE.is_name
"""Whether a value is a valid player Name."""
name_validator = NAME_RULE.validator
"""An attrs validator: the value must be a Name."""


@attrs.frozen(order=True)
class Worker:
    """One of a player's two workers: `alice1` is alice's first."""

    owner: Name = attrs.field(validator=name_validator)
    number: int = attrs.field(validator=attrs.validators.in_({1, 2}))

    def __str__(self) -> str:
        return f"{self.owner}{self.number}"

    @classmethod
    def parse(cls, text: str) -> Worker:
        """The Worker that `text` names, such as "alice2"; ValueError otherwise."""
        match = _WORKER.fullmatch(text) if type(text) is str else None
        if match is None:
            raise ValueError(f"a worker is a name followed by 1 or 2, got {text!r}")
        return cls(Name(match[1]), int(match[2]))
