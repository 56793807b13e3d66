"""The IPD client's proxy for the server, against a server written by hand, over memory streams."""

from __future__ import annotations

import logging
from typing import Any

import ipd_strategies as ips
import pytest
import trio
import trio.testing
from hypothesis import given
from hypothesis import strategies as st
from ipd_doubles import HANG, ScriptedPlayer

from Common.ipd.messages import ServerMessage, TournamentResults
from Common.ipd.moves import Prev, Totals
from Common.ipd.names import Name
from Common.ipd.outcomes import Scored, Standing
from Common.ipd.wire import structure, structure_server_message
from Common.strict import StructureError
from Player.ipd.classics import TitForTat
from Player.ipd.local import LocalPlayer
from Player.ipd.misbehaving import Flooder, Infinite
from Player.ipd.strategy import Strategy
from Remote.channel import ChannelError, MessageChannel
from Remote.ipd.server_proxy import ServerMisbehaved, ServerProxy, StrategyFailed, replies_ahead_of

A, B = Name("alice"), Name("bob")
LIMIT = 1 << 16
RESULTS = ["results", [["alice", "bob", 3, 3, 1]], [["alice", 3.0, 1], ["bob", 3.0, 1]]]


def proxy_and_server(player, name: Name = A, **options) -> tuple[ServerProxy, MessageChannel]:
    server_end, client_end = trio.testing.memory_stream_pair()
    return ServerProxy(MessageChannel(client_end, LIMIT), player, name, **options), MessageChannel(server_end, LIMIT)


class Answering(Strategy):
    """Answers `answer` to every move."""

    def __init__(self, answer: object) -> None:
        self.answer = answer

    def move(self, me: Name, round: int, prev: Prev | None):
        return self.answer


class Raising(Strategy):
    def move(self, me: Name, round: int, prev: Prev | None) -> str:
        raise ValueError("no idea")


def _structured(convert, data: Any) -> object:
    try:
        return convert(data)
    except StructureError as error:
        return ("refused", str(error))


@ips.QUICK
@given(
    st.one_of(
        ips.server_messages().map(ips.message_json),
        ips.json_values(),
        st.tuples(st.just("move"), st.one_of(st.integers(-1, 3), ips.json_values()), st.one_of(st.none(), ips.json_values())).map(list),
    )
)
def test_the_clients_fast_path_for_server_messages_agrees_with_the_strict_converter(data: Any) -> None:
    assert _structured(structure_server_message, data) == _structured(lambda d: structure(d, ServerMessage), data)


async def test_the_client_plays_a_whole_conversation_and_returns_the_results() -> None:
    player = ScriptedPlayer(A)
    proxy, server = proxy_and_server(player, token="s3cret-token-0123456789")
    results = None

    async def client() -> None:
        nonlocal results
        await proxy.sign_up()
        results = await proxy.play()

    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(client)
            assert await server.receive() == ["sign-up", "alice", "s3cret-token-0123456789"]
            await server.send(["playing-as", "alice1"])
            await server.send(["match", "bob"])
            await server.send(["move", 1, None])
            assert await server.receive() == [1, "C"]
            await server.send(["move", 2, ["C", "D"]])
            assert await server.receive() == [2, "D"]
            await server.send(["match-over", ["D", "D"], [4, 6], 2])
            await server.send(RESULTS)
    assert results == TournamentResults((Scored(A, B, 3, 3, 1),), (Standing(A, 3.0, 1), Standing(B, 3.0, 1)))
    assert player.heard == [
        ("playing_as", "alice1"),
        ("start_match", "bob"),
        ("move", 1, None),
        ("move", 2, Prev("C", "D")),
        ("match_over", Prev("D", "D"), Totals(4, 6), 2),
        ("end_of_tournament", results),
    ]
    assert proxy.name == "alice1"


async def test_a_bare_name_signs_up_without_a_token() -> None:
    proxy, server = proxy_and_server(ScriptedPlayer(A))
    await proxy.sign_up()
    assert await server.receive() == "alice"


async def test_a_move_the_server_moved_on_from_is_abandoned_and_its_owed_reply_sent_at_once(autojump_clock, caplog) -> None:
    player = ScriptedPlayer(A, script={1: HANG})
    proxy, server = proxy_and_server(player)
    caplog.set_level(logging.INFO)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(proxy.play)
        await server.send(["match", "bob"])
        await server.send(["move", 1, None])
        await trio.testing.wait_all_tasks_blocked()  # the player is thinking about round 1
        await server.send(["move", 2, [None, "C"]])  # the server forfeited round 1 and moved on
        assert await server.receive() == [1, "C"]  # the reply it owes, a stand-in: the server discards it
        assert await server.receive() == [2, "C"]
        await server.send(["match-over", ["C", "C"], [3, 3], 2])
        await server.send(RESULTS)
    assert player.calls("move") == [(1, None), (2, Prev(None, "C"))]
    assert proxy.abandoned_rounds == 1
    assert "the server moved on before the move for round 1 was answered: forfeited" in caplog.text


