"""The flat path of a round of two remote players (`ask_together` in the encounter loop) ends every call as the general path does.

Each scenario is a few rounds of `ask_all` asking two IPD players on
socket pairs for their moves, against clients that misbehave on cue: junk,
a reply ahead, two replies, a value begun after the reply, an error report,
a closed socket, a socket that stops reading, silence until the time limit
(and the late copy after it), a value waiting before the first request.
Each is played three times: in the encounter loop with the flat path, in
the loop with the flat path turned off, and as a trio task. The answers and
Failures of every round, what each player then owes, whether it is still in
play, its call statistics and every byte the clients received (the kick
notice included) are the same. The steady state takes the flat path (no
PendingCall is made); each scenario that must fall back does.
"""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
import trio

from Admin.encounter import Encounter, EncounterResult, Entrant
from Admin.ipd.referee import MOVE
from Admin.safe_call import ask_all
from Common.ipd.moves import Prev
from Remote import remote_participant
from Remote.channel import MessageChannel
from Remote.encounter_loop import InEncounterLoop, encounter_loop
from Remote.ipd.remote_player import RemotePlayer
from Remote.remote_participant import CallPlan, PendingCall, RemoteParticipant
from Remote.statistics import CallStatistics

LIMIT = 1 << 16
BOUND = 30.0
"""A bound on a round nobody is silent in: never reached unless something hangs."""
SILENCE = 0.5
"""The time limit of a round in which a client stays silent."""

Deeds = dict[int, str]
"""What a client does on each round's request, by round (the others: `[k,"C"]`)."""


async def _client(end: trio.socket.SocketType, deeds: Deeds, received: list[bytes]) -> None:
    """Answer every request as `deeds` say, recording every line received, until the server closes."""
    buffer = b""
    while True:
        while b"\n" not in buffer:
            try:
                data = await end.recv(LIMIT)
            except ConnectionResetError:  # the server closed with bytes of ours unread: all it sent was read first
                data = b""
            if not data:
                if buffer:
                    received.append(buffer)
                return
            buffer += data
        line, buffer = buffer.split(b"\n", 1)
        received.append(line)
        message = json.loads(line)
        if message[0] != "move":
            continue
        k = message[1]
        deed = deeds.get(k, "C")
        if deed == "close":
            end.close()
            return
        if deed == "deaf":  # stop reading, then answer: the next request cannot be written
            end.shutdown(socket.SHUT_RD)
        if deed == "split":
            await end.send(b'[%d,"' % k)
            await trio.lowlevel.checkpoint()
            await end.send(b'C"]\n')
            continue
        sent = {
            "C": b'[%d,"C"]\n' % k,
            "deaf": b'[%d,"C"]\n' % k,
            "pretty": b'[ %d , "D" ]\n' % k,
            "junk": b"}{\n",
            "ahead": b'[%d,"C"]\n' % (k + 1),
            "twice": b'[%d,"C"]\n[%d,"C"]\n' % (k, k),
            "tail": b'[%d,"C"]\n[%d,' % (k, k + 1),
            "rest": b'"C"]\n',
            "error": b'["error","boom"]\n',
            "late": b'[%d,"D"]\n[%d,"C"]\n' % (k - 1, k),
            "silent": b"",
        }[deed]
        if sent:
            await end.send(sent)


async def _play(rounds: int, ann: Deeds, ben: Deeds, before: bytes, mode: str) -> tuple[Any, int]:
    """The scenario played in `mode` ("flat", "general" or "trio"): everything the players and clients saw; PendingCalls made."""
    pendings = []
    made = PendingCall.__init__

    def counted(self: PendingCall, *args: Any) -> None:
        pendings.append(1)
        made(self, *args)

    players, clients = [], []
    for _ in range(2):
        server_end, client_end = trio.socket.socketpair()
        players.append(RemotePlayer(MessageChannel(trio.SocketStream(server_end), LIMIT), CallStatistics()))
        clients.append(client_end)
    if before:
        await clients[0].send(before)  # in the socket before the encounter begins
    answers: list[Any] = []

    async def referee(first: Entrant, second: Entrant, encounter: Encounter) -> EncounterResult:
        for k in range(1, rounds + 1):
            silent = "silent" in (ann.get(k), ben.get(k))
            prev = None if k == 1 else Prev("C", "D")
            asked = await ask_all(
                [(first.player, "move", (k, prev)), (second.player, "move", (k, prev))], SILENCE if silent else BOUND, MOVE
            )
            answers.append([one.answer for one in asked])
        return EncounterResult(None)

    received: list[list[bytes]] = [[], []]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(remote_participant, "FLAT_PATH", mode == "flat")
        patch.setattr(PendingCall, "__init__", counted)
        with trio.fail_after(BOUND):
            async with trio.open_nursery() as nursery:
                for end, deeds, lines in zip(clients, (ann, ben), received, strict=True):
                    nursery.start_soon(_client, end, deeds, lines)
                async with encounter_loop() as loop:
                    play = InEncounterLoop(referee, None if mode == "trio" else loop)
                    await play(Entrant("ann", players[0]), Entrant("ben", players[1]), Encounter())
                states = [(p.forfeited_rounds, p._conversation.out_of_play, p._statistics.calls, p._statistics.failures) for p in players]
                for player in players:
                    await player.kicked("the test is over")
    return (answers, states, received), len(pendings)


