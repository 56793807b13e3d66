"""The server's conversation with one remote player as a pure state machine, both games' rules: any interleaving against a simple model.

A Driver plays the trio shell's part without trio: it asks the
PlayerConversation for the bytes of a request, says when they went out (or
that the time limit cut them), feeds the client's values into the decoder
the conversation reads (whole, or split across two feeds), ends the stream
and kicks. Hypothesis draws any interleaving of these; the model
(`tests/player_conversation_model.py`) says what every call must give, and
the test compares. The examples the protocols name are plain tests.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from Common.fish.geometry import Action as FishAction
from Common.fish.geometry import Position
from Common.fish.wire import structure as fish_structure
from Common.participant import BROKEN, MALFORMED, Failure
from Common.santorini.actions import Action, GiveUp
from Common.santorini.geometry import Place
from Common.santorini.names import Name
from Common.santorini.wire import structure
from Remote.fish.remote_player import FishReplyRules, read_void
from Remote.framing import NEED_DATA, JSONStreamDecoder, ProtocolError, encode
from Remote.game_registry import GAMES
from Remote.ipd.remote_player import IPDReplyRules
from Remote.player_conversation import Answered, PlayerConversation, ReplyRules
from tests.player_conversation_model import AFTER, BEFORE, Arrival, Model
from tests.test_layout import ROOT, every_import

IMPURE = {"trio", "time", "socket", "select", "os", "asyncio", "threading"}
PROPERTY = settings(max_examples=250, deadline=None)
LIMIT = 4096


def _move(move: Any) -> Any:
    return move  # IPDReplyRules read the Move already


@attrs.frozen
class Kit:
    """A game's rules as the conversation meets them: its calls `(name, round, reader)` and the values a client may send."""

    game: str
    ipd: bool
    rules: Callable[[], ReplyRules]
    calls: list[tuple[str, int | None, Callable[[Any], Any] | None]]
    values: list[tuple[Any, Arrival]]
    good: dict[str, Any] = attrs.Factory(dict)  # without round numbers: a value that answers each call, by the call's name


JUNK = [7, None, "C", {"round": 1}, [9, 9], [0, "C"], [1, "X"], ["move", 1, None], [True, "C"], [1, "C", 2]]
ERRORS = [["error", "my strategy raised"], ["error", 5], ["error"]]
SANTORINI = Kit(
    "santorini",
    False,
    ReplyRules,
    [
        ("place_worker", None, lambda value: structure(value, Place)),
        ("take_turn", None, lambda value: structure(value, Action)),
        ("start_encounter", None, None),
    ],
    [(value, Arrival("other")) for value in [*JUNK, *ERRORS, [1, "D"], [2, "C"]]]
    + [
        ([1, 2], Arrival("other", answers={"place_worker": Place(1, 2)})),
        ([0, 5], Arrival("other", answers={"place_worker": Place(0, 5)})),
        ("alice", Arrival("other", answers={"take_turn": GiveUp(Name("alice"))})),
    ],
    good={"place_worker": [1, 2], "take_turn": "alice"},
)
IPD = Kit(
    "ipd",
    True,
    IPDReplyRules,
    [("move", 1, _move), ("move", 2, _move), ("move", 3, _move), ("start_match", None, None)],
    [(value, Arrival("other")) for value in [*JUNK, [1, 2], "alice"]]
    + [(ERRORS[0], Arrival("error"))]
    + [(value, Arrival("bad error")) for value in ERRORS[1:]],
)
FISH_PLACE, FISH_MOVE = [1, 2], [[0, 1], [2, 1]]
FISH = Kit(
    "fish",
    False,
    FishReplyRules,
    [
        ("place", None, lambda value: fish_structure(value, Position)),
        ("move", None, lambda value: fish_structure(value, FishAction)),
        ("assigned_color", None, read_void),
    ],
    [(value, Arrival("other")) for value in [*JUNK, *ERRORS, "alice", "Void"] if value != [9, 9]]
    + [
        (FISH_PLACE, Arrival("other", answers={"place": Position(1, 2)})),
        (FISH_MOVE, Arrival("other", answers={"move": FishAction(Position(0, 1), Position(2, 1))})),
        ("void", Arrival("other", answers={"assigned_color": None})),
    ],
    good={"place": FISH_PLACE, "move": FISH_MOVE, "assigned_color": "void"},
)
KITS = {kit.game: kit for kit in (SANTORINI, IPD, FISH)}


