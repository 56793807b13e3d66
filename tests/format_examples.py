"""An example configuration of every format kind (Admin/formats/settings.py's KINDS), for the tests that run each.

The tests take the kinds from KINDS; a kind added there without an example
here fails them, naming the missing entry (`example_format`).
"""

from __future__ import annotations

from typing import Any

import pytest

from Admin.formats.settings import KINDS

EXAMPLES: dict[str, dict[str, Any]] = {
    "round robin": {"kind": "round robin", "cycles": 2},
    "pairings": {"kind": "pairings", "pairings": [["ann", "bob"], ["cat", "ann"], ["bob", "cat"], ["dan", "ann"]]},
    "swiss": {"kind": "swiss", "rounds": 3},
    "knock-out": {"kind": "knock-out"},
    "gauntlet": {"kind": "gauntlet", "candidates": ["ann"], "cycles": 2},
}
"""Each kind with keys that make a short event among the house players ann, bob, cat, dan (and eve)."""


def format_kinds() -> list[str]:
    """Every kind of format the host runs."""
    return list(KINDS)


def example_format(kind: str) -> dict[str, Any]:
    """The example of `kind`; the test fails naming the missing entry when it has none."""
    if kind not in EXAMPLES:
        pytest.fail(f'tests/format_examples.py: EXAMPLES has no entry for the format "{kind}": a new format fills one in', pytrace=False)
    return EXAMPLES[kind]
