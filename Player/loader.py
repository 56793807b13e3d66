"""Turning a configuration's [Kind, Name, PathString] into a local player of the configured game.

Game-free: the game's GamePlayers says which kinds exist, which base class a
strategy extends and how a strategy becomes a local player. A PathString
names a player file (see README.md): a Python file that defines
`make_strategy()`. A relative path is looked up in the current directory
first, then in the project root (the directory that holds Player/), so that
"Player/strategic.py" works from anywhere. An empty PathString means the
built-in player of the Kind. Whatever goes wrong raises PlayerLoadError with
one line that names the file and the problem, never a traceback. The
LocalPlayer keeps the resolved file, so that a strategy's exception can be
shown with the frames of that file only.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

from Common.participant import Participant
from Common.strict import shorten
from Player.game_players import GamePlayers

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The directory that holds Player/, where relative player paths are looked up second."""

FACTORY = "make_strategy"


class PlayerLoadError(Exception):
    """A player cannot be made; the message is one line naming the file (or Kind) and the problem."""


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _fail(path: str, problem: str) -> PlayerLoadError:
    return PlayerLoadError(f"player file {path!r}: {_one_line(problem)}")


def find_player_file(path: str) -> Path:
    """The file `path` names: as given if absolute, else in the current directory, else in the project root."""
    given = Path(path)
    candidates = [given] if given.is_absolute() else [Path.cwd() / given, PROJECT_ROOT / given]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    for candidate in candidates:
        if candidate.exists():
            raise _fail(path, f"{candidate} is not a file")
    where = " or ".join(dict.fromkeys(str(candidate.parent) for candidate in candidates))
    raise _fail(path, f"no such file (looked in {where})")


def _module_name(file: Path) -> str:
    """A module name of its own for each file, recognisable in tracebacks."""
    stem = re.sub(r"\W", "_", file.stem)
    digest = hashlib.sha256(str(file).encode()).hexdigest()[:12]
    return f"player_file_{stem}_{digest}"


def _import(path: str, file: Path) -> ModuleType:
    name = _module_name(file)
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise _fail(path, "is not a Python source file (expected a name ending in .py)")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        sys.modules.pop(name, None)
        where = f"line {error.lineno}" if error.filename in (None, str(file)) else f"{error.filename} line {error.lineno}"
        raise _fail(path, f"syntax error at {where}: {error.msg}") from None
    except OSError as error:
        sys.modules.pop(name, None)
        raise _fail(path, f"cannot be read: {error.strerror or error}") from None
    except (Exception, SystemExit) as error:  # noqa: BLE001 - a participant's file: any failure is its own, told in one line
        sys.modules.pop(name, None)
        raise _fail(path, f"raised {type(error).__name__} while loading: {error}") from None
    return module


def load_strategy(path: str, players: GamePlayers) -> object:
    """The strategy that the player file at `path` makes for the game of `players`; PlayerLoadError if there is none."""
    return _load(path, find_player_file(path), players)


def _load(path: str, file: Path, players: GamePlayers) -> object:
    module = _import(path, file)
    factory = getattr(module, FACTORY, None)
    if factory is None:
        raise _fail(path, f"defines no {FACTORY}()")
    if not callable(factory):
        raise _fail(path, f"{FACTORY} is not a function but {type(factory).__name__}")
    try:
        strategy = factory()
    except (Exception, SystemExit) as error:  # noqa: BLE001 - a participant's factory: any failure is its own, told in one line
        raise _fail(path, f"{FACTORY}() raised {type(error).__name__}: {error}") from None
    base = players.strategy_base
    if not isinstance(strategy, base):
        shown = shorten(repr(strategy), 40)
        what = f"a {base.__name__} of {players.game} ({base.__module__}.{base.__name__})"
        raise _fail(path, f"{FACTORY}() returned {shown} of type {type(strategy).__name__}, not {what}")
    return strategy


def make_local_player(kind: str, name: str, path: str, players: GamePlayers) -> Participant:
    """The player `name` of `kind`: from the file at `path`, or the built-in one of `kind` when `path` is ""."""
    if not players.is_kind(kind):
        raise PlayerLoadError(f"player {name!r}: unknown kind {kind!r}, expected one of {players.kind_list()}")
    if not players.is_name(name):
        raise PlayerLoadError(f"player {name!r}: a name is {players.name_rule}")
    if not path:
        return players.local_player(name, players.built_in(kind), None)
    file = find_player_file(path)
    return players.local_player(name, _load(path, file, players), file)
