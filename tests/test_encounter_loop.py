"""The encounter loop (Remote/encounter_loop.py): encounters of players on sockets, run in one worker thread, end as under trio.

Game-free: a player here is a RemoteParticipant with one call, `ask`, over
a socket pair; its client is a MessageChannel on the other end. What the
games' referees do in the loop is checked by the conformance kit
(tests/test_conformance.py, both loops compared).
"""

from __future__ import annotations

from typing import Any

import pytest
import trio
import trio.testing

from Admin.encounter import Encounter, EncounterResult, Entrant
from Admin.safe_call import LATE, Failure, ask_all, safe_call
from Admin.time_limits import loop_shell
from Remote.channel import MessageChannel
from Remote.encounter_loop import InEncounterLoop, encounter_loop
from Remote.remote_participant import CallPlan, RemoteParticipant

LIMIT = 1 << 16


class OneCallPlayer(RemoteParticipant):
    """A remote player with one call: `ask(value)` sends `["ask", value]` and its answer is any value."""

    def _ask_request(self, value: Any) -> CallPlan:
        return CallPlan(["ask", value], read=lambda answer: answer)

    async def ask(self, value: Any) -> Any:
        return await self.call("ask", value)


def player_and_client() -> tuple[OneCallPlayer, MessageChannel]:
    server_end, client_end = trio.socket.socketpair()
    return OneCallPlayer(MessageChannel(trio.SocketStream(server_end), LIMIT)), MessageChannel(trio.SocketStream(client_end), LIMIT)


async def answer_each(client: MessageChannel, times: int, add: int = 1) -> None:
    """The client: answers each `["ask", n]` with n + `add`, `times` times."""
    for _ in range(times):
        _, value = await client.receive()
        await client.send(value + add)


async def in_the_loop(referee: Any, first: OneCallPlayer, second: OneCallPlayer) -> tuple[EncounterResult, bool]:
    """Run `referee` on the two players through InEncounterLoop: its result, and whether it ran in the loop's thread."""
    threads: list[bool] = []

    async def watched(one: Entrant, other: Entrant, encounter: Encounter) -> EncounterResult:
        threads.append(loop_shell() is not None)
        return await referee(one, other, encounter)

    async with encounter_loop() as loop:
        result = await InEncounterLoop(watched, loop)(Entrant("ann", first), Entrant("ben", second), Encounter())
    return result, threads == [True]


async def test_an_encounter_of_players_on_sockets_runs_in_the_loop_and_asks_both_at_once_and_one_by_one():
    (ann, ann_client), (ben, ben_client) = player_and_client(), player_and_client()

    async def referee(first: Entrant, second: Entrant, encounter: Encounter) -> EncounterResult:
        together = await ask_all([(first.player, "ask", (1,)), (second.player, "ask", (10,))], 5.0)
        alone = await safe_call(second.player.ask, 20, time_limit=5.0)
        return EncounterResult([one.answer for one in together] + [alone])

    async with trio.open_nursery() as nursery:
        nursery.start_soon(answer_each, ann_client, 1)
        nursery.start_soon(answer_each, ben_client, 2)
        result, in_loop = await in_the_loop(referee, ann, ben)
    assert in_loop and result.outcome == [2, 11, 21]


async def test_a_time_limit_in_the_loop_is_a_late_failure_and_the_connection_stays_for_the_kick_notice():
    (ann, ann_client), (ben, _) = player_and_client(), player_and_client()

    async def referee(first: Entrant, second: Entrant, encounter: Encounter) -> EncounterResult:
        return EncounterResult(await safe_call(first.player.ask, 1, time_limit=0.05))

    result, in_loop = await in_the_loop(referee, ann, ben)
    assert in_loop and result.outcome == Failure("ask: no answer within 0.05 s", LATE)
    assert await ann_client.receive() == ["ask", 1]
    await ann.kicked("too slow")
    assert await ann_client.receive() == ["kicked", "too slow"]


async def test_stopping_the_event_stops_an_encounter_waiting_in_the_loop_at_once():
    (ann, ann_client), (ben, _) = player_and_client(), player_and_client()
    asked = trio.Event()

    async def referee(first: Entrant, second: Entrant, encounter: Encounter) -> EncounterResult:
        return EncounterResult(await safe_call(first.player.ask, 1, time_limit=600))

    async def stop_once_asked(scope: trio.CancelScope) -> None:
        assert await ann_client.receive() == ["ask", 1]
        asked.set()
        scope.cancel()

    with trio.fail_after(30):  # a bound on a hang, not a measure: the loop is told at once
        async with trio.open_nursery() as nursery:
            with trio.CancelScope() as scope:
                nursery.start_soon(stop_once_asked, scope)
                await in_the_loop(referee, ann, ben)
    assert asked.is_set() and scope.cancelled_caught


async def test_a_referee_that_awaits_trio_in_the_loop_fails_in_one_line_instead_of_hanging():
    (ann, _), (ben, _) = player_and_client(), player_and_client()

    async def referee(first: Entrant, second: Entrant, encounter: Encounter) -> EncounterResult:
        await trio.lowlevel.checkpoint()
        return EncounterResult(None)

    with trio.fail_after(30), pytest.raises(RuntimeError, match="awaited trio, not a player's socket"):
        await in_the_loop(referee, ann, ben)


async def test_a_referee_error_in_the_loop_reaches_the_task_that_awaits_the_encounter():
    (ann, _), (ben, _) = player_and_client(), player_and_client()

    async def referee(first: Entrant, second: Entrant, encounter: Encounter) -> EncounterResult:
        raise ValueError("a bug in a referee")

    with pytest.raises(ValueError, match="a bug in a referee"):
        await in_the_loop(referee, ann, ben)


async def test_sockets_closed_after_one_encounter_and_their_descriptors_reused_serve_the_next():
    async def referee(first: Entrant, second: Entrant, encounter: Encounter) -> EncounterResult:
        together = await ask_all([(first.player, "ask", (1,)), (second.player, "ask", (2,))], 5.0)
        return EncounterResult([one.answer for one in together])

    async with encounter_loop() as loop:
        for _ in range(3):
            (ann, ann_client), (ben, ben_client) = player_and_client(), player_and_client()
            async with trio.open_nursery() as nursery:
                nursery.start_soon(answer_each, ann_client, 1)
                nursery.start_soon(answer_each, ben_client, 1)
                result = await InEncounterLoop(referee, loop)(Entrant("ann", ann), Entrant("ben", ben), Encounter())
            assert result.outcome == [2, 3]
            for closing in (ann, ben):
                await closing.aclose()
            for channel in (ann_client, ben_client):
                await channel.aclose()


async def test_players_on_memory_streams_stay_with_trio():
    server_end, _ = trio.testing.memory_stream_pair()
    ann = OneCallPlayer(MessageChannel(server_end, LIMIT))
    (ben, _) = player_and_client()

    async def referee(first: Entrant, second: Entrant, encounter: Encounter) -> EncounterResult:
        return EncounterResult(None)

    _, in_loop = await in_the_loop(referee, ann, ben)
    assert not in_loop