class Driver:
    """The shell's part, without trio or a clock: what it asks, sends, feeds; each step's result and the model's."""

    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        self.decoder = JSONStreamDecoder(LIMIT)
        self.conversation = PlayerConversation(self.decoder, kit.rules())
        self.model = Model(kit.ipd)
        self.rest = b""  # the second part of a value split across feeds

    def step(self, op: tuple) -> list[tuple[tuple, Any]]:
        """Do `op` if it can happen now: what the model expects and what the conversation gave, for each call made."""
        model, conversation = self.model, self.conversation
        what = op[0]
        if what == "ask" and model.request is None:
            call, round_, read = self.kit.calls[op[1] % len(self.kit.calls)]
            message = ["move", round_, None] if round_ else [call, "bob"]
            done = [(model.ask(call, round_, read is not None, message), conversation.ask(call, message, read, round_))]
            if op[2] and model.request is not None and same(*done[0]):  # the socket took it all at once
                done.append((model.sent(), conversation.sent()))
            return done
        if what == "send" and model.request is not None and model.request.state == "asked":
            return [(model.sent(), conversation.sent())]
        if what == "answer" and model.request is not None and model.request.state == "awaiting":
            return [(model.next_answer(), conversation.next_answer())]
        if what == "timeout" and model.request is not None:
            model.timed_out()
            conversation.timed_out()
            return []
        if what == "kick" and model.request is None:
            return [(model.kick(op[1]), conversation.kick(op[1]))]
        if model.ended:
            return []
        if what == "value":
            value, arrival = self.kit.values[op[1] % len(self.kit.values)]
            self.client_sends(encode(value), attrs.evolve(arrival), op[2])
        elif what == "reply" and not self.kit.ipd and (op[1] == "asked") == (model.request is not None):
            value = self.kit.good.get(model.request.call if model.request else "", next(iter(self.kit.good.values())))
            arrival = next(arrival for sent, arrival in self.kit.values if sent == value)
            self.client_sends(encode(value), attrs.evolve(arrival), op[3])
        elif what == "reply" and self.kit.ipd and (round_ := self.round_for(op[1])) is not None:
            self.client_sends(encode([round_, op[2]]), Arrival("reply", round_, op[2]), op[3])
        elif what == "garbage":
            self.client_sends(op[1], Arrival("garbage"), None)
        elif what == "end":
            self.feed_rest()
            with contextlib.suppress(ProtocolError):  # the garbage the conversation finds next
                self.decoder.close()
            conversation.stream_ended()
            model.ended = True
        return []

    def round_for(self, which: str | int) -> int | None:
        """The round of a reply the client sends: a number, or one relative to what is asked or owed (None: nothing is)."""
        if isinstance(which, int):
            return which
        if which.endswith("owed"):
            owed = self.model.owed
            return (owed[0] if which.startswith("oldest") else owed[-1]) if owed else None
        asked = self.model.request.round if self.model.request else None
        return None if asked is None else asked + (which == "ahead")

    def client_sends(self, data: bytes, arrival: Arrival, split: float | None) -> None:
        self.feed_rest()
        if split is not None and len(data) >= 3:  # the closing byte stays in the second part
            at = 1 + int(split * (len(data) - 3))
            data, self.rest = data[:at], data[at:]
            arrival.whole = False
        self.feed(data)
        self.model.pending.append(arrival)

    def feed_rest(self) -> None:
        if self.rest:
            self.feed(self.rest)
            self.rest = b""
            self.model.pending[-1].whole = True

    def feed(self, data: bytes) -> None:
        with contextlib.suppress(ProtocolError):  # the decoder found garbage already: the conversation is out of play
            self.decoder.feed(data)


def same(expected: tuple, got: Any) -> bool:
    """Does the conversation's result `got` agree with the model's `expected`?"""
    what = expected[0]
    if what == "fail":
        _, prefix, kind, words = expected
        return isinstance(got, Failure) and got.reason.startswith(prefix) and got.kind == kind and words in got.reason
    if what == "answer":
        return got == Answered(expected[1])
    if what == "need":
        return got is NEED_DATA
    if what == "none":
        return got is None
    return bool(got == expected[1])  # "bytes", "kick"


