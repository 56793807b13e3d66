"""The server's side of the conversation with one remote player, as a state machine: no I/O, no clock, no trio.

Modelled on h11: the shell (`Remote/remote_participant.py`) moves bytes and
owns the clock; this class decides. It is fed the bytes that came (into the
JSONStreamDecoder it shares with the shell's MessageChannel), asked for the
bytes to send, and says what happened, always as a value: an `Answered`
reply, a `Failure` (Common/participant.py) with its kind and its words, or
NEED_DATA. A failure is made here, once, where it is found, and travels
unchanged to the referee, the event log and the kick notice.

One call goes:

    ask(call, message, reply)   the bytes of the request, or the Failure that stops it
    sent()                      the shell wrote all of them
    next_answer()               Answered(value), a Failure, or NEED_DATA (read more, then ask again)
    timed_out()                 the call's time limit (the caller's) passed first

A value the client sent where none was asked is a failure (MALFORMED): one
waiting before a request, found by `ask` (the shell reads what waits in the
socket first), and one after an answer, found by `next_answer` in the bytes
already read. After the first failure of any kind, a time-out included, the
connection is out of play and every later call fails at once; `kick` gives
the last message, `["kicked", Reason]`, unless a request was cut short
(nothing can follow half a message).

What a game adds is its `ReplyRules`: how a reply is read, which values
that come unasked are late copies to discard, and whether a time-out leaves
the connection in play (the prisoner's dilemma's forfeits,
`Remote/ipd/remote_player.py`). The rules answer with values too: the
answer, DISCARD, or a `Fault` that this class turns into the Failure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs

from Common.participant import BROKEN, KICK_REASON_LIMIT, KICKED, MALFORMED, Failure
from Common.strict import StructureError, shorten, show
from Remote.framing import NEED_DATA, JSONStreamDecoder, ProtocolError, encode

DISCARD: Final = "discard"
"""What ReplyRules say of a value to drop without a word (a late copy of a forfeited reply)."""
UNASKED: Final = "UnexpectedMessage"
"""The word a failure for a value sent where none was expected carries, as the log has always written it."""


@attrs.frozen
class Fault:
    """What a game's rules find wrong with a value: the word the log uses for it, the words, the kind."""

    label: str
    message: str
    kind: str = MALFORMED


@attrs.frozen
class Answered:
    """The call's reply arrived and was read: `value` is the answer."""

    value: Any


@attrs.define
class Request:
    """A call in progress: its name, how its reply is read (None: no reply is due), and what the game keeps with it.

    Never changed once made; not frozen only because one is made per call, and a frozen one costs three times as much.
    """

    call: str
    read: Callable[[Any], Any] | None
    context: Any = None


class ReplyRules:
    """How a game reads what a connection sends. This one: one reply per request, read by the request's reader."""

    def reply(self, request: Request, value: Any) -> Any:
        """What `value`, arriving while `request` awaits its reply, is: the answer, DISCARD, or a Fault."""
        assert request.read is not None
        try:
            return request.read(value)
        except StructureError as error:
            return Fault("StructureError", str(error))

    def unasked(self, value: Any) -> Any:
        """What `value`, arriving while no reply is due, is: DISCARD or a Fault (None: the usual one)."""
        return None

    def begun_unasked_may_be_late(self) -> bool:
        """Whether a value still arriving where none is due may yet be a late copy (judged once whole)."""
        return False

    def timed_out(self, request: Request, awaiting: bool) -> bool:
        """`request`, sent whole, ran out of time (`awaiting`: while its reply was due): does the connection stay in play?"""
        return False

    def known_replies(self, request: Request) -> Mapping[bytes, Answered] | None:
        """The replies to `request` whose reading is known before they come, by the bytes of their message (None: none).

        A key is a whole message as `encode` writes it, one value with no
        array or object inside it; its entry is what `reply` would make of
        that value, now and until the call ends. The conversation takes such
        a reply without parsing it when it is all that came.
        """
        return None


ONE_REPLY_PER_REQUEST: Final = ReplyRules()


