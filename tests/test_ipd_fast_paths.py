"""The per-round fast paths of the IPD server agree with the strict paths they shortcut, byte for byte and failure for failure.

* `JSONStreamDecoder.take_known` against `next_value`: any bytes, cut
  anywhere, any limits: what it takes is what `next_value` would return, and
  every later answer (values, errors and their byte positions) is the same.
* A PlayerConversation whose rules know the replies (`IPDReplyRules`) and
  which is asked with `ask_quietly` first (the flat path's way) against one
  whose rules know none, asked with `ask`: any interleaving of requests,
  replies (on time, late, early, twice, malformed, split), time-outs, the
  end of the stream and the kick gives the same results.
* `move_plan`'s request bytes are what `encode` makes of `["move", k, Prev]`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from Common.ipd.moves import PREVS, Prev
from Remote.framing import NEED_DATA, JSONStreamDecoder, ProtocolError, encode
from Remote.ipd.remote_player import IPDReplyRules, move_plan
from Remote.player_conversation import Answered, PlayerConversation, Request
from Remote.remote_participant import CallPlan

PROPERTY = settings(max_examples=300, deadline=None)

# --- the decoder ----------------------------------------------------------------------

flat_values = (
    st.integers(-5, 12)
    | st.text('Cd\u00e9\n"\\', max_size=3)
    | st.booleans()
    | st.none()
    | st.lists(st.integers(0, 12) | st.sampled_from(["C", "D", "c", "\u00e9"]) | st.none(), max_size=3)
)
"""Values with no array or object inside them: what a key of `take_known` may encode."""

fragments = st.one_of(
    flat_values.map(encode),
    st.sampled_from([b"\n", b" ", b"\r\n", b"\t", b'[1, "C"]\n', b'[1,"C"] \n', b"[[1]]\n", b"}", b'"\\', b"\xc3", b"\xff", b"7"]),
    st.binary(max_size=4),
)
"""Pieces of a stream: messages as `encode` writes them, near misses, white space, garbage."""


def _answer(decoder: JSONStreamDecoder, known: Mapping[bytes, Any] | None) -> tuple:
    """The next value as a reader asks for it: `take_known` first when `known`, then `next_value`; or the error."""
    try:
        if known is not None:
            entry = decoder.take_known(known)
            if entry is NEED_DATA:
                return ("need",)
            if entry is not None:
                return ("known", entry)
        value = decoder.next_value()
    except ProtocolError as error:
        return ("error", str(error), error.kind)
    return ("need",) if value is NEED_DATA else ("value", json.dumps(value))


def _other(decoder: JSONStreamDecoder, op: str, data: bytes) -> tuple:
    try:
        if op == "feed":
            decoder.feed(data)
            return ("fed",)
        if op == "pending":
            return ("pending", decoder.value_pending())
        decoder.close()
        return ("closed",)
    except (ProtocolError, RuntimeError) as error:
        return ("error", type(error).__name__, str(error))


@PROPERTY
@given(
    known_values=st.lists(flat_values, min_size=1, max_size=4),
    limit=st.integers(1, 24) | st.just(1 << 16),
    depth=st.integers(0, 2) | st.just(64),
    data=st.data(),
)
def test_take_known_takes_what_next_value_would_and_changes_nothing_after(
    known_values: list[Any], limit: int, depth: int, data: st.DataObject
) -> None:
    known = {encode(value): index for index, value in enumerate(known_values)}
    keys = sorted(known)
    pieces = st.one_of(
        st.sampled_from(keys),  # mostly whole messages that are known, ...
        st.sampled_from(keys),
        st.sampled_from(keys),
        st.sampled_from([b"\n", b" "]),
        st.tuples(st.sampled_from(keys), st.integers(0, 8)).map(lambda cut: cut[0][: cut[1]]),  # ... or cut anywhere
        st.tuples(st.sampled_from(keys), st.integers(0, 8)).map(lambda cut: cut[0][cut[1] :]),
        fragments,
    )
    kinds = st.sampled_from(["feed"] * 4 + ["next"] * 4 + ["pending"] * 2 + ["close"])
    ops = data.draw(st.lists(st.tuples(kinds, pieces), min_size=6, max_size=30))
    fast, slow = JSONStreamDecoder(limit, depth), JSONStreamDecoder(limit, depth)
    for op, piece in ops:
        if op == "next":
            got, expected = _answer(fast, known), _answer(slow, None)
            event(f"take_known: {got[0]}")
            if got[0] == "known":
                assert expected == ("value", json.dumps(known_values[got[1]])), (got, expected)
            else:
                assert got == expected
        else:
            assert _other(fast, op, piece) == _other(slow, op, piece)


def test_take_known_takes_one_whole_message_after_the_newline_of_the_last() -> None:
    decoder = JSONStreamDecoder(64)
    known = {b'[2,"C"]\n': "two"}
    decoder.feed(b'[1,"C"]\n')
    assert decoder.take_known(known) is None and decoder.next_value() == [1, "C"]
    assert not decoder.value_pending()
    assert decoder.take_known(known) is NEED_DATA
    decoder.feed(b'[2,"C"]\n')
    assert decoder.take_known(known) == "two"
    decoder.feed(b'[2,"C"]\n[2,"C"]\n')
    assert decoder.take_known(known) is None  # two messages: not the common case
    decoder.feed(b"}")
    assert decoder.next_value() == [2, "C"] and decoder.next_value() == [2, "C"]
    with contextlib.suppress(ProtocolError):
        decoder.next_value()
    assert decoder.take_known({b"}": 1}) is None


def test_take_known_leaves_to_next_value_what_the_limits_refuse() -> None:
    shallow = JSONStreamDecoder(64, max_depth=0)
    shallow.feed(b"[1]\n")
    assert shallow.take_known({b"[1]\n": 1}) is None
    short = JSONStreamDecoder(6)
    short.feed(b'[1,"C"]\n')
    assert short.take_known({b'[1,"C"]\n': 1}) is None


def test_after_take_known_the_newline_counts_towards_the_next_message() -> None:
    decoder = JSONStreamDecoder(8)
    decoder.feed(b'[1,"C"]\n')
    assert decoder.take_known({b'[1,"C"]\n': 1}) == 1
    decoder.feed(b'[1,"CD"]\n')  # 8 bytes, and the newline before them
    with contextlib.suppress(ProtocolError):
        decoder.next_value()
        raise AssertionError("a message of 9 bytes passed a limit of 8")


# --- the conversation -----------------------------------------------------------------


class _NoneKnown(IPDReplyRules):
    """The IPD's rules without the fast path: every reply is parsed and read."""

    def known_replies(self, request: Request) -> Mapping[bytes, Answered] | None:
        return None


