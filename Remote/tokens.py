"""The organiser's token generator: `python -m Remote.tokens PARTICIPANTS.csv [--digests DIGESTS.csv]`.

A participants file is CSV with the header `participant,token`, one row per
participant (the websocket IPD server's format, which xserver's
"participants" key reads). The generator fills every empty token with a
fresh secret from `secrets` (TOKEN_BYTES random bytes, URL-safe base64: 32
characters of `[A-Za-z0-9_-]`, 192 bits), keeps every participant and every
existing token as it is (the rows are written anew, lines ending in "\n"),
and replaces the file atomically (a temporary file in the same directory,
mode 0600, then a rename), so that a crash never leaves half a file. With
`--digests` it also writes `participant,sha256`, the hex SHA-256 of every
token, which xserver accepts instead of the plain tokens.

Nothing secret reaches the terminal: the one line it prints holds counts
only, and a message about a bad file names its line and what is wrong with
it, never a token. Exit status: 0 done, 2 a bad file or argument (one line).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import secrets
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import attrs

from Common.participant import TOKEN_RULE, is_token
from Remote.participants import DIGEST_HEADER, TOKEN_HEADER, digest, shown_name

PROGRAM = "python -m Remote.tokens"
HEADER = TOKEN_HEADER
TOKEN_BYTES = 24
"""Random bytes per generated token: 192 bits, 32 characters once encoded."""
NAME_RULE = "1 to 64 letters, digits, '_' or '-'"
"""What every game's names are made of (each game's own rule is narrower; xserver checks it)."""
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
EXIT_DONE, EXIT_BAD = 0, 2

DESCRIPTION = """\
Fills every empty token of a participants file (CSV with the header
"participant,token", one row per participant) with a fresh random token of
32 characters from [A-Za-z0-9_-] (192 bits from Python's secrets), keeps
every existing token as it is, and rewrites the file in place, atomically,
readable by its owner only (mode 0600). Give each participant its token; it
goes into the fourth element of its xclients player entry:
[Kind, Name, PathString, Token].

Nothing secret is printed: one line of counts on standard output. A bad file
(no header, a row that is not "participant,token", a participant twice, a
name outside 1 to 64 letters, digits, '_' or '-', a token outside 16 to 128
of the same) is refused in one line naming its line number, and nothing is
written."""

EPILOG = """\
example:
  printf 'participant,token\\nalice,\\nbob,\\n' > participants.csv
  python -m Remote.tokens participants.csv --digests digests.csv
  -> filled 2 empty tokens of 2 participants; wrote digests for 2

xserver takes either file as "participants"; with the digest file the plain
tokens need not be on the server at all.

exit status: 0 done, 2 a bad file or argument"""


class BadFile(Exception):
    """A participants file this command refuses; the message is one line, with no token in it."""


@attrs.frozen
class Row:
    """One participant of a file: its name, its token ("" while it has none), the line it is on."""

    participant: str
    token: str = attrs.field(repr=False)
    line: int


def read_participants(text: str, where: str) -> list[Row]:
    """The rows of a participants file's `text`; BadFile naming the line (in `where`) of the first fault."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise BadFile(f"{where}: empty file: expected the header participant,token on line 1")
        if tuple(header) == DIGEST_HEADER:
            raise BadFile(f"{where} line 1: a digest file (participant,sha256) holds no tokens to fill: give the participant,token file")
        if tuple(header) != HEADER:
            raise BadFile(f"{where} line 1: expected the header participant,token")
        rows: list[Row] = []
        first_line: dict[str, int] = {}
        for fields in reader:
            line = reader.line_num
            if not fields:
                continue  # a blank line
            if len(fields) != 2:
                raise BadFile(f"{where} line {line}: expected 2 fields, participant,token; got {len(fields)}")
            participant, token = fields
            if not _NAME.fullmatch(participant):
                shown = shown_name(participant, quoted=True)
                raise BadFile(f"{where} line {line}: the participant's name must be {NAME_RULE}, got {shown}")
            if participant in first_line:
                shown = shown_name(participant, quoted=True)
                raise BadFile(f"{where} line {line}: participant {shown} again (first on line {first_line[participant]})")
            if token and not is_token(token):
                raise BadFile(
                    f"{where} line {line}: the token of {shown_name(participant, quoted=True)} must be {TOKEN_RULE} or empty, "
                    f"got {len(token)} characters (not shown: it is a secret)"
                )
            first_line[participant] = line
            rows.append(Row(participant, token, line))
    except csv.Error as error:
        raise BadFile(f"{where} line {reader.line_num}: not CSV: {error}") from None
    return rows


def new_token() -> str:
    """A fresh random token: TOKEN_BYTES bytes from `secrets`, URL-safe base64 without padding."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def fill(rows: Sequence[Row]) -> tuple[list[Row], int]:
    """`rows` with every empty token filled, and how many were; a fresh token never repeats one in the file."""
    taken = {row.token for row in rows if row.token}
    filled, count = [], 0
    for row in rows:
        if row.token:
            filled.append(row)
            continue
        token = new_token()
        while token in taken:
            token = new_token()
        taken.add(token)
        count += 1
        filled.append(attrs.evolve(row, token=token))
    return filled, count


def csv_text(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A CSV file's text: `header`, then one line per row, lines ending in "\\n"."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` by a file holding `text`, readable by its owner only: a temporary file, then a rename."""
    target = Path(os.path.realpath(path))
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def arguments_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROGRAM, description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "participants", metavar="PARTICIPANTS.csv", type=Path, help="the participants file (participant,token) to fill in place"
    )
    parser.add_argument(
        "--digests",
        metavar="DIGESTS.csv",
        type=Path,
        help="also write participant,sha256 here: the hex SHA-256 of every token, which xserver accepts instead of the plain tokens",
    )
    return parser


def run(participants: Path, digests: Path | None) -> str:
    """Fill the file `participants` (and write `digests`); the line of counts to print. BadFile, OSError."""
    if digests is not None and os.path.realpath(digests) == os.path.realpath(participants):
        raise BadFile(f"{digests}: the digest file cannot be the participants file")
    try:
        text = participants.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadFile(f"{participants}: not UTF-8 text (byte {error.start})") from None
    rows, count = fill(read_participants(text, str(participants)))
    if count:
        write_atomically(participants, csv_text(HEADER, [(row.participant, row.token) for row in rows]))
    said = f"filled {count} empty token{'' if count == 1 else 's'} of {len(rows)} participant{'' if len(rows) == 1 else 's'}"
    if not count:
        said += f"; {participants} is unchanged"
    if digests is not None:
        write_atomically(digests, csv_text(DIGEST_HEADER, [(row.participant, digest(row.token).hex()) for row in rows]))
        said += f"; wrote digests for {len(rows)}"
    return said


def main(argv: Sequence[str] | None = None) -> int:
    """The command: arguments, the file, one line of counts; the exit status."""
    options = arguments_parser().parse_args(argv)
    try:
        print(run(options.participants, options.digests))
    except BadFile as error:
        print(f"tokens: {error}", file=sys.stderr)
        return EXIT_BAD
    except OSError as error:
        print(f"tokens: {error.filename or options.participants}: {error.strerror or error}", file=sys.stderr)
        return EXIT_BAD
    return EXIT_DONE


if __name__ == "__main__":
    sys.exit(main())
