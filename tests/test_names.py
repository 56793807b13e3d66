"""Names that say what they are: the game-free host defines each of its names once.

Read from the source, as tests/test_layout.py reads the imports. A reader who
meets `Name`, `EventLogError` or a player entry should find one definition,
not two that differ (issue 16: `Name = str` was defined ten times, two
`PlayerEntry` classes meant two things). A game's subpackage may define its
own `Name` (its rule for names); the game-free modules import the one in
`Common.participant`.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from tests.test_layout import ROOT, game_of, name, sources

SHARED = "Common/participant.py"
"""The one game-free module that defines `Name`."""


def game_free_sources() -> list[Path]:
    return [path for path in sources() if game_of(".".join(path.relative_to(ROOT).with_suffix("").parts)) is None]


def defined(path: Path) -> set[str]:
    """The public classes, functions and constants a module defines at its top level (not those it imports)."""
    found = set()
    for node in ast.parse(path.read_text(), str(path)).body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            found.add(node.name)
        elif isinstance(node, ast.Assign):
            found.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            found.add(node.target.id)
    return {found_name for found_name in found if not found_name.startswith("_")}


def test_a_players_name_is_defined_once_and_imported_everywhere_else():
    defining = [name(path) for path in game_free_sources() if "Name" in defined(path)]
    assert defining == [SHARED]


def test_no_two_game_free_modules_define_a_class_of_the_same_name():
    where = defaultdict(list)
    for path in game_free_sources():
        for found in defined(path):
            if found[0].isupper() and not found.isupper():  # a class or a type, not a constant
                where[found].append(name(path))
    twice = {found: paths for found, paths in where.items() if len(paths) > 1}
    assert twice == {}
