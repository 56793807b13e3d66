"""Participants' names and secrets in the iterated prisoner's dilemma.

A Name is 1 to 36 ASCII letters, digits, `_` or `-` (the names of the
websocket server's participants files, which may hold capitals and digits).
A Token is a participant's secret: 16 to 128 characters of the same set.
"""

from __future__ import annotations

import re
from typing import NewType

import attrs

from Common.participant import is_token as is_any_token

Name = NewType("Name", str)
"""A participant's name: `^[A-Za-z0-9_-]{1,36}$`."""

Token = NewType("Token", str)
"""A participant's secret: `^[A-Za-z0-9_-]{16,128}$`."""

MAX_NAME_LENGTH = 36
MIN_TOKEN_LENGTH = 16
MAX_TOKEN_LENGTH = 128
NAME_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
"""Every character a Name or a Token may hold."""

_NAME = re.compile(r"[A-Za-z0-9_-]{1,36}")


def is_name(value: object) -> bool:
    """Whether `value` is a valid Name."""
    return type(value) is str and _NAME.fullmatch(value) is not None


def is_token(value: object) -> bool:
    """Whether `value` is a valid Token (the rule is every game's: `Common.participant.is_token`)."""
    return is_any_token(value)


NAME_RULE = "1 to 36 letters, digits, '_' or '-'"
"""The rule for names, as messages state it."""


def name_validator(instance: object, attribute: attrs.Attribute, value: object) -> None:
    """An attrs validator: `value` must be a Name."""
    if not is_name(value):
        raise ValueError(f"{attribute.name} must be a name of {NAME_RULE}, got {value!r}")
