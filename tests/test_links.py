"""Every link in the repository's Markdown files leads somewhere inside the repository.

A reader of a fresh clone follows the READMEs and the documents in `docs/`:
a relative link must name a file or directory that exists, must not leave
the repository (`../` past its root), and a link to a heading
(`file.md#section`, or `#section` within the same file) must name a heading
of that file, by GitHub's rule for heading anchors. Links to the web
(`http:`, `https:`, `mailto:`) are not followed. Links inside code (fenced
blocks and backtick spans) are not links.

The files are the Markdown files git knows of, tracked or new but not
ignored; without git, the tree is walked, skipping the virtual environment,
git's own directory and caches.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote

import attrs
import pytest

ROOT = Path(__file__).resolve().parent.parent
WEB_SCHEMES = ("http:", "https:", "mailto:")
SKIPPED_DIRECTORIES = frozenset({".git", ".venv", "venv", "__pycache__", ".pytest_cache", ".hypothesis", "build"})

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)")
_REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)", re.MULTILINE)
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_HTML_ANCHOR = re.compile(r"<a\s[^>]*\b(?:name|id)\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@attrs.frozen
class BrokenLink:
    """`link`, in the Markdown file `source` (relative to the root), does not work because of `why`."""

    source: str
    link: str
    why: str

    def __str__(self) -> str:
        return f"{self.source}: ({self.link}) {self.why}"


# ---------------------------------------------------------------------------
# Reading Markdown


def _prose_lines(text: str) -> list[str]:
    """The lines of `text`, with the lines of fenced code blocks blanked out."""
    lines = []
    fence: str | None = None
    for line in text.splitlines():
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening[1]
            lines.append("")
        elif fence is not None:
            if line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
                fence = None
            lines.append("")
        else:
            lines.append(line)
    return lines


def code_spans(text: str) -> list[str]:
    """The text of every backtick code span of Markdown `text`, in order, leaving out fenced blocks."""
    return [span[2] for span in _CODE_SPAN.finditer("\n".join(_prose_lines(text)))]


def link_targets(text: str) -> list[str]:
    """The targets of the links and images in Markdown `text`, in order, leaving out those inside code."""
    prose = _CODE_SPAN.sub(lambda span: " " * len(span[0]), "\n".join(_prose_lines(text)))
    found = [(match.start(), match[1]) for match in _INLINE_LINK.finditer(prose)]
    found += [(match.start(), match[1]) for match in _REFERENCE_DEFINITION.finditer(prose)]
    return [target[1:-1] if target.startswith("<") else target for _, target in sorted(found)]


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: markup dropped, lowercase, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    text = text.replace("`", "").replace("*", "")
    text = re.sub(r"(?<!\w)_+|_+(?!\w)", "", text)  # _emphasis_, but not snake_case
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every anchor a link into Markdown `text` may name: its headings' slugs (repeats numbered) and HTML anchors."""
    result: set[str] = set()
    seen: dict[str, int] = {}
    lines = _prose_lines(text)
    for index, line in enumerate(lines):
        heading = None
        atx = _ATX_HEADING.match(line)
        if atx:
            heading = atx[2] or ""
        elif index > 0 and lines[index - 1].strip() and _SETEXT_UNDERLINE.match(line):
            previous = lines[index - 1]
            if not _ATX_HEADING.match(previous) and "|" not in previous and not previous.lstrip().startswith(("*", "-", "+")):
                heading = previous.strip()
        if heading is not None:
            base = slug(heading)
            count = seen.get(base, 0)
            seen[base] = count + 1
            result.add(base if count == 0 else f"{base}-{count}")
        result.update(_HTML_ANCHOR.findall(line))
    return result


# ---------------------------------------------------------------------------
# Checking


def markdown_files(root: Path) -> list[Path]:
    """The Markdown files of the repository at `root`: git's tracked and untracked-but-not-ignored ones."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", "*.md"],
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return markdown_files_by_walking(root)
    paths = {root / name for name in listed.decode().split("\0") if name}
    return sorted(path for path in paths if path.is_file())


def markdown_files_by_walking(root: Path) -> list[Path]:
    """The Markdown files under `root`, skipping virtual environments, git's directory and caches."""
    found = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if d not in SKIPPED_DIRECTORIES and not d.endswith(".egg-info"))
        found += [Path(directory) / name for name in files if name.endswith(".md")]
    return sorted(found)


def check_links(root: Path, files: Iterable[Path]) -> list[BrokenLink]:
    """Every link in `files` (Markdown files under `root`) that does not work, with the reason."""
    root = root.resolve()
    broken = []
    anchors_of: dict[Path, set[str]] = {}

    def anchors_in(path: Path) -> set[str]:
        if path not in anchors_of:
            anchors_of[path] = anchors(path.read_text(encoding="utf-8"))
        return anchors_of[path]

    for path in files:
        path = path.resolve()
        source = path.relative_to(root).as_posix()
        for link in link_targets(path.read_text(encoding="utf-8")):
            why = _why_broken(root, path, link, anchors_in)
            if why is not None:
                broken.append(BrokenLink(source, link, why))
    return broken


