"""Participants' names and secrets in the iterated prisoner's dilemma.

A Name is 1 to 36 ASCII letters, digits, `_` or `-` (the names of the
websocket server's participants files, which may hold capitals and digits):
NAME_RULE, an instance of the one rule of `Common/names.py`.
A Token is a participant's secret: 16 to 128 characters of the same set.
"""

from __future__ import annotations

from typing import NewType

from Common.names import NameRule
from Common.participant import is_token as is_any_token

Name = NewType("Name", str)
"""A participant's name: `^[A-Za-z0-9_-]{1,36}$`."""

Token = NewType("Token", str)
"""A participant's secret: `^[A-Za-z0-9_-]{16,128}$`."""

NAME_RULE = NameRule("A-Za-z0-9_-", 36, "letters, digits, '_' or '-'")
"""The rule for names; `str(NAME_RULE)` states it in messages."""
MAX_NAME_LENGTH = NAME_RULE.max_length
MIN_TOKEN_LENGTH = 16
MAX_TOKEN_LENGTH = 128
NAME_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
"""Every character a Name or a Token may hold."""

is_name = NAME_RULE.is_name
"""Whether a value is a valid Name."""


def is_token(value: object) -> bool:
    """Whether `value` is a valid Token (the rule is every game's: `Common.participant.is_token`)."""
    return is_any_token(value)


name_validator = NAME_RULE.validator
"""An attrs validator: the value must be a Name."""