def run(kit: Kit, ops: list[tuple]) -> Driver:
    driver = Driver(kit)
    for number, op in enumerate(ops):
        for expected, got in driver.step(op):
            assert same(expected, got), f"step {number} {op}: the model says {expected}, the conversation gave {got}"
            event(f"{kit.game}: {expected[0]} {expected[1] if expected[0] == 'fail' else ''}".strip())
        out = driver.conversation.out_of_play
        assert (out is not None) == driver.model.out, f"step {number} {op}: out of play {out!r}, the model says {driver.model.out}"
    return driver


splits = st.none() | st.floats(0, 1)
KICK_REASONS = ["too slow", "take_turn: StructureError: bad"]


def steps(weights: dict[str, int], rounds: list[str | int]) -> st.SearchStrategy[list[tuple]]:
    """Lists of steps, each kind drawn `weights[kind]` times as often as a kind of weight 1, the kick (if any) last.

    `rounds`: which rounds the client's replies are for (see `Driver.round_for`).
    """
    kinds = {
        "ask": st.tuples(st.just("ask"), st.integers(0, 11), st.booleans() | st.just(True)),
        "send": st.just(("send",)),
        "answer": st.just(("answer",)),
        "timeout": st.just(("timeout",)),
        "reply": st.tuples(st.just("reply"), st.sampled_from(rounds), st.sampled_from("CD"), splits),
        "value": st.tuples(st.just("value"), st.integers(0, 99), splits),
        "garbage": st.tuples(st.just("garbage"), st.sampled_from([b"}\n", b"nope\n", b"[1,,2]\n"])),
        "end": st.just(("end",)),
    }
    drawn = st.sampled_from([kind for kind, weight in weights.items() for _ in range(weight)]).flatmap(kinds.__getitem__)
    return st.lists(drawn, min_size=8, max_size=40).flatmap(
        lambda ops: st.just(ops) | st.sampled_from(KICK_REASONS).map(lambda why: [*ops, ("kick", why)])
    )


ANYTHING = steps(
    {"ask": 6, "send": 2, "answer": 6, "timeout": 3, "reply": 8, "value": 2, "garbage": 1, "end": 1},
    ["asked", "asked", "asked", "oldest owed", "oldest owed", "newest owed", "ahead", 1, 2],
)
"""Any interleaving, calls that go on drawn more often than the failures that end them."""
REPLIES = steps({"ask": 4, "answer": 4, "timeout": 3, "reply": 6}, ["asked", "asked", "oldest owed", "newest owed", 1, 2])
"""A client that replies to what it was asked, late, early or twice: the IPD's owed rounds across matches."""


def test_every_game_of_the_registry_has_its_rules_here():
    assert set(KITS) == set(GAMES), "a new game: add its calls, values and ReplyRules to KITS"


@pytest.mark.parametrize("game", sorted(KITS))
@PROPERTY
@given(ops=ANYTHING)
def test_any_interleaving_of_requests_arrivals_deadlines_the_end_and_the_kick_follows_the_model(game, ops):
    run(KITS[game], ops)


@pytest.mark.parametrize("game", sorted(KITS))
@PROPERTY
@given(ops=REPLIES)
def test_a_client_that_replies_late_early_or_twice_follows_the_model(game, ops):
    run(KITS[game], ops)


# --- the examples the protocols name ------------------------------------------------

MOVE_1, MOVE_2, START = ("ask", 0, False), ("ask", 1, False), ("ask", 3, False)


def sends(kit: Kit, value: Any) -> tuple:
    """The step in which the client sends `value`, whole."""
    return ("value", [sent for sent, _ in kit.values].index(value), None)


def results(kit: Kit, ops: list[tuple]) -> list[Any]:
    """What the conversation gave at each step that gives something (checked against the model on the way)."""
    driver, got = Driver(kit), []
    for op in ops:
        for expected, result in driver.step(op):
            assert same(expected, result), f"{op}: the model says {expected}, the conversation gave {result}"
            got.append(result)
    return got


def test_ipd_a_late_reply_arriving_in_the_next_matchs_round_1_with_the_same_number_is_discarded():
    forfeit = [MOVE_1, ("send",), ("timeout",), START, ("send",)]
    got = results(IPD, [*forfeit, MOVE_1, ("send",), ("reply", 1, "D", None), ("answer",), ("reply", 1, "C", None), ("answer",)])
    assert got[-2:] == [NEED_DATA, Answered("C")]
    got = results(IPD, [*forfeit, ("reply", 1, "D", None), MOVE_1, ("send",), ("reply", 1, "C", None), ("answer",)])
    assert got[-1] == Answered("C")