class PlayerConversation:
    """One connection's conversation with a player, as the server holds it; see the module's docstring."""

    def __init__(self, decoder: JSONStreamDecoder, rules: ReplyRules = ONE_REPLY_PER_REQUEST) -> None:
        self._decoder = decoder
        self._rules = rules
        self._request: Request | None = None
        self._awaiting = False  # the request went out whole and its reply is due
        self._cut = False  # a request's bytes went out only in part
        self._out: str | None = None  # why the connection is out of play
        self._stream_ended = False
        self._closed = False
        self._begun_early = False  # the next value began to arrive before the request went out
        self._known: Mapping[bytes, Answered] | None = None  # the awaited reply's known forms (ReplyRules.known_replies)

    @property
    def calling(self) -> bool:
        """Is a call in progress (asked, and not ended)?"""
        return self._request is not None

    @property
    def out_of_play(self) -> str | None:
        """Why every call now fails at once, or None while the connection is in play."""
        return self._out

    # --- one call -------------------------------------------------------------------

    def ask(self, call: str, message: Any, read: Callable[[Any], Any] | None = None, context: Any = None) -> bytes | Failure:
        """Begin `call`: the bytes of `message`, or the Failure that stops it (out of play, a value sent unasked).

        A `message` given as bytes is sent as it is: the caller made it as `encode` would.
        """
        if self._out is not None:
            return Failure(f"{call}: ChannelError: the connection is out of play: {self._out}", BROKEN)
        self._request = Request(call, read, context)
        self._begun_early = False
        failure = self._refuse_unasked(before=True)
        if failure is not None:
            return failure
        self._cut = True
        return message if type(message) is bytes else encode(message)

    def ask_quietly(self, call: str, message: Any, read: Callable[[Any], Any] | None = None, context: Any = None) -> bytes | None:
        """`ask` in the usual case only: in play, and no value read but not taken, whole or begun. None otherwise, and nothing changed.

        What it returns and the state it leaves are `ask`'s; where it says
        None, `ask` decides (a Failure, or a request with a value begun early).
        """
        if self._out is not None or self._decoder.value_pending():
            return None
        self._request = Request(call, read, context)
        self._begun_early = False
        self._cut = True
        return message if type(message) is bytes else encode(message)

    def has_unread(self) -> bool:
        """Whether the bytes read hold a value not taken yet, whole or begun (a WebSocket dialect may release a reply
        its client sent ahead as the request goes out: Remote/websocket.py)."""
        return self._decoder.value_pending()

    def sent(self) -> Answered | None:
        """All of the request went out: Answered(None) for a call without a reply, else None (the reply is due)."""
        self._cut = False
        request = self._request
        assert request is not None, "sent() without ask()"
        if request.read is None:
            self._request = None
            return Answered(None)
        self._awaiting = True
        self._known = self._rules.known_replies(request)
        return None

    def next_answer(self) -> Answered | Failure | Any:
        """The reply to the call in progress from the bytes fed so far: Answered, a Failure, or NEED_DATA."""
        request = self._request
        assert request is not None and self._awaiting, "next_answer() while no reply is due"
        if self._known is not None and not self._begun_early:  # the common case, decided without parsing
            answered = self._decoder.take_known(self._known)
            if answered is NEED_DATA:
                if self._stream_ended:
                    return self._fail("PeerClosed", "the peer closed the connection", BROKEN)
                return NEED_DATA
            if answered is not None:  # nothing came after it: no value unasked
                self._request, self._awaiting, self._known = None, False, None
                return answered
        while True:
            try:
                value = self._decoder.next_value()
            except ProtocolError as error:
                return self._fail("ProtocolViolation", str(error), MALFORMED)
            if value is NEED_DATA:
                if self._stream_ended:
                    return self._fail("PeerClosed", "the peer closed the connection", BROKEN)
                return NEED_DATA
            if self._begun_early:  # judged as what it was when it began: a value where none was due
                self._begun_early = False
                unasked = self._unasked_failure(value, before=True)
                if unasked is DISCARD:
                    continue
                return unasked
            verdict = self._rules.reply(request, value)
            if verdict is DISCARD:
                continue
            if isinstance(verdict, Fault):
                return self._fail(verdict.label, verdict.message, verdict.kind)
            self._awaiting, self._known = False, None
            failure = self._refuse_unasked(before=False)
            if failure is not None:
                return failure
            self._request = None
            return Answered(verdict)

    def timed_out(self) -> None:
        """The call's time limit passed before it ended (the caller makes the LATE failure, where the clock is).

        The connection is out of play, unless the game forgives a late reply.
        """
        request = self._request
        assert request is not None, "timed_out() without a call"
        if self._cut or not self._rules.timed_out(request, awaiting=self._awaiting):
            self._out = self._out or "after an earlier failure (Cancelled)"
        self._request, self._awaiting, self._known = None, False, None

    def broke(self, label: str, message: str, kind: str = BROKEN) -> Failure:
        """The shell could not move the bytes (`label`: the word for how, e.g. "ConnectionBroken"): the call fails."""
        return self._fail(label, message, kind)

    def stream_ended(self) -> None:
        """The client closed its side: nothing more will be fed."""
        self._stream_ended = True

    # --- the end --------------------------------------------------------------------

    def kick(self, reason: str) -> bytes | None:
        """The last message, `["kicked", reason]` cut to its limit, even after a failure; None when nothing may follow."""
        send = not self._closed and not self._cut
        self.close(f"kicked: {reason}")
        return encode([KICKED, shorten(reason, KICK_REASON_LIMIT)]) if send else None

    def close(self, why: str) -> None:
        """The connection is closed; later calls fail, saying `why` (unless it was out of play already)."""
        self._out = self._out or why
        self._closed = True

    # --- internals ------------------------------------------------------------------

    def _fail(self, label: str, message: str, kind: str) -> Failure:
        call = self._request.call if self._request is not None else "call"
        self._out = self._out or f"after an earlier failure ({label})"
        self._request, self._awaiting, self._known = None, False, None
        return Failure(f"{call}: {label}: {message}", kind)

    def _refuse_unasked(self, before: bool) -> Failure | None:
        """A Failure for a value the client sent where none was expected, if the bytes read hold one; late copies are dropped.

        A value still arriving that the game may yet find a late copy is judged once whole, as what it was
        when it began (`_begun_early` before a request).
        """
        decoder = self._decoder
        while True:
            try:
                if not decoder.value_pending():
                    return None
                value = decoder.next_value()
            except ProtocolError as error:
                return self._unasked(f"bytes that are no value ({error})", before)
            if value is NEED_DATA:
                if self._rules.begun_unasked_may_be_late():
                    self._begun_early = before
                    return None
                return self._unasked("the beginning of a value", before)
            failure = self._unasked_failure(value, before)
            if failure is not DISCARD:
                return failure

    def _unasked_failure(self, value: Any, before: bool) -> Any:
        """What `value`, come where none was due, is: DISCARD (a late copy) or the Failure."""
        verdict = self._rules.unasked(value)
        if verdict is DISCARD:
            return DISCARD
        if isinstance(verdict, Fault):
            return self._fail(verdict.label, verdict.message, verdict.kind)
        return self._unasked(show(value), before)

    def _unasked(self, sent: str, before: bool) -> Failure:
        when = "before it was asked for anything" if before else "after its answer"
        return self._fail(UNASKED, f"sent {sent} {when} (a value where none was expected)", MALFORMED)