def _why_broken(root: Path, source: Path, link: str, anchors_in) -> str | None:
    if link.lower().startswith(WEB_SCHEMES):
        return None
    if _SCHEME.match(link) or link.startswith("//"):
        return "is neither relative nor on the web"
    address, _, fragment = link.partition("#")
    address = unquote(address.split("?", 1)[0])
    if not address and not fragment:
        return "is empty"
    if not address:
        relative = source.relative_to(root).as_posix()  # "#section": a heading of this very file
    elif address.startswith("/"):
        relative = os.path.normpath(address.lstrip("/"))  # GitHub reads "/x" from the repository's root
    else:
        relative = os.path.normpath(os.path.join(source.parent.relative_to(root), address))
    if relative == ".." or relative.startswith("../") or os.path.isabs(relative):
        return "leaves the repository"
    target = root / relative
    if not target.exists():
        return f"names {relative}, which does not exist"
    if (
        fragment
        and target.is_file()
        and target.suffix.lower() == ".md"
        and unquote(fragment).lower() not in {anchor.lower() for anchor in anchors_in(target)}
    ):
        return f"names the heading #{fragment}, which {target.relative_to(root).as_posix()} does not have"
    return None


# ---------------------------------------------------------------------------
# The repository


def test_every_link_in_the_repository_leads_to_a_file_and_heading_inside_it() -> None:
    files = markdown_files(ROOT)
    assert any(path.name == "README.md" and path.parent == ROOT for path in files)
    broken = check_links(ROOT, files)
    assert not broken, "broken links in Markdown files:\n" + "\n".join(map(str, broken))


def test_the_protocol_document_is_linked_from_the_readme() -> None:
    targets = link_targets((ROOT / "README.md").read_text(encoding="utf-8"))
    assert any(target.split("#")[0] == "docs/santorini-protocol.md" for target in targets)


# ---------------------------------------------------------------------------
# The checker itself


def _write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_checker_names_each_broken_link_and_passes_the_good_ones(tmp_path: Path) -> None:
    repository = tmp_path / "repository"
    _write(repository, "docs/guide.md", "# Guide\n\n## 4. The conversation\n\n### Telling the server's messages apart\n")
    _write(repository, "Remote/code.py", "")
    _write(
        repository,
        "README.md",
        "\n".join(
            [
                "Good: [guide](docs/guide.md), [a section](docs/guide.md#4-the-conversation),",
                "[another](docs/guide.md#telling-the-servers-messages-apart), [a directory](Remote/),",
                '[code](Remote/code.py "a title"), [the web](https://example.org/x.md), [mail](mailto:a@b.c).',
                "Broken: [gone](docs/missing.md), [outside](../shared/spec/santorini.md),",
                "[no heading](docs/guide.md#5-misbehaviour), [here](#nowhere).",
                "Not links: `[code](nowhere.md)`, and",
                "```",
                "[fenced](nowhere-either.md)",
                "```",
                "[ref]: ../../outside.md",
            ]
        ),
    )
    _write(repository, ".venv/lib/README.md", "[skipped](../../../../nowhere.md)")

    files = markdown_files_by_walking(repository)

    assert [path.relative_to(repository).as_posix() for path in files] == ["README.md", "docs/guide.md"]
    assert check_links(repository, files) == [
        BrokenLink("README.md", "docs/missing.md", "names docs/missing.md, which does not exist"),
        BrokenLink("README.md", "../shared/spec/santorini.md", "leaves the repository"),
        BrokenLink("README.md", "docs/guide.md#5-misbehaviour", "names the heading #5-misbehaviour, which docs/guide.md does not have"),
        BrokenLink("README.md", "#nowhere", "names the heading #nowhere, which README.md does not have"),
        BrokenLink("README.md", "../../outside.md", "leaves the repository"),
    ]


def test_a_link_from_a_subdirectory_may_go_up_but_not_out(tmp_path: Path) -> None:
    _write(tmp_path, "README.md", "# Top\n")
    source = _write(tmp_path, "docs/README.md", "[up](../README.md#top) [out](../../README.md)")

    assert check_links(tmp_path, [source]) == [BrokenLink("docs/README.md", "../../README.md", "leaves the repository")]


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("4. The conversation", "4-the-conversation"),
        ("Telling the server's messages apart", "telling-the-servers-messages-apart"),
        ("The last message: Kicked", "the-last-message-kicked"),
        ("`xserver` — the server", "xserver--the-server"),
        ("An *empty* Results or [a link](x.md)", "an-empty-results-or-a-link"),
        ("snake_case stays", "snake_case-stays"),
    ],
)
def test_headings_get_githubs_anchors(heading: str, anchor: str) -> None:
    assert slug(heading) == anchor


def test_repeated_headings_are_numbered_and_code_blocks_hold_none() -> None:
    text = "# Notes\n\n## Notes\n\n```\n# not a heading\n```\n\nSetext\n------\n"

    assert anchors(text) == {"notes", "notes-1", "setext"}