def _read(move: Any) -> Any:
    return move


class Side:
    """One conversation as the shell drives it, and the second part of a value the client split across feeds."""

    def __init__(self, rules: IPDReplyRules, limit: int, quietly: bool = False) -> None:
        self.decoder = JSONStreamDecoder(limit)
        self.conversation = PlayerConversation(self.decoder, rules)
        self.rest = b""  # fed with the next arrival, or by `("rest", 0)`
        self.quietly = quietly  # asks with `ask_quietly` first, then with `ask` where it says None

    def do(self, op: tuple, asked: int | None) -> Any:
        what, conversation = op[0], self.conversation
        if what == "ask":
            if op[1] is None:
                call, plan = "start_match", CallPlan(["match", "bob"])
            else:
                call, plan = "move", move_plan(op[1], None if op[1] == 1 else PREVS["C", "D"])
            request = conversation.ask_quietly(call, plan.message, plan.read, plan.context) if self.quietly else None
            return conversation.ask(call, plan.message, plan.read, plan.context) if request is None else request
        if what == "sent":
            return conversation.sent()
        if what == "answer":
            return conversation.next_answer()
        if what == "timeout":
            conversation.timed_out()
            return None
        if what == "kick":
            return conversation.kick(op[1])
        if what == "end":
            self.feed(self.rest)
            with contextlib.suppress(ProtocolError):
                self.decoder.close()
            conversation.stream_ended()
            return None
        data = b"" if what == "rest" else op[1] if what == "feed" else _reply(op, asked)
        split = op[-1] or len(data)
        self.feed(self.rest + data[:split])
        self.rest = data[split:]
        return None

    def feed(self, data: bytes) -> None:
        with contextlib.suppress(ProtocolError):  # the decoder found garbage already: the conversation is out of play
            self.decoder.feed(data)


def _reply(op: tuple, asked: int | None) -> bytes:
    """The bytes of a reply `[round, move]`, the round relative to the one asked (or absolute), compact or spaced."""
    _, which, move, spaced, _ = op
    round_ = which if isinstance(which, int) else (asked or 1) + (which == "ahead")
    data = encode([round_, move])
    return data.replace(b",", b", ") if spaced else data


