"""The proxies on both sides of the wire, over in-memory streams."""

import json

import pytest
import trio
import trio.testing

from Admin.safe_call import BROKEN, LATE, MALFORMED, Failure, safe_call
from Common.santorini.actions import MoveAndBuild, Placement
from Common.santorini.board import Board
from Common.santorini.geometry import Place
from Common.santorini.names import Name, Worker
from Common.santorini.results import EncounterOutcome, PlayingAs, Results
from Common.santorini.wire import structure
from Player.santorini.local import LocalPlayer
from Player.santorini.misbehaving import NeverTakesTurn
from Player.santorini.strategic import GoodStrategy
from Remote.channel import MessageChannel
from Remote.santorini.remote_player import RemotePlayer
from Remote.santorini.server_proxy import ServerMisbehaved, ServerProxy, classify
from tests.doubles import ScriptedPlayer
from tests.failures import assert_failure
from tests.test_wire import EXAMPLE_BOARD as BOARD

LIMIT = 1 << 16


def remote_player_and_client(pair=trio.testing.memory_stream_pair):
    server_end, client_end = pair()
    return RemotePlayer(MessageChannel(server_end, LIMIT)), client_end


async def read_json(stream):
    return json.loads(await stream.receive_some(LIMIT))


# --- the server's RemotePlayer ---------------------------------------------------------


async def test_a_remote_player_sends_the_placement_and_returns_the_place_it_answers():
    player, client = remote_player_and_client()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(client.send_all, b"[3,\n 4]")
        place = await player.place_worker(())
    assert place == Place(3, 4)
    assert await read_json(client) == []


async def test_a_remote_player_sends_the_full_board_and_returns_the_action():
    player, client = remote_player_and_client()
    await client.send_all(b'["alice1","EAST","PUT","WEST","SOUTH"]')
    action = await player.take_turn(structure(BOARD, Board))
    assert isinstance(action, MoveAndBuild) and action.worker == Worker(Name("alice"), 1)
    assert await read_json(client) == BOARD


@pytest.mark.parametrize(
    "message, method",
    [(["playing-as", "alicea"], "playing_as"), ("bob", "start_encounter"), ([["alice", "bob", "irregular"]], "end_of_tournament")],
)
async def test_a_remote_player_sends_messages_without_reply_as_the_spec_writes_them(message, method):
    player, client = remote_player_and_client()
    argument = {"playing_as": "alicea", "start_encounter": "bob", "end_of_tournament": (EncounterOutcome("alice", "bob", True),)}[method]
    await getattr(player, method)(argument)
    assert await read_json(client) == message


async def test_after_a_failure_every_call_fails_and_the_kick_notice_is_the_last_message():
    player, client = remote_player_and_client()
    await client.send_all(b'"here"\n')
    assert_failure(await player.place_worker(()), "place_worker", "StructureError", "expected a place", MALFORMED)
    assert await read_json(client) == []
    assert_failure(await player.start_encounter("bob"), "start_encounter", "ChannelError", "out of play", BROKEN)
    await player.kicked("place_worker: expected a place")
    assert await read_json(client) == ["kicked", "place_worker: expected a place"]
    assert await client.receive_some(LIMIT) == b""


async def test_a_kick_notice_is_not_written_after_a_message_cut_short(autojump_clock):
    player, client = remote_player_and_client(trio.testing.lockstep_stream_pair)
    await safe_call(player.start_encounter, "bob", time_limit=1)  # the client does not read: the send is cut short
    received = []

    async def read_to_the_end() -> None:
        while data := await client.receive_some(LIMIT):
            received.append(data)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(read_to_the_end)
        await player.kicked("start_encounter: no answer within 1 s")
    assert b"kicked" not in b"".join(received)


async def test_two_values_for_one_request_is_a_failure():
    player, client = remote_player_and_client()
    await client.send_all(b"[0,0] [1,1]\n")
    assert_failure(await player.place_worker(()), "place_worker", "UnexpectedMessage", "after its answer", MALFORMED)


async def test_a_value_sent_while_the_server_asks_nothing_is_found_at_the_next_message():
    player, client = remote_player_and_client()
    await client.send_all(b"[0,0]\n")
    await player.start_encounter("bob")
    await client.send_all(b'"unasked"\n')
    await client.send_all(b"[0,1]\n")
    assert_failure(await player.place_worker(()), "place_worker", "UnexpectedMessage", "a value where none was expected", MALFORMED)


async def test_a_client_that_closes_fails_the_call():
    player, client = remote_player_and_client()
    await client.aclose()
    assert isinstance(await safe_call(player.place_worker, (), time_limit=2, expect=Place), Failure)


