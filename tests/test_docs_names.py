"""Every dotted name of ours that a Markdown file writes in a code span exists.

A reader who meets `Player.santorini.strategy.Strategy` in a README looks it
up, or imports it: every code span of every Markdown file git knows of (the
READMEs, `docs/`) is searched for dotted names rooted at one of our packages
(Common, Admin, Player, Remote), such as `Remote.rebuild_exports` or
`Common.strict.show(value)`, and each must import: the longest prefix that
is a module, then attribute by attribute (a field of a class counts).
"""

from __future__ import annotations

import importlib
import re

import attrs

from tests.test_links import ROOT, code_spans, markdown_files

PACKAGES = ("Common", "Admin", "Player", "Remote")
DOTTED = re.compile(rf"(?<![\w./-])(?:{'|'.join(PACKAGES)})(?:\.[A-Za-z_]\w*)+")
DIRECTORIES = (*PACKAGES, "bench", "docs", "tests", "server-tests", "client-tests")
PLACEHOLDER = re.compile(r"\bN\b")
"""`server-tests/N-in.json`: N stands for any number."""
PATH = re.compile(rf"(?:{'|'.join(DIRECTORIES)})/[\w./-]*")


def dotted_names(text: str) -> list[str]:
    """The dotted names rooted at our packages in the code spans of Markdown `text`, in order."""
    return [name for span in code_spans(text) for name in DOTTED.findall(span)]


def paths(text: str) -> list[str]:
    """The code spans of Markdown `text` that are a path inside one of our directories, such as `Player/loader.py`."""
    return [span for span in code_spans(text) if PATH.fullmatch(span)]


def why_unresolved(name: str) -> str | None:
    """None if `name` imports; otherwise what is missing."""
    parts = name.split(".")
    for length in range(len(parts), 0, -1):
        module_name = ".".join(parts[:length])
        try:
            found = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name is not None and not module_name.startswith(error.name):
                raise  # the module exists but one of its imports does not: our bug, not the document's
            continue
        break
    else:
        return f"no module {parts[0]}"
    for index in range(length, len(parts)):
        attribute = parts[index]
        if hasattr(found, attribute):
            found = getattr(found, attribute)
        elif attribute in getattr(found, "__annotations__", {}) or (attrs.has(found) and attribute in attrs.fields_dict(found)):
            return None  # a field of a class, a value only its instances hold
        else:
            return f"{'.'.join(parts[:index])} has no {attribute}"
    return None


def test_a_dotted_name_is_found_in_a_code_span_only() -> None:
    text = "See `Remote.rebuild_exports` and `python -m Remote.tokens FILE`, not Remote.nothing.\n```\nCommon.fenced\n```\n"
    assert dotted_names(text) == ["Remote.rebuild_exports", "Remote.tokens"]
    assert dotted_names("`Common.strict.show(value)` and `Player/santorini/README.md`") == ["Common.strict.show"]


def test_a_name_that_does_not_exist_is_said_to_be_missing() -> None:
    assert why_unresolved("Common.strict.show") is None
    assert why_unresolved("Remote.game_description.Game.read_settings") is None
    assert why_unresolved("Player.strategy.Strategy") == "Player has no strategy"
    assert why_unresolved("Common.strict.nothing") == "Common.strict has no nothing"


def test_every_dotted_name_in_the_documents_exists() -> None:
    files = markdown_files(ROOT)
    assert any(path.name == "README.md" and path.parent == ROOT for path in files)
    missing = [
        f"{path.relative_to(ROOT).as_posix()}: `{name}`: {why}"
        for path in files
        for name in dotted_names(path.read_text(encoding="utf-8"))
        if (why := why_unresolved(name)) is not None
    ]
    assert not missing, "names that do not exist:\n" + "\n".join(missing)


def test_every_path_in_a_code_span_exists() -> None:
    missing = [
        f"{path.relative_to(ROOT).as_posix()}: `{span}`"
        for path in markdown_files(ROOT)
        for span in paths(path.read_text(encoding="utf-8"))
        if not any(ROOT.glob(PLACEHOLDER.sub("*", span)))
    ]
    assert not missing, "paths that do not exist:\n" + "\n".join(missing)
