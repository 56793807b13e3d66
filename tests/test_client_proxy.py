"""The client side in-process: a ServerProxy that never stops listening, the checks of a local player's answers, connecting.

The server end is a MessageChannel over a memory stream, driven by the test;
players that think forever block a thread on an Event (`Player.santorini.misbehaving`),
and the test waits for that Event rather than for time to pass. Connecting is
tested with openers that stand in for `trio.open_tcp_stream`, on trio's
autojump clock, and once over real TCP.
"""

from __future__ import annotations

import logging
import socket
import textwrap

import pytest
import trio
import trio.testing

from Common.participant import Kicked
from Common.santorini.actions import Placement
from Common.santorini.board import Board, WorkerPlace
from Common.santorini.geometry import Place
from Common.santorini.names import Name, Worker
from Common.santorini.results import EncounterOutcome
from Player.loader import make_local_player
from Player.santorini.kinds import PLAYERS
from Player.santorini.local import LocalPlayer
from Player.santorini.misbehaving import MalformedPlacement, NeverPlaces, NeverTakesTurn
from Player.santorini.strategic import GoodStrategy
from Remote.channel import MessageChannel, PeerClosed
from Remote.client import CONNECT_TIME_LIMIT_SECONDS, CannotConnect, Connector
from Remote.santorini.server_proxy import ServerMisbehaved, ServerProxy, StrategyFailed, classify
from tests.doubles import ScriptedPlayer

LIMIT = 1 << 16
HANG_GUARD = 20
"""A bound on each conversation so that a regression fails the test instead of hanging it; never reached."""
BOARD = [  # alice's and zed's workers in the corners, as the server sends it to ask alice for a turn
    ["0alice1", 0, 0, 0, 0, "0zed1"],
    [0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0],
    ["0alice2", 0, 0, 0, 0, "0zed2"],
]
RESULTS = [["zed", "alice", "irregular"]]
REASON = "take_turn: no answer within 2 s"


class Conversation:
    """A ServerProxy for `player` (signed up as alice) and the server's end of its connection."""

    def __init__(self, player, name: str = "alice") -> None:
        server_end, client_end = trio.testing.memory_stream_pair()
        self.server_stream = server_end
        self.server = MessageChannel(server_end, LIMIT)
        self.proxy = ServerProxy(MessageChannel(client_end, LIMIT), player, Name(name))
        self.returned = None
        self.raised: BaseException | None = None

    async def play(self) -> None:
        try:
            self.returned = await self.proxy.play()
        except (ServerMisbehaved, StrategyFailed) as error:
            self.raised = error
        finally:
            await trio.aclose_forcefully(self.proxy.channel)

    async def nothing_more_arrives(self) -> None:
        """The client closed the connection without sending anything further."""
        with pytest.raises(PeerClosed):
            await self.server.receive()


async def wait_until(event) -> None:
    """Wait for a threading.Event that a strategy's thread sets."""
    await trio.to_thread.run_sync(event.wait, abandon_on_cancel=True)


@pytest.fixture
def log(caplog):
    caplog.set_level(logging.INFO)
    return caplog


# --- a thinking player: the server's last message ends the conversation at once -----------------


@pytest.mark.parametrize("strategy_class, request_message", [(NeverPlaces, []), (NeverTakesTurn, BOARD)], ids=["placing", "taking a turn"])
async def test_results_that_arrive_while_the_player_thinks_are_recorded_and_end_the_conversation(strategy_class, request_message, log):
    strategy = strategy_class()
    talk = Conversation(LocalPlayer(Name("alice"), strategy))
    with trio.fail_after(HANG_GUARD):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(talk.play)
            await talk.server.send("zed")
            if request_message is BOARD:
                await talk.server.send([])
                await talk.server.receive()
                await talk.server.send([["alice1", 2, 2], ["zed1", 3, 2]])
                await talk.server.receive()
            await talk.server.send(request_message)
            await wait_until(strategy.blocked)
            await talk.server.send(RESULTS)
    strategy.release()
    assert talk.returned == (EncounterOutcome("zed", "alice", irregular=True),)
    assert talk.proxy.results == talk.returned
    assert "the Results arrived before the player was done" in log.text