async def test_a_silent_client_fails_the_call_after_the_time_limit(autojump_clock):
    player, _client = remote_player_and_client()  # the client, kept open, never answers
    failure = await safe_call(player.take_turn, structure(BOARD, Board), time_limit=2, expect=object)
    assert failure == Failure("take_turn: no answer within 2 s", LATE)


async def test_a_client_that_stopped_reading_fails_a_message_without_reply(autojump_clock):
    player, _client = remote_player_and_client(trio.testing.lockstep_stream_pair)  # kept open, never reads
    failure = await safe_call(player.start_encounter, "bob", time_limit=2)
    assert failure == Failure("start_encounter: no answer within 2 s", LATE)


# --- the client's ServerProxy ----------------------------------------------------------


@pytest.mark.parametrize(
    "message, in_series, kind",
    [
        ("bob", False, Name),
        (["playing-as", "alicea"], False, PlayingAs),
        ([], False, Results),
        ([], True, Placement),
        ([["bob1", 1, 1]], True, Placement),
        ([["alice", "bob"]], True, Results),
        ([["alice", "bob", "irregular"]], False, Results),
        (BOARD, True, Board),
        ([[], [0, "0a1", "0a2"], ["0b1", "0b2"]], True, Board),
        ([[0, 1, 2]], True, Board),
    ],
)
def test_the_client_tells_messages_apart_by_shape_and_by_whether_a_series_began(message, in_series, kind):
    assert classify(message, in_series) == kind


@pytest.mark.parametrize("message", [5, None, {"a": 1}, 1.5])
def test_a_message_of_no_known_shape_is_the_servers_fault(message):
    with pytest.raises(ServerMisbehaved):
        classify(message, True)


async def test_the_client_plays_a_whole_conversation_and_returns_the_results():
    server, client_end = trio.testing.memory_stream_pair()
    server_channel = MessageChannel(server, LIMIT)
    player = ScriptedPlayer("alice")
    proxy = ServerProxy(MessageChannel(client_end, LIMIT), player, Name("alice"))
    results = None

    async def client():
        nonlocal results
        await proxy.sign_up()
        results = await proxy.play()

    async with trio.open_nursery() as nursery:
        nursery.start_soon(client)
        assert await server_channel.receive() == "alice"
        await server_channel.send(["playing-as", "alicea"])
        await server_channel.send("bob")
        await server_channel.send([])
        assert await server_channel.receive() == [0, 0]
        await server_channel.send([["bob1", 0, 1], ["alicea1", 0, 0], ["bob2", 1, 1]])
        assert await server_channel.receive() == [1, 0]
        short_board = [["0alicea1", "0alicea2"], ["0bob1", "0bob2"]]
        await server_channel.send(short_board)
        reply = await server_channel.receive()
        assert reply[0].startswith("alicea")
        await server_channel.send([["alicea", "bob"]])
    assert results == (EncounterOutcome("alicea", "bob"),)
    assert [method for method, _ in player.heard] == [
        "playing_as",
        "start_encounter",
        "place_worker",
        "place_worker",
        "take_turn",
        "end_of_tournament",
    ]


async def test_the_client_ends_without_results_when_the_server_closes_while_its_player_thinks():
    server, client_end = trio.testing.memory_stream_pair()
    server_channel = MessageChannel(server, LIMIT)
    strategy = NeverTakesTurn()
    proxy = ServerProxy(MessageChannel(client_end, LIMIT), LocalPlayer(Name("alice"), strategy), Name("alice"))
    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(proxy.play)
            await server_channel.send("bob")
            await server_channel.send(BOARD)
            await trio.to_thread.run_sync(strategy.blocked.wait)
            await server_channel.aclose()
    strategy.release()


async def test_the_client_refuses_a_malformed_message_from_the_server():
    server, client_end = trio.testing.memory_stream_pair()
    server_channel = MessageChannel(server, LIMIT)
    await server_channel.send("bob")
    await server_channel.send([[0, "9x1"]])
    proxy = ServerProxy(MessageChannel(client_end, LIMIT), LocalPlayer(Name("alice"), GoodStrategy()), Name("alice"))
    with pytest.raises(ServerMisbehaved, match=r"malformed message from the server: .* @ \$\[0\]\[1\]"):
        await proxy.play()


@pytest.mark.parametrize(
    "reply, kind",
    [(b'"here"\n', MALFORMED), (b"[0,0] [1,1]\n", MALFORMED), (b"\xff\n", MALFORMED), (b"", BROKEN)],
    ids=["wrong shape", "two values", "bad UTF-8", "closed"],
)
async def test_a_remote_players_failure_keeps_its_kind_for_the_referee(reply, kind):
    player, client = remote_player_and_client()
    if reply:
        await client.send_all(reply)
    else:
        await client.aclose()
    failure = await safe_call(player.place_worker, (), time_limit=2, expect=Place)
    assert isinstance(failure, Failure) and failure.kind == kind
