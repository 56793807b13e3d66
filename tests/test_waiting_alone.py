"""An encounter that is the encounter loop's only business waits on its own sockets, and yields whenever the loop has more to do.

In the steady state of a round of two (`ask_together`'s flat path) the
wait is a poll of the encounter's sockets and the loop's wake descriptor
(`SocketPair.wait_alone`), not a trip through the loop. These tests watch
that poll: it serves the rounds of a lone encounter; a second encounter
starting, the event stopping and the time limit each end it, and the
encounter then ends exactly as through the loop.
"""

from __future__ import annotations

from typing import Any

import pytest
import trio

from Admin.encounter import Encounter, EncounterResult, Entrant
from Admin.safe_call import LATE, Failure, ask_all
from Remote.channel import MessageChannel, SocketPair
from Remote.encounter_loop import InEncounterLoop, encounter_loop
from Remote.remote_participant import CallPlan, RemoteParticipant

LIMIT = 1 << 16
BOUND = 30.0
"""A bound nobody reaches unless something hangs."""


class OneCallPlayer(RemoteParticipant):
    """A remote player with one call: `ask(value)` sends `["ask", value]` and its answer is any value."""

    def _ask_request(self, value: Any) -> CallPlan:
        return CallPlan(["ask", value], read=lambda answer: answer)


def player_and_client() -> tuple[OneCallPlayer, MessageChannel]:
    server_end, client_end = trio.socket.socketpair()
    return OneCallPlayer(MessageChannel(trio.SocketStream(server_end), LIMIT)), MessageChannel(trio.SocketStream(client_end), LIMIT)


async def answer(client: MessageChannel, times: int, before: dict[int, trio.Event] | None = None) -> None:
    """The client: answers each `["ask", n]` with n + 1, `times` times; the n-th answer only once `before[n]` is set, if given."""
    for _ in range(times):
        _, value = await client.receive()
        if before and value in before:
            await before[value].wait()
        await client.send(value + 1)


def rounds_of(count: int, time_limit: float = BOUND) -> Any:
    """A referee asking both players `ask(k)` together for k = 1..count: the answers of each round."""

    async def referee(first: Entrant, second: Entrant, encounter: Encounter) -> EncounterResult:
        answers = []
        for k in range(1, count + 1):
            asked = await ask_all([(first.player, "ask", (k,)), (second.player, "ask", (k,))], time_limit)
            answers.append([one.answer for one in asked])
        return EncounterResult(answers)

    return referee


class WatchedWaits:
    """`SocketPair.wait_alone` watched: the descriptors of each wait begun, and what each wait found."""

    def __init__(self, patch: pytest.MonkeyPatch) -> None:
        self.begun: list[tuple[int, ...]] = []
        self.found: list[list[tuple[int, int]]] = []
        self._changed = trio.Event()
        token = trio.lowlevel.current_trio_token()
        wait_alone = SocketPair.wait_alone

        def watched(pair: SocketPair, waiting: Any, wake: int, seconds: float) -> list[tuple[int, int]]:
            token.run_sync_soon(self._began, waiting.descriptors)
            found = wait_alone(pair, waiting, wake, seconds)
            self.found.append(found)
            return found

        patch.setattr(SocketPair, "wait_alone", watched)

    def _began(self, descriptors: tuple[int, ...]) -> None:
        self.begun.append(descriptors)
        self._changed.set()
        self._changed = trio.Event()

    async def until_waiting_for(self, player: RemoteParticipant, once: Any) -> None:
        """Until a wait on the socket of `player` alone has begun once `once()` was true."""
        while not (self.begun and self.begun[-1] == (player._channel._fd,) and once()):
            await self._changed.wait()

    @property
    def handed_back(self) -> int:
        """How many waits ended with nothing ready: the loop took the wait over."""
        return sum(1 for found in self.found if not found)


async def test_a_lone_encounter_waits_on_its_own_sockets_round_after_round() -> None:
    (ann, ann_client), (ben, ben_client) = player_and_client(), player_and_client()
    with pytest.MonkeyPatch.context() as patch, trio.fail_after(BOUND):
        waits = WatchedWaits(patch)
        async with encounter_loop() as loop, trio.open_nursery() as nursery:
            nursery.start_soon(answer, ann_client, 5)
            nursery.start_soon(answer, ben_client, 5)
            result = await InEncounterLoop(rounds_of(5), loop)(Entrant("ann", ann), Entrant("ben", ben), Encounter())
    assert result.outcome == [[k + 1, k + 1] for k in range(1, 6)]
    assert waits.found and waits.handed_back == 0  # the first round's wait is the loop's (the start), the others their own