arrivals = st.sampled_from(
    [b"\n", b"\r\n", b'["error","it broke"]\n', b'["error",5]\n', b"7\n", b"}\n", b'[1,"C"', b'"]\n', b"]\n"]
) | st.binary(min_size=1, max_size=3)
splits = st.just(0) | st.integers(1, 6)
reply_ops = st.tuples(
    st.just("reply"),
    st.sampled_from(["asked", "asked", "asked", "ahead", 1, 2]),
    st.sampled_from(["C", "D", "D", "c"]),
    st.booleans(),
    splits,
)
good_reply = st.tuples(st.just("reply"), st.just("asked"), st.sampled_from(["C", "D"]), st.just(False), st.just(0))
arrival_ops = st.one_of(
    good_reply, good_reply, good_reply, good_reply, reply_ops, st.tuples(st.just("feed"), arrivals, splits), st.just(("rest", 0))
)
call = st.tuples(
    st.tuples(st.just("ask"), st.sampled_from([None, 1, 1, 2, 3, 3])).map(lambda op: [op]),
    st.sampled_from([[], [], [], [("sent",)]]) | st.lists(arrival_ops, max_size=1),
    st.sampled_from([[("sent",)], [("sent",)], []]),
    st.sampled_from([[good_reply_op] for good_reply_op in [("reply", "asked", "C", False, 0), ("reply", "asked", "D", False, 0)]])
    | st.lists(st.one_of(arrival_ops, st.just(("answer",))), max_size=3),
    st.lists(st.just(("answer",)), min_size=1, max_size=2),
    st.sampled_from([[], [], [("timeout",)]]),
).map(lambda parts: [op for part in parts for op in part])
"""One call as the shell makes it, with what arrives before and while it is asked; sometimes cut short or timed out."""
conversation_ops = st.lists(call, min_size=2, max_size=10).flatmap(
    lambda calls: st.sampled_from([[], [("end",)], [("kick", "too slow")]]).map(lambda last: [op for ops in calls for op in ops] + last)
)


def _can(state: str, op: tuple) -> bool:
    """Whether `op` is one the shell would make in `state` (the conversation asserts its own order)."""
    what = op[0]
    if what in ("ask", "kick"):
        return state == "idle"
    if what == "sent":
        return state == "asked"
    if what == "answer":
        return state == "awaiting"
    if what == "timeout":
        return state != "idle"
    return True


def _next_state(state: str, op: tuple, result: Any) -> str:
    what = op[0]
    if what == "ask":
        return "asked" if isinstance(result, bytes) else "idle"
    if what == "sent":
        return "idle" if result is not None else "awaiting"
    if what == "answer":
        return "awaiting" if result is NEED_DATA else "idle"
    if what == "timeout":
        return "idle"
    return state


@PROPERTY
@given(conversation_ops, st.integers(8, 64))
def test_a_conversation_that_knows_the_replies_says_what_one_that_parses_them_says(ops: list[tuple], limit: int) -> None:
    fast, slow = Side(IPDReplyRules(), limit, quietly=True), Side(_NoneKnown(), limit)
    state, asked = "idle", None
    for op in ops:
        if not _can(state, op):
            continue
        got, expected = fast.do(op, asked), slow.do(op, asked)
        assert got == expected, op
        assert fast.conversation.out_of_play == slow.conversation.out_of_play
        event(f"conversation: {op[0]} {got!r}"[:40] if op[0] == "answer" else f"conversation: {op[0]}")
        if op[0] == "ask":
            asked = op[1]
        state = _next_state(state, op, got)


def test_the_rules_know_the_two_replies_of_the_round_asked_while_nothing_is_owed() -> None:
    rules = IPDReplyRules()
    request = Request("move", _read, 7)
    assert rules.known_replies(request) == {b'[7,"C"]\n': Answered("C"), b'[7,"D"]\n': Answered("D")}
    rules.owed.forfeit(3)
    assert rules.known_replies(request) is None
    assert IPDReplyRules().known_replies(Request("start_match", None)) is None


# --- the request ----------------------------------------------------------------------


@given(st.integers(-3, 10**20) | st.booleans() | st.just(2.0), st.sampled_from([None, *PREVS.values()]))
def test_the_move_request_is_what_encode_writes(round_: Any, prev: Prev | None) -> None:
    plan = move_plan(round_, prev)
    message = plan.message if isinstance(plan.message, bytes) else encode(plan.message)
    assert message == encode(["move", round_, None if prev is None else [prev.mine, prev.theirs]])
    assert plan.context == round_ and plan.read is not None and plan.read("D") == "D"
