"""The server's proxy for a remote IPD player, against a client written by hand, over memory streams and socket pairs."""

from __future__ import annotations

import json

import pytest
import trio
import trio.testing

from Admin.ipd.referee import MOVE
from Admin.safe_call import BROKEN, LATE, MALFORMED, Failure, ask_all, safe_call
from Common.ipd.messages import TournamentResults
from Common.ipd.moves import Prev, Totals
from Common.ipd.names import Name
from Common.ipd.outcomes import Irregular, Scored, Standing
from Remote.channel import ChannelError, MessageChannel
from Remote.ipd.remote_player import RemotePlayer
from Remote.statistics import CallStatistics
from tests.failures import assert_failure

A, B = Name("alice"), Name("bob")
LIMIT = 1 << 16


def remote_and_client(pair=trio.testing.memory_stream_pair) -> tuple[RemotePlayer, MessageChannel]:
    server_end, client_end = pair()
    return RemotePlayer(MessageChannel(server_end, LIMIT), CallStatistics()), MessageChannel(client_end, LIMIT)


def socket_remote_and_client() -> tuple[RemotePlayer, MessageChannel]:
    server_socket, client_socket = trio.socket.socketpair()
    server = RemotePlayer(MessageChannel(trio.SocketStream(server_socket), LIMIT), CallStatistics())
    return server, MessageChannel(trio.SocketStream(client_socket), LIMIT)


async def move_with_reply(player: RemotePlayer, client: MessageChannel, round_: int, prev: Prev | None, *replies: object) -> object:
    """Ask `player` for round `round_` while the client, once it has the request, sends `replies`; the answer or Failure."""

    async def client_side() -> None:
        await client.receive()
        for reply in replies:
            await client.send(reply)

    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(client_side)
            answer = await safe_call(player.move, round_, prev, time_limit=1, expect=MOVE)
            if isinstance(answer, Failure):
                nursery.cancel_scope.cancel()  # the client may still wait for a request that never came
    return answer


async def forfeit(player: RemotePlayer, client: MessageChannel, round_: int, prev: Prev | None) -> None:
    """Ask for `round_` and let the time limit pass: the client read the request and answers nothing (yet)."""
    failure = await safe_call(player.move, round_, prev, time_limit=1, expect=MOVE)
    assert failure == Failure("move: no answer within 1 s", LATE)
    assert await client.receive() == ["move", round_, None if prev is None else [prev.mine, prev.theirs]]


# ---------------------------------------------------------------------------
# The conversation


async def test_every_message_is_sent_as_the_contract_writes_it() -> None:
    player, client = remote_and_client()
    results = TournamentResults((Scored(A, B, 3, 8, 2), Irregular(A, B)), (Standing(A, 1.5, 1),))
    await player.playing_as(Name("alice1"))
    await player.start_match(B)
    assert [await client.receive() for _ in range(2)] == [["playing-as", "alice1"], ["match", "bob"]]
    assert await move_with_reply(player, client, 1, None, [1, "D"]) == "D"
    assert await move_with_reply(player, client, 2, Prev("D", None), [2, "C"]) == "C"
    await player.match_over(Prev("C", "D"), Totals(3, 8), 2)
    await player.end_of_tournament(results)
    assert [await client.receive() for _ in range(2)] == [
        ["match-over", ["C", "D"], [3, 8], 2],
        ["results", [["alice", "bob", 3, 8, 2], ["alice", "bob", "irregular"]], [["alice", 1.5, 1]]],
    ]
    with pytest.raises(ChannelError, match="closed"):
        await client.receive()
    assert player.forfeited_rounds == ()


async def test_the_requests_carry_the_round_and_its_prev() -> None:
    player, client = remote_and_client()
    await client.send([3, "C"])
    assert await player.move(3, Prev(None, "D")) == "C"
    assert await client.receive() == ["move", 3, [None, "D"]]