SCENARIOS: dict[str, tuple[int, Deeds, Deeds, bytes, bool]] = {
    "junk": (3, {2: "junk"}, {}, b"", True),
    "a reply ahead": (3, {}, {2: "ahead"}, b"", True),
    "two replies": (2, {1: "twice"}, {}, b"", True),
    "a value begun after the reply": (3, {1: "tail", 2: "rest"}, {}, b"", True),
    "an error report": (3, {}, {2: "error"}, b"", True),
    "a closed socket": (3, {2: "close"}, {}, b"", True),
    "a socket that stops reading": (4, {}, {2: "deaf"}, b"", True),
    "one silent, then its late copy": (4, {2: "silent", 3: "late"}, {}, b"", True),
    "both silent": (3, {1: "silent"}, {1: "silent"}, b"", True),
    "a value waiting before the first request": (2, {}, {}, b'[0,"C"]\n', True),
    "a reply split and one pretty-printed": (3, {1: "split"}, {2: "pretty"}, b"", False),
}
"""Name: (rounds, ann's deeds, ben's deeds, what ann sends before the first request, whether the flat path must hand over)."""


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
async def test_the_flat_path_falls_back_and_ends_every_call_as_the_general_path_does(scenario: str) -> None:
    rounds, ann, ben, before, hands_over = SCENARIOS[scenario]
    flat, fell_back = await _play(rounds, ann, ben, before, "flat")
    general, _ = await _play(rounds, ann, ben, before, "general")
    under_trio, _ = await _play(rounds, ann, ben, before, "trio")
    assert flat == general == under_trio
    assert bool(fell_back) == hands_over  # the flat path ended every call itself, or handed some over


async def test_a_round_of_two_players_in_play_takes_the_flat_path_and_ends_as_the_general_path() -> None:
    flat, made = await _play(6, {3: "pretty"}, {}, b"", "flat")
    general, made_generally = await _play(6, {3: "pretty"}, {}, b"", "general")
    assert flat == general and made == 0 and made_generally == 12
    answers, _, received = flat
    assert answers == [["C", "C"], ["C", "C"], ["D", "C"], ["C", "C"], ["C", "C"], ["C", "C"]]
    assert received[0][-1] == b'["kicked","the test is over"]'


class BigRequests(RemoteParticipant):
    """A remote player with one call whose request is larger than a socket takes at once: `ask(size)`, answered by any value."""

    def _ask_request(self, size: int) -> CallPlan:
        return CallPlan(b'["ask","' + b"x" * size + b'"]\n', read=lambda answer: answer)


async def _answer_big(end: trio.socket.SocketType, size: int) -> None:
    taken = 0
    while taken < size + 11:  # ["ask","x...x"] and a newline
        taken += len(await end.recv(LIMIT))
    await end.send(b"%d\n" % taken)


@pytest.mark.parametrize("flat", [True, False])
async def test_a_request_the_socket_does_not_take_whole_is_written_out_then_answered(flat: bool) -> None:
    size = 1 << 21
    players, clients = [], []
    for _ in range(2):
        server_end, client_end = trio.socket.socketpair()
        players.append(BigRequests(MessageChannel(trio.SocketStream(server_end), LIMIT)))
        clients.append(client_end)

    async def referee(first: Entrant, second: Entrant, encounter: Encounter) -> EncounterResult:
        asked = await ask_all([(first.player, "ask", (size,)), (second.player, "ask", (1,))], BOUND)
        return EncounterResult([one.answer for one in asked])

    with pytest.MonkeyPatch.context() as patch, trio.fail_after(BOUND):
        patch.setattr(remote_participant, "FLAT_PATH", flat)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(_answer_big, clients[0], size)
            nursery.start_soon(_answer_big, clients[1], 1)
            async with encounter_loop() as loop:
                result = await InEncounterLoop(referee, loop)(Entrant("ann", players[0]), Entrant("ben", players[1]), Encounter())
    assert result.outcome == [size + 11, 12]


@pytest.mark.parametrize("flat", [True, False])
async def test_stopping_the_event_during_a_flat_round_forfeits_both_calls_as_the_general_path_does(flat: bool) -> None:
    players, clients = [], []
    for _ in range(2):
        server_end, client_end = trio.socket.socketpair()
        players.append(RemotePlayer(MessageChannel(trio.SocketStream(server_end), LIMIT), CallStatistics()))
        clients.append(client_end)

    async def referee(first: Entrant, second: Entrant, encounter: Encounter) -> EncounterResult:
        await ask_all([(first.player, "move", (1, None)), (second.player, "move", (1, None))], 600, MOVE)
        return EncounterResult(None)

    async def stop_once_asked(scope: trio.CancelScope) -> None:
        for end in clients:
            assert await end.recv(LIMIT) == b'["move",1,null]\n'
        await clients[0].send(b'[1,"C"]\n')  # one answers; the other never does
        while not players[0]._statistics.calls:
            await trio.lowlevel.checkpoint()
        scope.cancel()

    with pytest.MonkeyPatch.context() as patch, trio.fail_after(BOUND):
        patch.setattr(remote_participant, "FLAT_PATH", flat)
        async with encounter_loop() as loop, trio.open_nursery() as nursery:
            with trio.CancelScope() as scope:
                nursery.start_soon(stop_once_asked, scope)
                await InEncounterLoop(referee, loop)(Entrant("ann", players[0]), Entrant("ben", players[1]), Encounter())
    assert scope.cancelled_caught
    assert [player.forfeited_rounds for player in players] == [(), (1,)]
    assert [(p._statistics.calls, p._statistics.failures) for p in players] == [(1, 0), (1, 1)]
