"""Participants and their tokens: who may sign up on a server with `"participants"`, and how a sign-up is judged.

The organiser's CSV file has the header `participant,token` (the websocket
IPD server's format) or `participant,sha256` (hex SHA-256 digests of the
tokens, so that no plain token need be on the server). It is read strictly:
a missing or other header, a row of other than two fields, a name that breaks
the game's name rule, a duplicate participant, an empty token, a token
outside `^[A-Za-z0-9_-]{16,128}$` or a digest that is not 64 hexadecimal
digits is an error naming the line. Only digests are kept; a token is
compared as a digest with `hmac.compare_digest`; no message here ever shows
a token.

With participants the only sign-up is `["sign-up", Name, Token]`, or
`["sign-up", Name, Token, Options]` with the options object of
Common.sign_up_options (read strictly once the token is right; options that
hold the token itself are refused, so that it never reaches the log as an
opponent's name). `judge` says who a first message signs up, with which
options, or why it is refused, in words fit for the log: the name it claimed
and its address, never its token. Failures are counted per source address and name: after
MAX_FAILURES within one window that name from that address is refused at
once until `new_window`. Unknown names and shapeless values are never
counted (nothing of anybody's is at stake), so nobody's failures lock out
another participant, even one behind the same address.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import attrs

from Common.participant import SIGN_UP, TOKEN_RULE, is_token
from Common.sign_up_options import NO_OPTIONS, SignUpOptions, read_sign_up_options
from Common.strict import show

TOKEN_HEADER = ("participant", "token")
DIGEST_HEADER = ("participant", "sha256")
MAX_FAILURES = 5
"""Failed sign-ups of one name from one address within one window before that pair is refused at once."""
GENERATOR_HINT = "python -m Remote.tokens"
_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")
_NOBODY = hashlib.sha256(b"nobody has this token").digest()
SHAPES = f'["{SIGN_UP}", Name, Token] or ["{SIGN_UP}", Name, Token, Options]'
"""The sign-ups a server with participants takes, as its messages say them."""


class ParticipantsError(ValueError):
    """A participants file that cannot be used: one line naming the file's line."""


def digest(token: str) -> bytes:
    """The SHA-256 digest of `token`, as the server keeps it."""
    return hashlib.sha256(token.encode("ascii")).digest()


def refused(claimed: object, address: str, why: str, participant: bool = False) -> str:
    """A refused sign-up in words for the log: the name it claimed (shown by `show`) and its address, never a token.

    A claimed name shaped like a token is not shown unless it is a
    `participant`'s: it may be a token sent where the name belongs.
    """
    if type(claimed) is not str:
        who = "no name"
    elif is_token(claimed) and not participant:
        who = f"a name shaped like a token (not shown: {len(claimed)} characters)"
    else:
        who = show(claimed)
    return f"the sign-up of {who} from {address} was refused: {why}"


def claimed_name(message: object) -> object:
    """The name a first message claims: a bare string, or the second element of a list; None if it claims none."""
    if type(message) is list and len(message) >= 2 and type(message[1]) is str:
        return message[1]
    return message if type(message) is str else None


@attrs.frozen
class Verdict:
    """What one first message amounts to: `name` signed up with `options`, or `refusal` says why not (without any token)."""

    name: str | None
    refusal: str | None = None
    options: SignUpOptions = NO_OPTIONS


def _any_name(value: object) -> bool:
    return type(value) is str and value != ""


@attrs.define
class Participants:
    """The participants' names and the digests of their tokens; the failed sign-ups of this window.

    `is_name` and `name_rule`, the game's rule for names, judge the name a sign-up's options ask for.
    """

    digests: Mapping[str, bytes]
    is_name: Callable[[object], bool] = _any_name
    name_rule: str = "the game's rule"
    _failures: dict[tuple[str, str], int] = attrs.field(factory=dict, init=False)

    def __contains__(self, name: object) -> bool:
        return name in self.digests

    def new_window(self) -> None:
        """A sign-up window opens: every failure is forgotten."""
        self._failures.clear()

    def judge(self, message: object, address: str) -> Verdict:
        """Who `message`, a connection's first message from `address`, signs up, or why it is refused (`refused`)."""
        if type(message) is str:
            if self._locked_out(address, message):
                return self._refused_at_once(address, message)
            return self._failed(message, address, f"a bare name; this server takes only {SHAPES}")
        if type(message) is not list or len(message) not in (3, 4) or message[0] != SIGN_UP:
            claimed = claimed_name(message)
            shape = f"{_shape(message)}, not {SHAPES}"
            return Verdict(None, refused(claimed, address, shape, claimed in self.digests))
        _, name, token, *options = message
        if type(name) is not str or name not in self.digests:
            return Verdict(None, refused(name, address, "not a participant"))
        if self._locked_out(address, name):
            return self._refused_at_once(address, name)
        if not is_token(token):
            return self._failed(name, address, f"{_shape(token)} that is not a token")
        if not hmac.compare_digest(digest(token), self.digests.get(name, _NOBODY)):
            return self._failed(name, address, "a wrong token")
        if not options:
            return Verdict(name)
        if token in json.dumps(options[0]):  # its token is made of characters JSON writes as they are
            return Verdict(
                None, refused(name, address, "its options hold its token (not shown): the token goes in the third place only", True)
            )
        try:
            return Verdict(name, options=read_sign_up_options(options[0], self.is_name, self.name_rule))
        except ValueError as error:
            return Verdict(None, refused(name, address, str(error), True))

    def _locked_out(self, address: str, name: str) -> bool:
        return self._failures.get((address, name), 0) >= MAX_FAILURES

    def _refused_at_once(self, address: str, name: str) -> Verdict:
        return Verdict(None, refused(name, address, f"it failed {MAX_FAILURES} times in this window: refused at once", True))

    def _failed(self, name: str, address: str, why: str) -> Verdict:
        if name in self.digests:
            key = (address, name)
            self._failures[key] = self._failures.get(key, 0) + 1
            if self._failures[key] == MAX_FAILURES:
                why += (
                    f"; that was its {MAX_FAILURES}th failure from this address in this window: "
                    "it is refused at once until the window closes"
                )
        return Verdict(None, refused(name, address, why, name in self.digests))


