"""The fgw door's judgement of an upgrade request `GET /<match-id>?participant=<name>` with `Authorization: <token>`. Pure.

A request is admitted when its match id is one of the listed matches, not
played yet, its participant plays in it, and the participants file
(Remote/participants.py) takes the name with the token; it is then the
sign-up `["sign-up", name, token]`. Any other request is refused, and every
refusal has the same text (REFUSAL), so an outsider learns nothing of who
plays in which match (the websocket IPD server's refusals say which check
failed). The real reason is for the organiser's log, in the words of a
refused sign-up (`Remote.participants.refused`): the name claimed and the
address, never a token; a match id that is not one of ours is not shown
either (a UUID is shaped like a token).
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence

import attrs

from Common.participant import SIGN_UP
from Remote.ipd.fgw_matches import FgwMatch, FgwMatches
from Remote.participants import Participants, refused

REFUSAL = "request refused: no such match for this participant and token, or the match is over"
"""The text of every refusal of the fgw door, whatever the cause."""
_PART = r"[A-Za-z0-9_-]"
PARTICIPANT = "participant"


@attrs.frozen
class Admitted:
    """A request admitted: its sign-up and its match."""

    sign_up: list[str]
    match: FgwMatch


@attrs.frozen
class Refused:
    """A request refused; `why` is for the organiser's log (no token in it)."""

    why: str


def _plain(text: str) -> bool:
    """Whether `text` has the characters the websocket IPD server allows in a match id or a name (1 to 36 of them)."""
    return 1 <= len(text) <= 36 and all(character.isascii() and (character.isalnum() or character in "_-") for character in text)


def judge_request(
    path: str,
    query: Mapping[str, Sequence[str]],
    authorization: str | None,
    address: str,
    matches: FgwMatches,
    participants: Participants,
    played: Container[str],
) -> Admitted | Refused:
    """Whether the upgrade request for `path` and `query`, with `authorization`, from `address`, opens a match."""
    names = query.get(PARTICIPANT, [])
    name = names[0] if len(names) == 1 else None
    match_id = path[1:] if path.startswith("/") else ""
    if name is None or not _plain(name):
        return Refused(refused(name, address, f'fgw: the URL has no single plain "{PARTICIPANT}"'))
    if "/" in match_id or not _plain(match_id):
        return Refused(refused(name, address, "fgw: the URL's path is not a plain match id", name in participants))
    match = matches.by_id(match_id)
    if match is None:
        return Refused(refused(name, address, f"fgw: no match has that id (not shown: {len(match_id)} characters)", name in participants))
    if name not in match.players:
        return Refused(refused(name, address, f"fgw: it asked for match {match_id}, {match.first} vs {match.second}", name in participants))
    if match_id in played:
        return Refused(refused(name, address, f"fgw: match {match_id} is over", True))
    verdict = participants.judge([SIGN_UP, name, authorization], address)
    if verdict.name is None:
        return Refused(verdict.refusal or refused(name, address, "fgw: refused", True))
    return Admitted([SIGN_UP, name, authorization or ""], match)
