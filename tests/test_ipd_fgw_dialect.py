"""The fgw conversation (Remote/ipd/fgw_dialect.py): replies by message count, moves held until asked, the opponent told once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from Remote.channel import ProtocolViolation
from Remote.ipd.fgw_dialect import FgwConversation

TEXTS = {"C": "C", "B": "D", " C\n": "C", "B ": "D"}
"""Texts a client may send and the Move each stands for."""
OTHER_TEXTS = ["c", "D", "", "Forfeit", "CB", '"C"', '[1,"C"]']
RECORDED = ["C", "D", None]
HEARD = {"C": "C", "D": "B", None: "Forfeit"}


def fed(data: bytes) -> list[Any]:
    """The JSON values in bytes fed to the decoder."""
    return [json.loads(line) for line in data.decode().splitlines()]


@st.composite
def scripts(draw: st.DrawFn, ahead: int = 1) -> list[tuple[str, Any]]:
    """A conversation: the client's texts and our requests interleaved, the client never more than `ahead` message
    ahead of the rounds asked; then maybe a match-over."""
    steps: list[tuple[str, Any]] = []
    sent = asked = 0
    for _ in range(draw(st.integers(0, 30))):
        can_send = sent < asked + ahead
        if can_send and draw(st.booleans()):
            steps.append(("text", draw(st.sampled_from([*TEXTS, *OTHER_TEXTS]))))
            sent += 1
        else:
            asked += 1
            prev = None if asked == 1 else [draw(st.sampled_from(RECORDED)), draw(st.sampled_from(RECORDED))]
            steps.append(("ask", ["move", asked, prev]))
    if asked and draw(st.booleans()):
        rounds = draw(st.sampled_from([asked, asked - 1]))
        prev = None if rounds == 0 else [draw(st.sampled_from(RECORDED)), draw(st.sampled_from(RECORDED))]
        steps.append(("ask", ["match-over", prev, [0, 0], rounds]))
    return steps


def run(steps: list[tuple[str, Any]]) -> tuple[list[tuple[int, list[Any]]], list[str], bool]:
    """Play `steps`; each reply fed with the last round asked when it was fed, the texts sent, whether it closed."""
    conversation = FgwConversation()
    replies: list[tuple[int, list[Any]]] = []
    texts: list[str] = []
    closed = False
    for kind, value in steps:
        if kind == "text":
            replies.extend((conversation.asked, reply) for reply in fed(conversation.incoming(value)))
        else:
            said = conversation.outgoing(value)
            replies.extend((conversation.asked, reply) for reply in fed(said.incoming))
            texts.extend(said.texts)
            closed = closed or said.close
    return replies, texts, closed


@given(scripts())
def test_the_ith_message_is_the_reply_to_round_i_fed_once_never_before_its_round_is_asked(steps: list[tuple[str, Any]]) -> None:
    replies, _, _ = run(steps)
    client_texts = [value for kind, value in steps if kind == "text"]
    asked = max((value[1] for kind, value in steps if kind == "ask" and value[0] == "move"), default=0)
    expected = [[index + 1, TEXTS[text]] for index, text in enumerate(client_texts) if text in TEXTS and index + 1 <= asked]
    assert [reply for _, reply in replies] == expected
    assert all(reply[0] <= asked_then for asked_then, reply in replies)


@given(scripts())
def test_the_client_hears_the_opponents_move_of_every_round_once_in_order(steps: list[tuple[str, Any]]) -> None:
    _, texts, closed = run(steps)
    moves = [value for kind, value in steps if kind == "ask" and value[0] == "move"]
    over = [value for kind, value in steps if kind == "ask" and value[0] == "match-over"]
    theirs = [HEARD[request[2][1]] for request in moves[1:]]
    if over and over[0][3] == len(moves):
        theirs.append(HEARD[over[0][1][1]])
    assert texts == theirs
    assert closed == bool(over)


@given(scripts(ahead=2))
def test_a_client_two_moves_ahead_misbehaves_and_one_ahead_never_does(steps: list[tuple[str, Any]]) -> None:
    conversation = FgwConversation()
    sent = asked = 0
    for kind, value in steps:
        if kind == "text":
            sent += 1
            if sent > asked + 1:
                with pytest.raises(ProtocolViolation, match="more than one move ahead"):
                    conversation.incoming(value)
                return
            conversation.incoming(value)
        else:
            conversation.outgoing(value)
            asked = value[1] if value[0] == "move" else asked


def test_the_sample_clients_match_first_move_unprompted_then_one_reply_per_move_heard() -> None:
    conversation = FgwConversation()
    assert conversation.incoming("C") == b""  # right after the upgrade: held
    assert conversation.outgoing(["match", "bob"]).texts == ()
    said = conversation.outgoing(["move", 1, None])
    assert (said.texts, fed(said.incoming)) == ((), [[1, "C"]])
    said = conversation.outgoing(["move", 2, ["C", "D"]])
    assert said.texts == ("B",) and said.incoming == b""
    assert fed(conversation.incoming("B")) == [[2, "D"]]
    said = conversation.outgoing(["match-over", ["D", "C"], [5, 5], 2])
    assert said.texts == ("C",) and said.close
    assert conversation.incoming("C") == b""  # the reply to the last move heard: held, never asked
    assert conversation.outgoing(["results", [], []]).texts == ()


def test_a_late_move_keeps_its_rounds_number_so_it_is_discarded_as_a_late_copy_not_counted_in_the_next_round() -> None:
    conversation = FgwConversation()
    conversation.incoming("C")
    conversation.outgoing(["move", 1, None])
    conversation.outgoing(["move", 2, ["C", "C"]])
    said = conversation.outgoing(["move", 3, ["C", None]])  # round 2 was forfeited: its move came too late
    assert said.texts == ("Forfeit",)
    assert fed(conversation.incoming("B")) == [[2, "D"]]
    assert fed(conversation.incoming("C")) == [[3, "C"]]


def test_a_text_that_is_no_move_answers_nothing_but_counts_so_the_next_move_keeps_its_round() -> None:
    conversation = FgwConversation()
    conversation.incoming("maybe")
    assert conversation.outgoing(["move", 1, None]).incoming == b""
    conversation.outgoing(["move", 2, [None, "C"]])
    assert fed(conversation.incoming("C")) == [[2, "C"]]


def test_an_opponent_put_out_mid_round_ends_the_match_without_a_second_copy_of_the_last_move() -> None:
    conversation = FgwConversation()
    conversation.incoming("C")
    conversation.outgoing(["move", 1, None])
    assert conversation.outgoing(["move", 2, ["C", "D"]]).texts == ("B",)
    said = conversation.outgoing(["match-over", ["C", "D"], [0, 5], 1])
    assert said.texts == () and said.close


def test_kicked_closes_without_a_word_in_this_wire_form() -> None:
    said = FgwConversation().outgoing(["kicked", "move: 4 forfeits in one match"])
    assert said.texts == () and said.close
