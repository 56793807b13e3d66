"""The layout: imports point one way, the game-free host imports no game, every module says what it is for.

Read from the source (the imports a module writes), not from a run. The
game-free modules are those outside a game's subpackage; the registry of
games (`Remote/game_registry.py`) is the one place that names the games, and only
the executables' shells import it. The games' subpackages are found from the
registry (`Remote.game_registry.GAMES`), so a game added there is under these rules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from Remote.game_registry import GAMES

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("Common", "Player", "Admin", "Remote")
REGISTRY = "Remote.game_registry"
SHELLS = {"Remote/xserver.py", "Remote/client.py", "Admin/__main__.py", "Remote/rebuild_exports.py"}
"""The executables' shells: they read the registry of games (and __main__ the configuration, in Remote)."""
PLAYER_FILES = {"Player/strategic.py", "Player/example_player.py"}
"""Santorini's player files at the paths configurations have always used."""
MAY_IMPORT = {"Common": ("Common",), "Player": ("Common", "Player"), "Admin": ("Common", "Admin"), "Remote": LAYERS}


def every_import(path: Path) -> set[str]:
    """The modules a source file imports (absolute imports), read from its text."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def imports(path: Path) -> set[str]:
    """The project's modules that a source file imports."""
    return {name for name in every_import(path) if name.split(".")[0] in LAYERS}


def sources() -> list[Path]:
    return sorted(path for layer in LAYERS for path in (ROOT / layer).rglob("*.py"))


def game_of(module: str) -> str | None:
    """The game of the registry whose subpackage holds `module` (dotted), or None: a game-free module."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] in LAYERS and parts[1] in GAMES else None


def name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_game_free_modules_import_no_game():
    game_free = [path for path in sources() if game_of(".".join(path.relative_to(ROOT).parts)) is None]
    assert len(game_free) > 20
    for path in game_free:
        if name(path) in PLAYER_FILES or name(path) == "Remote/game_registry.py":
            continue
        for module in imports(path):
            assert game_of(module) is None, f"{name(path)} is game-free but imports {module}"
            assert module != REGISTRY or name(path) in SHELLS, f"{name(path)} reads the registry of games"


def test_a_game_imports_no_other_game():
    """(The game-free modules are the test above.)"""
    for path in sources():
        mine = game_of(".".join(path.relative_to(ROOT).parts))
        if mine is None:
            continue
        for module in imports(path):
            assert game_of(module) in (None, mine), f"{name(path)} ({mine}) imports {module}"


@pytest.mark.parametrize("layer", LAYERS)
def test_imports_point_one_way(layer):
    for path in (ROOT / layer).rglob("*.py"):
        if name(path) in SHELLS:
            continue
        for module in imports(path):
            assert module.split(".")[0] in MAY_IMPORT[layer], f"{name(path)} imports {module}"


def test_every_module_opens_with_its_purpose_and_is_in_its_directorys_readme():
    for path in sources():
        assert ast.get_docstring(ast.parse(path.read_text())), f"{name(path)} has no purpose statement"
        if path.name != "__init__.py":
            readme = path.parent / "README.md"
            assert readme.exists() and f"`{path.name}`" in readme.read_text(), f"{name(path)} is not in {name(readme)}"