@pytest.mark.parametrize(
    "reply",
    [
        b'[1,"B"]',
        b'[1,"c"]',
        b'[1,"CD"]',
        b"[1,1]",
        b"[1,true]",
        b'[1,["C"]]',
        b'["1","C"]',
        b'[1.0,"C"]',
        b'[true,"C"]',
        b'[0,"C"]',
        b'[1,"C","C"]',
        b'"C"',
        b'{"1":"C"}',
        b"[1,null]",
    ],
)
async def test_a_reply_of_the_wrong_shape_is_malformed(reply: bytes) -> None:
    player, client = remote_and_client()
    failure = await move_with_reply(player, client, 1, None, json.loads(reply))
    assert isinstance(failure, Failure) and failure.kind == MALFORMED and "StructureError" in failure.reason


async def test_a_move_other_than_c_or_d_says_what_was_sent() -> None:
    player, client = remote_and_client()
    await client.send([1, "B"])
    answer = await player.move(1, None)
    assert_failure(answer, "move", "StructureError", r'expected a move, "C" or "D", got "B" @ \$\[1\]', MALFORMED)


# ---------------------------------------------------------------------------
# Late replies


async def test_a_late_reply_is_a_forfeit_and_its_late_copy_is_discarded(autojump_clock) -> None:
    player, client = remote_and_client()
    await forfeit(player, client, 1, None)
    assert player.forfeited_rounds == (1,)
    await client.send([1, "C"])  # the late copy
    assert await move_with_reply(player, client, 2, Prev(None, "C"), [2, "D"]) == "D"
    assert player.forfeited_rounds == ()
    summary = player._statistics.summary()
    assert summary["calls"] == 2 and summary["failed calls"] == 1


async def test_a_late_copy_arriving_with_the_next_reply_in_one_write_is_discarded(autojump_clock) -> None:
    player, client = remote_and_client()
    await forfeit(player, client, 4, Prev("C", "C"))
    async with trio.open_nursery() as nursery:
        nursery.start_soon(client._stream.send_all, b'[4,"C"]\n[5,"D"]\n')
        assert await player.move(5, Prev(None, "C")) == "D"
    assert player.forfeited_rounds == ()


async def test_a_late_copy_after_the_answer_to_a_later_round_is_misbehaviour(autojump_clock) -> None:
    player, client = remote_and_client()
    await forfeit(player, client, 4, Prev("C", "C"))
    await client._stream.send_all(b'[5,"D"]\n[4,"C"]\n')  # out of order: the copy for 4 would have come first
    answer = await player.move(5, Prev(None, "C"))
    assert_failure(answer, "move", "UnexpectedMessage", r'sent \[4, "C"\] after its answer', MALFORMED)


async def test_a_late_copy_is_discarded_also_when_it_arrives_in_the_next_match(autojump_clock) -> None:
    player, client = remote_and_client()
    await forfeit(player, client, 3, Prev("C", "D"))  # the last round of the first match
    await player.match_over(Prev(None, "D"), Totals(3, 13), 3)
    await player.start_match(Name("carl"))
    assert await client.receive() == ["match-over", [None, "D"], [3, 13], 3]
    assert await client.receive() == ["match", "carl"]
    await client.send([3, "D"])  # the late copy, after the next match began
    assert await move_with_reply(player, client, 1, None, [1, "C"]) == "C"
    assert await move_with_reply(player, client, 2, Prev("C", "C"), [2, "C"]) == "C"
    assert await move_with_reply(player, client, 3, Prev("C", "C"), [3, "C"]) == "C"
    assert player.forfeited_rounds == ()


async def test_a_late_reply_waiting_in_the_socket_when_the_next_request_goes_out_is_no_misbehaviour() -> None:
    player, client = socket_remote_and_client()
    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:  # a forfeit: the call is cancelled once the client has the request
            nursery.start_soon(player.move, 1, None)
            assert await client.receive() == ["move", 1, None]
            nursery.cancel_scope.cancel()
        await client.send([1, "C"])  # now waiting, unread, in the server's socket
        await player.match_over(Prev(None, "C"), Totals(0, 3), 1)
        assert await client.receive() == ["match-over", [None, "C"], [0, 3], 1]
        assert player.forfeited_rounds == ()
        await client.send([1, "C"])  # a second copy: nobody asked for it
        answer = await player.start_match(B)
        assert_failure(answer, "start_match", "UnexpectedMessage", r'sent \[1, "C"\] before it was asked for anything', MALFORMED)