async def test_an_encounter_starting_ends_the_lone_wait_and_both_encounters_play_on() -> None:
    (ann, ann_client), (ben, ben_client) = player_and_client(), player_and_client()
    (cid, cid_client), (dee, dee_client) = player_and_client(), player_and_client()
    second_over = trio.Event()
    results: list[Any] = []
    with pytest.MonkeyPatch.context() as patch, trio.fail_after(BOUND):
        waits = WatchedWaits(patch)
        async with encounter_loop() as loop, trio.open_nursery() as nursery:
            nursery.start_soon(answer, ann_client, 3)
            nursery.start_soon(answer, ben_client, 3, {2: second_over})  # silent in round 2 until the other encounter is over

            async def first_encounter() -> None:
                results.append(await InEncounterLoop(rounds_of(3), loop)(Entrant("ann", ann), Entrant("ben", ben), Encounter()))

            nursery.start_soon(first_encounter)
            await waits.until_waiting_for(ben, lambda: ann._statistics.calls == 2)  # ben's reply to round 2 waits for the other encounter
            nursery.start_soon(answer, cid_client, 4)
            nursery.start_soon(answer, dee_client, 4)
            second = await InEncounterLoop(rounds_of(4), loop)(Entrant("cid", cid), Entrant("dee", dee), Encounter())
            second_over.set()
    assert second.outcome == [[k + 1, k + 1] for k in range(1, 5)]
    assert results[0].outcome == [[2, 2], [3, 3], [4, 4]]
    assert waits.handed_back >= 1


async def test_stopping_the_event_ends_a_lone_wait_and_the_encounter_at_once() -> None:
    (ann, ann_client), (ben, ben_client) = player_and_client(), player_and_client()
    never = trio.Event()
    with pytest.MonkeyPatch.context() as patch, trio.fail_after(BOUND):
        waits = WatchedWaits(patch)
        async with encounter_loop() as loop, trio.open_nursery() as nursery:
            nursery.start_soon(answer, ann_client, 3)
            nursery.start_soon(answer, ben_client, 3, {2: never})
            with trio.CancelScope() as scope:

                async def stop_once_waiting() -> None:
                    await waits.until_waiting_for(ben, lambda: ann._statistics.calls == 2)
                    scope.cancel()

                nursery.start_soon(stop_once_waiting)
                await InEncounterLoop(rounds_of(3, 600), loop)(Entrant("ann", ann), Entrant("ben", ben), Encounter())
            nursery.cancel_scope.cancel()
    assert scope.cancelled_caught
    assert waits.handed_back == 1
    assert [(p._statistics.calls, p._statistics.failures) for p in (ann, ben)] == [(2, 0), (2, 1)]
    assert ben._conversation.out_of_play is not None  # cut short while its reply was due


async def test_a_time_limit_ends_a_lone_wait_as_a_late_failure() -> None:
    (ann, ann_client), (ben, ben_client) = player_and_client(), player_and_client()
    never = trio.Event()
    with pytest.MonkeyPatch.context() as patch, trio.fail_after(BOUND):
        waits = WatchedWaits(patch)
        async with encounter_loop() as loop, trio.open_nursery() as nursery:
            nursery.start_soon(answer, ann_client, 2)
            nursery.start_soon(answer, ben_client, 2, {2: never})
            result = await InEncounterLoop(rounds_of(2, 0.2), loop)(Entrant("ann", ann), Entrant("ben", ben), Encounter())
            nursery.cancel_scope.cancel()
    first, second = result.outcome
    assert first == [2, 2]
    assert second[0] == 3 and isinstance(second[1], Failure) and second[1].kind == LATE
    assert second[1].reason == "ask: no answer within 0.2 s"
    assert waits.handed_back == 1


async def test_a_time_limit_longer_than_a_system_call_can_wait_is_waited_in_parts() -> None:
    (ann, ann_client), (ben, ben_client) = player_and_client(), player_and_client()
    with trio.fail_after(BOUND):
        async with encounter_loop() as loop, trio.open_nursery() as nursery:
            nursery.start_soon(answer, ann_client, 3)
            nursery.start_soon(answer, ben_client, 3)
            result = await InEncounterLoop(rounds_of(3, 1e7), loop)(Entrant("ann", ann), Entrant("ben", ben), Encounter())
    assert result.outcome == [[2, 2], [3, 3], [4, 4]]  # 1e7 s is more milliseconds than poll and epoll take
