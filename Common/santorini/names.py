"""Player names and worker names.

A Name is 1 to 64 lowercase ASCII letters. A Worker is its owner's Name
followed by 1 or 2: the owner's first or second worker placed in a game.
"""

from __future__ import annotations

import re
from typing import NewType

import attrs

Name = NewType("Name", str)
"""A player's name: `^[a-z]{1,64}$`."""

MAX_NAME_LENGTH = 64
_NAME = re.compile(r"[a-z]{1,64}")
_WORKER = re.compile(r"([a-z]{1,64})([12])")


def is_name(value: object) -> bool:
    """Whether `value` is a valid player Name."""
    return type(value) is str and _NAME.fullmatch(value) is not None


def name_validator(instance: object, attribute: attrs.Attribute, value: object) -> None:
    """An attrs validator: `value` must be a Name."""
    if not is_name(value):
        raise ValueError(f"{attribute.name} must be 1 to 64 lowercase letters, got {value!r}")


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
