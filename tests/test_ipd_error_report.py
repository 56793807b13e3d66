"""A client says why it gives up: `["error", Reason]` before it closes, and the organiser reads that reason.

The message's strict converter; the server's proxy taking it for the
player's failure with that reason, control characters shown escaped; the
client's proxy sending it when its strategy raises or answers no move; and a
real xserver and xclients, the reason in the server's log and its event log.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import trio
import trio.testing
from hypothesis import given
from hypothesis import strategies as st
from ipd_doubles import RAISE, ScriptedPlayer

from Admin.safe_call import BROKEN, MALFORMED, Failure, safe_call
from Common.ipd.messages import REASON_LIMIT, ErrorReport
from Common.ipd.wire import structure, unstructure
from Common.strict import StructureError
from Remote.channel import MessageChannel
from Remote.ipd.server_proxy import ServerProxy, StrategyFailed
from Remote.loopback import ServerProcess, run_clients
from tests.raw_client import stop
from tests.test_ipd_remote_player import move_with_reply, remote_and_client, socket_remote_and_client
from tests.test_resume_end_to_end import tournament_events

LIMIT = 60.0

# ---------------------------------------------------------------------------
# The message


@given(st.text(max_size=REASON_LIMIT))
def test_an_error_report_round_trips(reason: str) -> None:
    assert structure(unstructure(ErrorReport(reason)), ErrorReport) == ErrorReport(reason)


@pytest.mark.parametrize(
    "value, said",
    [
        (["error", "x" * 201], "at most 200 characters"),
        (["error", 5], "expected a reason"),
        (["error", None], "expected a reason"),
        (["error"], "2 elements"),
        (["error", "a", "b"], "2 elements"),
        (["Error", "a"], '"error"'),
        ("error", "JSON array"),
    ],
)
def test_a_malformed_error_report_is_refused_naming_what_is_wrong(value, said) -> None:
    with pytest.raises(StructureError, match=said):
        structure(value, ErrorReport)


# ---------------------------------------------------------------------------
# The server's proxy


async def test_an_error_report_instead_of_a_reply_is_the_players_failure_with_its_reason() -> None:
    player, client = remote_and_client()
    failure = await move_with_reply(player, client, 1, None, ["error", "move raised ZeroDivisionError: division by zero"])
    assert failure == Failure('move: ClientError: the client reports "move raised ZeroDivisionError: division by zero"', BROKEN)


async def test_an_error_report_sent_while_nothing_was_asked_fails_the_next_message_with_its_reason() -> None:
    player, client = socket_remote_and_client()
    with trio.fail_after(10):
        await client.send(["error", "lost my\nmind\x1b[31m"])
        failure = await safe_call(player.start_match, "bob", time_limit=5)
    assert failure.kind == BROKEN
    assert failure.reason == r'start_match: ClientError: the client reports "lost my\nmind\u001b[31m"'


async def test_a_malformed_error_report_is_malformed() -> None:
    player, client = remote_and_client()
    failure = await move_with_reply(player, client, 1, None, ["error", "x" * 201])
    assert failure.kind == MALFORMED and "at most 200 characters" in failure.reason


# ---------------------------------------------------------------------------
# The client's proxy


@pytest.mark.parametrize(
    "player, said",
    [
        (ScriptedPlayer("alice", script={1: RAISE}), "move raised RuntimeError: scripted failure"),
        (ScriptedPlayer("alice", script={1: 7}), "move returned 7, not a move"),
    ],
)
async def test_a_strategy_that_fails_is_reported_to_the_server_before_the_close(player, said) -> None:
    server_end, client_end = trio.testing.memory_stream_pair()
    server = MessageChannel(server_end, 1 << 16)
    proxy = ServerProxy(MessageChannel(client_end, 1 << 16), player, "alice")
    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:

            async def play() -> None:
                with pytest.raises(StrategyFailed):
                    await proxy.play()
                await proxy.channel.aclose()

            nursery.start_soon(play)
            await server.send(["match", "bob"])
            await server.send(["move", 1, None])
            report = await server.receive()
    assert report[0] == "error" and said in report[1] and len(report[1]) <= REASON_LIMIT


# ---------------------------------------------------------------------------
# xserver and xclients

RAISING = """
from Player.ipd.classics import TitForTat

class Raising(TitForTat):
    def move(self, me, round, prev):
        if round == 3:
            raise ValueError("no idea what to do in round 3")
        return super().move(me, round, prev)

def make_strategy():
    return Raising()
"""


def test_a_strategy_that_raises_in_xclients_is_the_servers_logged_and_recorded_reason(tmp_path: Path) -> None:
    (tmp_path / "raising.py").write_text(RAISING)
    log = tmp_path / "log"
    config = {
        "game": "ipd",
        "min players": 3,
        "waiting for": 3,
        "repeat": 0,
        "min rounds": 5,
        "max rounds": 5,
        "seed": 1,
        "event log": str(log),
    }
    server = ServerProcess(config)
    try:
        players = [["cooperator", "ann", ""], ["tit-for-tat", "bob", str(tmp_path / "raising.py")], ["defector", "cat", ""]]
        clients = run_clients({"game": "ipd", "players": players, "observers": []}, server.port, LIMIT)
        done = server.finish(LIMIT)
    finally:
        stop(server)
    said = "move raised ValueError: no idea what to do in round 3"
    assert said in clients.log
    assert done.status == 0, done.log
    assert said in done.log and "Traceback" not in done.log
    (misbehaviour,) = [event for event in tournament_events(log) if event["type"] == "misbehaviour"]
    assert misbehaviour["name"] == "bob" and said in misbehaviour["reason"]
    outcomes = json.loads(done.output)["outcomes"]
    assert ["ann", "bob", "irregular"] in outcomes