async def test_a_kick_notice_while_the_player_thinks_is_logged_with_the_reason_and_ends_the_conversation(log):
    strategy = NeverTakesTurn()
    talk = Conversation(LocalPlayer(Name("alice"), strategy))
    with trio.fail_after(HANG_GUARD):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(talk.play)
            await talk.server.send("zed")
            await talk.server.send([["zed1", 3, 2]])
            await talk.server.receive()
            await talk.server.send([["zed1", 3, 2], ["alice1", 2, 2], ["zed2", 4, 4]])
            await talk.server.receive()
            await talk.server.send(BOARD)
            await wait_until(strategy.blocked)
            await talk.server.send(["kicked", REASON])
    strategy.release()
    assert talk.returned is None and talk.raised is None
    assert f"alice was kicked by the server: {REASON}" in log.text
    await talk.nothing_more_arrives()


async def test_a_kick_notice_to_an_idle_player_is_logged_too(log):
    talk = Conversation(ScriptedPlayer(Name("alice")))
    with trio.fail_after(HANG_GUARD):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(talk.play)
            await talk.server.send("zed")
            await talk.server.send(["kicked", "placed a worker on an occupied square"])
    assert "alice was kicked by the server: placed a worker on an occupied square" in log.text


async def test_a_kick_notice_longer_than_200_characters_ends_the_conversation_as_in_the_ipd(log):
    reason = "take_turn: " + "x" * 300  # not our server's (at most 200), but a kick notice all the same
    talk = Conversation(ScriptedPlayer(Name("alice")))
    with trio.fail_after(HANG_GUARD):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(talk.play)
            await talk.server.send("zed")
            await talk.server.send(["kicked", reason])
    assert talk.raised is None and talk.returned is None
    assert f"alice was kicked by the server: {reason[:197]}..." in log.messages
    await talk.nothing_more_arrives()


async def test_another_request_while_an_answer_is_due_means_the_server_has_moved_on(log):
    strategy = NeverPlaces()
    talk = Conversation(LocalPlayer(Name("alice"), strategy))
    with trio.fail_after(HANG_GUARD):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(talk.play)
            await talk.server.send("zed")
            await talk.server.send([])
            await wait_until(strategy.blocked)
            await talk.server.send([["zed1", 0, 0]])  # the next game's Placement: alice is out
    strategy.release()
    assert talk.returned is None
    assert [line for line in log.messages if "moved on" in line] == [
        "alice: the server sent a Placement while place_worker was not answered yet: it has moved on; the player is abandoned"
    ]
    await talk.nothing_more_arrives()


async def test_a_close_while_the_player_thinks_is_noticed_at_once(log):
    strategy = NeverPlaces()
    talk = Conversation(LocalPlayer(Name("alice"), strategy))
    with trio.fail_after(HANG_GUARD):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(talk.play)
            await talk.server.send("zed")
            await talk.server.send([])
            await wait_until(strategy.blocked)
            await talk.server.aclose()
    strategy.release()
    assert talk.returned is None
    assert "while place_worker was not done; the player is abandoned" in log.text


async def test_a_player_that_takes_longer_than_10_s_over_the_results_is_abandoned_and_the_log_says_so(autojump_clock, log):
    player = ScriptedPlayer(Name("alice"))

    async def end_of_tournament(results) -> None:
        await trio.sleep_forever()

    player.end_of_tournament = end_of_tournament
    talk = Conversation(player)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(talk.play)
        await talk.server.send(RESULTS)
    assert talk.returned == (EncounterOutcome("zed", "alice", irregular=True),)
    assert "alice: the player was not done with end_of_tournament within 10 s of the Results; abandoned" in log.messages


async def test_a_message_without_reply_that_arrives_while_the_player_is_busy_waits_its_turn():
    player = ScriptedPlayer(Name("alice"))
    talk = Conversation(player)
    with trio.fail_after(HANG_GUARD):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(talk.play)
            for message in (["playing-as", "alicea"], "zed", []):  # sent at once, as a server may
                await talk.server.send(message)
            assert await talk.server.receive() == [0, 0]
            await talk.server.send(RESULTS)
    assert [method for method, _ in player.heard] == ["playing_as", "start_encounter", "place_worker", "end_of_tournament"]


