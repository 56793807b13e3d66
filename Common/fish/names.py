"""Fish players' names: 1 to 12 ASCII letters (spec section 2), an instance of the one rule of `Common/names.py`."""

from __future__ import annotations

from typing import NewType

from Common.names import NameRule

Name = NewType("Name", str)
"""A player's name: `^[A-Za-z]{1,12}$`."""

NAME_RULE = NameRule("A-Za-z", 12, "ASCII letters")
MAX_NAME_LENGTH = NAME_RULE.max_length

is_name = NAME_RULE.is_name
"""Whether a value is a valid player Name."""
name_validator = NAME_RULE.validator
"""An attrs validator: the value must be a Name."""