def _header_shape(header: list[str]) -> str:
    """A first line that is not the header, shown only if it holds no more than names (not a row with a token)."""
    if len(header) == 2 and header[0] == "participant" and header[1].isalnum() and len(header[1]) < 16:
        return repr(",".join(header))
    return f"a line of {len(header)} fields"


def _shape(value: object) -> str:
    """What kind of value `value` is, without showing any of its text (it may hold a token)."""
    if type(value) is list:
        return f"a list of {len(value)} elements"
    if type(value) is str:
        return f"a string of {len(value)} characters"
    if type(value) is dict:
        return "an object"
    return {bool: "a boolean", int: "a number", float: "a number", type(None): "null"}.get(type(value), "a value")


TOKEN_SHAPED_NAME = "a name shaped like a token (not shown: are the columns swapped?)"


def shown_name(name: str, quoted: bool = False) -> str:
    """A name of the organiser's participants file as a message shows it: never one shaped like a token.

    A row whose columns are swapped puts its token where the name goes; a
    refusal that quoted it would print the secret on the organiser's screen.
    """
    if is_token(name):
        return TOKEN_SHAPED_NAME
    return repr(name[:40]) if quoted else name


def read_participants(path: Path, is_name: Callable[[object], bool], name_rule: str) -> Participants:
    """The participants of the CSV file at `path`, names checked with the game's `is_name`; ParticipantsError."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ParticipantsError(f"cannot read the participants file {path}: {getattr(error, 'strerror', None) or error}") from None
    return parse_participants(text, str(path), is_name, name_rule)


def parse_participants(text: str, where: str, is_name: Callable[[object], bool], name_rule: str) -> Participants:
    """The participants of the CSV `text` (from `where`, for messages); ParticipantsError naming the line."""
    rows = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(rows, None)
    except csv.Error as error:
        raise ParticipantsError(f"{where} line 1: not CSV: {error}") from None
    if header is None or tuple(header) not in (TOKEN_HEADER, DIGEST_HEADER):
        raise ParticipantsError(
            f"{where} line 1: expected the header {','.join(TOKEN_HEADER)} or {','.join(DIGEST_HEADER)}, "
            f"got {'nothing' if header is None else _header_shape(header)}"
        )
    hashed = tuple(header) == DIGEST_HEADER
    digests: dict[str, bytes] = {}
    line = 1
    try:
        for row in rows:
            line = rows.line_num
            if not row:
                continue
            if len(row) != 2:
                raise ParticipantsError(f"{where} line {line}: expected 2 fields (participant and its {header[1]}), got {len(row)}")
            name, secret = row
            if not is_name(name):
                raise ParticipantsError(f"{where} line {line}: {shown_name(name, quoted=True)} is not a name of this game ({name_rule})")
            if name in digests:
                raise ParticipantsError(f"{where} line {line}: {shown_name(name)} is a participant already (a duplicate)")
            digests[name] = _digest_of(secret, hashed, shown_name(name), f"{where} line {line}")
    except csv.Error as error:
        raise ParticipantsError(f"{where} line {rows.line_num}: not CSV: {error}") from None
    return Participants(digests, is_name, name_rule)


def _digest_of(secret: str, hashed: bool, name: str, where: str) -> bytes:
    if secret == "":
        return _refuse_empty(hashed, name, where)
    if hashed:
        if not _HEX_DIGEST.fullmatch(secret):
            raise ParticipantsError(f"{where}: the sha256 of {name} is not 64 hexadecimal digits")
        return bytes.fromhex(secret)
    if not is_token(secret):
        raise ParticipantsError(f"{where}: the token of {name} is not {TOKEN_RULE} (it has {len(secret)} characters)")
    return digest(secret)


def _refuse_empty(hashed: bool, name: str, where: str) -> bytes:
    column = "sha256" if hashed else "token"
    raise ParticipantsError(f"{where}: {name} has an empty {column}; `{GENERATOR_HINT} FILE` fills in every empty token")