async def test_a_protocol_violation_by_the_server_is_the_servers_fault():
    talk = Conversation(ScriptedPlayer(Name("alice")))
    with trio.fail_after(HANG_GUARD):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(talk.play)
            await talk.server_stream.send_all(b'"zed"\n[1, 2,, 3]\n')
    assert isinstance(talk.raised, ServerMisbehaved)
    assert "the server broke the protocol" in str(talk.raised)


# --- what other servers send beyond the spec --------------------------------------------------


async def test_nameless_workers_and_digit_heights_reach_the_player_with_owners_and_numbers():
    player = ScriptedPlayer(Name("alice"))
    talk = Conversation(player)
    with trio.fail_after(HANG_GUARD):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(talk.play)
            await talk.server.send("zed")
            await talk.server.send([["1", 4, 4]])
            assert await talk.server.receive() == [0, 0]
            await talk.server.send([["1", 0, 0], ["1", 4, 4], ["2", 5, 5]])
            assert await talk.server.receive() == [1, 0]
            await talk.server.send([["0alice1", "0alice2", "2"], ["1"], [], [], ["0", "0", "0", "0", "0zed1"], ["4"] * 5 + ["0zed2"]])
            assert (await talk.server.receive())[0].startswith("alice")
            await talk.server.send(RESULTS)
    first, second = player.calls("place_worker")
    assert first == (WorkerPlace(Worker("zed", 1), Place(4, 4)),)
    assert second == (
        WorkerPlace(Worker("alice", 1), Place(0, 0)),
        WorkerPlace(Worker("zed", 1), Place(4, 4)),
        WorkerPlace(Worker("zed", 2), Place(5, 5)),
    )
    (board,) = player.calls("take_turn")
    assert board.height(Place(2, 0)) == 2 and board.height(Place(0, 1)) == 1 and board.height(Place(0, 5)) == 4


@pytest.mark.parametrize(
    "message, kind",
    [
        ([["1", 0, 0]], Placement),
        ([["2", 0, 0], ["bob1", 1, 1], ["1", 5, 5]], Placement),
        ([["1", 0, 0], ["0a1", "0a2", "0b1", "0b2"]], Board),  # a short board whose first row holds digit heights
        ([["1", "0a1", "0a2"], ["0b1", "0b2"]], Board),
        (["kicked", REASON], Kicked),
    ],
)
def test_the_client_tells_the_forms_other_servers_send_apart(message, kind):
    assert classify(message, in_series=True) == kind


# --- the local player's answers are checked before anything is sent ----------------------------


class ForgetsReturn(GoodStrategy):
    def take_turn(self, me, board):
        super().take_turn(me, board)  # no return: the answer is None


async def play_until_it_fails(player) -> Conversation:
    talk = Conversation(player)
    with trio.fail_after(HANG_GUARD):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(talk.play)
            await talk.server.send("zed")
            await talk.server.send([])
            place = await talk.server.receive()
            await talk.server.send([["alice1", *place], ["zed1", 5, 0]])
            place = await talk.server.receive()
            await talk.server.send(BOARD)
    return talk


async def test_a_strategy_that_forgets_to_return_is_reported_and_nothing_is_sent():
    talk = await play_until_it_fails(LocalPlayer(Name("alice"), ForgetsReturn()))
    assert isinstance(talk.raised, StrategyFailed)
    assert str(talk.raised) == "take_turn returned None, not an Action"
    await talk.nothing_more_arrives()


async def test_a_strategy_that_answers_the_wrong_type_is_reported_and_nothing_is_sent():
    talk = Conversation(LocalPlayer(Name("alice"), MalformedPlacement()))
    with trio.fail_after(HANG_GUARD):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(talk.play)
            await talk.server.send("zed")
            await talk.server.send([])
    assert str(talk.raised) == "place_worker returned 'nowhere', not a Place"
    await talk.nothing_more_arrives()