async def test_a_request_cut_short_by_the_time_limit_puts_the_connection_out_of_play(autojump_clock) -> None:
    player, _client = remote_and_client(trio.testing.lockstep_stream_pair)  # the client never reads
    failure = await safe_call(player.move, 1, None, time_limit=1, expect=MOVE)
    assert failure.kind == LATE and player.forfeited_rounds == ()
    assert_failure(await player.move(2, Prev(None, None)), "move", "ChannelError", "out of play", BROKEN)


# ---------------------------------------------------------------------------
# Wrong round numbers


async def test_a_reply_for_a_round_ahead_is_misbehaviour() -> None:
    player, client = remote_and_client()
    failure = await move_with_reply(player, client, 1, None, [2, "C"])
    assert failure == Failure('move: WrongRound: sent [2, "C"] while round 1 was asked: a reply ahead', MALFORMED)


async def test_a_second_reply_in_the_same_write_is_misbehaviour() -> None:
    player, client = remote_and_client()
    await client._stream.send_all(b'[1,"C"]\n[1,"C"]\n')
    answer = await player.move(1, None)
    assert_failure(answer, "move", "UnexpectedMessage", r'sent \[1, "C"\] after its answer', MALFORMED)


async def test_a_second_reply_for_a_settled_round_is_misbehaviour() -> None:
    player, client = remote_and_client()
    assert await move_with_reply(player, client, 1, None, [1, "C"]) == "C"
    await client.send([1, "C"])
    failure = await move_with_reply(player, client, 2, Prev("C", "C"), [2, "C"])
    assert failure.kind == MALFORMED
    assert failure.reason == 'move: WrongRound: sent [1, "C"] while round 2 was asked: round 1 awaits no reply (settled, or never asked)'


async def test_a_value_that_is_no_reply_where_none_was_asked_is_misbehaviour() -> None:
    player, client = socket_remote_and_client()
    with trio.fail_after(10):
        await client.send("hello")
        answer = await player.start_match(B)
        assert_failure(answer, "start_match", "UnexpectedMessage", 'sent "hello" before it was asked for anything', MALFORMED)
        assert_failure(await player.move(1, None), "move", "ChannelError", "out of play", BROKEN)


async def test_a_closed_connection_fails_the_move_as_broken() -> None:
    player, client = remote_and_client()
    await client.aclose()
    failure = await safe_call(player.move, 1, None, time_limit=1, expect=MOVE)
    assert failure.kind == BROKEN


async def test_a_call_after_the_server_closed_the_connection_fails_out_of_play_alone_or_asked_with_another() -> None:
    closed, _ = socket_remote_and_client()
    other, other_client = socket_remote_and_client()
    await closed.aclose("the tournament is over")
    assert_failure(await closed.move(1, None), "move", "ChannelError", "out of play: the tournament is over", BROKEN)
    asked = await ask_all([(closed, "move", (1, None)), (other, "move", (1, None))], 1.0, MOVE)
    assert_failure(asked[0].answer, "move", "ChannelError", "out of play: the tournament is over", BROKEN)
    assert isinstance(asked[1].answer, Failure) and asked[1].answer.kind == LATE  # its client never answered
    assert await other_client.receive() == ["move", 1, None]


async def test_after_a_misbehaviour_the_kick_notice_is_the_last_message() -> None:
    player, client = remote_and_client()
    await move_with_reply(player, client, 1, None, [7, "C"])
    await player.kicked('move: sent [7, "C"] while round 1 was asked: a reply ahead')
    assert await client.receive() == ["kicked", 'move: sent [7, "C"] while round 1 was asked: a reply ahead']
    with pytest.raises(ChannelError, match="closed"):
        await client.receive()
