"""A simple model of the server's conversation with one remote player (not tests): what each call must give, both games' rules.

Written from the docstrings of `Remote/player_conversation.py`,
`Remote/ipd/remote_player.py` and `Remote/ipd/owed.py` and the protocols'
sections on late replies, independent of the implementation: what came and
was not read yet is a plain list of Arrivals, the owed rounds a plain list.
A call's expected result is a tuple: ("bytes", b"..."), ("answer", value),
("none",), ("need",), ("fail", label, kind, words), ("kick", bytes or None).
"""

from __future__ import annotations

import json
from typing import Any

import attrs

BROKEN, MALFORMED = "broken", "malformed"
BEFORE, AFTER = "before it was asked for anything", "after its answer"
BEGUN_BEFORE_ITS_REQUEST_IS_UNASKED = True
"""The IPD: is a value begun before the request went out, finished after, judged as sent where none is due?

The protocol says so (docs/ipd-protocol.md: "a reply sent before its request" misbehaves; "a value that has
only begun to arrive is judged once it is complete"), and the conversation does (see
test_ipd_a_reply_pipelined_before_its_request_is_refused_however_its_bytes_are_split).
"""


@attrs.define
class Arrival:
    """A value the client sent, as the model reads it.

    `kind`: "reply" (the IPD's [round, move]), "error" (a well-formed
    ["error", why]), "bad error" (a malformed one), "garbage" (bytes that
    are no JSON value), or "other"; `answers`: under the default rules, the
    answer it is for each call that reads it (a call missing: not a reply
    to it). `whole`: false while only its beginning has come.
    """

    kind: str
    round: int = 0
    move: str = ""
    answers: dict[str, Any] = attrs.Factory(dict)
    whole: bool = True
    early: bool = False  # begun before the request went out


@attrs.define
class Asked:
    call: str
    round: int | None  # the IPD's round asked (None: not a move)
    reads: bool  # a reply is due
    state: str = "asked"  # "asked" (not all sent), "awaiting" (its reply is due)


def wire(value: Any) -> bytes:
    """A message as the server writes it: compact JSON, one line."""
    return (json.dumps(value, separators=(",", ":")) + "\n").encode()


class Model:
    """What the conversation must do, one call at a time; `ipd`: the IPD's rules, else the default (Santorini's)."""

    def __init__(self, ipd: bool) -> None:
        self.ipd = ipd
        self.pending: list[Arrival] = []  # came, not read yet, oldest first
        self.owed: list[int] = []  # forfeited rounds whose late reply may still come, oldest first
        self.request: Asked | None = None
        self.out = self.cut = self.closed = self.ended = False

    def ask(self, call: str, round_: int | None, reads: bool, message: Any) -> tuple:
        if self.out:
            return ("fail", f"{call}: ChannelError: ", BROKEN, "the connection is out of play")
        self.request = Asked(call, round_, reads)
        failure = self._unasked(BEFORE)
        if failure:
            return failure
        self.cut = True
        return ("bytes", wire(message))

    def sent(self) -> tuple:
        assert self.request is not None
        self.cut = False
        if not self.request.reads:
            self.request = None
            return ("answer", None)
        self.request.state = "awaiting"
        return ("none",)

    def next_answer(self) -> tuple:
        asked = self.request
        assert asked is not None
        while True:
            if not self.pending:
                return self._fail("PeerClosed", BROKEN) if self.ended else ("need",)
            came = self.pending[0]
            if came.kind == "garbage":
                return self._fail("ProtocolViolation", MALFORMED)
            if not came.whole:
                return ("need",)
            self.pending.pop(0)
            if came.early:
                failure = self._judged_unasked(came, BEFORE)
                if failure:
                    return failure
                continue
            if self.ipd and came.kind in ("error", "bad error"):
                return self._reported(came)
            if self.ipd and came.kind == "reply":
                if came.round in self.owed:
                    self._settle_owed(came.round)
                    continue  # the late copy of a forfeited round
                if came.round != asked.round:
                    return self._fail("WrongRound", MALFORMED)
                self.owed.clear()
                answer: Any = came.move
            elif self.ipd or asked.call not in came.answers:
                return self._fail("StructureError", MALFORMED)
            else:
                answer = came.answers[asked.call]
            failure = self._unasked(AFTER)
            if failure:
                return failure
            self.request = None
            return ("answer", answer)

    def timed_out(self) -> None:
        asked = self.request
        assert asked is not None
        if self.cut or not self.ipd or asked.round is None:
            self.out = True
        elif asked.state == "awaiting":
            self.owed.append(asked.round)
        self.request = None

    def kick(self, reason: str) -> tuple:
        send = not self.closed and not self.cut
        self.closed = self.out = True
        return ("kick", wire(["kicked", reason]) if send else None)

    def _unasked(self, when: str) -> tuple | None:
        """The failure for what came where no value is due, if anything did; the IPD's late copies dropped."""
        while self.pending:
            came = self.pending[0]
            if came.kind == "garbage":
                return self._fail("UnexpectedMessage", MALFORMED, when)
            if not came.whole:
                if not self.ipd:
                    return self._fail("UnexpectedMessage", MALFORMED, when)
                came.early = BEGUN_BEFORE_ITS_REQUEST_IS_UNASKED and when == BEFORE
                return None  # it may be a late copy: judged once whole
            self.pending.pop(0)
            failure = self._judged_unasked(came, when)
            if failure:
                return failure
        return None

    def _judged_unasked(self, came: Arrival, when: str) -> tuple | None:
        """The failure for `came`, sent where no value is due; None for a late copy, dropped."""
        if self.ipd and came.kind in ("error", "bad error"):
            return self._reported(came)
        if self.ipd and came.kind == "reply" and came.round in self.owed:
            self._settle_owed(came.round)
            return None
        return self._fail("UnexpectedMessage", MALFORMED, when)

    def _settle_owed(self, round_: int) -> None:
        """A late copy for `round_`: it and every round owed before it are no longer owed."""
        del self.owed[: self.owed.index(round_) + 1]

    def _reported(self, came: Arrival) -> tuple:
        return self._fail("ClientError", BROKEN) if came.kind == "error" else self._fail("StructureError", MALFORMED)

    def _fail(self, label: str, kind: str, words: str = "") -> tuple:
        self.out = True
        call = self.request.call if self.request else "call"
        self.request = None
        return ("fail", f"{call}: {label}: ", kind, words)