PLAYER_FILE = textwrap.dedent(
    """
    from Player.santorini.strategic import GoodStrategy


    def count_my_workers(me, board):
        return len(board.workers_of(me)) / 0


    class Mine(GoodStrategy):
        def take_turn(self, me, board):
            count_my_workers(me, board)
            return super().take_turn(me, board)


    def make_strategy():
        return Mine()
    """
)


async def test_an_exception_in_a_player_file_comes_with_a_traceback_of_that_file_only(tmp_path):
    player_file = tmp_path / "mine.py"
    player_file.write_text(PLAYER_FILE)
    talk = await play_until_it_fails(make_local_player("good", Name("alice"), str(player_file), PLAYERS))
    assert str(talk.raised) == "take_turn raised ZeroDivisionError: division by zero"
    shown = talk.raised.details.splitlines()
    frames = [line for line in shown if line.lstrip().startswith("File ")]
    assert frames == [f'  File "{player_file}", line 11, in take_turn', f'  File "{player_file}", line 6, in count_my_workers']
    assert shown[-1] == "ZeroDivisionError: division by zero"
    await talk.nothing_more_arrives()


# --- connecting ---------------------------------------------------------------------------------


class Opener:
    """Stands in for trio.open_tcp_stream: fails with `error` (or hangs if None) `failures` times, then connects."""

    def __init__(self, error: Exception | None, failures: float = float("inf")) -> None:
        self.error, self.failures, self.attempts = error, failures, 0

    async def __call__(self, host: str, port: int):
        self.attempts += 1
        if self.attempts > self.failures:
            return trio.testing.memory_stream_pair()[0]
        if self.error is None:
            await trio.sleep_forever()
        raise self.error


REFUSED = ConnectionRefusedError(111, "Connection refused")


async def test_a_refused_connection_is_tried_again_until_the_server_listens(autojump_clock, log):
    opener = Opener(REFUSED, failures=12)
    await Connector("localhost", 56789, retry_for=10, open_stream=opener).connect()
    assert opener.attempts == 13
    assert [line for line in log.messages if "refused" in line] == [
        "no server at localhost:56789 yet (connection refused); trying again for up to 10 s"
    ]


async def test_a_refused_connection_gives_up_when_the_retry_window_has_passed_and_the_window_is_shared(autojump_clock):
    opener = Opener(REFUSED)
    connector = Connector("localhost", 56789, retry_for=3, open_stream=opener)
    started = trio.current_time()
    with pytest.raises(CannotConnect, match="connection refused"):
        await connector.connect()
    assert 3 - 0.5 <= trio.current_time() - started <= 3
    attempts = opener.attempts
    with pytest.raises(CannotConnect, match="connection refused"):
        await connector.connect()
    assert opener.attempts == attempts + 1  # the next player does not wait all over again


async def test_a_connection_attempt_without_an_answer_gives_up_after_the_time_limit(autojump_clock):
    opener = Opener(None)
    with pytest.raises(CannotConnect, match=f"no answer within {CONNECT_TIME_LIMIT_SECONDS:g} s"):
        await Connector("10.255.255.1", 56789, open_stream=opener).connect()
    assert opener.attempts == 1


@pytest.mark.parametrize(
    "error, reason",
    [
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "cannot resolve the host name 'x.invalid'"),
        (OSError(101, "Network is unreachable"), "Network is unreachable"),
    ],
)
async def test_other_failures_to_connect_are_not_tried_again(error, reason, autojump_clock):
    opener = Opener(error)
    with pytest.raises(CannotConnect, match=reason):
        await Connector("x.invalid", 56789, open_stream=opener).connect()
    assert opener.attempts == 1


async def test_a_real_refused_port_is_recognised_as_refused():
    with socket.socket() as bound:  # bound, not listening: connections are refused
        bound.bind(("127.0.0.1", 0))
        with pytest.raises(CannotConnect, match=r"connection refused \(tried for 0.3 s\)"):
            await Connector("127.0.0.1", bound.getsockname()[1], retry_for=0.3).connect()