async def test_a_thread_left_behind_holds_back_the_next_move_and_its_answer_is_never_sent() -> None:
    strategy = Infinite(n=1)
    proxy, server = proxy_and_server(LocalPlayer(A, strategy))
    try:
        with trio.fail_after(10):
            async with trio.open_nursery() as nursery:
                nursery.start_soon(proxy.play)
                await server.send(["move", 1, None])
                await trio.to_thread.run_sync(strategy.waiting.wait)
                await server.send(["move", 2, [None, "D"]])
                await trio.testing.wait_all_tasks_blocked()
                assert await server.receive() == [1, "C"]  # the stand-in for round 1, at once
                strategy.release()  # the thread of round 1 ends; its answer is dropped
                assert await server.receive() == [2, "D"]
                await server.send(RESULTS)
    finally:
        strategy.release()


@pytest.mark.parametrize("ending", ["kicked", "close"])
async def test_a_kick_notice_or_a_close_ends_the_conversation_while_the_player_thinks(caplog, ending: str) -> None:
    strategy = Infinite(n=1)
    proxy, server = proxy_and_server(LocalPlayer(A, strategy))
    caplog.set_level(logging.INFO)
    try:
        with trio.fail_after(10):
            async with trio.open_nursery() as nursery:
                nursery.start_soon(proxy.play)
                await server.send(["move", 1, None])
                await trio.to_thread.run_sync(strategy.waiting.wait)
                if ending == "kicked":
                    await server.send(["kicked", "move: 4 forfeits in one match, more than the 3 allowed"])
                else:
                    await server.aclose()
    finally:
        strategy.release()
    assert proxy.results is None
    if ending == "kicked":
        assert proxy.kicked_because == "move: 4 forfeits in one match, more than the 3 allowed"
        assert "alice was kicked by the server: move: 4 forfeits in one match, more than the 3 allowed" in caplog.text
    else:
        assert "the player is abandoned" in caplog.text


async def test_a_move_that_is_a_string_goes_to_the_server_which_judges_it() -> None:
    proxy, server = proxy_and_server(LocalPlayer(A, Answering("B")))
    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(proxy.play)
            await server.send(["move", 1, None])
            assert await server.receive() == [1, "B"]
            await server.send(["kicked", "move: expected a move"])


@pytest.mark.parametrize(
    "strategy, message", [(Answering(None), "move returned None, not a move"), (Raising(), "move raised ValueError: no idea")]
)
async def test_an_answer_that_is_no_string_or_an_exception_is_reported_locally_and_to_the_server_and_ends_the_conversation(
    strategy, message: str
) -> None:
    proxy, server = proxy_and_server(LocalPlayer(A, strategy))
    await server.send(["move", 1, None])
    with trio.fail_after(10), pytest.raises(StrategyFailed, match=message) as failed:
        await proxy.play()
    if isinstance(strategy, Raising):
        assert 'raise ValueError("no idea")' in failed.value.details
    await proxy.channel.aclose()
    report = await server.receive()  # the reason, for the server, then nothing more
    assert report[0] == "error" and message in report[1]
    with pytest.raises(ChannelError, match="closed"):
        await server.receive()


@pytest.mark.parametrize(
    "message, path",
    [(["move", "1", None], r"\$\[1\]"), (["move", 2, None], r"round 2"), (["match", 7], r"\$\[1\]"), (["hello"], "tagged"), (5, "tagged")],
)
async def test_a_malformed_message_from_the_server_ends_the_conversation(message: object, path: str) -> None:
    proxy, server = proxy_and_server(ScriptedPlayer(A))
    await server.send(message)
    with trio.fail_after(10), pytest.raises(ServerMisbehaved, match=f"malformed message from the server: .*{path}"):
        await proxy.play()


async def test_the_results_wait_for_the_player_to_finish_what_it_was_doing() -> None:
    player = ScriptedPlayer(A)
    slow_over = trio.Event()

    async def match_over(prev, totals, rounds) -> None:
        await slow_over.wait()
        player.heard.append(("match_over", prev, totals, rounds))

    player.match_over = match_over
    proxy, server = proxy_and_server(player)
    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(proxy.play)
            await server.send(["match-over", ["C", "C"], [3, 3], 1])
            await server.send(RESULTS)
            await trio.testing.wait_all_tasks_blocked()
            slow_over.set()
    assert [call[0] for call in player.heard] == ["match_over", "end_of_tournament"]


def test_a_flooders_proxy_writes_its_replies_ahead_and_others_one() -> None:
    assert replies_ahead_of(LocalPlayer(A, Flooder())) == 10_000
    assert replies_ahead_of(LocalPlayer(A, TitForTat())) == 1
    assert replies_ahead_of(ScriptedPlayer(A)) == 1


async def test_a_flooder_writes_all_its_replies_in_one_write_at_its_first_move() -> None:
    proxy, server = proxy_and_server(ScriptedPlayer(A), replies_ahead=5)
    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(proxy.play)
            await server.send(["move", 3, ["C", "C"]])
            first_write = await server._stream.receive_some(LIMIT)
            assert first_write == b'[3,"C"]\n[4,"C"]\n[5,"C"]\n[6,"C"]\n[7,"C"]\n'
            await server.send(["move", 4, ["C", "C"]])
            assert await server.receive() == [4, "C"]  # later moves are answered one at a time
            await server.aclose()
