"""The IPD's pure layers import only what their layer may: read from the source, not from a run."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.test_layout import every_import as imports

ROOT = Path(__file__).resolve().parent.parent
ALLOWED_PROJECT_IMPORTS = {
    "Common/ipd": ("Common.ipd", "Common.strict", "Common.participant", "Common.names"),
    "Player/ipd": ("Common.ipd", "Common.strict", "Common.participant", "Player.ipd", "Player.local", "Player.game_players"),
}
PROJECT = ("Common", "Player", "Admin", "Remote")
NO_IO = {"trio", "socket", "asyncio", "time", "os", "pathlib", "io", "subprocess", "selectors", "logging", "sys"}
RUNS_STRATEGIES = {"Player/ipd/local.py": {"trio", "inspect", "traceback", "pathlib"}}
"""(The threads themselves are the game-free Player/local.py's.)"""
"""The one module of Player/ipd that is no strategy: it runs strategies in threads and shows their tracebacks."""


def modules(directory: str) -> list[Path]:
    return sorted((ROOT / directory).glob("*.py"))


@pytest.mark.parametrize("directory", ALLOWED_PROJECT_IMPORTS)
def test_the_ipd_layers_import_only_what_they_may(directory: str) -> None:
    allowed = ALLOWED_PROJECT_IMPORTS[directory]
    assert modules(directory)
    for path in modules(directory):
        for name in imports(path):
            if name.split(".")[0] in PROJECT:
                assert name.startswith(allowed), f"{path.relative_to(ROOT)} imports {name}"
            may = RUNS_STRATEGIES.get(path.relative_to(ROOT).as_posix(), set())
            assert name.split(".")[0] not in NO_IO - may, f"{path.relative_to(ROOT)} imports {name}, which does I/O or tells time"


@pytest.mark.parametrize("directory", ALLOWED_PROJECT_IMPORTS)
def test_every_module_opens_with_its_purpose_and_is_in_the_readme(directory: str) -> None:
    readme = (ROOT / directory / "README.md").read_text()
    for path in modules(directory):
        assert ast.get_docstring(ast.parse(path.read_text())), f"{path.name} has no docstring"
        assert f"`{path.name}`" in readme, f"{path.name} is not in {directory}/README.md"