def test_ipd_a_reply_for_round_1_while_round_2_is_asked_is_a_wrong_round_once_round_1_is_settled():
    got = results(IPD, [MOVE_1, ("send",), ("reply", 1, "C", None), ("answer",), MOVE_2, ("send",), ("reply", 1, "D", None), ("answer",)])
    assert got[2] == Answered("C")
    failure = got[-1]
    assert isinstance(failure, Failure) and failure.kind == MALFORMED
    assert failure.reason.startswith("move: WrongRound: ") and "round 1 awaits no reply (settled" in failure.reason


def test_ipd_a_move_time_out_leaves_the_connection_in_play_but_a_request_cut_short_does_not():
    got = results(IPD, [MOVE_1, ("send",), ("timeout",), MOVE_2, ("send",), ("reply", 2, "D", None), ("answer",)])
    assert got[-1] == Answered("D")
    got = results(IPD, [MOVE_1, ("timeout",), MOVE_2, ("kick", "too slow")])
    assert "ChannelError: the connection is out of play" in got[-2].reason and got[-1] is None


@pytest.mark.parametrize("game", sorted(KITS))
def test_a_value_sent_before_its_request_is_refused_even_when_it_would_answer_it(game):
    early = sends(SANTORINI, [1, 2]) if game == "santorini" else ("reply", 1, "C", None)
    failure = results(KITS[game], [early, ("ask", 0, True)])[0]
    assert isinstance(failure, Failure) and failure.kind == MALFORMED
    assert "UnexpectedMessage" in failure.reason and BEFORE in failure.reason


def test_santorini_two_values_for_one_request_fail_after_its_answer():
    got = results(SANTORINI, [("ask", 1, True), sends(SANTORINI, "alice"), sends(SANTORINI, "alice"), ("answer",), ("ask", 1, False)])
    failure = got[-2]
    assert isinstance(failure, Failure) and failure.reason.startswith("take_turn: UnexpectedMessage: ") and AFTER in failure.reason
    assert "out of play: after an earlier failure (UnexpectedMessage)" in got[-1].reason


@pytest.mark.parametrize("game", sorted(KITS))
def test_an_error_report_and_the_end_of_the_stream(game):
    got = results(KITS[game], [("ask", 0, True), sends(KITS[game], ERRORS[0]), ("answer",), ("kick", "it gave up")])
    words = 'ClientError: the client reports "my strategy raised"' if game == "ipd" else "StructureError"
    assert words in got[-2].reason and got[-1] == b'["kicked","it gave up"]\n'
    got = results(KITS[game], [("ask", 0, True), ("end",), ("answer",)])
    assert got[-1] == Failure(f"{KITS[game].calls[0][0]}: PeerClosed: the peer closed the connection", BROKEN)


def test_the_kick_notice_is_cut_to_200_characters():
    notice = PlayerConversation(JSONStreamDecoder(LIMIT)).kick("x" * 300)
    assert notice == encode(["kicked", "x" * 197 + "..."])


# --- purity -------------------------------------------------------------------------


def test_the_conversation_imports_no_trio_and_reads_no_clock():
    path = ROOT / "Remote" / "player_conversation.py"
    assert not every_import(path) & IMPURE
    check = "import sys, Remote.player_conversation; print(sorted({'trio', 'socket', 'select'} & set(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


def refused_before_asked(result: Any) -> bool:
    return isinstance(result, Failure) and "UnexpectedMessage" in result.reason and BEFORE in result.reason


def test_ipd_a_reply_pipelined_before_its_request_is_refused_however_its_bytes_are_split():
    """The same client, sending `[1, "C"]` before round 1 is asked, misbehaves whether or not its last bytes come later.

    docs/ipd-protocol.md: "a reply sent before its request" misbehaves, and "a value that has only begun
    to arrive is judged once it is complete" (as a value where none is expected, unless a late copy).
    Whole, it is refused; begun before the request and finished after it, it was taken as the answer
    (fixed: it is judged as what it was when it began).
    """
    whole = results(IPD, [("reply", 1, "C", None), MOVE_1])
    assert refused_before_asked(whole[0])
    decoder = JSONStreamDecoder(LIMIT)
    conversation = PlayerConversation(decoder, IPDReplyRules())
    decoder.feed(b'[1,"C"')  # the client's reply to a request not yet sent: its first bytes
    assert conversation.ask("move", ["move", 1, None], _move, 1) == encode(["move", 1, None])
    conversation.sent()
    decoder.feed(b"]\n")
    assert refused_before_asked(conversation.next_answer())
